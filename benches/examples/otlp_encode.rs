//! A small, deterministic driver for instruction counting (`valgrind --tool=callgrind`) of
//! OTLP encoding: one batch of SDK data (the same as `benches/otlp.rs`: 512 spans of one scope
//! with 8 attributes and an event each, or one collection of 1000 metric points) encoded N
//! times into an export request's bytes.
//!
//! ```text
//! cargo build --release -p otel-benches --example otlp_encode
//! valgrind --tool=callgrind target/release/examples/otlp_encode ours traces-protobuf 20
//! ```
//!
//! Arguments: side (`ours`: the direct encoders our exporter uses; `messages`: our request
//! messages then prost/serde_json; `upstream`: upstream's conversion then prost/serde_json),
//! case (`traces-protobuf`, `traces-json`, `metrics-protobuf`, `metrics-json`) and N. The cost
//! of one encoding is the difference between two runs with different N divided by the
//! difference in N (this removes building the data). Upstream's trace conversion takes the
//! batch by value, so each of its rounds gets a clone of the batch: side `upstream-clones`
//! makes (and drops) just those clones, for subtracting.

// A command-line tool prints its results.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SPANS: u64 = 512;
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

fn usage() -> ! {
    eprintln!(
        "usage: otlp_encode ours|messages|upstream traces-protobuf|traces-json|metrics-protobuf|metrics-json N"
    );
    std::process::exit(2)
}

mod ours {
    use opentelemetry_api::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
    use opentelemetry_api::{InstrumentationScope, KeyValue};
    use opentelemetry_sdk::metrics::ResourceMetrics;
    use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanLinks};
    use std::time::{Duration, SystemTime};

    pub fn spans(now: SystemTime) -> Vec<SpanData> {
        let scope: &'static InstrumentationScope = Box::leak(Box::new(
            InstrumentationScope::builder("bench")
                .with_version("1.0")
                .build(),
        ));
        (0..super::SPANS)
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

    pub fn metrics() -> ResourceMetrics {
        use opentelemetry_api::metrics::MeterProvider as _;
        let reader = opentelemetry_sdk::metrics::ManualReader::builder().build();
        let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
            .with_reader(reader.clone())
            .build();
        let meter = provider.meter("bench");
        for n in 0..5 {
            let counter = meter.u64_counter(format!("requests.{n}")).build();
            let histogram = meter.f64_histogram(format!("duration.{n}")).build();
            for i in 0..super::SERIES {
                let attrs = [
                    KeyValue::new("series", i),
                    KeyValue::new(super::KEYS[0], "GET"),
                ];
                counter.add(i as u64 + 1, &attrs);
                histogram.record(i as f64 * 7.5, &attrs);
            }
        }
        let mut out = ResourceMetrics::default();
        reader.collect(&mut out).expect("collect");
        out
    }
}

