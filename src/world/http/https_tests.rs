//! The HTTP client against real TLS servers on loopback, with certificates made here: what
//! `[tls]` trusts, what it refuses, and how a refusal is told.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::{Error, HttpSession, client};
use crate::config::{ClientIdentity, TlsSettings};
use crate::redact::Redactor;
use crate::tls::{self, Tls};

/// A certificate authority made for one test.
struct Authority {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

impl Authority {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name = named(name);
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        Self { params, key, pem }
    }

    /// A certificate it signs for `names`, expired or not, with its key.
    fn issue(&self, names: &[&str], expired: bool) -> (rcgen::Certificate, KeyPair) {
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params.distinguished_name = named("a service of the tests");
        if expired {
            params.not_before = rcgen::date_time_ymd(2001, 1, 1);
            params.not_after = rcgen::date_time_ymd(2002, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&self.params, &self.key);
        (params.signed_by(&key, &issuer).unwrap(), key)
    }

    fn der(&self) -> CertificateDer<'static> {
        rustls::pki_types::pem::PemObject::from_pem_slice(self.pem.as_bytes()).unwrap()
    }
}

fn named(name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    dn
}

fn private(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivatePkcs8KeyDer::from(key.serialize_der()).into()
}

/// Serves `200 ok` over TLS on a loopback port with `certificate`, asking for a client
/// certificate signed by `clients` when given; its base URL.
fn serve((certificate, key): (rcgen::Certificate, KeyPair), clients: Option<&Authority>) -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match clients {
        Some(authority) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(authority.der()).unwrap();
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let config = Arc::new(
        builder
            .with_single_cert(vec![certificate.der().clone()], private(&key))
            .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let _ = socket.set_read_timeout(Some(Duration::from_secs(5)));
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut stream = rustls::StreamOwned::new(connection, socket);
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            // A refused handshake ends the read with an error: the next connection then.
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            stream.conn.send_close_notify();
            let _ = stream.flush();
        }
    });
    base
}

/// `text` written to `name` in `dir`.
fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn get(base: &str, tls: &Tls) -> (Result<u16, Error>, HttpSession) {
    let client = client(Duration::from_secs(5), tls).unwrap();
    let mut session = HttpSession::new(base, client, Redactor::default());
    let status = session.send("GET", "/ok", None).await.map(|r| r.status);
    (status, session)
}

fn trusting(authority: &Authority) -> (tempfile::TempDir, Tls) {
    let dir = tempfile::tempdir().unwrap();
    let settings = TlsSettings {
        ca_cert: Some(file(dir.path(), "ca.pem", &authority.pem)),
        ..TlsSettings::default()
    };
    (dir, Tls::load(&settings).unwrap())
}

#[tokio::test]
async fn a_service_whose_ca_is_in_ca_cert_answers_over_https() {
    let authority = Authority::new("the team's CA");
    let base = serve(authority.issue(&["127.0.0.1"], false), None);
    let (_dir, tls) = trusting(&authority);
    let (status, session) = get(&base, &tls).await;
    assert_eq!(status.unwrap(), 200);
    assert_eq!(session.last().unwrap().body, "ok");
}

#[tokio::test]
async fn an_unknown_ca_fails_naming_the_problem_and_the_setting_that_fixes_it() {
    let authority = Authority::new("a CA nobody trusts");
    let base = serve(authority.issue(&["127.0.0.1"], false), None);
    let (status, session) = get(&base, &Tls::default()).await;
    let err = status.unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("GET {base}/ok failed: ")),
        "{message}"
    );
    assert!(
        message.contains("signed by a certificate authority casebook does not trust"),
        "{message}"
    );
    assert!(message.contains("`ca-cert` under [tls]"), "{message}");
    assert!(message.contains("accept-invalid-certs"), "{message}");
    assert!(!message.contains("is the service running"), "{message}");
    let recorded = session.transcript()[0].error.clone().unwrap();
    assert!(recorded.contains("unknown issuer"), "{recorded}");
}

#[tokio::test]
async fn an_expired_certificate_fails_naming_the_expiry() {
    let authority = Authority::new("the team's CA");
    let base = serve(authority.issue(&["127.0.0.1"], true), None);
    let (_dir, tls) = trusting(&authority);
    let err = get(&base, &tls).await.0.unwrap_err().to_string();
    assert!(err.contains("certificate has expired"), "{err}");
    assert!(err.contains("accept-invalid-certs"), "{err}");
}

#[tokio::test]
async fn a_certificate_for_another_host_fails_naming_the_host_problem() {
    let authority = Authority::new("the team's CA");
    let base = serve(authority.issue(&["staging.example.test"], false), None);
    let (_dir, tls) = trusting(&authority);
    let err = get(&base, &tls).await.0.unwrap_err().to_string();
    assert!(
        err.contains("certificate is not valid for the host of the URL"),
        "{err}"
    );
}

#[tokio::test]
async fn accept_invalid_certs_lets_an_unknown_ca_pass() {
    let authority = Authority::new("a CA nobody trusts");
    let base = serve(authority.issue(&["127.0.0.1"], false), None);
    let tls = Tls {
        accept_invalid_certs: true,
        ..Tls::default()
    };
    assert_eq!(get(&base, &tls).await.0.unwrap(), 200);
}

#[tokio::test]
async fn mutual_tls_needs_the_configured_client_certificate() {
    let authority = Authority::new("the team's CA");
    let base = serve(authority.issue(&["127.0.0.1"], false), Some(&authority));
    let (dir, anonymous) = trusting(&authority);
    let err = get(&base, &anonymous).await.0.unwrap_err().to_string();
    assert!(err.contains("requires a client certificate"), "{err}");
    assert!(err.contains("`client-cert` and `client-key`"), "{err}");

    let (certificate, key) = authority.issue(&["casebook"], false);
    let settings = TlsSettings {
        ca_cert: Some(dir.path().join("ca.pem")),
        client: Some(ClientIdentity {
            cert: file(dir.path(), "me.pem", &certificate.pem()),
            key: file(dir.path(), "me.key", &key.serialize_pem()),
        }),
        accept_invalid_certs: false,
    };
    let identified = Tls::load(&settings).unwrap();
    assert_eq!(get(&base, &identified).await.0.unwrap(), 200);
}

#[test]
fn a_tls_file_that_cannot_be_used_is_named_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let settings = TlsSettings {
        ca_cert: Some(missing.clone()),
        ..TlsSettings::default()
    };
    let err = Tls::load(&settings).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "cannot use `{}` (`tls.ca-cert`): cannot read it",
            missing.display()
        )),
        "{err}"
    );

    let der = file(dir.path(), "ca.der", "\u{30}\u{82} not PEM at all");
    let settings = TlsSettings {
        ca_cert: Some(der.clone()),
        ..TlsSettings::default()
    };
    let err = Tls::load(&settings).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "cannot use `{}` (`tls.ca-cert`): it holds no PEM certificate",
            der.display()
        )),
        "{err}"
    );

    let authority = Authority::new("the team's CA");
    let settings = TlsSettings {
        client: Some(ClientIdentity {
            cert: file(dir.path(), "me.pem", &authority.pem),
            key: file(dir.path(), "me.key", &authority.pem),
        }),
        ..TlsSettings::default()
    };
    let err = Tls::load(&settings).unwrap_err();
    assert!(
        matches!(
            &err,
            tls::Error::File {
                key: "client-key",
                problem: tls::FileProblem::NoPem("private key"),
                ..
            }
        ),
        "{err}"
    );
}
