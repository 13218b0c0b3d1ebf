//! The exporters against a real OTLP receiver: `tests/python/otlp_receiver.py`, built on the
//! official Python classes (`opentelemetry-proto`'s `*_service_pb2_grpc` servicers over
//! `grpcio`, and `json_format` for OTLP/JSON). `.ci/run` installs them; without them the
//! tests fail.
#![cfg(all(feature = "grpc-tonic", feature = "http-json"))]

mod common;

use common::*;
use opentelemetry_api::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry_api::metrics::MeterProvider as _;
use opentelemetry_api::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_otlp::{
    Compression, LogExporter, MetricExporter, Protocol, RetryPolicy, SpanExporter,
    WithExportConfig, WithHttpConfig, WithTonicConfig,
};
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter as _};
use opentelemetry_sdk::Resource;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn headers() -> HashMap<String, String> {
    HashMap::from([("x-api-key".to_owned(), "s3cret value".to_owned())])
}

fn span_exporter(receiver: &Receiver, protocol: Protocol, gzip: bool) -> SpanExporter {
    let compression = gzip.then_some(Compression::Gzip);
    match protocol {
        Protocol::Grpc => SpanExporter::builder()
            .with_tonic()
            .with_endpoint(receiver.grpc_endpoint())
            .with_headers(headers())
            .with_compression(compression)
            .build(),
        _ => SpanExporter::builder()
            .with_http()
            .with_protocol(protocol)
            .with_endpoint(receiver.http_endpoint("traces"))
            .with_headers(headers())
            .with_compression(compression)
            .build(),
    }
    .unwrap()
}

fn metric_exporter(receiver: &Receiver, protocol: Protocol, gzip: bool) -> MetricExporter {
    let compression = gzip.then_some(Compression::Gzip);
    match protocol {
        Protocol::Grpc => MetricExporter::builder()
            .with_tonic()
            .with_endpoint(receiver.grpc_endpoint())
            .with_headers(headers())
            .with_compression(compression)
            .build(),
        _ => MetricExporter::builder()
            .with_http()
            .with_protocol(protocol)
            .with_endpoint(receiver.http_endpoint("metrics"))
            .with_headers(headers())
            .with_compression(compression)
            .build(),
    }
    .unwrap()
}

fn log_exporter(receiver: &Receiver, protocol: Protocol, gzip: bool) -> LogExporter {
    let compression = gzip.then_some(Compression::Gzip);
    match protocol {
        Protocol::Grpc => LogExporter::builder()
            .with_tonic()
            .with_endpoint(receiver.grpc_endpoint())
            .with_headers(headers())
            .with_compression(compression)
            .build(),
        _ => LogExporter::builder()
            .with_http()
            .with_protocol(protocol)
            .with_endpoint(receiver.http_endpoint("logs"))
            .with_headers(headers())
            .with_compression(compression)
            .build(),
    }
    .unwrap()
}

fn check_common(record: &Json, protocol: Protocol, gzip: bool) {
    assert_eq!(record["headers"]["x-api-key"], "s3cret value", "{record}");
    match protocol {
        Protocol::Grpc => assert_eq!(record["transport"], "grpc"),
        Protocol::HttpBinary => {
            assert_eq!(record["transport"], "http");
            assert_eq!(record["encoding"], "protobuf");
            assert_eq!(record["gzip"], gzip);
        }
        Protocol::HttpJson => {
            assert_eq!(record["transport"], "http");
            assert_eq!(record["encoding"], "json");
            assert_eq!(record["gzip"], gzip);
        }
        _ => unreachable!(),
    }
    // grpcio decompresses before the servicer sees the request and hides `grpc-encoding`:
    // over gRPC, that a gzip request was decoded is the proof.
    let user_agent = record["headers"]["user-agent"].as_str().unwrap();
    assert!(
        user_agent.contains("OTel-OTLP-Exporter-Rust/"),
        "{user_agent}"
    );
}

