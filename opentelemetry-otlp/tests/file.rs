//! The OTLP file exporter (`with_file(path)`, `with_writer(writer)`; `with_stdout()` is
//! covered by the facade's `tests/autoconfig_otlp_stdout.rs`), read back by the official OTLP
//! classes: `tests/python/otlp_file_lines.py` (PyPI `opentelemetry-proto`, installed by
//! `.ci/run`) checks the JSON lines rules and parses EVERY line with
//! `google.protobuf.json_format.Parse` into `TracesData`, `MetricsData` or `LogsData`; the
//! tests then check what the official classes read against what the SDK recorded. Without
//! python3 or the package the tests fail.

mod common;

use common::attribute;
use opentelemetry_api::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry_api::metrics::MeterProvider as _;
use opentelemetry_api::trace::{
    Link, Span as _, SpanKind, Status, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use opentelemetry_api::{Array, InstrumentationScope, KeyValue, Value};
use opentelemetry_otlp::{Error, LogExporter, MetricExporter, SpanExporter};
use opentelemetry_sdk::logs::{InMemoryLogExporter, LogExporter as _, SdkLoggerProvider};
use opentelemetry_sdk::metrics::{
    Aggregation, InMemoryMetricExporter, PeriodicReader, PushMetricExporter, SdkMeterProvider,
    Temporality,
};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanExporter as _};
use opentelemetry_sdk::Resource;
use serde_json::Value as Json;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/otlp_file_lines.py"
);

/// A fresh path for a test's file (not created).
fn temp_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("otlp-file");
    std::fs::create_dir_all(&dir).unwrap();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    dir.join(format!("{name}-{}-{nanos}.jsonl", std::process::id()))
}

/// Every line of `path`, as the official classes parse it (`signal`'s top-level message).
fn parse_lines(signal: &str, path: &Path) -> Vec<Json> {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg(signal)
        .arg(path)
        .output()
        .expect("python3 must be installed (.ci/run checks it)");
    assert!(
        out.status.success(),
        "{SCRIPT} {signal} {path:?} failed (is opentelemetry-proto installed? .ci/run installs \
         it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Parses the bytes a writer received, through a file.
fn parse_bytes(signal: &str, bytes: &[u8]) -> Vec<Json> {
    let path = temp_path(signal);
    std::fs::write(&path, bytes).unwrap();
    let parsed = parse_lines(signal, &path);
    std::fs::remove_file(&path).unwrap();
    parsed
}

fn nanos(t: SystemTime) -> String {
    t.duration_since(UNIX_EPOCH).unwrap().as_nanos().to_string()
}

fn scope(name: &str) -> InstrumentationScope {
    InstrumentationScope::builder(name.to_owned())
        .with_version("1.0.0")
        .build()
}

fn resource() -> Resource {
    Resource::builder()
        .with_service_name("file-test")
        .with_attribute(KeyValue::new("deployment.id", 42i64))
        .build()
}

/// `resource_*[0].resource` has the test resource.
fn check_resource(data: &Json, list: &str) {
    let attributes = &data[list][0]["resource"]["attributes"];
    assert_eq!(
        attribute(attributes, "service.name").unwrap()["string_value"],
        "file-test",
        "{data}"
    );
    assert_eq!(
        attribute(attributes, "deployment.id").unwrap()["int_value"],
        "42"
    );
}

/// A writer whose bytes the test can read: what a user gives `with_writer`.
#[derive(Clone, Default)]
struct Shared {
    bytes: Arc<Mutex<Vec<u8>>>,
    flushes: Arc<Mutex<usize>>,
}

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        *self.flushes.lock().unwrap() += 1;
        Ok(())
    }
}

impl Shared {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.bytes.lock().unwrap())
    }
    fn flushes(&self) -> usize {
        *self.flushes.lock().unwrap()
    }
}

