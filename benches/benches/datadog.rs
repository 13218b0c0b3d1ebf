//! Datadog benchmarks: encoding 512 spans for the agent's `/v0.5/traces`, and the
//! `x-datadog-*` propagator, ours against upstream `opentelemetry-datadog` 0.20.1 (its last
//! release, built on `opentelemetry`/`opentelemetry_sdk`/`opentelemetry-http` 0.32, renamed
//! here `upstream_api_032`, `upstream_sdk_032`, `upstream_http_032`).
//!
//! Upstream's encoder is private (`pub(crate)`), so the comparison goes through both exporters,
//! each sending to a sink `HttpClient` that answers 200 at once:
//! - `datadog_export_v05_512/ours`: `DatadogExporter::export(&batch)` (encode + request).
//! - `datadog_export_v05_512/upstream`: upstream's `export(batch)`, which takes the batch by
//!   value: the batch is cloned outside the timing (`iter_batched`), but upstream frees it
//!   inside the export, so its time includes dropping 512 spans. That cost alone is measured
//!   as `datadog_export_v05_512/upstream_drop_only` (not a comparison; subtract it to compare
//!   encoding alone).
//! - `datadog_encode_v05_512/ours`: our encoding alone (no request), for reference.
//!
//! The batch: 32 traces of 16 spans (a server span and 15 client children), six attributes
//! each (two strings, one unique per span, an integer, a float, a boolean, one more string),
//! one span in eight with an error status; 128-bit trace IDs whose high half is zero (upstream
//! drops the high half; with a non-zero one ours also writes `_dd.p.tid`).
//!
//! Propagator groups (carrier `HashMap<String, String>`, fresh `with_capacity(3)` per inject):
//! - `datadog_inject/{ours,upstream}`: a sampled span context with a 64-bit trace ID: both
//!   write the same three headers. `ours_128bit` adds `x-datadog-tags: _dd.p.tid=...`, which
//!   upstream does not support (informational).
//! - `datadog_extract/{ours,upstream}`: trace ID, parent ID and priority 1. `ours_with_tags`
//!   adds origin and `x-datadog-tags` with `_dd.p.tid` (informational).
//!
//! The propagator's cost is mostly the carrier's (a `String` key and value allocated and
//! hashed per header) and the context's, which both sides pay alike; ours also looks up
//! `x-datadog-origin` and `x-datadog-tags` on every extraction (two more lookups, absent
//! here), which upstream does not support.
//!
//! Read ratios (`benches/ratios.py`), not absolute times.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]
// Upstream's crate is marked deprecated (its maintainers point to Datadog's own tracer); it is
// still the published baseline to compare with.
#![allow(deprecated)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const TRACES: usize = 32;
const SPANS_PER_TRACE: usize = 16;

/// What a sink saw: the last body's size and trace count header.
#[derive(Debug, Default)]
struct Seen {
    body_len: AtomicUsize,
    trace_count: AtomicUsize,
}

fn record(seen: &Seen, request: &http::Request<bytes_like::Bytes>) {
    seen.body_len.store(request.body().len(), Ordering::Relaxed);
    let count = request.headers()["x-datadog-trace-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    seen.trace_count.store(count, Ordering::Relaxed);
}

mod bytes_like {
    pub use opentelemetry_http::Bytes;
}

mod ours {
    use super::*;
    use opentelemetry_api::trace::{
        SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
    };
    use opentelemetry_api::{InstrumentationScope, KeyValue};
    use opentelemetry_http::{BoxFuture, Bytes, HttpClient, HttpError};
    use opentelemetry_sdk::trace::SpanData;

    #[derive(Debug)]
    pub struct Sink(pub Arc<Seen>);

    impl HttpClient for Sink {
        fn send_bytes(
            &self,
            request: http::Request<Bytes>,
        ) -> BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
            record(&self.0, &request);
            Box::pin(std::future::ready(Ok(http::Response::new(Bytes::new()))))
        }
    }

    pub fn batch() -> Vec<SpanData> {
        let scope: &'static InstrumentationScope =
            Box::leak(Box::new(InstrumentationScope::builder("bench").build()));
        let mut out = Vec::new();
        for t in 0..TRACES {
            let trace_id = TraceId::from(0x1000 + t as u128);
            for s in 0..SPANS_PER_TRACE {
                let span_id = SpanId::from((t * 100 + s + 1) as u64);
                let parent = if s == 0 {
                    SpanId::INVALID
                } else {
                    SpanId::from((t * 100 + 1) as u64)
                };
                let start = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_000_000_000 + s as u64);
                out.push(SpanData {
                    span_context: SpanContext::new(
                        trace_id,
                        span_id,
                        TraceFlags::SAMPLED,
                        false,
                        TraceState::NONE,
                    ),
                    parent_span_id: parent,
                    parent_span_is_remote: false,
                    span_kind: if s == 0 {
                        SpanKind::Server
                    } else {
                        SpanKind::Client
                    },
                    name: if s == 0 {
                        "GET /items".into()
                    } else {
                        "SELECT items".into()
                    },
                    start_time: start,
                    end_time: start + Duration::from_micros(250),
                    attributes: vec![
                        KeyValue::new("http.request.method", "GET"),
                        KeyValue::new("url.full", format!("https://example.com/items/{t}/{s}")),
                        KeyValue::new("http.response.status_code", 200i64),
                        KeyValue::new("latency.ratio", 0.5),
                        KeyValue::new("retry", false),
                        KeyValue::new("component", "http"),
                    ],
                    dropped_attributes_count: 0,
                    events: Default::default(),
                    links: Default::default(),
                    status: if s % 8 == 7 {
                        Status::error("timeout")
                    } else {
                        Status::Unset
                    },
                    instrumentation_scope: scope,
                });
            }
        }
        out
    }
}