fn scope(name: &str) -> InstrumentationScope {
    InstrumentationScope::builder(name.to_owned())
        .with_version("1.0.0")
        .with_schema_url(SCOPE_SCHEMA)
        .build()
}

const SCOPE_SCHEMA: &str = "https://example.com/schemas/1.2.0";

/// Schema URLs of the resource and of the scope arrive where OTLP puts them.
fn check_schema_urls(request: &Json, resource_schema: &str, resource_list: &str, scope_list: &str) {
    let resource = &request[resource_list][0];
    assert_eq!(resource["schema_url"], resource_schema, "{request}");
    assert_eq!(
        resource[scope_list][0]["schema_url"], SCOPE_SCHEMA,
        "{request}"
    );
    assert_eq!(
        resource[scope_list][0]["scope"]["version"], "1.0.0",
        "{request}"
    );
}

fn resource_service(request: &Json, list: &str) -> Json {
    attribute(&request[list][0]["resource"]["attributes"], "service.name")
        .cloned()
        .unwrap()
}

/// Spans, metrics and logs from SDK providers reach the receiver field by field.
fn every_signal(protocol: Protocol, gzip: bool) {
    let receiver = Receiver::start(&[]);
    let resource = Resource::builder().with_service_name("otlp-test").build();
    let resource_schema = resource
        .schema_url()
        .expect("the SDK resource has one")
        .to_owned();

    // Traces, through the batch processor's background thread (no runtime).
    let tracer_provider = SdkTracerProvider::builder()
        .with_resource(resource.clone())
        .with_batch_exporter(span_exporter(&receiver, protocol, gzip))
        .build();
    let tracer = tracer_provider.tracer_with_scope(scope("lib-a"));
    let mut span = tracer.start("checkout");
    span.set_attribute(KeyValue::new("items", 3i64));
    span.add_event("paid", vec![KeyValue::new("amount", 9.5)]);
    let trace_id = span.span_context().trace_id();
    let span_id = span.span_context().span_id();
    span.end();
    tracer_provider.shutdown().unwrap();

    let traces = receiver.wait_accepted("traces", 1);
    assert_eq!(traces.len(), 1, "{traces:?}");
    check_common(&traces[0], protocol, gzip);
    let request = &traces[0]["request"];
    assert_eq!(
        resource_service(request, "resource_spans")["string_value"],
        "otlp-test"
    );
    check_schema_urls(request, &resource_schema, "resource_spans", "scope_spans");
    let scope_spans = &request["resource_spans"][0]["scope_spans"][0];
    assert_eq!(scope_spans["scope"]["name"], "lib-a");
    let sent = &scope_spans["spans"][0];
    assert_eq!(sent["name"], "checkout");
    assert_eq!(sent["trace_id"], trace_id.to_string());
    assert_eq!(sent["span_id"], span_id.to_string());
    assert_eq!(
        attribute(&sent["attributes"], "items").unwrap()["int_value"],
        "3"
    );
    assert_eq!(sent["events"][0]["name"], "paid");
    assert_eq!(
        attribute(&sent["events"][0]["attributes"], "amount").unwrap()["double_value"],
        9.5
    );
    assert!(
        sent["start_time_unix_nano"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );

    // Metrics, through the periodic reader (its final collection at shutdown).
    let meter_provider = SdkMeterProvider::builder()
        .with_resource(resource.clone())
        .with_reader(PeriodicReader::builder(metric_exporter(&receiver, protocol, gzip)).build())
        .build();
    let meter = meter_provider.meter_with_scope(scope("lib-m"));
    let counter = meter.u64_counter("orders").with_unit("1").build();
    counter.add(2, &[KeyValue::new("shop", "a")]);
    counter.add(5, &[KeyValue::new("shop", "a")]);
    let histogram = meter.f64_histogram("latency").build();
    histogram.record(1.5, &[]);
    histogram.record(4.0, &[]);
    meter_provider.shutdown().unwrap();

    let metrics = receiver.wait_accepted("metrics", 1);
    assert!(!metrics.is_empty());
    check_common(&metrics[0], protocol, gzip);
    let request = &metrics[metrics.len() - 1]["request"];
    assert_eq!(
        resource_service(request, "resource_metrics")["string_value"],
        "otlp-test"
    );
    check_schema_urls(
        request,
        &resource_schema,
        "resource_metrics",
        "scope_metrics",
    );
    let scope_metrics = &request["resource_metrics"][0]["scope_metrics"][0];
    assert_eq!(scope_metrics["scope"]["name"], "lib-m");
    let all = scope_metrics["metrics"].as_array().unwrap();
    let orders = all.iter().find(|m| m["name"] == "orders").unwrap();
    assert_eq!(orders["unit"], "1");
    let point = &orders["sum"]["data_points"][0];
    assert_eq!(point["as_int"], "7");
    assert_eq!(
        attribute(&point["attributes"], "shop").unwrap()["string_value"],
        "a"
    );
    assert_eq!(orders["sum"]["is_monotonic"], true);
    // AGGREGATION_TEMPORALITY_CUMULATIVE by default.
    assert_eq!(
        orders["sum"]["aggregation_temporality"],
        "AGGREGATION_TEMPORALITY_CUMULATIVE"
    );
    let latency = all.iter().find(|m| m["name"] == "latency").unwrap();
    let point = &latency["histogram"]["data_points"][0];
    assert_eq!(point["count"], "2");
    assert_eq!(point["sum"], 5.5);
    assert_eq!(point["min"], 1.5);
    assert_eq!(point["max"], 4.0);

    // Logs, through the batch log processor.
    let logger_provider = SdkLoggerProvider::builder()
        .with_resource(resource)
        .with_batch_exporter(log_exporter(&receiver, protocol, gzip))
        .build();
    let logger = logger_provider.logger_with_scope(scope("lib-l"));
    let mut record = logger.create_log_record();
    record.set_severity_number(Severity::Warn);
    record.set_severity_text("WARN");
    record.set_body("disk almost full".into());
    record.add_attribute("disk", "/dev/sda");
    logger.emit(record);
    logger_provider.shutdown().unwrap();

    let logs = receiver.wait_accepted("logs", 1);
    assert_eq!(logs.len(), 1, "{logs:?}");
    check_common(&logs[0], protocol, gzip);
    let request = &logs[0]["request"];
    assert_eq!(
        resource_service(request, "resource_logs")["string_value"],
        "otlp-test"
    );
    check_schema_urls(request, &resource_schema, "resource_logs", "scope_logs");
    let scope_logs = &request["resource_logs"][0]["scope_logs"][0];
    assert_eq!(scope_logs["scope"]["name"], "lib-l");
    let sent = &scope_logs["log_records"][0];
    assert_eq!(sent["severity_number"], "SEVERITY_NUMBER_WARN");
    assert_eq!(sent["severity_text"], "WARN");
    assert_eq!(sent["body"]["string_value"], "disk almost full");
    assert_eq!(
        attribute(&sent["attributes"], "disk").unwrap()["string_value"],
        "/dev/sda"
    );
}

#[test]
fn every_signal_over_grpc() {
    every_signal(Protocol::Grpc, false);
}

#[test]
fn every_signal_over_grpc_gzip() {
    every_signal(Protocol::Grpc, true);
}

#[test]
fn every_signal_over_http_protobuf() {
    every_signal(Protocol::HttpBinary, false);
}

#[test]
fn every_signal_over_http_protobuf_gzip() {
    every_signal(Protocol::HttpBinary, true);
}

#[test]
fn every_signal_over_http_json() {
    every_signal(Protocol::HttpJson, false);
}

#[test]
fn every_signal_over_http_json_gzip() {
    every_signal(Protocol::HttpJson, true);
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(5)
        .with_initial_delay(Duration::from_millis(20))
}

fn direct_exporter(receiver: &Receiver, protocol: Protocol, timeout: Duration) -> SpanExporter {
    match protocol {
        Protocol::Grpc => SpanExporter::builder()
            .with_tonic()
            .with_endpoint(receiver.grpc_endpoint())
            .with_timeout(timeout)
            .with_retry_policy(fast_retries())
            .build(),
        _ => SpanExporter::builder()
            .with_http()
            .with_protocol(protocol)
            .with_endpoint(receiver.http_endpoint("traces"))
            .with_timeout(timeout)
            .with_retry_policy(fast_retries())
            .build(),
    }
    .unwrap()
}

/// Retryable failures are retried; the batch arrives exactly once.
fn retried_then_delivered_once(protocol: Protocol, args: &[&str]) {
    let receiver = Receiver::start(args);
    let mut exporter = direct_exporter(&receiver, protocol, Duration::from_secs(10));
    let batch = spans(3);
    futures_executor::block_on(exporter.export(&batch)).unwrap();
    let records = receiver.records();
    let failed = records.iter().filter(|r| r["outcome"] == "failed").count();
    assert_eq!(failed, 2, "{records:?}");
    let accepted = receiver.accepted("traces");
    assert_eq!(accepted.len(), 1, "{records:?}");
    let names: Vec<_> = received_spans(&accepted)
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["span-0", "span-1", "span-2"]);
}

