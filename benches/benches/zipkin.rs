//! Zipkin benchmarks: exporting 512 spans as Zipkin v2 JSON, and the B3 propagator.
//!
//! Compared side by side in one process: `ours/...` (`opentelemetry-zipkin` of this workspace)
//! and `upstream/...` (`opentelemetry-zipkin` 0.33 from crates.io, no default features, with
//! upstream's `opentelemetry_sdk` 0.33 span data).
//!
//! Groups:
//! - `zipkin_export_json_512`: upstream's Zipkin model is private, so both sides are measured
//!   through their exporter's `export`, with a sink HTTP client (of each side's
//!   `opentelemetry-http`) that takes the request and answers 202 without any I/O. Measured:
//!   mapping 512 spans to Zipkin, JSON encoding, building the HTTP request, and dropping the
//!   batch (upstream's `export` consumes a `Vec<SpanData>`, so both sides get a fresh clone from
//!   `iter_batched` setup and drop it inside the measurement). Each span: client kind, 8
//!   attributes (strings, integers, a bool, a float), `peer.service`, one event with one
//!   attribute, an error status. The setup checks that both bodies decode to 512 spans with the
//!   same IDs, parent IDs, names and kinds. Upstream does less mapping work than ours: it writes
//!   no remote endpoint (ours: `peer.service` → `remoteEndpoint`), no service name from the
//!   resource passed to `set_resource`, annotation values without the event's attributes, and
//!   no `otel.scope.*` tags (ours writes them and the `otel.library.*` aliases).
//! - `zipkin_encode_json_512`: ours only, `ZipkinExporter::encode` (the body alone), to show
//!   how much of the export is encoding.
//! - `b3_extract`: a sampled span context from the single header (`b3`) and from the multiple
//!   headers (`X-B3-*`); the setup checks both sides extract the same span context.
//! - `b3_inject`: the multiple headers, and the single plus multiple headers (upstream 0.33's
//!   `SingleHeader` encoding writes both, so that is what its single-header injection costs);
//!   the setup checks both sides write the same headers. Fresh `HashMap` per iteration.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]
// Upstream 0.33 marks its Zipkin exporter and propagator deprecated (it points to OTLP).
#![allow(deprecated)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::collections::HashMap;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SPANS: usize = 512;
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN: &str = "00f067aa0ba902b7";

/// Our sink client: keeps nothing, answers 202.
#[derive(Debug)]
struct OurSink;

impl opentelemetry_http::HttpClient for OurSink {
    fn send_bytes(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> opentelemetry_http::BoxFuture<
        '_,
        Result<http::Response<bytes::Bytes>, opentelemetry_http::HttpError>,
    > {
        black_box(request.body().len());
        let mut response = http::Response::new(bytes::Bytes::new());
        *response.status_mut() = http::StatusCode::ACCEPTED;
        Box::pin(std::future::ready(Ok(response)))
    }
}

/// Upstream's sink client (its trait is an `async_trait`, written out here).
#[derive(Debug)]
struct UpstreamSink;

impl upstream_http::HttpClient for UpstreamSink {
    fn send_bytes<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<bytes::Bytes>,
    ) -> Pin<
        Box<
            dyn Future<Output = Result<http::Response<bytes::Bytes>, upstream_http::HttpError>>
                + Send
                + 'async_trait,
        >,
    >
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        black_box(request.body().len());
        let mut response = http::Response::new(bytes::Bytes::new());
        *response.status_mut() = http::StatusCode::ACCEPTED;
        Box::pin(std::future::ready(Ok(response)))
    }
}

fn start(i: usize) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(1_700_000_000_000_000 + i as u64 * 1000)
}

/// The same spans for both sides, built by one macro over each API's types.
macro_rules! batch {
    ($api:ident, $sdk:ident, $scope:expr) => {{
        use $api::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState};
        use $api::KeyValue;
        (0..SPANS)
            .map(|i| $sdk::trace::SpanData {
                span_context: SpanContext::new(
                    TraceId::from_bytes(u128::from_str_radix(TRACE, 16).unwrap().to_be_bytes()),
                    SpanId::from_bytes((i as u64 + 1).to_be_bytes()),
                    TraceFlags::SAMPLED,
                    false,
                    TraceState::NONE,
                ),
                parent_span_id: SpanId::from_bytes(
                    u64::from_str_radix(SPAN, 16).unwrap().to_be_bytes(),
                ),
                parent_span_is_remote: false,
                span_kind: SpanKind::Client,
                name: "GET /api/cart".into(),
                start_time: start(i),
                end_time: start(i) + Duration::from_micros(1234),
                attributes: vec![
                    KeyValue::new("http.request.method", "GET"),
                    KeyValue::new("url.full", "https://shop.example/api/cart?id=42"),
                    KeyValue::new("http.response.status_code", 503),
                    KeyValue::new("server.address", "cart.internal"),
                    KeyValue::new("server.port", 8443),
                    KeyValue::new("peer.service", "cart"),
                    KeyValue::new("retry", true),
                    KeyValue::new("sample.ratio", 0.25),
                ],
                dropped_attributes_count: 0,
                // Set by the callers (the event types differ in shape).
                events: Default::default(),
                links: Default::default(),
                status: Status::error("upstream unavailable"),
                instrumentation_scope: $scope,
            })
            .collect::<Vec<_>>()
    }};
}