mod up {
    use super::*;
    use upstream_api_032::trace::{
        SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
    };
    use upstream_api_032::{InstrumentationScope, KeyValue};
    use upstream_http_032::{Bytes, HttpClient, HttpError};
    use upstream_sdk_032::trace::{SpanData, SpanEvents, SpanLinks};

    #[derive(Debug)]
    pub struct Sink(pub Arc<Seen>);

    #[async_trait::async_trait]
    impl HttpClient for Sink {
        async fn send_bytes(
            &self,
            request: http::Request<Bytes>,
        ) -> Result<http::Response<Bytes>, HttpError> {
            record(&self.0, &request);
            Ok(http::Response::new(Bytes::new()))
        }
    }

    pub fn batch() -> Vec<SpanData> {
        let scope = InstrumentationScope::builder("bench").build();
        let mut out = Vec::new();
        for t in 0..TRACES {
            let trace_id = TraceId::from(0x1000 + t as u128);
            for s in 0..SPANS_PER_TRACE {
                let span_id = SpanId::from((t * 100 + s + 1) as u64);
                let parent = if s == 0 {
                    SpanId::INVALID
                } else {
                    SpanId::from((t * 100 + 1) as u64)
                };
                let start = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_000_000_000 + s as u64);
                out.push(SpanData {
                    span_context: SpanContext::new(
                        trace_id,
                        span_id,
                        TraceFlags::SAMPLED,
                        false,
                        TraceState::default(),
                    ),
                    parent_span_id: parent,
                    parent_span_is_remote: false,
                    span_kind: if s == 0 {
                        SpanKind::Server
                    } else {
                        SpanKind::Client
                    },
                    name: if s == 0 {
                        "GET /items".into()
                    } else {
                        "SELECT items".into()
                    },
                    start_time: start,
                    end_time: start + Duration::from_micros(250),
                    attributes: vec![
                        KeyValue::new("http.request.method", "GET"),
                        KeyValue::new("url.full", format!("https://example.com/items/{t}/{s}")),
                        KeyValue::new("http.response.status_code", 200i64),
                        KeyValue::new("latency.ratio", 0.5),
                        KeyValue::new("retry", false),
                        KeyValue::new("component", "http"),
                    ],
                    dropped_attributes_count: 0,
                    events: SpanEvents::default(),
                    links: SpanLinks::default(),
                    status: if s % 8 == 7 {
                        Status::error("timeout")
                    } else {
                        Status::Unset
                    },
                    instrumentation_scope: scope.clone(),
                });
            }
        }
        out
    }
}