#[test]
fn grpc_unavailable_is_retried_and_delivered_once() {
    retried_then_delivered_once(Protocol::Grpc, &["--fail", "2"]);
}

#[test]
fn grpc_every_retryable_code_is_retried() {
    for code in [
        "CANCELLED",
        "DEADLINE_EXCEEDED",
        "ABORTED",
        "OUT_OF_RANGE",
        "DATA_LOSS",
    ] {
        retried_then_delivered_once(Protocol::Grpc, &["--fail", "2", "--grpc-code", code]);
    }
}

#[test]
fn http_503_is_retried_and_delivered_once() {
    retried_then_delivered_once(Protocol::HttpBinary, &["--fail", "2"]);
}

#[test]
fn http_429_502_504_are_retried() {
    for status in ["429", "502", "504"] {
        retried_then_delivered_once(
            Protocol::HttpJson,
            &["--fail", "2", "--http-status", status],
        );
    }
}

/// A non-retryable error ends the export at once, with an error.
fn gives_up_at_once(protocol: Protocol, args: &[&str]) {
    let receiver = Receiver::start(args);
    let mut exporter = direct_exporter(&receiver, protocol, Duration::from_secs(10));
    let started = Instant::now();
    let result = futures_executor::block_on(exporter.export(&spans(1)));
    let error = result.unwrap_err().to_string();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(error.contains("rejected"), "{error}");
    assert_eq!(receiver.records().len(), 1);
}

