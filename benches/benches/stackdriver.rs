//! Cloud Trace encoding: turning 512 of the SDK's spans into a `BatchWriteSpansRequest` and
//! encoding it, as `opentelemetry-stackdriver` does for every batch.
//!
//! Upstream is not compared. `opentelemetry-stackdriver` 0.29.1 (the last release, deprecated)
//! keeps its span mapping private (inside its exporter's send path), and its exporter can only
//! be built by connecting to the hard-coded `https://cloudtrace.googleapis.com:443` (there is
//! no endpoint option), which needs the network; it also pulls `opentelemetry` 0.32,
//! `opentelemetry_sdk` 0.32, tonic 0.13 and prost 0.13 next to the 0.33/0.14 copies. What is
//! compared instead is our OTLP conversion of the same batch (`opentelemetry-proto`), as a
//! yardstick for what a mapping + protobuf encoding of these spans costs.
//!
//! Group `stackdriver_512` (512 server spans, 8 attributes with HTTP ones renamed to Google's
//! labels, a parent, one event with 2 attributes, a GCE resource):
//! - `ours/map`: `Transformer::request` alone;
//! - `ours/map+encode`: the same and `encode_to_vec`;
//! - `otlp/map+encode`: `ExportTraceServiceRequest::from_spans` and `encode_to_vec`.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use opentelemetry_api::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanLinks};
use opentelemetry_sdk::Resource;
use opentelemetry_stackdriver::Transformer;
use ours_proto::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

const SPANS: u64 = 512;

fn batch(now: SystemTime) -> Vec<SpanData> {
    // SpanData holds interned scopes (`&'static`); the bench leaks its one.
    let scope: &'static InstrumentationScope = Box::leak(Box::new(
        InstrumentationScope::builder("bench")
            .with_version("1.0")
            .build(),
    ));
    (0..SPANS)
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
                KeyValue::new("http.request.method", "GET"),
                KeyValue::new("http.response.status_code", 200i64),
                KeyValue::new("http.route", "/users/{id}"),
                KeyValue::new("server.address", "example.com"),
                KeyValue::new("server.port", 443i64),
                KeyValue::new("url.scheme", "https"),
                KeyValue::new("user_agent.original", "curl/8.0"),
                KeyValue::new("client.address", "10.0.0.1"),
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

fn resource() -> Resource {
    Resource::new([
        KeyValue::new("service.name", "checkout"),
        KeyValue::new("cloud.platform", "gcp_compute_engine"),
        KeyValue::new("cloud.availability_zone", "us-central1-a"),
        KeyValue::new("host.id", "1234567890"),
    ])
}

fn stackdriver(c: &mut Criterion) {
    let spans = batch(SystemTime::now());
    let resource = resource();
    let transformer = Transformer::new("my-project", &resource);
    let mut group = c.benchmark_group("stackdriver_512");
    group.bench_function("ours/map", |b| {
        b.iter(|| black_box(transformer.request(black_box(&spans))))
    });
    group.bench_function("ours/map+encode", |b| {
        b.iter(|| black_box(transformer.request(black_box(&spans)).encode_to_vec()))
    });
    group.bench_function("otlp/map+encode", |b| {
        b.iter(|| {
            black_box(
                ExportTraceServiceRequest::from_spans(black_box(&spans), &resource).encode_to_vec(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, stackdriver);
criterion_main!(benches);
