//! The `OTEL_EXPORTER_OTLP_*` variables (process-global state: nextest runs each test in its
//! own process). OTLP/HTTP requests go to a recording `HttpClient`, so each test sees exactly
//! what would be sent; the gRPC ones go to the Python receiver.

mod common;

use bytes::Bytes;
use opentelemetry_api::global::{set_diagnostic_handler, DiagnosticLevel};
use opentelemetry_http::{BoxFuture, HttpClient, HttpError};
use opentelemetry_otlp::{
    LogExporter, MetricExporter, SpanExporter, WithExportConfig, WithHttpConfig,
};
use opentelemetry_sdk::logs::LogExporter as _;
use opentelemetry_sdk::metrics::{
    Aggregation, InstrumentKind, PushMetricExporter, ResourceMetrics, Temporality,
};
use opentelemetry_sdk::trace::SpanExporter as _;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Records requests and answers 200 (or never, when `hang`).
#[derive(Clone, Debug, Default)]
struct Recorder {
    requests: Arc<Mutex<Vec<http::Request<Bytes>>>>,
    hang: bool,
}

impl HttpClient for Recorder {
    fn send_bytes(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
        self.requests.lock().unwrap().push(request);
        if self.hang {
            return Box::pin(std::future::pending());
        }
        Box::pin(std::future::ready(Ok(http::Response::new(Bytes::new()))))
    }
}

impl Recorder {
    fn last(&self) -> http::Request<Bytes> {
        self.requests
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a request was sent")
    }
}

fn set(vars: &[(&str, &str)]) {
    for (k, v) in vars {
        // Safety: each test runs in its own process (nextest), and sets variables before
        // starting any thread of its own.
        unsafe { std::env::set_var(k, v) };
    }
}

/// Collects warnings by name.
fn diagnostics() -> Arc<Mutex<Vec<String>>> {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        sink.lock()
            .unwrap()
            .push(format!("{}: {}", d.name, d.message));
    });
    seen
}

/// Sends one span, one (empty) metrics batch and one (empty) log batch; returns the requests.
fn send_all(recorder: &Recorder) -> Vec<http::Request<Bytes>> {
    let mut spans = SpanExporter::builder()
        .with_http()
        .with_http_client(recorder.clone())
        .build()
        .unwrap();
    futures_executor::block_on(spans.export(&common::spans(1))).unwrap();
    let mut metrics = MetricExporter::builder()
        .with_http()
        .with_http_client(recorder.clone())
        .build()
        .unwrap();
    let batch = ResourceMetrics {
        resource: opentelemetry_sdk::Resource::empty(),
        scope_metrics: vec![],
    };
    futures_executor::block_on(metrics.export(&batch)).unwrap();
    let mut logs = LogExporter::builder()
        .with_http()
        .with_http_client(recorder.clone())
        .build()
        .unwrap();
    futures_executor::block_on(logs.export(&[])).unwrap();
    recorder.requests.lock().unwrap().clone()
}

fn uris(requests: &[http::Request<Bytes>]) -> Vec<String> {
    requests.iter().map(|r| r.uri().to_string()).collect()
}

#[test]
fn defaults_without_variables() {
    let recorder = Recorder::default();
    let sent = send_all(&recorder);
    assert_eq!(
        uris(&sent),
        [
            "http://localhost:4318/v1/traces",
            "http://localhost:4318/v1/metrics",
            "http://localhost:4318/v1/logs"
        ]
    );
    for r in &sent {
        assert_eq!(r.method(), http::Method::POST);
        assert_eq!(r.headers()["content-type"], "application/x-protobuf");
        assert!(r.headers().get("content-encoding").is_none());
    }
}

#[test]
fn generic_endpoint_gets_the_signal_path_appended() {
    set(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")]);
    let sent = send_all(&Recorder::default());
    assert_eq!(
        uris(&sent),
        [
            "http://collector:4318/v1/traces",
            "http://collector:4318/v1/metrics",
            "http://collector:4318/v1/logs"
        ]
    );
}

#[test]
fn generic_endpoint_with_a_base_path_and_trailing_slash() {
    set(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector/otlp/")]);
    let sent = send_all(&Recorder::default());
    assert_eq!(
        uris(&sent),
        [
            "https://collector/otlp/v1/traces",
            "https://collector/otlp/v1/metrics",
            "https://collector/otlp/v1/logs"
        ]
    );
}

#[test]
fn signal_endpoints_are_used_as_is_and_win_over_the_generic_one() {
    set(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"),
        (
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://traces:1234/custom/path",
        ),
        ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://metrics:4318"),
    ]);
    let sent = send_all(&Recorder::default());
    assert_eq!(
        uris(&sent),
        [
            "http://traces:1234/custom/path",
            "http://metrics:4318/",
            "http://generic:4318/v1/logs"
        ]
    );
}

#[test]
fn builder_endpoint_wins_over_variables() {
    set(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"),
        (
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://traces:4318/v1/traces",
        ),
    ]);
    let recorder = Recorder::default();
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint("http://mine:9999/v1/traces")
        .with_http_client(recorder.clone())
        .build()
        .unwrap();
    futures_executor::block_on(exporter.export(&common::spans(1))).unwrap();
    assert_eq!(recorder.last().uri(), "http://mine:9999/v1/traces");
}