#[test]
fn grpc_non_retryable_error_gives_up_at_once() {
    gives_up_at_once(
        Protocol::Grpc,
        &["--fail", "5", "--grpc-code", "INVALID_ARGUMENT"],
    );
    // RESOURCE_EXHAUSTED without RetryInfo is not retried either.
    gives_up_at_once(
        Protocol::Grpc,
        &["--fail", "5", "--grpc-code", "RESOURCE_EXHAUSTED"],
    );
}

#[test]
fn http_non_retryable_error_gives_up_at_once() {
    gives_up_at_once(
        Protocol::HttpBinary,
        &["--fail", "5", "--http-status", "400"],
    );
    gives_up_at_once(Protocol::HttpJson, &["--fail", "5", "--http-status", "500"]);
}

#[test]
fn grpc_retry_info_delay_is_honoured() {
    let receiver = Receiver::start(&[
        "--fail",
        "1",
        "--grpc-code",
        "RESOURCE_EXHAUSTED",
        "--retry-info-ms",
        "600",
    ]);
    let mut exporter = direct_exporter(&receiver, Protocol::Grpc, Duration::from_secs(10));
    let started = Instant::now();
    futures_executor::block_on(exporter.export(&spans(1))).unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(receiver.accepted("traces").len(), 1);
}

