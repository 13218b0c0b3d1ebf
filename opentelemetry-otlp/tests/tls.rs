//! TLS from the `OTEL_EXPORTER_OTLP_CERTIFICATE`, `..._CLIENT_CERTIFICATE` and
//! `..._CLIENT_KEY` variables, against the Python receiver serving with TLS and requiring a
//! client certificate (mTLS). Certificates are made by the `openssl` command for each test.
//! One process per test (nextest): the variables are process-global.
#![cfg(feature = "tls")]

mod common;

use common::Receiver;
use opentelemetry_otlp::{LogExporter, SpanExporter, WithExportConfig};
use opentelemetry_sdk::logs::LogExporter as _;
use opentelemetry_sdk::trace::SpanExporter as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A CA, a server certificate for localhost and 127.0.0.1, and a client certificate.
fn make_certificates() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("otlp-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = r#"set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=otlp-test-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
for who in server client; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $who.key -out $who.csr -subj /CN=$who
done
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > server.ext
printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' > client.ext
for who in server client; do
  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $who.pem -days 1 -extfile $who.ext
done
"#;
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&dir)
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "openssl failed (.ci/run installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn path(dir: &Path, file: &str) -> String {
    dir.join(file).to_str().unwrap().to_owned()
}

fn set(vars: &[(&str, String)]) {
    for (k, v) in vars {
        // Safety: one process per test; set before this test starts threads of its own.
        unsafe { std::env::set_var(k, v) };
    }
}

#[test]
fn grpc_mtls_from_the_certificate_variables() {
    let dir = make_certificates();
    let receiver = Receiver::start(&[
        "--tls",
        &path(&dir, "server.pem"),
        &path(&dir, "server.key"),
        "--client-ca",
        &path(&dir, "ca.pem"),
    ]);
    set(&[
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", path(&dir, "ca.pem")),
        (
            "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
            path(&dir, "client.pem"),
        ),
        ("OTEL_EXPORTER_OTLP_CLIENT_KEY", path(&dir, "client.key")),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("https://localhost:{}", receiver.grpc_port),
        ),
    ]);
    let mut spans = SpanExporter::builder().with_tonic().build().unwrap();
    futures_executor::block_on(spans.export(&common::spans(2))).unwrap();
    let mut logs = LogExporter::builder().with_tonic().build().unwrap();
    futures_executor::block_on(logs.export(&[])).unwrap();
    assert_eq!(
        common::received_spans(&receiver.accepted("traces")).len(),
        2
    );
    assert_eq!(receiver.accepted("logs").len(), 1);
}

#[test]
fn grpc_tls_fails_without_the_client_certificate() {
    let dir = make_certificates();
    let receiver = Receiver::start(&[
        "--tls",
        &path(&dir, "server.pem"),
        &path(&dir, "server.key"),
        "--client-ca",
        &path(&dir, "ca.pem"),
    ]);
    set(&[(
        "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE",
        path(&dir, "ca.pem"),
    )]);
    let mut spans = SpanExporter::builder()
        .with_tonic()
        .with_endpoint(format!("https://localhost:{}", receiver.grpc_port))
        .with_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert!(futures_executor::block_on(spans.export(&common::spans(1))).is_err());
    assert!(receiver.records().is_empty());
}

#[test]
fn grpc_tls_rejects_a_server_the_ca_did_not_sign() {
    let dir = make_certificates();
    let receiver = Receiver::start(&[
        "--tls",
        &path(&dir, "server.pem"),
        &path(&dir, "server.key"),
    ]);
    // No CA variable: the server's certificate is not trusted (the system roots do not
    // include the test CA).
    let mut spans = SpanExporter::builder()
        .with_tonic()
        .with_endpoint(format!("https://localhost:{}", receiver.grpc_port))
        .with_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert!(futures_executor::block_on(spans.export(&common::spans(1))).is_err());
    assert!(receiver.records().is_empty());
}

#[cfg(feature = "reqwest-rustls")]
#[test]
fn https_mtls_from_the_certificate_variables() {
    let dir = make_certificates();
    let receiver = Receiver::start(&[
        "--tls",
        &path(&dir, "server.pem"),
        &path(&dir, "server.key"),
        "--client-ca",
        &path(&dir, "ca.pem"),
    ]);
    set(&[
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", path(&dir, "ca.pem")),
        (
            "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
            path(&dir, "client.pem"),
        ),
        ("OTEL_EXPORTER_OTLP_CLIENT_KEY", path(&dir, "client.key")),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("https://localhost:{}", receiver.http_port),
        ),
    ]);
    let mut spans = SpanExporter::builder().with_http().build().unwrap();
    futures_executor::block_on(spans.export(&common::spans(2))).unwrap();
    let accepted = receiver.accepted("traces");
    assert_eq!(common::received_spans(&accepted).len(), 2);
    assert_eq!(accepted[0]["transport"], "http");
}
