//! The exporters' self-observability metrics (`otel.sdk.exporter.*`) against the real Python
//! OTLP receiver (`tests/python/otlp_receiver.py`, official `opentelemetry-proto` classes and
//! `grpcio`; `.ci/run` installs them), recorded into a meter provider read by a manual
//! reader.
#![cfg(all(feature = "grpc-tonic", feature = "http-json"))]

mod common;

use common::{spans, Receiver};
use opentelemetry_api::metrics::MeterProvider as _;
use opentelemetry_api::KeyValue;
use opentelemetry_otlp::{
    LogExporter, MetricExporter, Protocol, RetryPolicy, SpanExporter, WithExportConfig,
};
use opentelemetry_sdk::logs::{InMemoryLogExporter, LogExporter as _, SdkLoggerProvider};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, ManualReader, Metric, MetricData, PushMetricExporter as _, ResourceMetrics,
    SdkMeterProvider,
};
use opentelemetry_sdk::trace::SpanExporter as _;
use std::collections::BTreeMap;
use std::time::Duration;

type Attrs = BTreeMap<String, String>;

fn attrs(attributes: &[KeyValue]) -> Attrs {
    attributes
        .iter()
        .map(|kv| (kv.key.as_str().to_owned(), kv.value.to_string()))
        .collect()
}

fn recorder() -> (SdkMeterProvider, ManualReader) {
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    (provider, reader)
}

/// The metrics of the exporter's scope (checking its version and schema URL).
fn collect(reader: &ManualReader) -> Vec<Metric> {
    let mut metrics = ResourceMetrics::default();
    reader.collect(&mut metrics).unwrap();
    let mut found = Vec::new();
    for scope in metrics.scope_metrics {
        if scope.scope.name() == "opentelemetry-otlp" {
            assert_eq!(scope.scope.version(), Some(env!("CARGO_PKG_VERSION")));
            assert_eq!(
                scope.scope.schema_url(),
                Some(opentelemetry_semantic_conventions::SCHEMA_URL)
            );
            found.extend(scope.metrics);
        }
    }
    found
}

fn find<'a>(metrics: &'a [Metric], name: &str, unit: &str) -> &'a Metric {
    let metric = metrics
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no {name}"));
    assert_eq!(metric.unit, unit, "{name}");
    metric
}

fn counter(metrics: &[Metric], name: &str, unit: &str) -> BTreeMap<Attrs, u64> {
    let AggregatedMetrics::U64(MetricData::Sum(sum)) = &find(metrics, name, unit).data else {
        panic!("{name} is not a u64 sum");
    };
    assert!(sum.is_monotonic);
    sum.data_points
        .iter()
        .map(|p| (attrs(&p.attributes), p.value))
        .collect()
}

fn up_down(metrics: &[Metric], name: &str, unit: &str) -> BTreeMap<Attrs, i64> {
    let AggregatedMetrics::I64(MetricData::Sum(sum)) = &find(metrics, name, unit).data else {
        panic!("{name} is not an i64 sum");
    };
    assert!(!sum.is_monotonic);
    sum.data_points
        .iter()
        .map(|p| (attrs(&p.attributes), p.value))
        .collect()
}

/// Histogram points as counts.
fn durations(metrics: &[Metric]) -> BTreeMap<Attrs, u64> {
    let metric = find(metrics, "otel.sdk.exporter.operation.duration", "s");
    let AggregatedMetrics::F64(MetricData::Histogram(h)) = &metric.data else {
        panic!("the duration is not an f64 histogram");
    };
    h.data_points
        .iter()
        .map(|p| (attrs(&p.attributes), p.count))
        .collect()
}