#[test]
fn http_retry_after_is_honoured() {
    let receiver = Receiver::start(&["--fail", "1", "--retry-after", "1"]);
    let mut exporter = direct_exporter(&receiver, Protocol::HttpBinary, Duration::from_secs(10));
    let started = Instant::now();
    futures_executor::block_on(exporter.export(&spans(1))).unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(receiver.accepted("traces").len(), 1);
}

#[test]
fn requested_delay_past_the_timeout_fails_without_waiting() {
    let receiver = Receiver::start(&["--fail", "1", "--retry-after", "30"]);
    let mut exporter = direct_exporter(&receiver, Protocol::HttpBinary, Duration::from_secs(2));
    let started = Instant::now();
    let error = futures_executor::block_on(exporter.export(&spans(1))).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(error.to_string().contains("503"), "{error}");
}

/// The receiver is down when spans are produced and comes up later: queued spans arrive.
fn down_then_up(protocol: Protocol) {
    let (grpc_port, http_port) = (free_port(), free_port());
    let exporter = match protocol {
        Protocol::Grpc => SpanExporter::builder()
            .with_tonic()
            .with_endpoint(format!("http://127.0.0.1:{grpc_port}"))
            .with_retry_policy(
                RetryPolicy::default()
                    .with_max_retries(30)
                    .with_max_delay(Duration::from_millis(300)),
            )
            .build(),
        _ => SpanExporter::builder()
            .with_http()
            .with_endpoint(format!("http://127.0.0.1:{http_port}/v1/traces"))
            .with_retry_policy(
                RetryPolicy::default()
                    .with_max_retries(30)
                    .with_max_delay(Duration::from_millis(300)),
            )
            .build(),
    }
    .unwrap();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer("lib");
    for i in 0..20 {
        tracer.start(format!("early-{i}")).end();
    }
    std::thread::sleep(Duration::from_millis(700));
    let receiver = Receiver::start_on(grpc_port, http_port, &[]);
    provider.force_flush().unwrap();
    provider.shutdown().unwrap();
    let mut names: Vec<String> = received_spans(&receiver.accepted("traces"))
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = (0..20).map(|i| format!("early-{i}")).collect();
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn grpc_receiver_down_at_start_then_up_gets_queued_spans() {
    down_then_up(Protocol::Grpc);
}

#[test]
fn http_receiver_down_at_start_then_up_gets_queued_spans() {
    down_then_up(Protocol::HttpBinary);
}

/// A receiver that never answers: export fails at its timeout; shutdown does not hang.
fn never_answers(protocol: Protocol) {
    let receiver = Receiver::start(&["--hang"]);
    let mut exporter = direct_exporter(&receiver, protocol, Duration::from_millis(800));
    let started = Instant::now();
    let result = futures_executor::block_on(exporter.export(&spans(1)));
    assert!(result.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(direct_exporter(
            &receiver,
            protocol,
            Duration::from_millis(800),
        ))
        .build();
    provider.tracer("lib").start("lost").end();
    let started = Instant::now();
    let _ = provider.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn grpc_never_answering_receiver_shutdown_within_timeouts() {
    never_answers(Protocol::Grpc);
}

#[test]
fn http_never_answering_receiver_shutdown_within_timeouts() {
    never_answers(Protocol::HttpBinary);
}

/// Partial success responses are reported through the diagnostics.
fn partial_success(protocol: Protocol) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    opentelemetry_api::global::set_diagnostic_handler(
        opentelemetry_api::global::DiagnosticLevel::Warn,
        move |d| {
            if d.name == "Otlp.PartialSuccess" {
                sink.lock().unwrap().push(d.message.to_string());
            }
        },
    );
    let receiver = Receiver::start(&["--partial"]);
    let mut exporter = direct_exporter(&receiver, protocol, Duration::from_secs(5));
    futures_executor::block_on(exporter.export(&spans(3))).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("rejected 2 span(s)"), "{}", seen[0]);
    assert!(seen[0].contains("bad data"), "{}", seen[0]);
    // Not retried: a partial success is a success.
    assert_eq!(receiver.records().len(), 1);
}

#[test]
fn grpc_partial_success_is_reported() {
    partial_success(Protocol::Grpc);
}

#[test]
fn http_protobuf_partial_success_is_reported() {
    partial_success(Protocol::HttpBinary);
}

#[test]
fn http_json_partial_success_is_reported() {
    partial_success(Protocol::HttpJson);
}

/// Exports awaited inside a user's current-thread tokio runtime complete (no deadlock).
#[tokio::test(flavor = "current_thread")]
async fn exports_from_inside_a_current_thread_tokio_runtime() {
    let receiver = Receiver::start(&[]);
    for protocol in [Protocol::Grpc, Protocol::HttpBinary] {
        let mut exporter = direct_exporter(&receiver, protocol, Duration::from_secs(5));
        exporter.export(&spans(1)).await.unwrap();
        drop(exporter);
    }
    assert_eq!(receiver.accepted("traces").len(), 2);
}

/// The temporality preference and the default histogram aggregation reach the wire: delta
/// sums and exponential histograms arrive as such.
#[test]
fn delta_temporality_and_exponential_histograms_arrive() {
    use opentelemetry_sdk::metrics::{Aggregation, Temporality};
    let receiver = Receiver::start(&[]);
    let exporter = MetricExporter::builder()
        .with_http()
        .with_endpoint(receiver.http_endpoint("metrics"))
        .with_temporality(Temporality::Delta)
        .with_default_histogram_aggregation(Aggregation::default_exponential_histogram())
        .build()
        .unwrap();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter).build())
        .build();
    let meter = provider.meter("lib");
    meter.u64_counter("orders").build().add(4, &[]);
    let histogram = meter.f64_histogram("latency").build();
    for v in [1.0, 2.0, 4.0] {
        histogram.record(v, &[]);
    }
    provider.shutdown().unwrap();
    let metrics = receiver.wait_accepted("metrics", 1);
    let all: Vec<Json> = metrics
        .iter()
        .flat_map(|m| {
            m["request"]["resource_metrics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|r| r["scope_metrics"].as_array().cloned().unwrap_or_default())
        .flat_map(|s| s["metrics"].as_array().cloned().unwrap_or_default())
        .collect();
    let orders = all.iter().find(|m| m["name"] == "orders").unwrap();
    assert_eq!(
        orders["sum"]["aggregation_temporality"],
        "AGGREGATION_TEMPORALITY_DELTA"
    );
    assert_eq!(orders["sum"]["data_points"][0]["as_int"], "4");
    let latency = all.iter().find(|m| m["name"] == "latency").unwrap();
    let exp = &latency["exponential_histogram"];
    assert_eq!(
        exp["aggregation_temporality"],
        "AGGREGATION_TEMPORALITY_DELTA"
    );
    let point = &exp["data_points"][0];
    assert_eq!(point["count"], "3");
    assert_eq!(point["sum"], 7.0);
    assert!(point["scale"].as_i64().is_some(), "{point}");
}

/// After shutdown, exports fail at once and nothing is sent.
#[test]
fn exports_after_shutdown_fail() {
    let receiver = Receiver::start(&[]);
    let mut exporter = direct_exporter(&receiver, Protocol::HttpBinary, Duration::from_secs(5));
    exporter.shutdown().unwrap();
    assert!(exporter.shutdown().is_err());
    let error = futures_executor::block_on(exporter.export(&spans(1))).unwrap_err();
    assert_eq!(error, opentelemetry_sdk::Error::AlreadyShutdown);
    assert!(receiver.records().is_empty());
}