mod up {
    use std::time::{Duration, SystemTime};
    use upstream::trace::{Event, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
    use upstream::{InstrumentationScope, KeyValue};
    use upstream_sdk::metrics::data::ResourceMetrics;
    use upstream_sdk::metrics::reader::MetricReader;
    use upstream_sdk::trace::{SpanData, SpanEvents, SpanLinks};

    pub fn spans(now: SystemTime) -> Vec<SpanData> {
        let scope = InstrumentationScope::builder("bench")
            .with_version("1.0")
            .build();
        (0..super::SPANS)
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

    pub fn metrics() -> ResourceMetrics {
        use upstream::metrics::MeterProvider as _;
        let reader = upstream_sdk::metrics::ManualReader::builder().build();
        // Upstream's manual reader is not `Clone`; collect through the provider's pipeline
        // by registering a shared one.
        let shared = std::sync::Arc::new(reader);
        let provider = upstream_sdk::metrics::SdkMeterProvider::builder()
            .with_reader(Shared(shared.clone()))
            .build();
        let meter = provider.meter("bench");
        for n in 0..5 {
            let counter = meter.u64_counter(format!("requests.{n}")).build();
            let histogram = meter.f64_histogram(format!("duration.{n}")).build();
            for i in 0..super::SERIES {
                let attrs = [
                    KeyValue::new("series", i),
                    KeyValue::new(super::KEYS[0], "GET"),
                ];
                counter.add(i as u64 + 1, &attrs);
                histogram.record(i as f64 * 7.5, &attrs);
            }
        }
        let mut out = ResourceMetrics::default();
        shared.collect(&mut out).expect("collect");
        out
    }

    #[derive(Clone, Debug)]
    struct Shared(std::sync::Arc<upstream_sdk::metrics::ManualReader>);

    impl MetricReader for Shared {
        fn register_pipeline(&self, pipeline: std::sync::Weak<upstream_sdk::metrics::Pipeline>) {
            self.0.register_pipeline(pipeline)
        }
        fn collect(&self, rm: &mut ResourceMetrics) -> upstream_sdk::error::OTelSdkResult {
            self.0.collect(rm)
        }
        fn force_flush(&self) -> upstream_sdk::error::OTelSdkResult {
            self.0.force_flush()
        }
        fn shutdown_with_timeout(
            &self,
            t: std::time::Duration,
        ) -> upstream_sdk::error::OTelSdkResult {
            self.0.shutdown_with_timeout(t)
        }
        fn temporality(
            &self,
            kind: upstream_sdk::metrics::InstrumentKind,
        ) -> upstream_sdk::metrics::Temporality {
            self.0.temporality(kind)
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        usage()
    }
    let n: usize = args[3].parse().unwrap_or_else(|_| usage());
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let _ = SystemTime::now();
    let mut total = 0usize;
    match (args[1].as_str(), args[2].as_str()) {
        ("ours" | "messages", case @ ("traces-protobuf" | "traces-json")) => {
            use ours_proto::collector::trace::v1::ExportTraceServiceRequest;
            use prost::Message;
            let spans = ours::spans(now);
            let resource = opentelemetry_sdk::Resource::builder()
                .with_service_name("bench")
                .build();
            let direct = args[1] == "ours";
            for _ in 0..n {
                let bytes = match (direct, case) {
                    (true, "traces-protobuf") => {
                        let mut out = Vec::new();
                        ours_proto::encode::encode_traces(black_box(&spans), &resource, &mut out);
                        out
                    }
                    (true, _) => {
                        let mut out = Vec::new();
                        ours_proto::encode::encode_traces_json(
                            black_box(&spans),
                            &resource,
                            &mut out,
                        );
                        out
                    }
                    (false, "traces-protobuf") => {
                        ExportTraceServiceRequest::from_spans(black_box(&spans), &resource)
                            .encode_to_vec()
                    }
                    (false, _) => serde_json::to_vec(&ExportTraceServiceRequest::from_spans(
                        black_box(&spans),
                        &resource,
                    ))
                    .expect("serializable"),
                };
                total += black_box(bytes).len();
            }
        }
        ("ours" | "messages", case @ ("metrics-protobuf" | "metrics-json")) => {
            use ours_proto::collector::metrics::v1::ExportMetricsServiceRequest;
            use prost::Message;
            let metrics = ours::metrics();
            let direct = args[1] == "ours";
            for _ in 0..n {
                let bytes = match (direct, case) {
                    (true, "metrics-protobuf") => {
                        let mut out = Vec::new();
                        ours_proto::encode::encode_metrics(black_box(&metrics), &mut out);
                        out
                    }
                    (true, _) => {
                        let mut out = Vec::new();
                        ours_proto::encode::encode_metrics_json(black_box(&metrics), &mut out);
                        out
                    }
                    (false, "metrics-protobuf") => {
                        ExportMetricsServiceRequest::from_metrics(black_box(&metrics))
                            .encode_to_vec()
                    }
                    (false, _) => serde_json::to_vec(&ExportMetricsServiceRequest::from_metrics(
                        black_box(&metrics),
                    ))
                    .expect("serializable"),
                };
                total += black_box(bytes).len();
            }
        }
        ("upstream" | "upstream-clones", case @ ("traces-protobuf" | "traces-json")) => {
            use prost::Message;
            use upstream_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
            use upstream_proto::transform::common::tonic::ResourceAttributesWithSchema;
            use upstream_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
            let spans = up::spans(now);
            let resource = upstream_sdk::Resource::builder()
                .with_service_name("bench")
                .build();
            // Upstream's conversion takes the batch by value (what its exporter receives): each
            // round gets its own clone. Side `upstream-clones` counts just the clones (and
            // their drops), to subtract.
            let batches: Vec<_> = (0..n).map(|_| spans.clone()).collect();
            if args[1] == "upstream-clones" {
                drop(black_box(batches));
                println!("clones only");
                return;
            }
            for batch in batches {
                let attrs = ResourceAttributesWithSchema::from(&resource);
                let request = ExportTraceServiceRequest {
                    resource_spans: group_spans_by_resource_and_scope(batch, &attrs),
                };
                let bytes = if case == "traces-protobuf" {
                    request.encode_to_vec()
                } else {
                    serde_json::to_vec(&request).expect("serializable")
                };
                total += black_box(bytes).len();
            }
        }
        ("upstream", case @ ("metrics-protobuf" | "metrics-json")) => {
            use prost::Message;
            use upstream_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
            let metrics = up::metrics();
            for _ in 0..n {
                let request = ExportMetricsServiceRequest::from(black_box(&metrics));
                let bytes = if case == "metrics-protobuf" {
                    request.encode_to_vec()
                } else {
                    serde_json::to_vec(&request).expect("serializable")
                };
                total += black_box(bytes).len();
            }
        }
        _ => usage(),
    }
    println!("{total} bytes");
}
