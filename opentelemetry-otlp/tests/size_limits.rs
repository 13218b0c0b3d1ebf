//! The OTLP message size limits against the real receiver (`tests/python/otlp_receiver.py`,
//! the official `opentelemetry-proto` classes over `grpcio` and OTLP/HTTP): a request over
//! the maximum request size is never sent; a response over the maximum response size (as
//! sent, or once inflated) fails the export without a retry; exports within the limits go
//! through.
#![cfg(all(feature = "grpc-tonic", feature = "http-json"))]

mod common;

use common::*;
use opentelemetry_api::global::{set_diagnostic_handler, DiagnosticLevel};
use opentelemetry_api::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
use opentelemetry_api::metrics::MeterProvider as _;
use opentelemetry_api::KeyValue;
use opentelemetry_otlp::{
    LogExporter, MetricExporter, Protocol, RetryPolicy, SpanExporter, WithExportConfig,
};
use opentelemetry_sdk::logs::{InMemoryLogExporter, LogData, LogExporter as _, SdkLoggerProvider};
use opentelemetry_sdk::metrics::{
    ManualReader, PushMetricExporter as _, ResourceMetrics, SdkMeterProvider,
};
use opentelemetry_sdk::trace::SpanExporter as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Collects the diagnostics named `name` (each test runs in its own process under nextest).
fn diagnostics(name: &'static str) -> Arc<Mutex<Vec<String>>> {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        if d.name == name {
            sink.lock().unwrap().push(d.message.to_string());
        }
    });
    seen
}

/// Up to 5 quick retries: a retried export would show as more than one request.
fn retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(5)
        .with_initial_delay(Duration::from_millis(20))
}

/// Applies the same settings to a builder of any signal in either state.
macro_rules! configure {
    ($builder:expr, $receiver:expr, $protocol:expr, $signal:literal, $max_request:expr, $max_response:expr) => {
        match $protocol {
            Protocol::Grpc => $builder
                .with_tonic()
                .with_endpoint($receiver.grpc_endpoint())
                .with_retry_policy(retries())
                .with_timeout(Duration::from_secs(10))
                .with_max_request_size($max_request)
                .with_max_response_size($max_response)
                .build(),
            protocol => $builder
                .with_http()
                .with_protocol(protocol)
                .with_endpoint($receiver.http_endpoint($signal))
                .with_retry_policy(retries())
                .with_timeout(Duration::from_secs(10))
                .with_max_request_size($max_request)
                .with_max_response_size($max_response)
                .build(),
        }
        .unwrap()
    };
}

fn span_exporter(
    r: &Receiver,
    p: Protocol,
    max_request: usize,
    max_response: usize,
) -> SpanExporter {
    configure!(
        SpanExporter::builder(),
        r,
        p,
        "traces",
        max_request,
        max_response
    )
}

fn metric_exporter(
    r: &Receiver,
    p: Protocol,
    max_request: usize,
    max_response: usize,
) -> MetricExporter {
    configure!(
        MetricExporter::builder(),
        r,
        p,
        "metrics",
        max_request,
        max_response
    )
}

fn log_exporter(r: &Receiver, p: Protocol, max_request: usize, max_response: usize) -> LogExporter {
    configure!(
        LogExporter::builder(),
        r,
        p,
        "logs",
        max_request,
        max_response
    )
}

/// The metrics of a counter with `series` attribute sets.
fn metrics(series: usize) -> ResourceMetrics {
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    let counter = provider.meter("test-lib").u64_counter("requests").build();
    for i in 0..series {
        counter.add(1, &[KeyValue::new("route", format!("/route/{i}"))]);
    }
    let mut metrics = ResourceMetrics::default();
    reader.collect(&mut metrics).unwrap();
    metrics
}

/// `n` log records with a body of 40 bytes each.
fn logs(n: usize) -> Vec<LogData> {
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let logger = provider.logger("test-lib");
    for i in 0..n {
        let mut record = logger.create_log_record();
        record.set_body(format!("log record number {i:>20}").into());
        logger.emit(record);
    }
    exporter.get_emitted_logs()
}

