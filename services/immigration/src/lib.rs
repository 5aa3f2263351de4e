//! The immigration registry's stay records, as idproof asks for them: the contract's types and
//! a client for it (openapi/immigration.yaml), over mutual TLS in production.