#[test]
fn invalid_endpoint_variable_is_reported_and_the_default_used() {
    let seen = diagnostics();
    set(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "not a url")]);
    let sent = send_all(&Recorder::default());
    assert_eq!(sent[0].uri(), "http://localhost:4318/v1/traces");
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter().any(|d| d.starts_with("Otlp.InvalidEndpoint")
            && d.contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")),
        "{seen:?}"
    );
}

#[test]
fn invalid_builder_endpoint_is_an_error() {
    let error = SpanExporter::builder()
        .with_http()
        .with_endpoint("collector:4318")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("collector:4318"), "{error}");
}

#[test]
fn headers_are_percent_decoded_signal_headers_win_and_builder_headers_win_last() {
    let seen = diagnostics();
    set(&[
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "api-key=generic,tenant=acme%20corp",
        ),
        (
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
            "api-key=k%3D1%2C2 , region = eu ,broken",
        ),
    ]);
    let sent = send_all(&Recorder::default());
    let traces = sent[0].headers();
    assert_eq!(traces["api-key"], "k=1,2");
    assert_eq!(traces["region"], "eu");
    assert!(
        traces.get("tenant").is_none(),
        "per-signal headers replace the generic ones"
    );
    let metrics = sent[1].headers();
    assert_eq!(metrics["api-key"], "generic");
    assert_eq!(metrics["tenant"], "acme corp");
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|d| d.starts_with("Otlp.InvalidHeader")));

    let recorder = Recorder::default();
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_headers(HashMap::from([("API-Key".to_owned(), "mine".to_owned())]))
        .with_http_client(recorder.clone())
        .build()
        .unwrap();
    futures_executor::block_on(exporter.export(&common::spans(1))).unwrap();
    let headers = recorder.last().headers().clone();
    assert_eq!(headers["api-key"], "mine");
    assert_eq!(headers["region"], "eu");
}

fn gunzip(body: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn compression_variable_gzips_and_signal_none_overrides() {
    use prost::Message;
    set(&[
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
        ("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "none"),
    ]);
    let sent = send_all(&Recorder::default());
    assert_eq!(sent[0].headers()["content-encoding"], "gzip");
    let request = opentelemetry_proto::collector::trace::v1::ExportTraceServiceRequest::decode(
        gunzip(sent[0].body()).as_slice(),
    )
    .unwrap();
    assert_eq!(
        request.resource_spans[0].scope_spans[0].spans[0].name,
        "span-0"
    );
    assert_eq!(sent[1].headers()["content-encoding"], "gzip");
    assert!(sent[2].headers().get("content-encoding").is_none());
}

#[test]
fn invalid_compression_is_reported_and_none_used() {
    let seen = diagnostics();
    set(&[("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd")]);
    let sent = send_all(&Recorder::default());
    assert!(sent[0].headers().get("content-encoding").is_none());
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|d| d.starts_with("Otlp.InvalidCompression")));
}

#[test]
fn protocol_variable_selects_json_for_http_builders() {
    set(&[("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json")]);
    let sent = send_all(&Recorder::default());
    assert_eq!(sent[0].headers()["content-type"], "application/json");
    let json: serde_json::Value = serde_json::from_slice(sent[0].body()).unwrap();
    assert_eq!(
        json["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"],
        "span-0"
    );
    assert_eq!(sent[1].headers()["content-type"], "application/x-protobuf");
}

#[test]
fn invalid_protocol_is_reported_and_the_default_used() {
    let seen = diagnostics();
    set(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "http")]);
    let sent = send_all(&Recorder::default());
    assert_eq!(sent[0].headers()["content-type"], "application/x-protobuf");
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|d| d.starts_with("Otlp.InvalidProtocol")));
}

#[test]
fn timeout_variable_bounds_each_export() {
    set(&[("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "300")]);
    let recorder = Recorder {
        hang: true,
        ..Default::default()
    };
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_http_client(recorder)
        .build()
        .unwrap();
    let started = Instant::now();
    let result = futures_executor::block_on(exporter.export(&common::spans(1)));
    let elapsed = started.elapsed();
    assert!(result.is_err());
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[test]
fn builder_timeout_wins_over_the_variable() {
    set(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "60000")]);
    let recorder = Recorder {
        hang: true,
        ..Default::default()
    };
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_timeout(Duration::from_millis(200))
        .with_http_client(recorder)
        .build()
        .unwrap();
    let started = Instant::now();
    assert!(futures_executor::block_on(exporter.export(&common::spans(1))).is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn invalid_timeout_is_reported() {
    let seen = diagnostics();
    set(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "ten")]);
    let _ = send_all(&Recorder::default());
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|d| d.starts_with("Otlp.InvalidTimeout")));
}