/// Spans through the batch processor into a file: a first exporter writes one line; a second
/// one, built on the same path, appends its own after it.
fn traces_to_a_file(path: &Path) {
    let mut recorded = Vec::new();
    let mut expected_names = Vec::new();
    for run in 0..2 {
        let in_memory = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_resource(resource())
            .with_batch_exporter(SpanExporter::builder().with_file(path).build().unwrap())
            .with_simple_exporter(in_memory.clone())
            .build();
        let tracer = provider.tracer_with_scope(scope("lib-t"));
        let linked = tracer.start(format!("linked-{run}"));
        let link = Link::new(
            linked.span_context().clone(),
            vec![KeyValue::new("link.kind", "follows")],
        );
        drop(linked);
        tracer.in_span(format!("parent-{run}"), |cx| {
            let mut child = tracer.build_with_context(
                tracer
                    .span_builder(format!("child-{run}"))
                    .with_kind(SpanKind::Server)
                    .with_links(vec![link])
                    .with_attributes([
                        KeyValue::new("text", "multi\nline \"quoted\" ✓"),
                        KeyValue::new("count", -7i64),
                        KeyValue::new("ratio", 0.25),
                        KeyValue::new("ok", true),
                        KeyValue::new(
                            "tags",
                            Value::Array(Array::String(vec!["a".into(), "b".into()])),
                        ),
                    ]),
                &cx,
            );
            child.add_event("retry", vec![KeyValue::new("attempt", 2i64)]);
            child.set_status(Status::error("boom"));
            child.end();
        });
        expected_names.extend([
            format!("linked-{run}"),
            format!("child-{run}"),
            format!("parent-{run}"),
        ]);
        recorded.extend(in_memory.get_finished_spans());
        provider.shutdown().unwrap();
    }

    let lines = parse_lines("traces", path);
    assert_eq!(lines.len(), 2, "one line per export call: {lines:?}");
    let mut names = Vec::new();
    for line in &lines {
        check_resource(line, "resource_spans");
        let scope_spans = &line["resource_spans"][0]["scope_spans"][0];
        assert_eq!(scope_spans["scope"]["name"], "lib-t");
        assert_eq!(scope_spans["scope"]["version"], "1.0.0");
        for span in scope_spans["spans"].as_array().unwrap() {
            let name = span["name"].as_str().unwrap();
            names.push(name.to_owned());
            let data = recorded.iter().find(|d| d.name == name).unwrap();
            let context = &data.span_context;
            assert_eq!(span["trace_id"], context.trace_id().to_string());
            assert_eq!(span["span_id"], context.span_id().to_string());
            assert_eq!(span["start_time_unix_nano"], nanos(data.start_time));
            assert_eq!(span["end_time_unix_nano"], nanos(data.end_time));
            if name.starts_with("child") {
                let parent = recorded
                    .iter()
                    .find(|d| d.name == name.replace("child", "parent"))
                    .unwrap();
                assert_eq!(
                    span["parent_span_id"],
                    parent.span_context.span_id().to_string()
                );
                assert_eq!(span["kind"], "SPAN_KIND_SERVER");
                let a = &span["attributes"];
                assert_eq!(
                    attribute(a, "text").unwrap()["string_value"],
                    "multi\nline \"quoted\" ✓"
                );
                assert_eq!(attribute(a, "count").unwrap()["int_value"], "-7");
                assert_eq!(attribute(a, "ratio").unwrap()["double_value"], 0.25);
                assert_eq!(attribute(a, "ok").unwrap()["bool_value"], true);
                assert_eq!(
                    attribute(a, "tags").unwrap()["array_value"]["values"][1]["string_value"],
                    "b"
                );
                assert_eq!(span["events"][0]["name"], "retry");
                assert_eq!(
                    span["events"][0]["time_unix_nano"],
                    nanos(data.events.events[0].timestamp)
                );
                let linked = recorded
                    .iter()
                    .find(|d| d.name == name.replace("child", "linked"))
                    .unwrap();
                assert_eq!(
                    span["links"][0]["trace_id"],
                    linked.span_context.trace_id().to_string()
                );
                assert_eq!(
                    span["links"][0]["span_id"],
                    linked.span_context.span_id().to_string()
                );
                assert_eq!(
                    attribute(&span["links"][0]["attributes"], "link.kind").unwrap()
                        ["string_value"],
                    "follows"
                );
                assert_eq!(span["status"]["code"], "STATUS_CODE_ERROR");
                assert_eq!(span["status"]["message"], "boom");
            } else {
                assert!(span.get("parent_span_id").is_none(), "{span}");
            }
        }
    }
    names.sort();
    expected_names.sort();
    assert_eq!(names, expected_names);
}

