//! Building the client: bad TLS material and bad URLs fail at once, with `registry.configuration`.

use idproof_immigration::{PemSource, RegistryClient, RegistryConfig};

fn refused(config: RegistryConfig) -> String {
    let error = RegistryClient::new(config).unwrap_err();

    assert_eq!(error.code(), "registry.configuration");
    assert!(!error.is_transient());
    error.to_string()
}

#[test]
fn pem_that_is_not_a_certificate_and_key_is_refused() {
    let garbage = PemSource::Inline(b"-----BEGIN CERTIFICATE-----\nnot base64\n".to_vec());
    let no_key = PemSource::Inline(Vec::new());

    let mut config = RegistryConfig::new("https://registry.example");
    config.client_identity_pem = Some(garbage.clone());
    let garbage_identity = refused(config.clone());
    config.client_identity_pem = Some(no_key);
    let empty_identity = refused(config.clone());
    config.client_identity_pem = None;
    config.ca_pem = Some(PemSource::Inline(b"no PEM here".to_vec()));
    let empty_ca = refused(config);

    assert!(garbage_identity.contains("client identity"), "{garbage_identity}");
    assert!(empty_identity.contains("client identity"), "{empty_identity}");
    assert!(empty_ca.contains("holds no certificate"), "{empty_ca}");
}

#[test]
fn a_missing_file_is_refused_with_its_path() {
    let mut config = RegistryConfig::new("https://registry.example");
    config.ca_pem = Some(PemSource::File("/nonexistent/registry-ca.pem".into()));

    let message = refused(config);

    assert!(message.contains("/nonexistent/registry-ca.pem"), "{message}");
}

#[test]
fn tls_material_needs_https_and_the_url_must_parse() {
    let mut plain = RegistryConfig::new("http://registry.example");
    plain.ca_pem = Some(PemSource::Inline(Vec::new()));

    assert!(refused(plain).contains("https"));
    refused(RegistryConfig::new("registry.example"));
    refused(RegistryConfig::new("ftp://registry.example"));
}

#[test]
fn debug_never_prints_inline_pem() {
    let mut config = RegistryConfig::new("https://registry.example");
    config.client_identity_pem = Some(PemSource::Inline(b"-----BEGIN PRIVATE KEY-----".to_vec()));

    let debug = format!("{config:?}");

    assert!(!debug.contains("PRIVATE KEY") && debug.contains("27 bytes"), "{debug}");
}
