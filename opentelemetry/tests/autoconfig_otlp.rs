//! `autoconfig` with the `otlp` feature: `OTEL_*_EXPORTER=otlp` (the default) sends the three
//! signals to an OTLP receiver, the official Python classes (opentelemetry-otlp's
//! `tests/python/otlp_receiver.py`). Each test runs in its own process (nextest).
#![cfg(feature = "otlp")]

#[path = "../../opentelemetry-otlp/tests/common/mod.rs"]
mod common;

use common::Receiver;
use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::global;
use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
use opentelemetry::trace::{Span as _, Tracer as _};
use opentelemetry_api::logs::Severity;

fn run(protocol: &str, use_defaults: bool) {
    let receiver = Receiver::start(&[]);
    let endpoint = if protocol == "grpc" {
        receiver.grpc_endpoint()
    } else {
        format!("http://127.0.0.1:{}", receiver.http_port)
    };
    // Safety: set before any thread of the test starts (one process per test).
    unsafe {
        std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint);
        std::env::set_var("OTEL_EXPORTER_OTLP_PROTOCOL", protocol);
        std::env::set_var("OTEL_SERVICE_NAME", "autoconfigured");
        if !use_defaults {
            std::env::set_var("OTEL_TRACES_EXPORTER", "otlp");
            std::env::set_var("OTEL_METRICS_EXPORTER", "otlp");
            std::env::set_var("OTEL_LOGS_EXPORTER", "otlp");
        }
    }
    let telemetry = AutoConfig::from_env().install();
    assert!(telemetry.tracer_provider().is_some());
    assert!(telemetry.meter_provider().is_some());
    assert!(telemetry.logger_provider().is_some());

    global::tracer("app").start("handle-request").end();
    global::meter("app")
        .u64_counter("requests")
        .build()
        .add(1, &[]);
    let logger = telemetry.logger_provider().unwrap().logger("app");
    let mut record = logger.create_log_record();
    record.set_severity_number(Severity::Info);
    record.set_body("served".into());
    logger.emit(record);
    telemetry.shutdown().unwrap();

    let traces = receiver.wait_accepted("traces", 1);
    let spans = common::received_spans(&traces);
    assert_eq!(spans.len(), 1, "{traces:?}");
    assert_eq!(spans[0]["name"], "handle-request");
    let service = common::attribute(
        &traces[0]["request"]["resource_spans"][0]["resource"]["attributes"],
        "service.name",
    )
    .cloned();
    assert_eq!(service.unwrap()["string_value"], "autoconfigured");
    let metrics = receiver.wait_accepted("metrics", 1);
    let names: Vec<_> = metrics
        .iter()
        .flat_map(|m| {
            m["request"]["resource_metrics"][0]["scope_metrics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|s| s["metrics"].as_array().cloned().unwrap_or_default())
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"requests".to_owned()), "{metrics:?}");
    let logs = receiver.wait_accepted("logs", 1);
    assert_eq!(
        logs[0]["request"]["resource_logs"][0]["scope_logs"][0]["log_records"][0]["body"]
            ["string_value"],
        "served"
    );
    let transport = if protocol == "grpc" { "grpc" } else { "http" };
    for r in traces.iter().chain(&metrics).chain(&logs) {
        assert_eq!(r["transport"], transport);
    }
}

#[test]
fn otlp_is_the_default_exporter_of_every_signal() {
    run("http/protobuf", true);
}

#[test]
fn otlp_exporters_over_grpc() {
    run("grpc", false);
}

#[test]
fn otlp_exporters_over_http_json() {
    run("http/json", false);
}