fn export(c: &mut Criterion) {
    use opentelemetry_sdk::trace::SpanExporter as _;
    use upstream_sdk_032::trace::SpanExporter as _;

    let our_seen = Arc::new(Seen::default());
    let mut ours = opentelemetry_datadog::DatadogExporter::builder()
        .with_service_name("svc")
        .with_agent_endpoint("http://127.0.0.1:8126")
        .with_api_version(opentelemetry_datadog::ApiVersion::Version05)
        .with_http_client(ours::Sink(our_seen.clone()))
        .build()
        .unwrap();
    let our_batch = ours::batch();

    let up_seen = Arc::new(Seen::default());
    let upstream = upstream_datadog::new_pipeline()
        .with_service_name("svc")
        .with_agent_endpoint("http://127.0.0.1:8126")
        .with_api_version(upstream_datadog::ApiVersion::Version05)
        .with_http_client(up::Sink(up_seen.clone()))
        .build_exporter()
        .unwrap();
    let up_batch = up::batch();

    // Both send one payload with the 32 traces.
    futures_executor::block_on(ours.export(&our_batch)).unwrap();
    futures_executor::block_on(upstream.export(up_batch.clone())).unwrap();
    for seen in [&our_seen, &up_seen] {
        assert_eq!(seen.trace_count.load(Ordering::Relaxed), TRACES);
        assert!(seen.body_len.load(Ordering::Relaxed) > 512 * 12);
    }

    let mut g = c.benchmark_group("datadog_export_v05_512");
    g.bench_function("ours", |b| {
        b.iter(|| futures_executor::block_on(ours.export(black_box(&our_batch))).unwrap())
    });
    g.bench_function("upstream", |b| {
        b.iter_batched(
            || up_batch.clone(),
            |batch| futures_executor::block_on(upstream.export(batch)).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("upstream_drop_only", |b| {
        b.iter_batched(|| up_batch.clone(), drop, BatchSize::LargeInput)
    });
    g.finish();

    let mut g = c.benchmark_group("datadog_encode_v05_512");
    g.bench_function("ours", |b| {
        b.iter(|| {
            opentelemetry_datadog::__encode_for_tests(
                opentelemetry_datadog::ApiVersion::Version05,
                black_box(&our_batch),
                "svc",
            )
        })
    });
    g.finish();
}

fn propagation(c: &mut Criterion) {
    use opentelemetry_api::propagation::TextMapPropagator as _;
    use opentelemetry_api::trace::TraceContextExt as _;
    use upstream_api_032::propagation::TextMapPropagator as _;
    use upstream_api_032::trace::TraceContextExt as _;

    let ours = opentelemetry_datadog::DatadogPropagator::new();
    let upstream = upstream_datadog::DatadogPropagator::new();

    let our_cx = |trace_id: u128| {
        opentelemetry_api::Context::new().with_remote_span_context(
            opentelemetry_api::trace::SpanContext::new(
                opentelemetry_api::trace::TraceId::from(trace_id),
                opentelemetry_api::trace::SpanId::from(0x00f0_67aa_0ba9_02b7u64),
                opentelemetry_api::trace::TraceFlags::SAMPLED,
                true,
                Default::default(),
            ),
        )
    };
    let trace_id_64: u128 = 0x0000_0000_0000_0000_4bf9_2f35_77b3_4da6;
    let trace_id_128: u128 = 0x640c_fd8d_0000_0000_4bf9_2f35_77b3_4da6;
    let ours_64 = our_cx(trace_id_64);
    let ours_128 = our_cx(trace_id_128);
    let up_cx = upstream_api_032::Context::new().with_remote_span_context(
        upstream_api_032::trace::SpanContext::new(
            upstream_api_032::trace::TraceId::from(trace_id_64),
            upstream_api_032::trace::SpanId::from(0x00f0_67aa_0ba9_02b7u64),
            upstream_api_032::trace::TraceFlags::SAMPLED,
            true,
            Default::default(),
        ),
    );

    // Same headers from both.
    let mut a: HashMap<String, String> = HashMap::new();
    ours.inject_context(&ours_64, &mut a);
    let mut b: HashMap<String, String> = HashMap::new();
    upstream.inject_context(&up_cx, &mut b);
    assert_eq!(a, b);

    let mut g = c.benchmark_group("datadog_inject");
    g.bench_function("ours", |b| {
        b.iter(|| {
            let mut h: HashMap<String, String> = HashMap::with_capacity(3);
            ours.inject_context(black_box(&ours_64), &mut h);
            h
        })
    });
    g.bench_function("upstream", |b| {
        b.iter(|| {
            let mut h: HashMap<String, String> = HashMap::with_capacity(3);
            upstream.inject_context(black_box(&up_cx), &mut h);
            h
        })
    });
    g.bench_function("ours_128bit", |b| {
        b.iter(|| {
            let mut h: HashMap<String, String> = HashMap::with_capacity(3);
            ours.inject_context(black_box(&ours_128), &mut h);
            h
        })
    });
    g.finish();

    let carrier: HashMap<String, String> = [
        ("x-datadog-trace-id", "5474458729733918118"),
        ("x-datadog-parent-id", "67667974448284343"),
        ("x-datadog-sampling-priority", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut with_tags = carrier.clone();
    with_tags.insert("x-datadog-origin".into(), "synthetics".into());
    with_tags.insert("x-datadog-tags".into(), "_dd.p.tid=640cfd8d00000000".into());

    // Same span context from both.
    let o = ours.extract(&carrier);
    let u = upstream.extract(&carrier);
    assert_eq!(
        u128::from(o.span().span_context().trace_id()),
        u128::from_be_bytes(u.span().span_context().trace_id().to_bytes())
    );
    assert_eq!(
        o.span().span_context().is_sampled(),
        u.span().span_context().is_sampled()
    );

    let mut g = c.benchmark_group("datadog_extract");
    g.bench_function("ours", |b| b.iter(|| ours.extract(black_box(&carrier))));
    g.bench_function("upstream", |b| {
        b.iter(|| upstream.extract(black_box(&carrier)))
    });
    g.bench_function("ours_with_tags", |b| {
        b.iter(|| ours.extract(black_box(&with_tags)))
    });
    g.finish();
}

criterion_group!(benches, export, propagation);
criterion_main!(benches);
