//! Dynatrace metric lines: serializing 1000 gauge points (three attributes each, a timestamp)
//! into one request body.
//!
//! Feature set: ours is `opentelemetry-dynatrace` (default features) exporting a
//! `ResourceMetrics` through `PushMetricExporter::export` with an `HttpClient` that answers
//! 202 at once, so the measured work is the conversion of the points to normalized lines,
//! the body and the request (ours does strictly more than upstream here). Upstream is
//! `opentelemetry-dynatrace` 0.4 (the last release, on opentelemetry 0.19, features
//! `metrics` and `rt-tokio`): per point, what its exporter does per record (a `DimensionSet`
//! from the attributes and `dt.metrics.source`, a `MetricLine` with the gauge value and the
//! timestamp) and its `Display` into the body, joined with newlines as its exporter does.
//!
//! Group `dynatrace_serialize_1000`: `ours` and `upstream`. Ratios only: `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

const POINTS: usize = 1000;

mod ours {
    use opentelemetry_api::{InstrumentationScope, KeyValue};
    use opentelemetry_dynatrace::DynatraceExporter;
    use opentelemetry_http::{BoxFuture, Bytes, HttpClient, HttpError};
    use opentelemetry_sdk::metrics::{
        AggregatedMetrics, Gauge, GaugeDataPoint, Metric, MetricData, ResourceMetrics, ScopeMetrics,
    };
    use std::time::SystemTime;

    /// Answers 202 without sending anything.
    #[derive(Debug)]
    pub struct Accept;
    impl HttpClient for Accept {
        fn send_bytes(
            &self,
            request: http::Request<Bytes>,
        ) -> BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
            std::hint::black_box(request.body().len());
            Box::pin(async {
                Ok(http::Response::builder()
                    .status(202)
                    .body(Bytes::new())
                    .expect("a static response"))
            })
        }
    }

    pub fn exporter() -> DynatraceExporter {
        DynatraceExporter::builder()
            .with_http_client(Accept)
            .build()
            .expect("valid default endpoint")
    }

    pub fn metrics(time: SystemTime) -> ResourceMetrics {
        let data_points = (0..super::POINTS)
            .map(|i| GaugeDataPoint {
                attributes: vec![
                    KeyValue::new("http.route", format!("/api/v1/items/{}", i % 50)),
                    KeyValue::new("http.request.method", "GET"),
                    KeyValue::new("server.instance", i as i64),
                ]
                .into(),
                start_time: None,
                time,
                value: i as f64 * 1.25,
                exemplars: vec![],
            })
            .collect();
        ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                scope: InstrumentationScope::builder("bench").build(),
                metrics: vec![Metric {
                    name: "http.server.active_requests".into(),
                    description: "".into(),
                    unit: "".into(),
                    data: AggregatedMetrics::F64(MetricData::Gauge(Gauge { data_points })),
                }],
            }],
            ..ResourceMetrics::default()
        }
    }
}

mod upstream {
    use upstream_019::{Key, KeyValue};
    use upstream_dynatrace::transform::{DimensionSet, MetricKey, MetricLine};
    use upstream_sdk_019::metrics::sdk_api::{Number, NumberKind};

    pub struct Point {
        pub attributes: Vec<KeyValue>,
        pub value: f64,
    }

    pub fn points() -> Vec<Point> {
        (0..super::POINTS)
            .map(|i| Point {
                attributes: vec![
                    KeyValue::new("http.route", format!("/api/v1/items/{}", i % 50)),
                    KeyValue::new("http.request.method", "GET"),
                    KeyValue::new("server.instance", i as i64),
                ],
                value: i as f64 * 1.25,
            })
            .collect()
    }

    pub fn line(name: &str, p: &Point, timestamp: u64) -> MetricLine {
        let dimensions: DimensionSet = p
            .attributes
            .iter()
            .cloned()
            .chain(std::iter::once(
                Key::from_static_str("dt.metrics.source").string("opentelemetry"),
            ))
            .collect();
        MetricLine::new(MetricKey::new(name.to_owned()), NumberKind::F64)
            .dimensions(Some(dimensions))
            .gauge(Some(Number::from(p.value)))
            .timestamp(Some(timestamp))
    }
}

fn serialize(c: &mut Criterion) {
    let time = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
    let mut exporter = ours::exporter();
    let metrics = ours::metrics(time);
    let points = upstream::points();
    let ts = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);

    // Both sides produce 1000 lines of the same shape.
    let mut body = String::new();
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            body.push('\n');
        }
        write!(
            body,
            "{}",
            upstream::line("http.server.active_requests", p, ts)
        )
        .unwrap();
    }
    assert_eq!(body.lines().count(), POINTS);
    assert!(body.lines().all(|l| l.contains("gauge,")));

    let mut group = c.benchmark_group("dynatrace_serialize_1000");
    group.bench_function("ours", |b| {
        b.iter(|| {
            use opentelemetry_sdk::metrics::PushMetricExporter;
            futures_executor::block_on(exporter.export(black_box(&metrics))).unwrap();
        })
    });
    group.bench_function("upstream", |b| {
        b.iter(|| {
            let mut body = String::new();
            for (i, p) in black_box(&points).iter().enumerate() {
                let offset = body.len();
                if i > 0 {
                    body.push('\n');
                }
                let line = upstream::line("http.server.active_requests", p, ts);
                if write!(body, "{line}").is_err() {
                    body.truncate(offset);
                }
            }
            black_box(body.into_bytes());
        })
    });
    group.finish();
}

criterion_group!(benches, serialize);
criterion_main!(benches);