/// Metrics through the periodic reader into a file: delta temporality and exponential
/// histograms asked for on the builder; one line per collection (a force_flush, then the
/// shutdown).
fn metrics_to_a_file(path: &Path) {
    let exporter = MetricExporter::builder()
        .with_file(path)
        .with_temporality(Temporality::Delta)
        .with_default_histogram_aggregation(Aggregation::default_exponential_histogram())
        .build()
        .unwrap();
    let provider = SdkMeterProvider::builder()
        .with_resource(resource())
        .with_reader(PeriodicReader::builder(exporter).build())
        .build();
    let meter = provider.meter_with_scope(scope("lib-m"));
    let counter = meter.u64_counter("orders").with_unit("{order}").build();
    let histogram = meter.f64_histogram("latency").with_unit("s").build();
    let gauge = meter.i64_up_down_counter("queue").build();
    counter.add(2, &[KeyValue::new("shop", "a")]);
    counter.add(5, &[KeyValue::new("shop", "a")]);
    histogram.record(1.5, &[]);
    histogram.record(4.0, &[]);
    gauge.add(3, &[]);
    provider.force_flush().unwrap();
    counter.add(4, &[KeyValue::new("shop", "a")]);
    gauge.add(-1, &[]);
    provider.shutdown().unwrap();

    let lines = parse_lines("metrics", path);
    assert_eq!(lines.len(), 2, "one line per collection: {lines:?}");
    let metric = |line: &Json, name: &str| -> Json {
        check_resource(line, "resource_metrics");
        let scope_metrics = &line["resource_metrics"][0]["scope_metrics"][0];
        assert_eq!(scope_metrics["scope"]["name"], "lib-m");
        scope_metrics["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {line}"))
    };
    for (line, orders_value, queue_value) in [(&lines[0], "7", "3"), (&lines[1], "4", "2")] {
        let orders = metric(line, "orders");
        assert_eq!(orders["unit"], "{order}");
        assert_eq!(
            orders["sum"]["aggregation_temporality"],
            "AGGREGATION_TEMPORALITY_DELTA"
        );
        assert_eq!(orders["sum"]["is_monotonic"], true);
        let point = &orders["sum"]["data_points"][0];
        assert_eq!(point["as_int"], orders_value);
        assert_eq!(
            attribute(&point["attributes"], "shop").unwrap()["string_value"],
            "a"
        );
        let start: u128 = point["start_time_unix_nano"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let time: u128 = point["time_unix_nano"].as_str().unwrap().parse().unwrap();
        assert!(start > 0 && start <= time, "{point}");
        // Up-down counters stay cumulative with the delta preference.
        let queue = metric(line, "queue");
        assert_eq!(
            queue["sum"]["aggregation_temporality"],
            "AGGREGATION_TEMPORALITY_CUMULATIVE"
        );
        assert_eq!(queue["sum"]["data_points"][0]["as_int"], queue_value);
    }
    let latency = metric(&lines[0], "latency");
    let point = &latency["exponential_histogram"]["data_points"][0];
    assert_eq!(point["count"], "2");
    assert_eq!(point["sum"], 5.5);
    assert_eq!(point["min"], 1.5);
    assert_eq!(point["max"], 4.0);
    assert_eq!(
        latency["exponential_histogram"]["aggregation_temporality"],
        "AGGREGATION_TEMPORALITY_DELTA"
    );
}

