//! Concurrent requests (`with_max_concurrent_requests`) and multi-destination exporting
//! (`with_additional_destination`) against the real receiver, `tests/python/otlp_receiver.py`
//! (the official `opentelemetry-proto` classes over `grpcio`, `json_format` for OTLP/JSON),
//! which records how many requests it was handling when each arrived.
#![cfg(all(feature = "grpc-tonic", feature = "http-json"))]

mod common;

use common::*;
use opentelemetry_api::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
use opentelemetry_api::metrics::MeterProvider as _;
use opentelemetry_api::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_otlp::{
    Compression, LogExporter, MetricExporter, Protocol, RetryPolicy, SpanExporter,
    SpanExporterBuilder, WithExportConfig, WithHttpConfig,
};
use opentelemetry_sdk::logs::{BatchLogProcessor, SdkLoggerProvider};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter as _,
};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(5)
        .with_initial_delay(Duration::from_millis(20))
}

fn endpoint(receiver: &Receiver, protocol: Protocol, signal: &str) -> String {
    match protocol {
        Protocol::Grpc => receiver.grpc_endpoint(),
        _ => receiver.http_endpoint(signal),
    }
}

/// A span exporter builder for `receiver` over `protocol` (the protocol picks the
/// transport), with `n` concurrent requests.
fn spans_to(receiver: &Receiver, protocol: Protocol, n: usize) -> SpanExporterBuilder {
    SpanExporter::builder()
        .with_protocol(protocol)
        .with_endpoint(endpoint(receiver, protocol, "traces"))
        .with_timeout(Duration::from_secs(10))
        .with_retry_policy(fast_retries())
        .with_max_concurrent_requests(n)
}

/// `batches` batches of `size` distinct spans (`span-0`, `span-1`, ... across batches).
fn batches(batches: usize, size: usize) -> Vec<Vec<SpanData>> {
    spans(batches * size)
        .chunks(size)
        .map(<[SpanData]>::to_vec)
        .collect()
}