fn temporalities(exporter: &MetricExporter) -> Vec<Temporality> {
    [
        InstrumentKind::Counter,
        InstrumentKind::UpDownCounter,
        InstrumentKind::Histogram,
        InstrumentKind::Gauge,
        InstrumentKind::ObservableCounter,
        InstrumentKind::ObservableUpDownCounter,
    ]
    .into_iter()
    .map(|k| exporter.temporality(k))
    .collect()
}

#[test]
fn temporality_preference_variable() {
    use Temporality::{Cumulative as C, Delta as D};
    let build = || MetricExporter::builder().with_http().build().unwrap();
    assert_eq!(temporalities(&build()), [C, C, C, C, C, C]);
    set(&[("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta")]);
    assert_eq!(temporalities(&build()), [D, C, D, D, D, C]);
    set(&[(
        "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
        "lowmemory",
    )]);
    assert_eq!(temporalities(&build()), [D, C, D, D, C, C]);
    // The builder wins.
    let mine = MetricExporter::builder()
        .with_http()
        .with_temporality(Temporality::Cumulative)
        .build()
        .unwrap();
    assert_eq!(temporalities(&mine), [C, C, C, C, C, C]);
    let seen = diagnostics();
    set(&[(
        "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
        "sometimes",
    )]);
    assert_eq!(temporalities(&build()), [C, C, C, C, C, C]);
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|d| d.starts_with("Otlp.InvalidTemporality")));
}

#[test]
fn default_histogram_aggregation_variable() {
    let build = || MetricExporter::builder().with_http().build().unwrap();
    assert_eq!(
        build().aggregation(InstrumentKind::Histogram),
        Aggregation::Default
    );
    set(&[(
        "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
        "base2_exponential_bucket_histogram",
    )]);
    let exporter = build();
    assert_eq!(
        exporter.aggregation(InstrumentKind::Histogram),
        Aggregation::default_exponential_histogram()
    );
    assert_eq!(
        exporter.aggregation(InstrumentKind::Counter),
        Aggregation::Default
    );
    let seen = diagnostics();
    set(&[(
        "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
        "exponential",
    )]);
    assert_eq!(
        build().aggregation(InstrumentKind::Histogram),
        Aggregation::Default
    );
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|d| d.starts_with("Otlp.InvalidHistogramAggregation")));
}

#[cfg(feature = "grpc-tonic")]
mod grpc {
    use super::*;
    use common::Receiver;

    #[test]
    fn protocol_grpc_with_a_scheme_less_insecure_endpoint_reaches_the_receiver() {
        let receiver = Receiver::start(&[]);
        let endpoint = format!("127.0.0.1:{}", receiver.grpc_port);
        set(&[
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_EXPORTER_OTLP_INSECURE", "true"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=a%20b"),
        ]);
        // No transport chosen on the builder: the variable picks gRPC.
        let mut exporter = SpanExporter::builder().build().unwrap();
        futures_executor::block_on(exporter.export(&common::spans(2))).unwrap();
        let accepted = receiver.accepted("traces");
        assert_eq!(accepted.len(), 1);
        assert_eq!(accepted[0]["transport"], "grpc");
        assert_eq!(accepted[0]["headers"]["x-tenant"], "a b");
        assert_eq!(common::received_spans(&accepted).len(), 2);
    }

    #[test]
    fn grpc_signal_endpoint_is_used_as_is() {
        let receiver = Receiver::start(&[]);
        set(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"),
            (
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                &receiver.grpc_endpoint(),
            ),
            ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc"),
        ]);
        let mut exporter = LogExporter::builder().build().unwrap();
        futures_executor::block_on(exporter.export(&[])).unwrap();
        assert_eq!(receiver.accepted("logs").len(), 1);
    }

    #[test]
    fn scheme_less_endpoint_without_insecure_uses_tls() {
        let receiver = Receiver::start(&[]);
        set(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            &format!("127.0.0.1:{}", receiver.grpc_port),
        )]);
        let result = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_timeout(Duration::from_secs(1))
            .build()
            .map(|mut e| futures_executor::block_on(e.export(&common::spans(1))));
        // Without the `tls` feature the build fails; with it, the plain-text receiver fails
        // the handshake. Either way nothing is sent in clear text.
        match result {
            Err(e) => assert!(e.to_string().contains("TLS"), "{e}"),
            Ok(sent) => assert!(sent.is_err()),
        }
        assert!(receiver.accepted("traces").is_empty());
    }
}