/// Log records through the batch processor into a file.
fn logs_to_a_file(path: &Path) {
    let recorded = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_resource(resource())
        .with_batch_exporter(LogExporter::builder().with_file(path).build().unwrap())
        .with_simple_exporter(recorded.clone())
        .build();
    let logger = provider.logger_with_scope(scope("lib-l"));
    let tracer_provider = SdkTracerProvider::builder().build();
    let tracer = tracer_provider.tracer("lib-t");
    let at = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
    let (trace_id, span_id) = tracer.in_span("work", |cx| {
        let mut record = logger.create_log_record();
        record.set_timestamp(at);
        record.set_severity_number(Severity::Warn);
        record.set_severity_text("WARN");
        record.set_event_name("disk.low");
        record.set_body("disk almost full\n✓".into());
        record.add_attribute("disk", "/dev/sda");
        record.add_attribute("free", 3i64);
        logger.emit(record);
        let context = cx.span().span_context().clone();
        (context.trace_id(), context.span_id())
    });
    provider.shutdown().unwrap();

    let lines = parse_lines("logs", path);
    assert_eq!(lines.len(), 1, "{lines:?}");
    check_resource(&lines[0], "resource_logs");
    let scope_logs = &lines[0]["resource_logs"][0]["scope_logs"][0];
    assert_eq!(scope_logs["scope"]["name"], "lib-l");
    let sent = &scope_logs["log_records"][0];
    let recorded = recorded.get_emitted_logs();
    assert_eq!(sent["time_unix_nano"], "1700000000123456789");
    assert_eq!(
        sent["observed_time_unix_nano"],
        nanos(recorded[0].record.observed_timestamp().unwrap())
    );
    assert_eq!(sent["severity_number"], "SEVERITY_NUMBER_WARN");
    assert_eq!(sent["severity_text"], "WARN");
    assert_eq!(sent["event_name"], "disk.low");
    assert_eq!(sent["body"]["string_value"], "disk almost full\n✓");
    assert_eq!(
        attribute(&sent["attributes"], "disk").unwrap()["string_value"],
        "/dev/sda"
    );
    assert_eq!(
        attribute(&sent["attributes"], "free").unwrap()["int_value"],
        "3"
    );
    assert_eq!(sent["trace_id"], trace_id.to_string());
    assert_eq!(sent["span_id"], span_id.to_string());
}