/// The names of the spans in the accepted requests, sorted (duplicates kept).
fn received_names(receiver: &Receiver) -> Vec<String> {
    let mut names: Vec<String> = received_spans(&receiver.accepted("traces"))
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// `prefix-0` .. `prefix-{n-1}`, sorted as strings.
fn expected_names(prefix: &str, n: usize) -> Vec<String> {
    let mut names: Vec<String> = (0..n).map(|i| format!("{prefix}-{i}")).collect();
    names.sort();
    names
}

/// The most requests the receiver was handling at once (over every request it recorded).
fn max_in_flight(receiver: &Receiver) -> u64 {
    receiver
        .records()
        .iter()
        .map(|r| r["in_flight"].as_u64().unwrap())
        .max()
        .unwrap_or(0)
}

/// Diagnostics of the `Otlp.` events at warning level and above, as (name, message).
fn collect_diagnostics() -> Arc<Mutex<Vec<(String, String)>>> {
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let sink = Arc::clone(&seen);
    opentelemetry_api::global::set_diagnostic_handler(
        opentelemetry_api::global::DiagnosticLevel::Warn,
        move |d| {
            if d.name.starts_with("Otlp.") {
                sink.lock()
                    .unwrap()
                    .push((d.name.to_owned(), d.message.to_string()));
            }
        },
    );
    seen
}

/// With `n` = 4 and a receiver that answers after 1 s: the exports return as soon as
/// their request is in flight, the receiver sees 4 requests at once and never more, and
/// after shutdown every span has arrived exactly once.
fn overlap(protocol: Protocol) {
    // The margins below are wide (the CI machine may be loaded): they only need to tell
    // "returned at once" from "waited for the receiver".
    let receiver = Receiver::start(&["--delay-ms", "1000"]);
    let mut exporter = spans_to(&receiver, protocol, 4).build().unwrap();
    let started = Instant::now();
    for (i, batch) in batches(12, 5).iter().enumerate() {
        let call = Instant::now();
        futures_executor::block_on(exporter.export(batch)).unwrap();
        if i < 4 {
            // A free slot: in flight at once, the answer not awaited.
            assert!(
                call.elapsed() < Duration::from_millis(800),
                "{i}: {:?}",
                call.elapsed()
            );
        }
    }
    // One at a time, 12 requests would take 12 s before the last export returned; four at a
    // time, the last one returns after about 2 s.
    assert!(
        started.elapsed() < Duration::from_millis(6000),
        "{:?}",
        started.elapsed()
    );
    exporter.shutdown().unwrap();
    assert_eq!(received_names(&receiver), expected_names("span", 60));
    assert_eq!(receiver.accepted("traces").len(), 12);
    assert_eq!(max_in_flight(&receiver), 4, "{:?}", receiver.records());
    let transport = if protocol == Protocol::Grpc {
        "grpc"
    } else {
        "http"
    };
    for record in receiver.records() {
        assert_eq!(record["transport"], transport);
        if protocol == Protocol::HttpJson {
            assert_eq!(record["encoding"], "json");
        }
    }
}

#[test]
fn grpc_concurrent_requests_overlap_up_to_the_limit() {
    overlap(Protocol::Grpc);
}

#[test]
fn http_protobuf_concurrent_requests_overlap_up_to_the_limit() {
    overlap(Protocol::HttpBinary);
}

#[test]
fn http_json_concurrent_requests_overlap_up_to_the_limit() {
    overlap(Protocol::HttpJson);
}

/// By default an export waits for the receiver's answer: one request at a time.
#[test]
fn one_request_at_a_time_by_default() {
    let receiver = Receiver::start(&["--delay-ms", "200"]);
    for protocol in [Protocol::Grpc, Protocol::HttpBinary] {
        let mut exporter = SpanExporter::builder()
            .with_protocol(protocol)
            .with_endpoint(endpoint(&receiver, protocol, "traces"))
            .build()
            .unwrap();
        for batch in batches(3, 2) {
            let call = Instant::now();
            futures_executor::block_on(exporter.export(&batch)).unwrap();
            assert!(
                call.elapsed() >= Duration::from_millis(200),
                "{:?}",
                call.elapsed()
            );
        }
        exporter.shutdown().unwrap();
    }
    assert_eq!(receiver.accepted("traces").len(), 6);
    assert_eq!(max_in_flight(&receiver), 1);
}

/// Through the batch span processor's background thread (no async runtime): its exports
/// overlap, and its shutdown returns once every request is acknowledged.
fn batch_processor_loses_nothing(protocol: Protocol) {
    let receiver = Receiver::start(&["--delay-ms", "100"]);
    let exporter = spans_to(&receiver, protocol, 3).build().unwrap();
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            opentelemetry_sdk::trace::BatchConfigBuilder::default()
                .with_max_export_batch_size(10)
                .with_scheduled_delay(Duration::from_secs(60))
                .build(),
        )
        .build();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .build();
    let tracer = provider.tracer("lib");
    for i in 0..200 {
        tracer.start(format!("queued-{i}")).end();
    }
    provider.shutdown().unwrap();
    // Nothing arrives after shutdown returned: it all had.
    assert_eq!(received_names(&receiver), expected_names("queued", 200));
    let in_flight = max_in_flight(&receiver);
    assert!((2..=3).contains(&in_flight), "{in_flight}");
}

#[test]
fn grpc_batch_processor_shutdown_delivers_every_span_exactly_once() {
    batch_processor_loses_nothing(Protocol::Grpc);
}

#[test]
fn http_batch_processor_shutdown_delivers_every_span_exactly_once() {
    batch_processor_loses_nothing(Protocol::HttpBinary);
}

/// Logs over OTLP/HTTP JSON with 4 concurrent requests, through the batch log processor.
#[test]
fn logs_over_http_json_concurrently() {
    let receiver = Receiver::start(&["--delay-ms", "150"]);
    let exporter = LogExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(receiver.http_endpoint("logs"))
        .with_max_concurrent_requests(4)
        .build()
        .unwrap();
    let processor = BatchLogProcessor::builder(exporter)
        .with_batch_config(
            opentelemetry_sdk::logs::BatchConfigBuilder::default()
                .with_max_export_batch_size(10)
                .with_scheduled_delay(Duration::from_secs(60))
                .build(),
        )
        .build();
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(processor)
        .build();
    let logger = provider.logger("lib");
    for i in 0..100 {
        let mut record = logger.create_log_record();
        record.set_body(format!("line-{i}").into());
        logger.emit(record);
    }
    provider.shutdown().unwrap();
    let mut bodies = log_bodies(&receiver.accepted("logs"));
    bodies.sort();
    assert_eq!(bodies, expected_names("line", 100));
    let in_flight = max_in_flight(&receiver);
    assert!((2..=4).contains(&in_flight), "{in_flight}");
}

