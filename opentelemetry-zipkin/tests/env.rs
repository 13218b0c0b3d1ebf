//! `OTEL_EXPORTER_ZIPKIN_ENDPOINT` and `OTEL_EXPORTER_ZIPKIN_TIMEOUT` (process-global state:
//! nextest runs each test in its own process).

mod common;

use common::{silent_server, spans, Receiver};
use opentelemetry_sdk::trace::SpanExporter;
use opentelemetry_zipkin::{ExporterBuildError, ZipkinExporter, DEFAULT_COLLECTOR_ENDPOINT};
use std::time::{Duration, Instant};

/// Each test runs in its own process (nextest) and sets variables before starting threads.
fn set(name: &str, value: &str) {
    std::env::set_var(name, value)
}

#[test]
fn endpoint_defaults_to_localhost_9411() {
    let exporter = ZipkinExporter::builder().build().unwrap();
    assert_eq!(exporter.endpoint().to_string(), DEFAULT_COLLECTOR_ENDPOINT);
}

#[test]
fn endpoint_from_the_environment_receives_the_spans() {
    let receiver = Receiver::start(202);
    set("OTEL_EXPORTER_ZIPKIN_ENDPOINT", &receiver.url());
    let mut exporter = ZipkinExporter::builder().build().unwrap();
    assert_eq!(exporter.endpoint().to_string(), receiver.url());
    futures_executor::block_on(exporter.export(&spans())).expect("export");
    assert_eq!(receiver.next().path, "/api/v2/spans");
}

#[test]
fn builder_endpoint_overrides_the_environment() {
    let receiver = Receiver::start(202);
    set(
        "OTEL_EXPORTER_ZIPKIN_ENDPOINT",
        "http://127.0.0.1:9/nowhere",
    );
    let mut exporter = ZipkinExporter::builder()
        .with_collector_endpoint(receiver.url())
        .build()
        .unwrap();
    futures_executor::block_on(exporter.export(&spans())).expect("export");
    receiver.next();
}

#[test]
fn invalid_endpoint_in_the_environment_fails_the_build() {
    set("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "localhost:9411 /api");
    assert!(matches!(
        ZipkinExporter::builder().build(),
        Err(ExporterBuildError::InvalidUri { .. })
    ));
}

/// Exports to a server that never answers; returns how long the export took to fail.
fn time_to_give_up(builder: opentelemetry_zipkin::ZipkinExporterBuilder) -> Duration {
    let mut exporter = builder
        .with_collector_endpoint(silent_server())
        .build()
        .unwrap();
    let start = Instant::now();
    let err = futures_executor::block_on(exporter.export(&spans())).unwrap_err();
    assert!(err.to_string().contains("timed out"), "{err}");
    start.elapsed()
}

#[test]
fn timeout_from_the_environment_limits_the_request() {
    set("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "300");
    let took = time_to_give_up(ZipkinExporter::builder());
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[test]
fn builder_timeout_overrides_the_environment() {
    set("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "60000");
    let took = time_to_give_up(ZipkinExporter::builder().with_timeout(Duration::from_millis(200)));
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn invalid_timeout_falls_back_to_the_default() {
    // An invalid value is reported and the 10 s default applies: the build still succeeds and
    // a silent server is not given up on within a second.
    set("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "soon");
    let mut exporter = ZipkinExporter::builder()
        .with_collector_endpoint(silent_server())
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let batch = spans();
    std::thread::spawn(move || {
        let _ = tx.send(futures_executor::block_on(exporter.export(&batch)).is_err());
    });
    assert!(rx.recv_timeout(Duration::from_secs(1)).is_err());
}
