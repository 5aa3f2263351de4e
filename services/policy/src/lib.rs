//! The proofing policy: which user group a visa category belongs to, what evidence each purpose
//! and group needs, which tier the evidence reaches and until when. Visa rules change by cabinet
//! decision, so every rule is data in an effective-dated policy file, never code.