/// Metrics over OTLP/gRPC with 2 concurrent requests, through the periodic reader: every
/// collection arrives, the last one (at shutdown) before shutdown returns.
#[test]
fn metrics_over_grpc_concurrently() {
    let receiver = Receiver::start(&["--delay-ms", "300"]);
    let exporter = MetricExporter::builder()
        .with_tonic()
        .with_endpoint(receiver.grpc_endpoint())
        .with_max_concurrent_requests(2)
        .build()
        .unwrap();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter).build())
        .build();
    let counter = provider.meter("lib").u64_counter("orders").build();
    counter.add(2, &[]);
    provider.force_flush().unwrap();
    counter.add(5, &[]);
    provider.shutdown().unwrap();
    let requests = receiver.accepted("metrics");
    let sums: Vec<&Json> = requests
        .iter()
        .map(|r| {
            &r["request"]["resource_metrics"][0]["scope_metrics"][0]["metrics"][0]["sum"]
                ["data_points"][0]["as_int"]
        })
        .collect();
    assert!(sums.len() >= 2, "{requests:?}");
    assert_eq!(*sums.last().unwrap(), "7");
    assert!(max_in_flight(&receiver) <= 2);
}

/// The string bodies of the log records of accepted requests.
fn log_bodies(records: &[Json]) -> Vec<String> {
    records
        .iter()
        .flat_map(|r| {
            r["request"]["resource_logs"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|rl| rl["scope_logs"].as_array().cloned().unwrap_or_default())
        .flat_map(|sl| sl["log_records"].as_array().cloned().unwrap_or_default())
        .map(|lr| lr["body"]["string_value"].as_str().unwrap().to_owned())
        .collect()
}

/// Exports awaited inside a tokio runtime, shutdown called there too.
async fn from_tokio() {
    let receiver = Receiver::start(&["--delay-ms", "200"]);
    for protocol in [Protocol::Grpc, Protocol::HttpBinary] {
        let mut exporter = spans_to(&receiver, protocol, 4).build().unwrap();
        for batch in batches(8, 2) {
            exporter.export(&batch).await.unwrap();
        }
        exporter.shutdown().unwrap();
    }
    assert_eq!(receiver.accepted("traces").len(), 16);
    // The two exporters ran one after the other: 4 at once, never more.
    assert_eq!(max_in_flight(&receiver), 4);
    let names = received_names(&receiver);
    let mut expected = expected_names("span", 16);
    expected.extend(expected_names("span", 16));
    expected.sort();
    assert_eq!(names, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_exports_from_a_multi_thread_tokio_runtime() {
    from_tokio().await;
}

#[tokio::test(flavor = "current_thread")]
async fn concurrent_exports_from_a_current_thread_tokio_runtime() {
    from_tokio().await;
}

/// One destination never answers (its export timeout 8 s, a queue of 2 requests): the
/// other receives every batch long before, exports never wait, and every batch the hung
/// one did not get is accounted for in the diagnostics: dropped at a full queue, failed
/// after its timeout, or cancelled at shutdown.
fn hung_destination(hung_protocol: Protocol, good_protocol: Protocol) {
    let seen = collect_diagnostics();
    let hung = Receiver::start(&["--hang"]);
    let good = Receiver::start(&[]);
    let hung_endpoint = endpoint(&hung, hung_protocol, "traces");
    let mut exporter = SpanExporter::builder()
        .with_protocol(hung_protocol)
        .with_endpoint(hung_endpoint.clone())
        .with_timeout(Duration::from_secs(8))
        .with_retry_policy(fast_retries())
        .with_max_queued_requests(2)
        .with_additional_destination(spans_to(&good, good_protocol, 1))
        .build()
        .unwrap();
    let started = Instant::now();
    for batch in batches(20, 5) {
        let call = Instant::now();
        futures_executor::block_on(exporter.export(&batch)).unwrap();
        assert!(
            call.elapsed() < Duration::from_millis(1000),
            "{:?}",
            call.elapsed()
        );
    }
    // Everything reached the other destination while the hung one still held its first
    // request (it gives up after 8 s).
    let accepted = good.wait_accepted("traces", 20);
    assert_eq!(accepted.len(), 20);
    assert!(
        started.elapsed() < Duration::from_millis(7000),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(received_names(&good), expected_names("span", 100));
    let transport = if good_protocol == Protocol::Grpc {
        "grpc"
    } else {
        "http"
    };
    assert!(accepted.iter().all(|r| r["transport"] == transport));

    // Shutdown waits for the hung destination until its timeout, then gives up on it.
    let shutdown = Instant::now();
    let result = exporter.shutdown();
    assert!(result.is_err(), "{result:?}");
    assert!(
        shutdown.elapsed() < Duration::from_secs(12),
        "{:?}",
        shutdown.elapsed()
    );
    assert!(hung.records().iter().all(|r| r["outcome"] == "hang"));
    assert!(!hung.records().is_empty());

    let seen = seen.lock().unwrap();
    let about_hung = |name: &str| {
        seen.iter()
            .filter(|(n, m)| n == name && m.contains(&format!("{hung_endpoint} ")))
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
    };
    let queue_full = about_hung("Otlp.QueueFull").len();
    let failed = about_hung("Otlp.ExportFailed").len();
    let cancelled: usize = about_hung("Otlp.Undelivered")
        .iter()
        .map(|m| {
            let count = m.split(" with ").nth(1).unwrap().split(' ').next().unwrap();
            count.parse::<usize>().unwrap()
        })
        .sum();
    // One in flight and two queued (three when the queue's drain took the first before
    // the third came): the rest dropped.
    assert!((17..=18).contains(&queue_full), "{seen:?}");
    assert_eq!(queue_full + failed + cancelled, 20, "{seen:?}");
    // Nothing reported about the destination that answered.
    let good_endpoint = endpoint(&good, good_protocol, "traces");
    assert!(
        !seen
            .iter()
            .any(|(_, m)| m.contains(&format!("{good_endpoint} "))),
        "{seen:?}"
    );
}

#[test]
fn hung_grpc_destination_does_not_block_http_json_destination() {
    hung_destination(Protocol::Grpc, Protocol::HttpJson);
}

#[test]
fn hung_http_destination_does_not_block_grpc_destination() {
    hung_destination(Protocol::HttpBinary, Protocol::Grpc);
}

/// Each destination retries its own failures: a gRPC one failing 3 times, an HTTP/protobuf
/// (gzip) one failing once; an HTTP/JSON one answering at once. All get every span once.
#[test]
fn each_destination_retries_on_its_own() {
    let grpc = Receiver::start(&["--fail", "3"]);
    let http = Receiver::start(&["--fail", "1", "--http-status", "503"]);
    let json = Receiver::start(&[]);
    let mut exporter = spans_to(&grpc, Protocol::Grpc, 2)
        .with_additional_destination(
            SpanExporter::builder()
                .with_http()
                .with_endpoint(http.http_endpoint("traces"))
                .with_compression(Compression::Gzip)
                .with_retry_policy(fast_retries()),
        )
        .with_additional_destination(spans_to(&json, Protocol::HttpJson, 1))
        .build()
        .unwrap();
    for batch in batches(5, 4) {
        futures_executor::block_on(exporter.export(&batch)).unwrap();
    }
    exporter.shutdown().unwrap();
    for receiver in [&grpc, &http, &json] {
        assert_eq!(received_names(receiver), expected_names("span", 20));
        assert_eq!(receiver.accepted("traces").len(), 5);
    }
    let failed = |r: &Receiver| {
        r.records()
            .iter()
            .filter(|r| r["outcome"] == "failed")
            .count()
    };
    assert_eq!(failed(&grpc), 3);
    assert_eq!(failed(&http), 1);
    assert_eq!(failed(&json), 0);
    assert!(http
        .records()
        .iter()
        .all(|r| r["gzip"] == true && r["encoding"] == "protobuf"));
    assert!(json.records().iter().all(|r| r["encoding"] == "json"));
}

/// Metrics and logs reach every destination too, through their providers.
#[test]
fn metrics_and_logs_reach_every_destination() {
    let a = Receiver::start(&[]);
    let b = Receiver::start(&["--delay-ms", "100"]);

    let metrics = MetricExporter::builder()
        .with_tonic()
        .with_endpoint(a.grpc_endpoint())
        .with_additional_destination(
            MetricExporter::builder()
                .with_http()
                .with_protocol(Protocol::HttpJson)
                .with_endpoint(b.http_endpoint("metrics")),
        )
        .build()
        .unwrap();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metrics).build())
        .build();
    let counter = meter_provider.meter("lib").u64_counter("orders").build();
    counter.add(2, &[]);
    counter.add(5, &[]);
    meter_provider.shutdown().unwrap();

    let logs = LogExporter::builder()
        .with_http()
        .with_endpoint(a.http_endpoint("logs"))
        .with_max_concurrent_requests(2)
        .with_additional_destination(
            LogExporter::builder()
                .with_tonic()
                .with_endpoint(b.grpc_endpoint())
                .with_max_concurrent_requests(3),
        )
        .build()
        .unwrap();
    let processor = BatchLogProcessor::builder(logs)
        .with_batch_config(
            opentelemetry_sdk::logs::BatchConfigBuilder::default()
                .with_max_export_batch_size(5)
                .with_scheduled_delay(Duration::from_secs(60))
                .build(),
        )
        .build();
    let logger_provider = SdkLoggerProvider::builder()
        .with_log_processor(processor)
        .build();
    let logger = logger_provider.logger("lib");
    for i in 0..40 {
        let mut record = logger.create_log_record();
        record.set_body(format!("line-{i}").into());
        logger.emit(record);
    }
    logger_provider.shutdown().unwrap();

    for receiver in [&a, &b] {
        // The last collection holds the cumulative sum.
        let requests = receiver.accepted("metrics");
        let last = requests.last().expect("a metrics request");
        let metric = &last["request"]["resource_metrics"][0]["scope_metrics"][0]["metrics"][0];
        assert_eq!(metric["name"], "orders");
        assert_eq!(metric["sum"]["data_points"][0]["as_int"], "7");
        let mut bodies = log_bodies(&receiver.accepted("logs"));
        bodies.sort();
        assert_eq!(bodies, expected_names("line", 40));
    }
    let by_transport = |r: &Receiver, signal: &str| {
        let mut seen = BTreeMap::new();
        for record in r.accepted(signal) {
            *seen
                .entry(format!("{}/{}", record["transport"], record["encoding"]))
                .or_insert(0) += 1;
        }
        seen.into_keys().collect::<Vec<_>>()
    };
    assert_eq!(by_transport(&a, "metrics"), [r#""grpc"/"protobuf""#]);
    assert_eq!(by_transport(&b, "metrics"), [r#""http"/"json""#]);
    assert_eq!(by_transport(&a, "logs"), [r#""http"/"protobuf""#]);
    assert_eq!(by_transport(&b, "logs"), [r#""grpc"/"protobuf""#]);
}

/// Shutdown waits for requests in flight, each ending within its export timeout (here
/// failing: the receiver never answers); told not to wait, it cancels them at once. Either
/// way the loss is reported and counted.
#[test]
fn shutdown_waits_for_requests_in_flight_unless_told_not_to() {
    let seen = collect_diagnostics();
    let receiver = Receiver::start(&["--hang"]);
    for (protocol, wait) in [(Protocol::Grpc, false), (Protocol::HttpBinary, true)] {
        let mut exporter = spans_to(&receiver, protocol, 2)
            .with_timeout(Duration::from_secs(3))
            .with_wait_on_shutdown(wait)
            .build()
            .unwrap();
        for batch in batches(2, 1) {
            futures_executor::block_on(exporter.export(&batch)).unwrap();
        }
        let started = Instant::now();
        let result = exporter.shutdown();
        let took = started.elapsed();
        let endpoint = format!("{} ", endpoint(&receiver, protocol, "traces"));
        let seen = seen.lock().unwrap();
        let about = |name: &str| {
            seen.iter()
                .filter(|(n, m)| n == name && m.contains(&endpoint))
                .map(|(_, m)| m.clone())
                .collect::<Vec<_>>()
        };
        let failed = about("Otlp.ExportFailed").len();
        let cancelled = about("Otlp.Undelivered");
        let summary = about("Otlp.DeliverySummary");
        assert_eq!(summary.len(), 1, "{seen:?}");
        if wait {
            // Both requests ran to their timeout, and failed.
            assert!(result.is_ok(), "{result:?}");
            assert!(took >= Duration::from_millis(2800), "{took:?}");
            assert!(took < Duration::from_millis(6000), "{took:?}");
            assert_eq!(failed, 2, "{seen:?}");
            assert!(cancelled.is_empty(), "{seen:?}");
            assert!(
                summary[0].contains("0 request(s) delivered, 2 failed, 0 dropped"),
                "{}",
                summary[0]
            );
        } else {
            let error = result.unwrap_err().to_string();
            assert!(error.contains("2 request(s)"), "{error}");
            assert!(took < Duration::from_millis(1500), "{took:?}");
            assert_eq!(failed, 0, "{seen:?}");
            assert!(cancelled[0].contains("with 2 request(s)"), "{cancelled:?}");
            assert!(
                summary[0].contains("0 request(s) delivered, 0 failed, 2 dropped"),
                "{}",
                summary[0]
            );
        }
    }
}
