//! The OTLP file exporter's metric exporter follows the OTLP metric exporter's variables
//! (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`,
//! `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`), as the file exporter spec
//! requires; builder settings win. Process-global state: nextest runs each test in its own
//! process. What is written is parsed by the official OTLP classes
//! (`tests/python/otlp_file_lines.py`).

use opentelemetry_api::metrics::{Meter, MeterProvider as _};
use opentelemetry_otlp::MetricExporter;
use opentelemetry_sdk::metrics::{
    Aggregation, InstrumentKind, PeriodicReader, PushMetricExporter, SdkMeterProvider, Temporality,
};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/otlp_file_lines.py"
);

fn temp_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("otlp-file");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}-{}.jsonl", std::process::id()))
}

fn parse_lines(signal: &str, path: &Path) -> Vec<Json> {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg(signal)
        .arg(path)
        .output()
        .expect("python3 must be installed (.ci/run checks it)");
    assert!(
        out.status.success(),
        "{SCRIPT} failed (is opentelemetry-proto installed? .ci/run installs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One counter, up-down counter, histogram and observable counter, recorded once and
/// exported at shutdown; the metrics of the one line written, by name.
fn record_and_read(exporter: MetricExporter, path: &Path) -> Vec<Json> {
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter).build())
        .build();
    let meter: Meter = provider.meter("lib-env");
    meter.u64_counter("requests").build().add(3, &[]);
    meter.i64_up_down_counter("queue").build().add(2, &[]);
    meter.f64_histogram("latency").build().record(0.5, &[]);
    let _observed = meter
        .u64_observable_counter("ticks")
        .with_callback(|o| o.observe(9, &[]))
        .build();
    provider.shutdown().unwrap();
    let lines = parse_lines("metrics", path);
    assert_eq!(lines.len(), 1, "{lines:?}");
    std::fs::remove_file(path).unwrap();
    lines[0]["resource_metrics"][0]["scope_metrics"][0]["metrics"]
        .as_array()
        .unwrap()
        .clone()
}

fn find<'a>(metrics: &'a [Json], name: &str) -> &'a Json {
    metrics
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {metrics:?}"))
}

#[test]
fn file_metric_exporter_reads_the_otlp_metrics_variables() {
    // Safety: set before any thread of the test starts (one process per test).
    unsafe {
        std::env::set_var("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta");
        std::env::set_var(
            "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
            "base2_exponential_bucket_histogram",
        );
    }
    let path = temp_path("env-delta");
    let exporter = MetricExporter::builder().with_file(&path).build().unwrap();
    assert_eq!(
        exporter.temporality(InstrumentKind::Counter),
        Temporality::Delta
    );
    assert_eq!(
        exporter.aggregation(InstrumentKind::Histogram),
        Aggregation::default_exponential_histogram()
    );
    let metrics = record_and_read(exporter, &path);
    const DELTA: &str = "AGGREGATION_TEMPORALITY_DELTA";
    const CUMULATIVE: &str = "AGGREGATION_TEMPORALITY_CUMULATIVE";
    assert_eq!(
        find(&metrics, "requests")["sum"]["aggregation_temporality"],
        DELTA
    );
    assert_eq!(
        find(&metrics, "ticks")["sum"]["aggregation_temporality"],
        DELTA
    );
    assert_eq!(
        find(&metrics, "queue")["sum"]["aggregation_temporality"],
        CUMULATIVE
    );
    let latency = &find(&metrics, "latency")["exponential_histogram"];
    assert_eq!(latency["aggregation_temporality"], DELTA);
    assert_eq!(latency["data_points"][0]["count"], "1");
    assert_eq!(latency["data_points"][0]["sum"], 0.5);
}

#[test]
fn file_metric_exporter_lowmemory_and_builder_settings_win() {
    // Safety: as above.
    unsafe {
        std::env::set_var(
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
            "lowmemory",
        );
        std::env::set_var(
            "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
            "base2_exponential_bucket_histogram",
        );
    }
    // From the environment: low memory (delta for synchronous counters and histograms only).
    let path = temp_path("env-lowmemory");
    let exporter = MetricExporter::builder().with_file(&path).build().unwrap();
    let metrics = record_and_read(exporter, &path);
    assert_eq!(
        find(&metrics, "requests")["sum"]["aggregation_temporality"],
        "AGGREGATION_TEMPORALITY_DELTA"
    );
    assert_eq!(
        find(&metrics, "ticks")["sum"]["aggregation_temporality"],
        "AGGREGATION_TEMPORALITY_CUMULATIVE"
    );
    assert!(find(&metrics, "latency")
        .get("exponential_histogram")
        .is_some());

    // The builder's settings win over the variables.
    let path = temp_path("env-builder");
    let exporter = MetricExporter::builder()
        .with_file(&path)
        .with_temporality(Temporality::Cumulative)
        .with_default_histogram_aggregation(Aggregation::Default)
        .build()
        .unwrap();
    let metrics = record_and_read(exporter, &path);
    assert_eq!(
        find(&metrics, "requests")["sum"]["aggregation_temporality"],
        "AGGREGATION_TEMPORALITY_CUMULATIVE"
    );
    let latency = &find(&metrics, "latency")["histogram"];
    assert_eq!(
        latency["aggregation_temporality"],
        "AGGREGATION_TEMPORALITY_CUMULATIVE"
    );
    assert_eq!(latency["data_points"][0]["count"], "1");
}