#[test]
fn every_signal_appends_json_lines_to_a_file_that_the_official_classes_parse() {
    let (traces, metrics, logs) = (temp_path("traces"), temp_path("metrics"), temp_path("logs"));
    traces_to_a_file(&traces);
    metrics_to_a_file(&metrics);
    logs_to_a_file(&logs);
    for path in [traces, metrics, logs] {
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn a_file_that_exists_is_appended_to_never_truncated() {
    let path = temp_path("existing");
    // Written by someone else before: the exporter keeps it and appends after it.
    let before = common::spans(1);
    let mut first = SpanExporter::builder().with_file(&path).build().unwrap();
    futures_executor::block_on(first.export(&before)).unwrap();
    first.shutdown().unwrap();
    let existing = std::fs::read(&path).unwrap();

    let after = common::spans(2);
    let mut second = SpanExporter::builder().with_file(&path).build().unwrap();
    futures_executor::block_on(second.export(&after)).unwrap();
    futures_executor::block_on(second.export(&after[..1])).unwrap();
    second.shutdown().unwrap();

    let all = std::fs::read(&path).unwrap();
    assert!(all.starts_with(&existing));
    let lines = parse_lines("traces", &path);
    let counts: Vec<usize> = lines
        .iter()
        .map(|l| {
            l["resource_spans"][0]["scope_spans"][0]["spans"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(counts, [1, 2, 1]);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn every_signal_into_a_user_given_writer_one_line_per_export_call() {
    // Spans: three export calls, one of them empty (nothing written for it).
    let writer = Shared::default();
    let mut spans = SpanExporter::builder()
        .with_writer(writer.clone())
        .build()
        .unwrap();
    spans.set_resource(&resource());
    let batch = common::spans(3);
    futures_executor::block_on(spans.export(&batch)).unwrap();
    futures_executor::block_on(spans.export(&[])).unwrap();
    futures_executor::block_on(spans.export(&batch[2..])).unwrap();
    assert_eq!(writer.flushes(), 0);
    spans.force_flush().unwrap();
    assert_eq!(writer.flushes(), 1);
    let bytes = writer.take();
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert_eq!(text.matches('\n').count(), 2);
    assert!(text.ends_with('\n'));
    let lines = parse_bytes("traces", &bytes);
    assert_eq!(lines.len(), 2);
    check_resource(&lines[0], "resource_spans");
    let names = |line: &Json| -> Vec<String> {
        line["resource_spans"][0]["scope_spans"][0]["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&lines[0]), ["span-0", "span-1", "span-2"]);
    assert_eq!(names(&lines[1]), ["span-2"]);
    let first = &lines[0]["resource_spans"][0]["scope_spans"][0]["spans"][0];
    assert_eq!(
        first["trace_id"],
        batch[0].span_context.trace_id().to_string()
    );
    assert_eq!(
        first["span_id"],
        batch[0].span_context.span_id().to_string()
    );
    assert_eq!(first["start_time_unix_nano"], nanos(batch[0].start_time));
    assert_eq!(
        attribute(&first["attributes"], "i").unwrap()["int_value"],
        "0"
    );
    spans.shutdown().unwrap();
    assert_eq!(writer.flushes(), 2, "shutdown flushes");

    // Metrics: what the SDK collected, exported twice.
    let collected = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_resource(resource())
        .with_reader(PeriodicReader::builder(collected.clone()).build())
        .build();
    provider
        .meter("lib-m")
        .f64_gauge("temperature")
        .build()
        .record(21.5, &[KeyValue::new("room", "kitchen")]);
    provider.force_flush().unwrap();
    let metrics_data = collected.get_finished_metrics();
    let writer = Shared::default();
    let mut metrics = MetricExporter::builder()
        .with_writer(writer.clone())
        .build()
        .unwrap();
    futures_executor::block_on(metrics.export(&metrics_data[0])).unwrap();
    futures_executor::block_on(metrics.export(&metrics_data[0])).unwrap();
    metrics.shutdown().unwrap();
    assert_eq!(writer.flushes(), 1);
    let lines = parse_bytes("metrics", &writer.take());
    assert_eq!(lines.len(), 2);
    for line in &lines {
        check_resource(line, "resource_metrics");
        let m = &line["resource_metrics"][0]["scope_metrics"][0]["metrics"][0];
        assert_eq!(m["name"], "temperature");
        assert_eq!(m["gauge"]["data_points"][0]["as_double"], 21.5);
        assert_eq!(
            attribute(&m["gauge"]["data_points"][0]["attributes"], "room").unwrap()["string_value"],
            "kitchen"
        );
    }

    // Logs: one export call of two records.
    let recorded = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(recorded.clone())
        .build();
    let logger = provider.logger("lib-l");
    for body in ["first", "second"] {
        let mut record = logger.create_log_record();
        record.set_body(body.into());
        record.set_severity_number(Severity::Info);
        logger.emit(record);
    }
    let writer = Shared::default();
    let mut logs = LogExporter::builder()
        .with_writer(writer.clone())
        .build()
        .unwrap();
    logs.set_resource(&resource());
    futures_executor::block_on(logs.export(&recorded.get_emitted_logs())).unwrap();
    let lines = parse_bytes("logs", &writer.take());
    assert_eq!(lines.len(), 1);
    check_resource(&lines[0], "resource_logs");
    let bodies: Vec<_> = lines[0]["resource_logs"][0]["scope_logs"][0]["log_records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"]["string_value"].clone())
        .collect();
    assert_eq!(bodies, ["first", "second"]);
}

#[test]
fn concurrent_exporters_write_only_whole_lines() {
    const THREADS: usize = 8;
    const EXPORTS: usize = 25;
    let path = temp_path("concurrent");
    // Large lines (each span has a 16 KiB attribute), so that unlocked writes would interleave.
    let big = "x".repeat(16 * 1024);
    let batch = {
        let mut spans = common::spans(3);
        for span in &mut spans {
            span.attributes.push(KeyValue::new("big", big.clone()));
        }
        spans
    };
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (path, batch) = (&path, &batch);
            s.spawn(move || {
                let mut exporter = SpanExporter::builder().with_file(path).build().unwrap();
                exporter.set_resource(
                    &Resource::builder()
                        .with_service_name(format!("thread-{t}"))
                        .build(),
                );
                for _ in 0..EXPORTS {
                    futures_executor::block_on(exporter.export(batch)).unwrap();
                }
                exporter.shutdown().unwrap();
            });
        }
    });
    let lines = parse_lines("traces", &path);
    assert_eq!(lines.len(), THREADS * EXPORTS);
    let mut per_thread = [0; THREADS];
    for line in &lines {
        let service = attribute(
            &line["resource_spans"][0]["resource"]["attributes"],
            "service.name",
        )
        .unwrap()["string_value"]
            .as_str()
            .unwrap()
            .to_owned();
        per_thread[service["thread-".len()..].parse::<usize>().unwrap()] += 1;
        let spans = line["resource_spans"][0]["scope_spans"][0]["spans"]
            .as_array()
            .unwrap();
        assert_eq!(spans.len(), 3);
        assert_eq!(
            attribute(&spans[2]["attributes"], "big").unwrap()["string_value"],
            big.as_str()
        );
    }
    assert_eq!(per_thread, [EXPORTS; THREADS]);
    std::fs::remove_file(path).unwrap();
}

/// A writer that always fails.
struct Broken;

impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
    }
}

#[test]
fn output_failures_are_errors_never_panics() {
    // A directory cannot be opened as the file.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    match SpanExporter::builder().with_file(&dir).build() {
        Err(Error::OpenFile { path, .. }) => assert_eq!(path, dir),
        other => panic!("{other:?}"),
    }

    let mut spans = SpanExporter::builder().with_writer(Broken).build().unwrap();
    let err = futures_executor::block_on(spans.export(&common::spans(1))).unwrap_err();
    assert!(err.to_string().contains("no space left"), "{err}");
    assert!(spans.force_flush().is_err());
    assert!(
        spans.shutdown().is_err(),
        "shutdown reports the failed flush"
    );
    assert!(matches!(
        futures_executor::block_on(spans.export(&common::spans(1))),
        Err(opentelemetry_sdk::Error::AlreadyShutdown)
    ));
    assert!(matches!(
        spans.shutdown(),
        Err(opentelemetry_sdk::Error::AlreadyShutdown)
    ));

    // Through the SDK: the batch processor reports the failure, the application goes on.
    let logs = SdkLoggerProvider::builder()
        .with_batch_exporter(LogExporter::builder().with_writer(Broken).build().unwrap())
        .build();
    let logger = logs.logger("app");
    let mut record = logger.create_log_record();
    record.set_body("lost".into());
    logger.emit(record);
    assert!(logs.force_flush().is_err());
    let _ = logs.shutdown();

    let metrics = MetricExporter::builder()
        .with_writer(Broken)
        .build()
        .unwrap();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metrics).build())
        .build();
    provider.meter("app").u64_counter("c").build().add(1, &[]);
    assert!(provider.force_flush().is_err());
    let _ = provider.shutdown();
}
