//! How to reach the registry: its URL, the TLS material of mutual TLS, timeouts and limits.

use std::{fmt, path::PathBuf, time::Duration};

use reqwest::{Certificate, Identity, Url, redirect};

use crate::RegistryError;

/// PEM text, from a file or given inline (for secrets that arrive by environment).
#[derive(Clone)]
pub enum PemSource {
    /// A file read when the client is built.
    File(PathBuf),
    /// The PEM text itself.
    Inline(Vec<u8>),
}

impl fmt::Debug for PemSource {
    // A client identity holds a private key: never print the bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Inline(bytes) => write!(f, "Inline(<{} bytes>)", bytes.len()),
        }
    }
}

impl PemSource {
    fn read(&self, what: &str) -> Result<Vec<u8>, RegistryError> {
        match self {
            Self::Inline(bytes) => Ok(bytes.clone()),
            Self::File(path) => std::fs::read(path).map_err(|error| {
                let reason = format!("the {what} file {} cannot be read", path.display());
                RegistryError::configuration(reason, error)
            }),
        }
    }
}

/// How to reach the registry.
///
/// **Trust**: with `ca_pem` the client trusts that private CA *instead of* the public web roots,
/// so no public CA can stand in for the registry; without it, the web roots built into the
/// client (webpki-roots). The identity and the CA need an `https` base URL.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// The registry's base URL, before `/v1`, e.g. `https://registry.example`.
    pub base_url: String,
    /// The client certificate (chain) and its private key (PKCS#8, PKCS#1 or SEC1), in one PEM.
    pub client_identity_pem: Option<PemSource>,
    /// The private CA's root certificates, in one PEM.
    pub ca_pem: Option<PemSource>,
    /// The longest wait for a connection, TLS handshake included.
    pub connect_timeout: Duration,
    /// The longest wait for a whole request, from connecting to the answer's last byte.
    pub request_timeout: Duration,
    /// The largest answer body read; a larger one is an unexpected answer.
    pub max_answer_bytes: usize,
}

impl RegistryConfig {
    /// A configuration with no TLS material, a 5 s connect timeout, a 10 s request timeout and
    /// answers of up to 1 MiB.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            client_identity_pem: None,
            ca_pem: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            max_answer_bytes: 1024 * 1024,
        }
    }

    /// The base URL, checked, ending in `/` so that endpoints join under it.
    pub(crate) fn base_url(&self) -> Result<Url, RegistryError> {
        let mut url = Url::parse(&self.base_url)
            .map_err(|error| RegistryError::configuration("the base URL does not parse", error))?;

        let tls_material = self.client_identity_pem.is_some() || self.ca_pem.is_some();
        match url.scheme() {
            "https" => {}
            "http" if !tls_material => {}
            "http" => {
                return Err(plain_configuration("a client identity or CA needs an https URL"));
            }
            _ => return Err(plain_configuration("the base URL must be http or https")),
        }

        if !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }

        Ok(url)
    }

    /// The HTTP client: timeouts, no redirects, and the TLS material.
    pub(crate) fn http_client(&self) -> Result<reqwest::Client, RegistryError> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .redirect(redirect::Policy::none())
            .user_agent(concat!("idproof-immigration/", env!("CARGO_PKG_VERSION")));

        if let Some(identity) = &self.client_identity_pem {
            let pem = identity.read("client identity")?;
            let identity = Identity::from_pem(&pem).map_err(|error| {
                RegistryError::configuration(
                    "the client identity is not a certificate and key",
                    error,
                )
            })?;
            builder = builder.identity(identity);
        }

        if let Some(ca) = &self.ca_pem {
            let pem = ca.read("CA")?;
            let roots = Certificate::from_pem_bundle(&pem).map_err(|error| {
                RegistryError::configuration("the CA is not PEM certificates", error)
            })?;
            if roots.is_empty() {
                return Err(plain_configuration("the CA PEM holds no certificate"));
            }

            builder = builder.tls_built_in_root_certs(false);
            for root in roots {
                builder = builder.add_root_certificate(root);
            }
        }

        builder.build().map_err(|error| {
            RegistryError::configuration(
                "the HTTP client cannot be built from the TLS material",
                error,
            )
        })
    }
}

fn plain_configuration(reason: &str) -> RegistryError {
    RegistryError::Configuration { reason: reason.to_owned(), source: None }
}
