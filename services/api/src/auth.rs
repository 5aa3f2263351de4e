//! API keys and scopes. Every operation names the scope it needs; a key carries a set of them.

use idproof_store::ClientRecord;
use poem::Request;
use poem_openapi::{SecurityScheme, auth::ApiKey};

use crate::{problem::ApiError, state::ApiState};

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Open applications.
    ApplicationsCreate,
    /// Read the client's own applications.
    ApplicationsRead,
    /// Cancel the client's own applications.
    ApplicationsCancel,
    /// Submit evidence to the client's own applications.
    EvidenceSubmit,
    /// Report the immigration registry's stay changes: the registry's own key.
    RegistryNotify,
}

impl Scope {
    /// Every scope, for a key that may do everything (the dev key).
    pub const ALL: &'static [Scope] = &[
        Scope::ApplicationsCreate,
        Scope::ApplicationsRead,
        Scope::ApplicationsCancel,
        Scope::EvidenceSubmit,
        Scope::RegistryNotify,
    ];

    /// The scope's name as stored with a key.
    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::ApplicationsCreate => "applications:create",
            Scope::ApplicationsRead => "applications:read",
            Scope::ApplicationsCancel => "applications:cancel",
            Scope::EvidenceSubmit => "evidence:submit",
            Scope::RegistryNotify => "registry:notify",
        }
    }

    /// The scope with this name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|scope| scope.as_str() == name)
    }
}

/// An API key in the `X-Api-Key` header, checked against the stored hash.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "X-Api-Key", key_in = "header", checker = "authenticate")]
pub(crate) struct ApiKeyAuth(ClientRecord);

async fn authenticate(req: &Request, key: ApiKey) -> poem::Result<ClientRecord> {
    let state = req
        .data::<ApiState>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("API state missing from request")))?;
    match state.store.authenticate(&key.key).await {
        Ok(Some(client)) => Ok(client),
        Ok(None) => Err(ApiError::Unauthenticated.into()),
        Err(err) => Err(ApiError::internal(err).into()),
    }
}

impl ApiKeyAuth {
    /// The client, if its key carries `scope`.
    pub(crate) fn require(&self, scope: Scope) -> Result<&ClientRecord, ApiError> {
        if self.0.scopes.iter().any(|held| held == scope.as_str()) {
            Ok(&self.0)
        } else {
            Err(ApiError::MissingScope(scope.as_str()))
        }
    }
}