/// The limit under which the small batches fit and over which the big ones go, in every
/// encoding (the big batches are over 10 KB even as protobuf, the small under 1 KB as JSON).
const REQUEST_LIMIT: usize = 4096;

/// Over the request limit, no signal's export is sent: the receiver sees nothing, the error
/// and an `Otlp.RequestTooLarge` diagnostic name the size and the limit. Batches within the
/// limit then go through, with both limits set.
fn oversized_requests_are_not_sent(protocol: Protocol) {
    let seen = diagnostics("Otlp.RequestTooLarge");
    let receiver = Receiver::start(&[]);
    let mut spans_out = span_exporter(&receiver, protocol, REQUEST_LIMIT, 64 * 1024);
    let mut metrics_out = metric_exporter(&receiver, protocol, REQUEST_LIMIT, 64 * 1024);
    let mut logs_out = log_exporter(&receiver, protocol, REQUEST_LIMIT, 64 * 1024);

    let started = Instant::now();
    let (big_spans, big_metrics, big_logs) = (spans(200), metrics(200), logs(200));
    let errors = [
        futures_executor::block_on(spans_out.export(&big_spans)).unwrap_err(),
        futures_executor::block_on(metrics_out.export(&big_metrics)).unwrap_err(),
        futures_executor::block_on(logs_out.export(&big_logs)).unwrap_err(),
    ];
    // Refused before any network use: no retry, no waiting.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    for error in &errors {
        let text = error.to_string();
        assert!(
            text.contains(&format!(
                "over the maximum request size of {REQUEST_LIMIT} bytes"
            )),
            "{text}"
        );
    }
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3, "{seen:?}");
        for (message, signal) in seen.iter().zip(["trace", "metrics", "logs"]) {
            assert!(
                message.starts_with(&format!("{signal} export discarded")),
                "{message}"
            );
            assert!(
                message.contains(&format!("of {REQUEST_LIMIT} bytes")),
                "{message}"
            );
        }
    }
    // Give a request that was sent after all the time to be recorded.
    std::thread::sleep(Duration::from_millis(300));
    assert!(receiver.records().is_empty(), "{:?}", receiver.records());

    // Within the limits, every signal goes through.
    futures_executor::block_on(spans_out.export(&spans(1))).unwrap();
    futures_executor::block_on(metrics_out.export(&metrics(1))).unwrap();
    futures_executor::block_on(logs_out.export(&logs(1))).unwrap();
    for signal in ["traces", "metrics", "logs"] {
        assert_eq!(receiver.accepted(signal).len(), 1, "{signal}");
    }
    assert_eq!(receiver.records().len(), 3);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn grpc_oversized_request_is_not_sent() {
    oversized_requests_are_not_sent(Protocol::Grpc);
}

#[test]
fn http_protobuf_oversized_request_is_not_sent() {
    oversized_requests_are_not_sent(Protocol::HttpBinary);
}

#[test]
fn http_json_oversized_request_is_not_sent() {
    oversized_requests_are_not_sent(Protocol::HttpJson);
}

/// The limit the oversized responses (200 000 bytes of partial-success message) pass.
const RESPONSE_LIMIT: usize = 64 * 1024;