fn our_batch() -> Vec<opentelemetry_sdk::trace::SpanData> {
    let scope: &'static _ = Box::leak(Box::new(
        opentelemetry_api::InstrumentationScope::builder("shop-http")
            .with_version("1.0.0")
            .build(),
    ));
    let event = opentelemetry_sdk::trace::Event {
        name: "retrying".into(),
        timestamp: start(0),
        attributes: vec![opentelemetry_api::KeyValue::new("attempt", 2)],
        dropped_attributes_count: 0,
    };
    batch!(opentelemetry_api, opentelemetry_sdk, scope)
        .into_iter()
        .map(|mut s| {
            s.events.events = vec![event.clone()];
            s
        })
        .collect()
}

fn upstream_batch() -> Vec<upstream_sdk::trace::SpanData> {
    let scope = upstream::InstrumentationScope::builder("shop-http")
        .with_version("1.0.0")
        .build();
    let event = upstream::trace::Event::new(
        "retrying",
        start(0),
        vec![upstream::KeyValue::new("attempt", 2)],
        0,
    );
    batch!(upstream, upstream_sdk, scope.clone())
        .into_iter()
        .map(|mut s| {
            s.events.events = vec![event.clone()];
            s
        })
        .collect()
}

/// (trace ID, ID, parent ID, name, kind, tag count) of each span of a Zipkin JSON body.
fn summary(body: &[u8]) -> Vec<(String, String, String, String, String)> {
    let spans: serde_json::Value = serde_json::from_slice(body).unwrap();
    spans
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let text = |k: &str| s[k].as_str().unwrap().to_owned();
            (
                text("traceId"),
                text("id"),
                text("parentId"),
                text("name"),
                text("kind"),
            )
        })
        .collect()
}

/// Captures the body upstream's exporter sends (for the equivalence check).
#[derive(Debug, Default, Clone)]
struct UpstreamCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl upstream_http::HttpClient for UpstreamCapture {
    fn send_bytes<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<bytes::Bytes>,
    ) -> Pin<
        Box<
            dyn Future<Output = Result<http::Response<bytes::Bytes>, upstream_http::HttpError>>
                + Send
                + 'async_trait,
        >,
    >
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        *self.0.lock().unwrap() = request.body().to_vec();
        Box::pin(std::future::ready(Ok(http::Response::new(
            bytes::Bytes::new(),
        ))))
    }
}

