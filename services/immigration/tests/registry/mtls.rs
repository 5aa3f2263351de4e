//! Mutual TLS: a private CA issues a server and a client certificate; a registry on a socket
//! demands the client's. With its identity and the CA the client gets through; without either,
//! it gets `registry.tls`, a permanent fault.

use std::{
    io::{self, Read, Write},
    net::{Shutdown, SocketAddr, TcpListener, TcpStream},
    path::PathBuf,
    time::Duration,
};

use idproof_immigration::{LookupOutcome, PemSource, RegistryClient, RegistryConfig};
use openssl::{
    asn1::Asn1Time,
    bn::BigNum,
    ec::{EcGroup, EcKey},
    hash::MessageDigest,
    nid::Nid,
    pkey::{PKey, Private},
    ssl::{SslAcceptor, SslMethod, SslVerifyMode},
    x509::{
        X509, X509NameBuilder,
        extension::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName},
    },
};

use crate::helpers::{answer_json, checked, lookup_request};

struct Issued {
    certificate: X509,
    key: PKey<Private>,
}

impl Issued {
    /// The certificate and its key in one PEM, as the client reads its identity.
    fn identity_pem(&self) -> Vec<u8> {
        let mut pem = self.certificate.to_pem().unwrap();
        pem.extend(self.key.private_key_to_pem_pkcs8().unwrap());
        pem
    }
}

enum Role {
    Ca,
    Server,
    Client,
}

/// A P-256 certificate for `role`, signed by `issuer` or, without one, by itself.
fn issue(common_name: &str, serial: u32, role: Role, issuer: Option<&Issued>) -> Issued {
    let key = PKey::from_ec_key(
        EcKey::generate(&EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap()).unwrap(),
    )
    .unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_nid(Nid::COMMONNAME, common_name).unwrap();
    let name = name.build();

    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    builder
        .set_serial_number(&BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap())
        .unwrap();
    builder.set_subject_name(&name).unwrap();
    builder.set_issuer_name(issuer.map_or(&name, |i| i.certificate.subject_name())).unwrap();
    builder.set_pubkey(&key).unwrap();
    builder.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
    builder.set_not_after(&Asn1Time::days_from_now(1).unwrap()).unwrap();

    match role {
        Role::Ca => {
            builder
                .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                .unwrap();
            let usage = KeyUsage::new().critical().key_cert_sign().crl_sign().build().unwrap();
            builder.append_extension(usage).unwrap();
        }
        Role::Server | Role::Client => {
            builder.append_extension(BasicConstraints::new().critical().build().unwrap()).unwrap();
            let usage = KeyUsage::new().critical().digital_signature().build().unwrap();
            builder.append_extension(usage).unwrap();
            let mut purpose = ExtendedKeyUsage::new();
            match role {
                Role::Server => purpose.server_auth(),
                _ => purpose.client_auth(),
            };
            builder.append_extension(purpose.build().unwrap()).unwrap();
        }
    }
    if let Role::Server = role {
        let context = builder.x509v3_context(issuer.map(|i| &*i.certificate), None);
        let names = SubjectAlternativeName::new().ip("127.0.0.1").build(&context).unwrap();
        builder.append_extension(names).unwrap();
    }

    let signer = issuer.map_or(&key, |i| &i.key);
    builder.sign(signer, MessageDigest::sha256()).unwrap();
    Issued { certificate: builder.build(), key }
}

/// A registry that demands a client certificate from `ca` and answers every request with a
/// matched record, on a thread of its own for the rest of the test run.
fn registry(ca: &Issued, server: &Issued) -> SocketAddr {
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    acceptor.set_private_key(&server.key).unwrap();
    acceptor.set_certificate(&server.certificate).unwrap();
    acceptor.cert_store_mut().add_cert(ca.certificate.clone()).unwrap();
    acceptor.add_client_ca(&ca.certificate).unwrap();
    acceptor.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    let acceptor = acceptor.build();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            serve(&acceptor, stream);
        }
    });
    address
}

