//! HTTPS: the `[tls]` files read and checked, and a failed handshake told in words.
//!
//! The settings name files; they are read when a run starts ([`Tls::load`]), so that the
//! commands that send nothing (lint, trace, report) work on a machine without them. A
//! handshake that fails is found in a request error's chain ([`failure`]) and told with the
//! setting that fixes it, since rustls's own words (`UnknownIssuer`) say what, not what to do.

use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{AlertDescription, CertificateError};

use crate::config::TlsSettings;

/// What every run prints first while `accept-invalid-certs` is on.
pub const INSECURE_WARNING: &str = "warning: `accept-invalid-certs` is on under [tls] in casebook.toml: any certificate is accepted, expired, self-signed or another host's, so this run cannot tell the service from an impostor\n(hint: use it for a throwaway staging box only; trust a CA of your own with `ca-cert` instead)";

/// The `[tls]` settings with their files read: what the HTTP client is built with.
#[derive(Clone, Default)]
pub struct Tls {
    /// The certificate authorities of `ca-cert`, trusted beside the platform's roots.
    pub roots: Vec<reqwest::Certificate>,
    /// The client certificate and key of `client-cert` and `client-key`.
    pub identity: Option<reqwest::Identity>,
    /// `accept-invalid-certs`.
    pub accept_invalid_certs: bool,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The identity holds a private key: only whether there is one is shown.
        f.debug_struct("Tls")
            .field("roots", &self.roots.len())
            .field("identity", &self.identity.is_some())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .finish()
    }
}

/// A `[tls]` file that cannot be used, or settings the HTTP client refuses.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file named by a key cannot be read or holds no PEM of its kind.
    #[error("cannot use `{}` (`tls.{key}`): {problem}", file.display())]
    File {
        /// The key that names it.
        key: &'static str,
        /// The file, resolved against the configuration's directory.
        file: PathBuf,
        /// What is wrong with it.
        problem: FileProblem,
    },
    /// The HTTP client cannot be built with these settings (a key that is not the
    /// certificate's, an algorithm rustls does not support).
    #[error("cannot set up HTTPS with the [tls] settings: {0}")]
    Client(String),
}

/// What is wrong with a `[tls]` file.
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    /// It cannot be read.
    #[error("cannot read it: {0}")]
    Read(std::io::Error),
    /// It holds no PEM section of the kind the key needs.
    #[error(
        "it holds no PEM {0}\n(hint: the file must have a `-----BEGIN …-----` section; convert DER with `openssl x509 -inform der`)"
    )]
    NoPem(&'static str),
    /// A PEM section is broken.
    #[error("it is not valid PEM: {0}")]
    Pem(String),
}

impl Tls {
    /// Reads and checks the files `settings` name.
    pub fn load(settings: &TlsSettings) -> Result<Self, Error> {
        let mut tls = Tls {
            accept_invalid_certs: settings.accept_invalid_certs,
            ..Tls::default()
        };
        if let Some(file) = &settings.ca_cert {
            let pem = read(file, "ca-cert")?;
            certificates(&pem, file, "ca-cert")?;
            tls.roots = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|err| file_error("ca-cert", file, FileProblem::Pem(words(&err))))?;
        }
        if let Some(client) = &settings.client {
            let mut pem = read(&client.cert, "client-cert")?;
            certificates(&pem, &client.cert, "client-cert")?;
            let key = read(&client.key, "client-key")?;
            PrivateKeyDer::from_pem_slice(&key).map_err(|err| {
                file_error("client-key", &client.key, pem_problem(err, "private key"))
            })?;
            pem.push(b'\n');
            pem.extend_from_slice(&key);
            tls.identity =
                Some(reqwest::Identity::from_pem(&pem).map_err(|err| Error::Client(words(&err)))?);
        }
        Ok(tls)
    }

    /// `builder` with these roots, this identity and this leniency.
    pub fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let builder = builder
            .tls_certs_merge(self.roots.iter().cloned())
            .tls_danger_accept_invalid_certs(self.accept_invalid_certs);
        match &self.identity {
            Some(identity) => builder.identity(identity.clone()),
            None => builder,
        }
    }
}

/// Installs rustls's crypto provider for the process, unless one is installed already (by
/// a step crate that chose its own): reqwest is built without one of its own, since the
/// default one takes far longer to build.
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn read(file: &Path, key: &'static str) -> Result<Vec<u8>, Error> {
    std::fs::read(file).map_err(|err| file_error(key, file, FileProblem::Read(err)))
}

