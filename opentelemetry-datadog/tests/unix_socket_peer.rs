//! The exporter sending to a Python trace intake on a Unix domain socket (the Datadog agent's
//! `unix://` address), with the unified service tags `DD_SERVICE`, `DD_ENV` and `DD_VERSION`
//! from the environment (process-global state: nextest runs each test in its own process).
#![cfg(unix)]

mod common;

use common::Peer;
use opentelemetry_api::trace::{Tracer, TracerProvider as _};
use opentelemetry_api::KeyValue;
use opentelemetry_datadog::DatadogExporter;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use serde_json::Value as Json;
use std::path::PathBuf;

fn one_span() -> Vec<SpanData> {
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(memory.clone())
        .build();
    provider.tracer("shop").in_span("GET /items", |_| {});
    memory.get_finished_spans()
}

/// A fresh directory for the socket, removed when dropped.
struct SocketDir(PathBuf);

impl SocketDir {
    fn new() -> SocketDir {
        let dir = std::env::temp_dir().join(format!("otel-dd-uds-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        SocketDir(dir)
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Exports one span through `exporter` and returns the span map the intake decoded.
fn export(exporter: &mut DatadogExporter, intake: &mut Peer) -> Json {
    exporter.set_resource(
        &Resource::builder_empty()
            .with_service_name("from-resource")
            .with_attributes([
                KeyValue::new("deployment.environment.name", "resource-env"),
                KeyValue::new("service.version", "0.0.1"),
            ])
            .build(),
    );
    futures_executor::block_on(exporter.export(&one_span())).unwrap();
    let record = intake.json();
    assert_eq!(record.get("error"), None, "the intake rejected the payload");
    assert_eq!(record["path"], "/v0.5/traces");
    assert_eq!(record["headers"]["host"], "localhost");
    record["traces"][0][0].clone()
}

#[test]
fn spans_reach_an_agent_socket_with_the_unified_service_tags_of_the_environment() {
    let dir = SocketDir::new();
    let socket = dir.0.join("apm.socket");
    let mut intake = Peer::start(&["intake-unix", socket.to_str().unwrap()], &[]);
    assert_eq!(intake.line(), "ready");

    // SAFETY: the only test in this process; no other thread reads the environment yet.
    unsafe {
        std::env::set_var("DD_TRACE_AGENT_URL", format!("unix://{}", socket.display()));
        std::env::set_var("DD_SERVICE", "checkout");
        std::env::set_var("DD_ENV", "staging");
        std::env::set_var("DD_VERSION", "1.2.3");
    }
    let mut exporter = DatadogExporter::builder().build().unwrap();
    assert_eq!(exporter.agent_socket(), Some(socket.as_path()));
    assert_eq!(
        exporter.endpoint().to_string(),
        "http://localhost/v0.5/traces"
    );
    let span = export(&mut exporter, &mut intake);
    assert_eq!(
        span["service"], "checkout",
        "DD_SERVICE wins over the resource"
    );
    assert_eq!(span["meta"]["env"], "staging");
    assert_eq!(span["meta"]["version"], "1.2.3");
    assert_eq!(span["resource"], "GET /items");

    // The builder wins over the environment.
    let mut exporter = DatadogExporter::builder()
        .with_service_name("from-builder")
        .with_env("builder-env")
        .build()
        .unwrap();
    let span = export(&mut exporter, &mut intake);
    assert_eq!(span["service"], "from-builder");
    assert_eq!(span["meta"]["env"], "builder-env");
    assert_eq!(span["meta"]["version"], "1.2.3");

    // Without the variables, the resource's values are used.
    unsafe {
        std::env::remove_var("DD_SERVICE");
        std::env::remove_var("DD_ENV");
        std::env::remove_var("DD_VERSION");
    }
    let mut exporter = DatadogExporter::builder().build().unwrap();
    let span = export(&mut exporter, &mut intake);
    assert_eq!(span["service"], "from-resource");
    assert_eq!(span["meta"]["env"], "resource-env");
    assert_eq!(span["meta"]["version"], "0.0.1");
}

#[test]
fn a_unix_url_without_a_path_is_refused_and_a_missing_socket_fails_the_export() {
    assert!(DatadogExporter::builder()
        .with_agent_endpoint("unix://")
        .build()
        .is_err());
    let mut exporter = DatadogExporter::builder()
        .with_agent_endpoint("unix:///nonexistent/apm.socket")
        .build()
        .unwrap();
    let result = futures_executor::block_on(exporter.export(&one_span()));
    assert!(result.is_err(), "{result:?}");
}