fn serve(acceptor: &SslAcceptor, stream: TcpStream) {
    let raw = stream.try_clone().unwrap();

    let Ok(mut tls) = acceptor.accept(stream) else {
        // The alert is sent; close gently so that the client reads it rather than a reset.
        let _ = raw.shutdown(Shutdown::Write);
        let _ = raw.set_read_timeout(Some(Duration::from_secs(1)));
        let _ = io::copy(&mut &raw, &mut io::sink());
        return;
    };

    read_request(&mut tls);
    let body = answer_json("matched").to_string();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    );
    let _ = tls.write_all(head.as_bytes()).and_then(|()| tls.write_all(body.as_bytes()));
    let _ = tls.shutdown();
}

/// Reads a request's head and its body of `content-length` bytes.
fn read_request(stream: &mut impl Read) {
    let mut request = Vec::new();
    let mut byte = [0_u8; 1];
    while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        request.push(byte[0]);
    }

    let head = String::from_utf8_lossy(&request).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let _ = io::copy(&mut stream.take(length), &mut io::sink());
}

fn pem_file(name: &str, pem: &[u8]) -> PemSource {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, pem).unwrap();
    PemSource::File(path)
}

struct Pki {
    ca: Issued,
    client: Issued,
    address: SocketAddr,
}

fn pki() -> Pki {
    let ca = issue("Registry CA", 1, Role::Ca, None);
    let server = issue("registry", 2, Role::Server, Some(&ca));
    let client = issue("idproof", 3, Role::Client, Some(&ca));
    let address = registry(&ca, &server);
    Pki { ca, client, address }
}

fn config(pki: &Pki, identity: Option<&Issued>, ca: Option<&Issued>) -> RegistryConfig {
    RegistryConfig {
        client_identity_pem: identity.map(|issued| PemSource::Inline(issued.identity_pem())),
        ca_pem: ca.map(|ca| PemSource::Inline(ca.certificate.to_pem().unwrap())),
        ..crate::helpers::config(&format!("https://{}", pki.address))
    }
}

#[tokio::test]
async fn the_client_with_its_identity_and_the_private_ca_gets_through() {
    let pki = pki();
    let mut config = config(&pki, Some(&pki.client), None);
    config.ca_pem = Some(pem_file("registry-ca.pem", &pki.ca.certificate.to_pem().unwrap()));

    let outcome = RegistryClient::new(config).unwrap().lookup(&lookup_request()).await.unwrap();

    assert!(matches!(outcome, LookupOutcome::Found { .. }), "{outcome:?}");
}

#[tokio::test]
async fn the_client_without_its_identity_is_refused_by_the_registry() {
    let pki = pki();
    let client = RegistryClient::new(config(&pki, None, Some(&pki.ca))).unwrap();

    let error = client.lookup(&lookup_request()).await.unwrap_err();

    assert_eq!(checked(&error), "registry.tls", "{error:?}");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn the_client_with_an_identity_from_another_ca_is_refused_by_the_registry() {
    let pki = pki();
    let stranger_ca = issue("Another CA", 4, Role::Ca, None);
    let stranger = issue("idproof", 5, Role::Client, Some(&stranger_ca));
    let client = RegistryClient::new(config(&pki, Some(&stranger), Some(&pki.ca))).unwrap();

    let error = client.lookup(&lookup_request()).await.unwrap_err();

    assert_eq!(checked(&error), "registry.tls", "{error:?}");
}

#[tokio::test]
async fn the_client_without_the_private_ca_does_not_trust_the_registry() {
    let pki = pki();
    let client = RegistryClient::new(config(&pki, Some(&pki.client), None)).unwrap();

    let error = client.lookup(&lookup_request()).await.unwrap_err();

    assert_eq!(checked(&error), "registry.tls", "{error:?}");
    assert!(!error.is_transient());
}
