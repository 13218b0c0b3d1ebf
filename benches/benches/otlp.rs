//! OTLP encoding benchmarks: turning the SDK's data into export requests and encoding them, as
//! an OTLP exporter does for every batch.
//!
//! Feature set: `opentelemetry-proto` (ours) with `sdk` and `with-serde`; upstream
//! `opentelemetry-proto` 0.33 (`default-features = false, features = ["gen-tonic-messages",
//! "trace", "metrics", "with-serde"]`) with upstream `opentelemetry_sdk` 0.33. Both encode
//! protobuf with prost 0.14 and JSON with serde_json.
//!
//! Compared, in each group, side by side in one process: `ours/...` and `upstream/...` on the
//! same data.
//!
//! Differences that cannot be removed, as they are the exporters' interfaces: our conversion
//! borrows the batch (`&[SpanData]`, what our `SpanExporter::export` receives); upstream's
//! `group_spans_by_resource_and_scope` takes the batch by value (`Vec<SpanData>`, what its
//! exporter receives), so its iterations get a fresh clone of the batch, made outside the
//! timed part (`iter_batched`).
//!
//! Groups:
//! - `otlp_traces_512`: a batch of 512 spans of one scope (each with 8 attributes, a parent,
//!   one event with 2 attributes) to an `ExportTraceServiceRequest`, then `protobuf`
//!   (`encode_to_vec`) or `json` (`serde_json::to_vec`).
//! - `otlp_metrics_1000`: one collection of 1000 data points (5 counters and 5 histograms with
//!   the default buckets, 100 attribute sets each, 2 attributes per set), from each SDK's
//!   manual reader, to an `ExportMetricsServiceRequest`, then `protobuf` or `json`.
//!
//! `ours/...` is the path our OTLP exporter takes: `opentelemetry_proto::encode` writes the
//! same bytes (protobuf) or the same JSON value straight from the SDK's data, into a fresh
//! `Vec` (growth included), without building the request's messages. `ours-messages/...` is
//! the way both sides did it before: the request's messages (`from_spans`/`from_metrics`),
//! then prost or serde_json, as upstream does.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

const SPANS: usize = 512;
const SERIES: i64 = 100;

const KEYS: [&str; 8] = [
    "http.request.method",
    "http.response.status_code",
    "http.route",
    "server.address",
    "server.port",
    "url.scheme",
    "user_agent.original",
    "client.address",
];

mod ours {
    use opentelemetry_api::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
    use opentelemetry_api::{InstrumentationScope, KeyValue};
    use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanLinks};
    use std::time::{Duration, SystemTime};

    pub fn batch(now: SystemTime) -> Vec<SpanData> {
        // SpanData holds interned scopes (`&'static`); the bench leaks its one.
        let scope: &'static InstrumentationScope = Box::leak(Box::new(
            InstrumentationScope::builder("bench")
                .with_version("1.0")
                .build(),
        ));
        (0..super::SPANS as u64)
            .map(|i| SpanData {
                span_context: SpanContext::new(
                    TraceId::from_bytes((u128::from(i) << 64 | 0xabcdef).to_be_bytes()),
                    SpanId::from_bytes((i + 1).to_be_bytes()),
                    TraceFlags::SAMPLED,
                    false,
                    Default::default(),
                ),
                parent_span_id: SpanId::from_bytes((i + 1_000_000).to_be_bytes()),
                parent_span_is_remote: false,
                span_kind: SpanKind::Server,
                name: "GET /users/{id}".into(),
                start_time: now,
                end_time: now + Duration::from_micros(250),
                attributes: vec![
                    KeyValue::new(super::KEYS[0], "GET"),
                    KeyValue::new(super::KEYS[1], 200i64),
                    KeyValue::new(super::KEYS[2], "/users/{id}"),
                    KeyValue::new(super::KEYS[3], "example.com"),
                    KeyValue::new(super::KEYS[4], 443i64),
                    KeyValue::new(super::KEYS[5], "https"),
                    KeyValue::new(super::KEYS[6], "curl/8.0"),
                    KeyValue::new(super::KEYS[7], "10.0.0.1"),
                ],
                dropped_attributes_count: 0,
                events: SpanEvents {
                    events: vec![Event {
                        name: "cache.miss".into(),
                        timestamp: now + Duration::from_micros(10),
                        attributes: vec![
                            KeyValue::new("cache.key", "user:42"),
                            KeyValue::new("cache.shard", 3i64),
                        ],
                        dropped_attributes_count: 0,
                    }],
                    dropped_count: 0,
                },
                links: SpanLinks::default(),
                status: Status::Unset,
                instrumentation_scope: scope,
            })
            .collect()
    }
}