/// The attributes of the only exporter in `points` (checking its name is `<type>/<n>`),
/// plus `extra`.
fn me<V>(
    points: &BTreeMap<Attrs, V>,
    component_type: &str,
    port: u16,
    extra: &[(&str, &str)],
) -> Attrs {
    let names: std::collections::BTreeSet<&String> =
        points.keys().map(|a| &a["otel.component.name"]).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let name = names.into_iter().next().unwrap().clone();
    let n = name.strip_prefix(&format!("{component_type}/")).unwrap();
    assert!(n.parse::<u64>().is_ok(), "{name}");
    let mut a: Attrs = [
        ("otel.component.type", component_type.to_owned()),
        ("otel.component.name", name),
        ("server.address", "127.0.0.1".to_owned()),
        ("server.port", port.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in extra {
        a.insert(k.to_string(), v.to_string());
    }
    a
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(5)
        .with_initial_delay(Duration::from_millis(20))
}

#[test]
fn http_span_exporter_counts_retried_exports_once_and_rejected_spans_as_failed() {
    let receiver = Receiver::start(&["--fail", "2", "--partial"]);
    let (meters, reader) = recorder();
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint(receiver.http_endpoint("traces"))
        .with_retry_policy(fast_retries())
        .with_self_observability(&meters)
        .build()
        .unwrap();
    futures_executor::block_on(exporter.export(&spans(5))).unwrap();

    let metrics = collect(&reader);
    let port = receiver.http_port;
    let t = "otlp_http_span_exporter";
    let exported = counter(&metrics, "otel.sdk.exporter.span.exported", "{span}");
    assert_eq!(
        exported,
        [
            (me(&exported, t, port, &[]), 3),
            (me(&exported, t, port, &[("error.type", "rejected")]), 2),
        ]
        .into(),
        "the receiver rejected 2 of 5"
    );
    let inflight = up_down(&metrics, "otel.sdk.exporter.span.inflight", "{span}");
    assert_eq!(inflight, [(me(&inflight, t, port, &[]), 0)].into());
    // One observation for the three attempts; not a full success.
    let d = durations(&metrics);
    assert_eq!(
        d,
        [(
            me(
                &d,
                t,
                port,
                &[
                    ("error.type", "rejected"),
                    ("http.response.status_code", "200")
                ]
            ),
            1
        )]
        .into()
    );
}

#[test]
fn grpc_span_exporter_records_status_codes_and_failures() {
    let receiver = Receiver::start(&["--fail", "1", "--grpc-code", "INVALID_ARGUMENT"]);
    let (meters, reader) = recorder();
    let mut exporter = SpanExporter::builder()
        .with_tonic()
        .with_endpoint(receiver.grpc_endpoint())
        .with_retry_policy(fast_retries())
        .with_self_observability(&meters)
        .build()
        .unwrap();
    // Not retryable: fails at once. Then the next export succeeds.
    assert!(futures_executor::block_on(exporter.export(&spans(4))).is_err());
    futures_executor::block_on(exporter.export(&spans(3))).unwrap();

    let metrics = collect(&reader);
    let port = receiver.grpc_port;
    let t = "otlp_grpc_span_exporter";
    let exported = counter(&metrics, "otel.sdk.exporter.span.exported", "{span}");
    assert_eq!(
        exported,
        [
            (me(&exported, t, port, &[]), 3),
            (
                me(&exported, t, port, &[("error.type", "INVALID_ARGUMENT")]),
                4
            ),
        ]
        .into()
    );
    let d = durations(&metrics);
    assert_eq!(
        d,
        [
            (me(&d, t, port, &[("rpc.response.status_code", "OK")]), 1),
            (
                me(
                    &d,
                    t,
                    port,
                    &[
                        ("error.type", "INVALID_ARGUMENT"),
                        ("rpc.response.status_code", "INVALID_ARGUMENT")
                    ]
                ),
                1
            ),
        ]
        .into()
    );
}

#[test]
fn inflight_counts_spans_until_a_hanging_export_times_out() {
    let receiver = Receiver::start(&["--hang"]);
    let (meters, reader) = recorder();
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(receiver.http_endpoint("traces"))
        .with_timeout(Duration::from_millis(800))
        .with_retry_policy(RetryPolicy::none())
        .with_self_observability(&meters)
        .build()
        .unwrap();
    let batch = spans(6);
    let exporting = std::thread::spawn(move || {
        let result = futures_executor::block_on(exporter.export(&batch));
        (exporter, result)
    });
    let t = "otlp_http_json_span_exporter";
    let port = receiver.http_port;
    std::thread::sleep(Duration::from_millis(200));
    let metrics = collect(&reader);
    let inflight = up_down(&metrics, "otel.sdk.exporter.span.inflight", "{span}");
    assert_eq!(
        inflight,
        [(me(&inflight, t, port, &[]), 6)].into(),
        "while hanging"
    );

    let (_exporter, result) = exporting.join().unwrap();
    assert!(result.is_err());
    let metrics = collect(&reader);
    let inflight = up_down(&metrics, "otel.sdk.exporter.span.inflight", "{span}");
    assert_eq!(inflight, [(me(&inflight, t, port, &[]), 0)].into());
    let exported = counter(&metrics, "otel.sdk.exporter.span.exported", "{span}");
    assert_eq!(
        exported,
        [(me(&exported, t, port, &[("error.type", "timeout")]), 6)].into()
    );
    let d = durations(&metrics);
    assert_eq!(
        d,
        [(me(&d, t, port, &[("error.type", "timeout")]), 1)].into()
    );
}

#[test]
fn http_log_exporter_records_the_http_status_of_a_failure() {
    let receiver = Receiver::start(&["--fail", "5", "--http-status", "500"]);
    let (meters, reader) = recorder();
    let mut exporter = LogExporter::builder()
        .with_http()
        .with_endpoint(receiver.http_endpoint("logs"))
        .with_retry_policy(fast_retries())
        .with_self_observability(&meters)
        .build()
        .unwrap();
    // Two records from the SDK.
    let memory = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(memory.clone())
        .build();
    {
        use opentelemetry_api::logs::{Logger as _, LoggerProvider as _};
        let logger = provider.logger("app");
        logger.emit(logger.create_log_record());
        logger.emit(logger.create_log_record());
    }
    let logs = memory.get_emitted_logs();
    assert!(futures_executor::block_on(exporter.export(&logs)).is_err());

    let metrics = collect(&reader);
    let port = receiver.http_port;
    let t = "otlp_http_log_exporter";
    let exported = counter(&metrics, "otel.sdk.exporter.log.exported", "{log_record}");
    assert_eq!(
        exported,
        [(me(&exported, t, port, &[("error.type", "500")]), 2)].into()
    );
    let inflight = up_down(&metrics, "otel.sdk.exporter.log.inflight", "{log_record}");
    assert_eq!(inflight, [(me(&inflight, t, port, &[]), 0)].into());
    let d = durations(&metrics);
    assert_eq!(
        d,
        [(
            me(
                &d,
                t,
                port,
                &[("error.type", "500"), ("http.response.status_code", "500")]
            ),
            1
        )]
        .into()
    );
}

#[test]
fn metric_exporter_counts_data_points() {
    let receiver = Receiver::start(&[]);
    let (meters, reader) = recorder();
    let mut exporter = MetricExporter::builder()
        .with_tonic()
        .with_endpoint(receiver.grpc_endpoint())
        .with_self_observability(&meters)
        .build()
        .unwrap();
    // Three data points: a counter with two series, a histogram with one.
    let (source, source_reader) = recorder();
    let meter = source.meter("app");
    let counter_ = meter.u64_counter("requests").build();
    counter_.add(1, &[KeyValue::new("route", "/a")]);
    counter_.add(1, &[KeyValue::new("route", "/b")]);
    meter.f64_histogram("latency").build().record(0.1, &[]);
    let mut collected = ResourceMetrics::default();
    source_reader.collect(&mut collected).unwrap();
    futures_executor::block_on(exporter.export(&collected)).unwrap();
    assert_eq!(receiver.wait_accepted("metrics", 1).len(), 1);

    let metrics = collect(&reader);
    let port = receiver.grpc_port;
    let t = "otlp_grpc_metric_exporter";
    let unit = "{data_point}";
    let exported = counter(
        &metrics,
        "otel.sdk.exporter.metric_data_point.exported",
        unit,
    );
    assert_eq!(exported, [(me(&exported, t, port, &[]), 3)].into());
    let inflight = up_down(
        &metrics,
        "otel.sdk.exporter.metric_data_point.inflight",
        unit,
    );
    assert_eq!(inflight, [(me(&inflight, t, port, &[]), 0)].into());
    let d = durations(&metrics);
    assert_eq!(
        d,
        [(me(&d, t, port, &[("rpc.response.status_code", "OK")]), 1)].into()
    );
}

#[test]
fn a_request_over_the_size_limit_fails_without_a_response() {
    let receiver = Receiver::start(&[]);
    let (meters, reader) = recorder();
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint(receiver.http_endpoint("traces"))
        .with_max_request_size(10)
        .with_self_observability(&meters)
        .build()
        .unwrap();
    assert!(futures_executor::block_on(exporter.export(&spans(2))).is_err());
    let metrics = collect(&reader);
    let port = receiver.http_port;
    let t = "otlp_http_span_exporter";
    let exported = counter(&metrics, "otel.sdk.exporter.span.exported", "{span}");
    assert_eq!(
        exported,
        [(
            me(&exported, t, port, &[("error.type", "request_too_large")]),
            2
        )]
        .into()
    );
    let d = durations(&metrics);
    assert_eq!(
        d,
        [(me(&d, t, port, &[("error.type", "request_too_large")]), 1)].into()
    );
    assert!(receiver.records().is_empty());
}

#[test]
fn off_by_default_nothing_is_recorded() {
    let receiver = Receiver::start(&[]);
    let (_meters, reader) = recorder();
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint(receiver.http_endpoint("traces"))
        .build()
        .unwrap();
    futures_executor::block_on(exporter.export(&spans(2))).unwrap();
    assert!(collect(&reader).is_empty());
}

#[test]
fn every_destination_of_a_multi_destination_exporter_is_its_own_component() {
    let first = Receiver::start(&[]);
    let second = Receiver::start(&[]);
    let (meters, reader) = recorder();
    // Self-observability on the exporter's builder covers the additional destination too.
    let mut exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint(first.http_endpoint("traces"))
        .with_max_concurrent_requests(2)
        .with_self_observability(&meters)
        .with_additional_destination(
            SpanExporter::builder()
                .with_tonic()
                .with_endpoint(second.grpc_endpoint()),
        )
        .build()
        .unwrap();
    futures_executor::block_on(exporter.export(&spans(4))).unwrap();
    futures_executor::block_on(exporter.export(&spans(3))).unwrap();
    // Exports only queue: shutdown waits for both destinations' answers.
    exporter.shutdown().unwrap();

    let metrics = collect(&reader);
    let exported = counter(&metrics, "otel.sdk.exporter.span.exported", "{span}");
    let by_type = |t: &str| -> Vec<(String, u64)> {
        exported
            .iter()
            .filter(|(a, _)| a["otel.component.type"] == t)
            .map(|(a, v)| (a["server.port"].clone(), *v))
            .collect()
    };
    assert_eq!(
        by_type("otlp_http_span_exporter"),
        [(first.http_port.to_string(), 7)]
    );
    assert_eq!(
        by_type("otlp_grpc_span_exporter"),
        [(second.grpc_port.to_string(), 7)]
    );
    assert!(
        exported.keys().all(|a| !a.contains_key("error.type")),
        "{exported:?}"
    );
    let inflight = up_down(&metrics, "otel.sdk.exporter.span.inflight", "{span}");
    assert_eq!(inflight.len(), 2, "{inflight:?}");
    assert!(inflight.values().all(|&v| v == 0), "{inflight:?}");
    // One duration per export and destination.
    let d = durations(&metrics);
    assert_eq!(d.values().sum::<u64>(), 4, "{d:?}");
}