fn export(c: &mut Criterion) {
    use opentelemetry_sdk::trace::SpanExporter as _;
    use upstream_sdk::trace::SpanExporter as _;
    let ours = our_batch();
    let theirs = upstream_batch();
    let resource = opentelemetry_sdk::Resource::builder_empty()
        .with_service_name("shop")
        .build();
    let mut our_exporter = opentelemetry_zipkin::ZipkinExporter::builder()
        .with_collector_endpoint("http://127.0.0.1:9411/api/v2/spans")
        .with_http_client(OurSink)
        .build()
        .unwrap();
    our_exporter.set_resource(&resource);
    let mut up_exporter = upstream_zipkin::ZipkinExporter::builder()
        .with_collector_endpoint("http://127.0.0.1:9411/api/v2/spans")
        .with_http_client(UpstreamSink)
        .build()
        .unwrap();
    let up_resource = upstream_sdk::Resource::builder_empty()
        .with_service_name("shop")
        .build();
    up_exporter.set_resource(&up_resource);

    // Both do the same work: same spans, same mapping of the fields compared.
    let capture = UpstreamCapture::default();
    let mut check = upstream_zipkin::ZipkinExporter::builder()
        .with_collector_endpoint("http://127.0.0.1:9411/api/v2/spans")
        .with_http_client(capture.clone())
        .build()
        .unwrap();
    check.set_resource(&up_resource);
    futures_executor::block_on(check.export(theirs.clone())).unwrap();
    let our_body = our_exporter.encode(&ours);
    assert_eq!(summary(&our_body), summary(&capture.0.lock().unwrap()));
    assert_eq!(summary(&our_body).len(), SPANS);

    let mut group = c.benchmark_group("zipkin_export_json_512");
    group.bench_function("ours", |b| {
        b.iter_batched(
            || ours.clone(),
            |batch| {
                futures_executor::block_on(our_exporter.export(&batch)).unwrap();
                drop(batch);
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("upstream", |b| {
        b.iter_batched(
            || theirs.clone(),
            |batch| futures_executor::block_on(up_exporter.export(batch)).unwrap(),
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("zipkin_encode_json_512");
    group.bench_function("ours", |b| {
        b.iter(|| black_box(our_exporter.encode(black_box(&ours))))
    });
    group.finish();
}

fn carrier(headers: &[(&str, &str)]) -> HashMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn b3(c: &mut Criterion) {
    use opentelemetry_api::propagation::TextMapPropagator as _;
    use opentelemetry_api::trace::TraceContextExt as _;
    use opentelemetry_zipkin::B3Encoding as Ours;
    use upstream::propagation::TextMapPropagator as _;
    use upstream::trace::TraceContextExt as _;
    use upstream_zipkin::B3Encoding as Up;

    let single = carrier(&[("b3", &format!("{TRACE}-{SPAN}-1"))]);
    let multi = carrier(&[
        ("x-b3-traceid", TRACE),
        ("x-b3-spanid", SPAN),
        ("x-b3-sampled", "1"),
    ]);
    for (variant, ours_enc, up_enc, carrier) in [
        ("single", Ours::SingleHeader, Up::SingleHeader, &single),
        ("multi", Ours::MultipleHeader, Up::MultipleHeader, &multi),
    ] {
        let ours = opentelemetry_zipkin::B3Propagator::with_encoding(ours_enc);
        let up = upstream_zipkin::Propagator::with_encoding(up_enc);
        let our_cx = ours.extract_with_context(&opentelemetry_api::Context::new(), carrier);
        let up_cx = up.extract_with_context(&upstream::Context::new(), carrier);
        // Same span context extracted.
        assert_eq!(
            String::from_utf8(our_cx.span().span_context().trace_id().to_hex().to_vec()).unwrap(),
            format!("{:032x}", up_cx.span().span_context().trace_id())
        );
        assert!(our_cx.span().span_context().is_sampled());
        assert!(up_cx.span().span_context().is_sampled());

        let mut group = c.benchmark_group("b3_extract");
        group.bench_function(format!("ours/{variant}"), |bch| {
            bch.iter(|| {
                black_box(
                    ours.extract_with_context(
                        &opentelemetry_api::Context::new(),
                        black_box(carrier),
                    ),
                )
            })
        });
        group.bench_function(format!("upstream/{variant}"), |bch| {
            bch.iter(|| {
                black_box(up.extract_with_context(&upstream::Context::new(), black_box(carrier)))
            })
        });
        group.finish();
    }

    // Injection. Upstream 0.33's `SingleHeader` writes the multiple headers too (its encoding
    // check treats every encoding as including `UnSpecified`, which means multi), so its
    // single-header variant is compared with ours injecting both forms: the same four headers.
    let our_cx = opentelemetry_zipkin::B3Propagator::new()
        .extract_with_context(&opentelemetry_api::Context::new(), &single);
    let up_cx =
        upstream_zipkin::Propagator::new().extract_with_context(&upstream::Context::new(), &single);
    for (variant, ours_enc, up_enc) in [
        (
            "single_and_multi",
            Ours::SingleAndMultiHeader,
            Up::SingleHeader,
        ),
        ("multi", Ours::MultipleHeader, Up::MultipleHeader),
    ] {
        let ours = opentelemetry_zipkin::B3Propagator::with_encoding(ours_enc);
        let up = upstream_zipkin::Propagator::with_encoding(up_enc);
        let mut a = HashMap::new();
        ours.inject_context(&our_cx, &mut a);
        let mut b = HashMap::new();
        up.inject_context(&up_cx, &mut b);
        assert_eq!(a, b, "{variant}");

        let mut group = c.benchmark_group("b3_inject");
        group.bench_function(format!("ours/{variant}"), |bch| {
            bch.iter(|| {
                let mut out: HashMap<String, String> = HashMap::with_capacity(4);
                ours.inject_context(black_box(&our_cx), &mut out);
                out
            })
        });
        group.bench_function(format!("upstream/{variant}"), |bch| {
            bch.iter(|| {
                let mut out: HashMap<String, String> = HashMap::with_capacity(4);
                up.inject_context(black_box(&up_cx), &mut out);
                out
            })
        });
        group.finish();
    }
}

criterion_group!(benches, export, b3);
criterion_main!(benches);