mod up {
    use std::time::{Duration, SystemTime};
    use upstream::trace::{Event, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
    use upstream::{InstrumentationScope, KeyValue};
    use upstream_sdk::trace::{SpanData, SpanEvents, SpanLinks};

    pub fn batch(now: SystemTime) -> Vec<SpanData> {
        let scope = InstrumentationScope::builder("bench")
            .with_version("1.0")
            .build();
        (0..super::SPANS as u64)
            .map(|i| {
                let mut events = SpanEvents::default();
                events.events.push(Event::new(
                    "cache.miss",
                    now + Duration::from_micros(10),
                    vec![
                        KeyValue::new("cache.key", "user:42"),
                        KeyValue::new("cache.shard", 3i64),
                    ],
                    0,
                ));
                SpanData {
                    span_context: SpanContext::new(
                        TraceId::from_bytes((u128::from(i) << 64 | 0xabcdef).to_be_bytes()),
                        SpanId::from_bytes((i + 1).to_be_bytes()),
                        TraceFlags::SAMPLED,
                        false,
                        Default::default(),
                    ),
                    parent_span_id: SpanId::from_bytes((i + 1_000_000).to_be_bytes()),
                    parent_span_is_remote: false,
                    span_kind: SpanKind::Server,
                    name: "GET /users/{id}".into(),
                    start_time: now,
                    end_time: now + Duration::from_micros(250),
                    attributes: vec![
                        KeyValue::new(super::KEYS[0], "GET"),
                        KeyValue::new(super::KEYS[1], 200i64),
                        KeyValue::new(super::KEYS[2], "/users/{id}"),
                        KeyValue::new(super::KEYS[3], "example.com"),
                        KeyValue::new(super::KEYS[4], 443i64),
                        KeyValue::new(super::KEYS[5], "https"),
                        KeyValue::new(super::KEYS[6], "curl/8.0"),
                        KeyValue::new(super::KEYS[7], "10.0.0.1"),
                    ],
                    dropped_attributes_count: 0,
                    events,
                    links: SpanLinks::default(),
                    status: Status::Unset,
                    instrumentation_scope: scope.clone(),
                }
            })
            .collect()
    }
}

fn traces(c: &mut Criterion) {
    use ours_proto::collector::trace::v1::ExportTraceServiceRequest as OursRequest;
    use prost::Message;
    use upstream_proto::tonic::collector::trace::v1::ExportTraceServiceRequest as UpRequest;
    use upstream_proto::transform::common::tonic::ResourceAttributesWithSchema;
    use upstream_proto::transform::trace::tonic::group_spans_by_resource_and_scope;

    let now = SystemTime::now();
    let ours_resource = opentelemetry_sdk::Resource::builder()
        .with_service_name("bench")
        .build();
    let up_resource = upstream_sdk::Resource::builder()
        .with_service_name("bench")
        .build();
    let ours_batch = ours::batch(now);
    let up_batch = up::batch(now);

    // Both sides produce the same message (sizes as a sanity check).
    let ours_len = OursRequest::from_spans(&ours_batch, &ours_resource).encoded_len();
    let up_request = UpRequest {
        resource_spans: group_spans_by_resource_and_scope(
            up_batch.clone(),
            &ResourceAttributesWithSchema::from(&up_resource),
        ),
    };
    let up_len = up_request.encoded_len();
    assert!(
        ours_len.abs_diff(up_len) * 50 < up_len,
        "requests differ too much in size: ours {ours_len} B, upstream {up_len} B"
    );

    let mut g = c.benchmark_group("otlp_traces_512");
    g.bench_function("ours-messages/protobuf", |b| {
        b.iter(|| {
            let request = OursRequest::from_spans(black_box(&ours_batch), &ours_resource);
            black_box(request.encode_to_vec())
        })
    });
    g.bench_function("ours/protobuf", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            ours_proto::encode::encode_traces(black_box(&ours_batch), &ours_resource, &mut out);
            black_box(out)
        })
    });
    g.bench_function("upstream/protobuf", |b| {
        b.iter_batched(
            || up_batch.clone(),
            |batch| {
                let resource = ResourceAttributesWithSchema::from(&up_resource);
                let request = UpRequest {
                    resource_spans: group_spans_by_resource_and_scope(batch, &resource),
                };
                black_box(request.encode_to_vec())
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("ours-messages/json", |b| {
        b.iter(|| {
            let request = OursRequest::from_spans(black_box(&ours_batch), &ours_resource);
            black_box(serde_json::to_vec(&request).expect("serializable"))
        })
    });
    g.bench_function("ours/json", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            ours_proto::encode::encode_traces_json(
                black_box(&ours_batch),
                &ours_resource,
                &mut out,
            );
            black_box(out)
        })
    });
    g.bench_function("upstream/json", |b| {
        b.iter_batched(
            || up_batch.clone(),
            |batch| {
                let resource = ResourceAttributesWithSchema::from(&up_resource);
                let request = UpRequest {
                    resource_spans: group_spans_by_resource_and_scope(batch, &resource),
                };
                black_box(serde_json::to_vec(&request).expect("serializable"))
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

mod up_metrics {
    use upstream_sdk::error::OTelSdkResult;
    use upstream_sdk::metrics::data::ResourceMetrics;
    use upstream_sdk::metrics::reader::MetricReader;
    use upstream_sdk::metrics::{InstrumentKind, ManualReader, Pipeline, Temporality};

    /// Upstream's manual reader is not `Clone`: share it with the provider.
    #[derive(Clone, Debug)]
    pub struct Shared(pub super::Arc<ManualReader>);

    impl MetricReader for Shared {
        fn register_pipeline(&self, pipeline: super::Weak<Pipeline>) {
            self.0.register_pipeline(pipeline)
        }
        fn collect(&self, rm: &mut ResourceMetrics) -> OTelSdkResult {
            self.0.collect(rm)
        }
        fn force_flush(&self) -> OTelSdkResult {
            self.0.force_flush()
        }
        fn shutdown_with_timeout(&self, timeout: std::time::Duration) -> OTelSdkResult {
            self.0.shutdown_with_timeout(timeout)
        }
        fn temporality(&self, kind: InstrumentKind) -> Temporality {
            self.0.temporality(kind)
        }
    }
}

fn metrics(c: &mut Criterion) {
    use ours_proto::collector::metrics::v1::ExportMetricsServiceRequest as OursRequest;
    use prost::Message;
    use upstream_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest as UpRequest;

    // Ours.
    let reader = opentelemetry_sdk::metrics::ManualReader::builder().build();
    let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    {
        use opentelemetry_api::metrics::MeterProvider as _;
        use opentelemetry_api::KeyValue;
        let meter = provider.meter("bench");
        for n in 0..5 {
            let counter = meter.u64_counter(format!("requests.{n}")).build();
            let histogram = meter.f64_histogram(format!("duration.{n}")).build();
            for i in 0..SERIES {
                let attrs = [KeyValue::new("series", i), KeyValue::new(KEYS[0], "GET")];
                counter.add(i as u64 + 1, &attrs);
                histogram.record(i as f64 * 7.5, &attrs);
            }
        }
    }
    let mut ours_metrics = opentelemetry_sdk::metrics::ResourceMetrics::default();
    reader.collect(&mut ours_metrics).expect("collect");

    // Upstream.
    let up_reader = up_metrics::Shared(Arc::new(
        upstream_sdk::metrics::ManualReader::builder().build(),
    ));
    let up_provider = upstream_sdk::metrics::SdkMeterProvider::builder()
        .with_reader(up_reader.clone())
        .build();
    {
        use upstream::metrics::MeterProvider as _;
        use upstream::KeyValue;
        let meter = up_provider.meter("bench");
        for n in 0..5 {
            let counter = meter.u64_counter(format!("requests.{n}")).build();
            let histogram = meter.f64_histogram(format!("duration.{n}")).build();
            for i in 0..SERIES {
                let attrs = [KeyValue::new("series", i), KeyValue::new(KEYS[0], "GET")];
                counter.add(i as u64 + 1, &attrs);
                histogram.record(i as f64 * 7.5, &attrs);
            }
        }
    }
    let mut up_metrics = upstream_sdk::metrics::data::ResourceMetrics::default();
    {
        use upstream_sdk::metrics::reader::MetricReader as _;
        up_reader.collect(&mut up_metrics).expect("collect");
    }

    let points: usize = ours_metrics
        .scope_metrics
        .iter()
        .flat_map(|s| &s.metrics)
        .map(|m| m.data.data_point_count())
        .sum();
    assert_eq!(points, 1000);
    let ours_len = OursRequest::from_metrics(&ours_metrics).encoded_len();
    let up_len = UpRequest::from(&up_metrics).encoded_len();
    assert!(
        ours_len.abs_diff(up_len) * 50 < up_len,
        "requests differ too much in size: ours {ours_len} B, upstream {up_len} B"
    );

    let mut g = c.benchmark_group("otlp_metrics_1000");
    g.bench_function("ours-messages/protobuf", |b| {
        b.iter(|| black_box(OursRequest::from_metrics(black_box(&ours_metrics)).encode_to_vec()))
    });
    g.bench_function("ours/protobuf", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            ours_proto::encode::encode_metrics(black_box(&ours_metrics), &mut out);
            black_box(out)
        })
    });
    g.bench_function("upstream/protobuf", |b| {
        b.iter(|| black_box(UpRequest::from(black_box(&up_metrics)).encode_to_vec()))
    });
    g.bench_function("ours-messages/json", |b| {
        b.iter(|| {
            let request = OursRequest::from_metrics(black_box(&ours_metrics));
            black_box(serde_json::to_vec(&request).expect("serializable"))
        })
    });
    g.bench_function("ours/json", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            ours_proto::encode::encode_metrics_json(black_box(&ours_metrics), &mut out);
            black_box(out)
        })
    });
    g.bench_function("upstream/json", |b| {
        b.iter(|| {
            let request = UpRequest::from(black_box(&up_metrics));
            black_box(serde_json::to_vec(&request).expect("serializable"))
        })
    });
    g.finish();
    drop((provider, up_provider));
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = traces, metrics
}
criterion_main!(benches);
