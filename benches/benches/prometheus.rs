//! Prometheus exporter benchmarks: our `opentelemetry-prometheus` against upstream's
//! `opentelemetry-prometheus` 0.33.1 (on the `prometheus` crate and upstream's API and SDK 0.33).
//!
//! Group `prometheus_render_1000_series` (`ours` / `upstream`): one scrape's work, collecting
//! from the SDK and rendering the text format 0.0.4, for 1000 series: a counter with 400
//! series, a gauge with 400 and a histogram (default buckets) with 200, each series with two
//! attributes. Ours: `PrometheusExporter::render_into`; upstream: `Registry::gather` and
//! `TextEncoder::encode`.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

const COUNTER_SERIES: usize = 400;
const GAUGE_SERIES: usize = 400;
const HISTOGRAM_SERIES: usize = 200;

mod ours {
    use opentelemetry_api::metrics::MeterProvider;
    use opentelemetry_api::KeyValue;
    use opentelemetry_prometheus::{Format, PrometheusExporter};
    use opentelemetry_sdk::metrics::SdkMeterProvider;

    pub fn setup() -> (SdkMeterProvider, PrometheusExporter) {
        let exporter = opentelemetry_prometheus::exporter().build();
        let provider = SdkMeterProvider::builder()
            .with_reader(exporter.reader())
            .build();
        let meter = provider.meter("bench");
        let counter = meter
            .u64_counter("requests")
            .with_description("Requests")
            .build();
        let gauge = meter.f64_gauge("temperature").with_unit("Cel").build();
        let histogram = meter.f64_histogram("latency").with_unit("s").build();
        let attrs = |i: usize| {
            [
                KeyValue::new("http.route", format!("/route/{}", i % 50)),
                KeyValue::new("shard", i as i64),
            ]
        };
        for i in 0..super::COUNTER_SERIES {
            counter.add(i as u64 + 1, &attrs(i));
        }
        for i in 0..super::GAUGE_SERIES {
            gauge.record(i as f64 * 0.5, &attrs(i));
        }
        for i in 0..super::HISTOGRAM_SERIES {
            for v in [0.003, 0.2, 4.0, 120.0] {
                histogram.record(v * (1 + i % 3) as f64, &attrs(i));
            }
        }
        (provider, exporter)
    }

    pub fn render(exporter: &PrometheusExporter, out: &mut String) {
        out.clear();
        exporter.render_into(Format::Text, out);
    }
}

mod up {
    use prometheus::{Encoder, Registry, TextEncoder};
    use upstream::metrics::MeterProvider;
    use upstream::KeyValue;
    use upstream_sdk::metrics::SdkMeterProvider;

    pub fn setup() -> (SdkMeterProvider, Registry) {
        let registry = Registry::new();
        let exporter = upstream_prometheus::exporter()
            .with_registry(registry.clone())
            .build()
            .expect("upstream exporter");
        let provider = SdkMeterProvider::builder().with_reader(exporter).build();
        let meter = provider.meter("bench");
        let counter = meter
            .u64_counter("requests")
            .with_description("Requests")
            .build();
        let gauge = meter.f64_gauge("temperature").with_unit("Cel").build();
        let histogram = meter.f64_histogram("latency").with_unit("s").build();
        let attrs = |i: usize| {
            [
                KeyValue::new("http.route", format!("/route/{}", i % 50)),
                KeyValue::new("shard", i as i64),
            ]
        };
        for i in 0..super::COUNTER_SERIES {
            counter.add(i as u64 + 1, &attrs(i));
        }
        for i in 0..super::GAUGE_SERIES {
            gauge.record(i as f64 * 0.5, &attrs(i));
        }
        for i in 0..super::HISTOGRAM_SERIES {
            for v in [0.003, 0.2, 4.0, 120.0] {
                histogram.record(v * (1 + i % 3) as f64, &attrs(i));
            }
        }
        (provider, registry)
    }

    pub fn render(registry: &Registry, out: &mut Vec<u8>) {
        out.clear();
        let families = registry.gather();
        TextEncoder::new().encode(&families, out).expect("encode");
    }
}

fn render_1000_series(c: &mut Criterion) {
    let mut group = c.benchmark_group("prometheus_render_1000_series");
    let (_ours_provider, exporter) = ours::setup();
    let mut text = String::new();
    ours::render(&exporter, &mut text);
    let ours_lines = text.lines().filter(|l| !l.starts_with('#')).count();
    group.bench_function("ours", |b| {
        b.iter(|| {
            ours::render(&exporter, &mut text);
            black_box(text.len())
        })
    });
    let (_up_provider, registry) = up::setup();
    let mut bytes = Vec::new();
    up::render(&registry, &mut bytes);
    let up_lines = String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count();
    // Both expose the same samples (plus target_info each).
    assert_eq!(ours_lines, up_lines, "the two expositions differ in size");
    group.bench_function("upstream", |b| {
        b.iter(|| {
            up::render(&registry, &mut bytes);
            black_box(bytes.len())
        })
    });
    group.finish();
}

criterion_group!(benches, render_1000_series);
criterion_main!(benches);