/// Checks that `pem` holds at least one certificate and every one of them parses.
fn certificates(pem: &[u8], file: &Path, key: &'static str) -> Result<(), Error> {
    let mut found = false;
    for certificate in CertificateDer::pem_slice_iter(pem) {
        certificate.map_err(|err| file_error(key, file, pem_problem(err, "certificate")))?;
        found = true;
    }
    if found {
        Ok(())
    } else {
        Err(file_error(key, file, FileProblem::NoPem("certificate")))
    }
}

fn pem_problem(err: rustls::pki_types::pem::Error, kind: &'static str) -> FileProblem {
    match err {
        rustls::pki_types::pem::Error::NoItemsFound => FileProblem::NoPem(kind),
        other => FileProblem::Pem(other.to_string()),
    }
}

fn file_error(key: &'static str, file: &Path, problem: FileProblem) -> Error {
    Error::File {
        key,
        file: file.to_path_buf(),
        problem,
    }
}

/// An error with its causes, in words.
pub fn words(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A TLS handshake that failed: the problem in words, and what fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What is wrong, e.g. that the certificate has expired.
    pub problem: String,
    /// The setting or the change that fixes it.
    pub hint: &'static str,
}

const TRUST_HINT: &str = "a service whose certificate comes from a CA of your own needs that CA's certificate in `ca-cert` under [tls] in casebook.toml; for a throwaway staging box, `accept-invalid-certs = true` there accepts any certificate";
const RENEW_HINT: &str = "the service needs a valid certificate; for a throwaway staging box, `accept-invalid-certs = true` under [tls] in casebook.toml accepts it as it is";
const HOST_HINT: &str = "use a base URL whose host the certificate names; for a throwaway staging box, `accept-invalid-certs = true` under [tls] in casebook.toml accepts it as it is";
const CLIENT_HINT: &str = "the service wants a client certificate (mutual TLS): set `client-cert` and `client-key` under [tls] in casebook.toml to a certificate it trusts";
const PLAIN_HINT: &str = "the service may speak plain HTTP: try an `http://` base URL";
const TLS_HINT: &str = "check the service's TLS set-up; `ca-cert`, `client-cert`, `client-key` and `accept-invalid-certs` under [tls] in casebook.toml are casebook's side of it";

/// The TLS failure in `err`'s chain of causes, if the request failed in a handshake.
pub fn failure(err: &(dyn std::error::Error + 'static)) -> Option<Failure> {
    let mut cause = Some(err);
    while let Some(current) = cause {
        if let Some(tls) = rustls_error(current) {
            return Some(describe(tls));
        }
        cause = current.source();
    }
    None
}

/// The rustls error `err` is, or wraps in I/O errors (the connector wraps the one of
/// rustls's stream in one more): `io::Error::source` skips the error it wraps, so the chain
/// alone never reaches it.
fn rustls_error<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut current = err;
    loop {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = current.downcast_ref::<std::io::Error>()?.get_ref()?;
        current = inner;
    }
}

fn describe(err: &rustls::Error) -> Failure {
    let failure = |problem: String, hint| Failure { problem, hint };
    match err {
        rustls::Error::InvalidCertificate(certificate) => describe_certificate(certificate),
        rustls::Error::AlertReceived(AlertDescription::CertificateRequired) => failure(
            "the service requires a client certificate, and none is configured".to_owned(),
            CLIENT_HINT,
        ),
        rustls::Error::AlertReceived(
            alert @ (AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::AccessDenied
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateExpired),
        ) => failure(
            format!("the service refused casebook's client certificate (TLS alert {alert:?})"),
            CLIENT_HINT,
        ),
        rustls::Error::InvalidMessage(_) => failure(
            format!("the service did not answer in TLS ({err})"),
            PLAIN_HINT,
        ),
        other => failure(format!("the TLS handshake failed: {other}"), TLS_HINT),
    }
}

fn describe_certificate(err: &CertificateError) -> Failure {
    let (problem, hint) = match err {
        CertificateError::UnknownIssuer => (
            "the service's certificate is signed by a certificate authority casebook does not trust (unknown issuer)".to_owned(),
            TRUST_HINT,
        ),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => (
            format!("the service's certificate has expired ({err})"),
            RENEW_HINT,
        ),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
            format!("the service's certificate is not valid yet; check the clocks ({err})"),
            RENEW_HINT,
        ),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => (
            format!("the service's certificate is not valid for the host of the URL ({err})"),
            HOST_HINT,
        ),
        CertificateError::Revoked => (
            "the service's certificate has been revoked".to_owned(),
            RENEW_HINT,
        ),
        other => (
            format!("the service's certificate is not accepted ({other})"),
            TRUST_HINT,
        ),
    };
    Failure { problem, hint }
}