/// The receiver answers a success whose partial_success message is 200 000 bytes: the
/// export fails at once with the response-size error, exactly one request is made (no
/// retry), and an `Otlp.ResponseTooLarge` diagnostic reports it. `expect` is in the detail.
fn oversized_response_fails_once(protocol: Protocol, receiver_args: &[&str], expect: &str) {
    let seen = diagnostics("Otlp.ResponseTooLarge");
    let mut args = vec!["--big-response", "200000"];
    args.extend_from_slice(receiver_args);
    let receiver = Receiver::start(&args);
    let mut exporter = span_exporter(&receiver, protocol, 1024 * 1024, RESPONSE_LIMIT);
    let started = Instant::now();
    let error = futures_executor::block_on(exporter.export(&spans(2)))
        .unwrap_err()
        .to_string();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error.contains(&format!(
            "over the maximum response size of {RESPONSE_LIMIT} bytes"
        )),
        "{error}"
    );
    assert!(error.contains(expect), "{error}");
    let records = receiver.records();
    assert_eq!(records.len(), 1, "retried: {records:?}");
    assert_eq!(records[0]["outcome"], "ok");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("not retried"), "{}", seen[0]);
    assert!(seen[0].contains(expect), "{}", seen[0]);
    // The next export meets the same receiver: the exporter is still usable.
    drop(seen);
    assert!(futures_executor::block_on(exporter.export(&spans(1))).is_err());
    assert_eq!(receiver.records().len(), 2);
}

#[test]
fn grpc_oversized_response_fails_without_retry() {
    // tonic would report its own limit as OUT_OF_RANGE, a retryable code: the exporter's
    // limit on the response body comes first and is never retried.
    oversized_response_fails_once(Protocol::Grpc, &[], "a message of 2000");
}

#[test]
fn http_protobuf_oversized_response_fails_without_retry() {
    oversized_response_fails_once(Protocol::HttpBinary, &[], "Content-Length 2000");
}

#[test]
fn http_json_oversized_response_fails_without_retry() {
    oversized_response_fails_once(Protocol::HttpJson, &[], "Content-Length 2000");
}

#[test]
fn http_gzip_response_inflating_past_the_limit_fails_without_retry() {
    // A few hundred bytes on the wire, 200 000 once inflated: the inflation stops at the limit.
    oversized_response_fails_once(Protocol::HttpBinary, &["--gzip-response"], "inflates past");
    oversized_response_fails_once(Protocol::HttpJson, &["--gzip-response"], "inflates past");
}

/// Responses within the limit (a 20 000-byte partial-success message, plain or gzip) are
/// read and reported as partial successes, with both limits set.
fn response_within_the_limit_is_read(protocol: Protocol, receiver_args: &[&str]) {
    let seen = diagnostics("Otlp.PartialSuccess");
    let mut args = vec!["--big-response", "20000"];
    args.extend_from_slice(receiver_args);
    let receiver = Receiver::start(&args);
    let mut exporter = span_exporter(&receiver, protocol, 1024 * 1024, RESPONSE_LIMIT);
    futures_executor::block_on(exporter.export(&spans(2))).unwrap();
    assert_eq!(receiver.records().len(), 1);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("rejected 1 span(s)"), "{}", seen[0]);
    assert!(
        seen[0].ends_with(&"x".repeat(20_000)),
        "the whole message was read"
    );
}

#[test]
fn responses_within_the_limit_are_read() {
    response_within_the_limit_is_read(Protocol::Grpc, &[]);
    response_within_the_limit_is_read(Protocol::HttpBinary, &[]);
    response_within_the_limit_is_read(Protocol::HttpJson, &[]);
    response_within_the_limit_is_read(Protocol::HttpBinary, &["--gzip-response"]);
    response_within_the_limit_is_read(Protocol::HttpJson, &["--gzip-response"]);
}

/// A RESOURCE_EXHAUSTED the server sends with a RetryInfo is throttling, retried after the
/// delay, while the response limit is set: only the exporter's own limit is final.
#[test]
fn grpc_server_resource_exhausted_with_retry_info_is_still_retried() {
    let receiver = Receiver::start(&[
        "--fail",
        "1",
        "--grpc-code",
        "RESOURCE_EXHAUSTED",
        "--retry-info-ms",
        "200",
    ]);
    let mut exporter = span_exporter(&receiver, Protocol::Grpc, 1024 * 1024, 1024);
    let started = Instant::now();
    futures_executor::block_on(exporter.export(&spans(1))).unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    let records = receiver.records();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[0]["outcome"], "failed");
    assert_eq!(records[1]["outcome"], "ok");
}
