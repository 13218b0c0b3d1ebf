//! OTLP/gRPC export end to end: a batch of 512 spans converted, encoded, sent over a loopback
//! HTTP/2 connection to an in-process tonic receiver (which decodes it and answers), and the
//! answer awaited. Ours (`opentelemetry-otlp`) against upstream `opentelemetry-otlp` 0.33
//! (`grpc-tonic`, `trace`), both with tonic 0.14 and prost 0.14.
//!
//! How each side is driven, as its users drive it: our exporter's future is polled by a plain
//! `block_on` (our exporters run their I/O on their own runtime thread, as the SDK's batch
//! processor thread polls them); upstream's tonic exporter needs a tokio runtime, so its
//! future runs in `Runtime::block_on` of a multi-thread runtime. Upstream's `export` takes the
//! batch by value: each iteration gets a clone made outside the timed part (`iter_batched`).
//!
//! One receiver serves both, on its own multi-thread runtime. Throughput is in spans: read
//! the ratio (`benches/ratios.py`).

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ours_proto::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use ours_proto::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const SPANS: usize = 512;

/// Counts the spans it receives.
#[derive(Default)]
struct Sink(Arc<AtomicUsize>);

impl TraceService for Sink {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let spans: usize = request
            .get_ref()
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .map(|s| s.spans.len())
            .sum();
        self.0.fetch_add(spans, Ordering::Relaxed);
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

/// Starts the receiver; returns its endpoint and its span counter.
fn receiver(rt: &tokio::runtime::Runtime) -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let count = Arc::new(AtomicUsize::new(0));
    let service = TraceServiceServer::new(Sink(Arc::clone(&count)));
    rt.spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve(addr),
    );
    // Wait until it accepts connections.
    for _ in 0..200 {
        if std::net::TcpStream::connect(addr).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    (format!("http://{addr}"), count)
}

fn attributes<K: From<&'static str>, V: From<&'static str> + From<i64>>(
    kv: impl Fn(K, V) -> (K, V),
) -> Vec<(K, V)> {
    vec![
        kv("http.request.method".into(), "GET".into()),
        kv("http.response.status_code".into(), 200i64.into()),
        kv("http.route".into(), "/users/{id}".into()),
        kv("server.address".into(), "example.com".into()),
        kv("server.port".into(), 443i64.into()),
        kv("url.scheme".into(), "https".into()),
        kv("user_agent.original".into(), "curl/8.0".into()),
        kv("client.address".into(), "10.0.0.1".into()),
    ]
}

fn ours_batch() -> Vec<opentelemetry_sdk::trace::SpanData> {
    use opentelemetry_api::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
    use opentelemetry_api::{InstrumentationScope, Key, KeyValue, Value};
    use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
    let scope: &'static InstrumentationScope =
        Box::leak(Box::new(InstrumentationScope::builder("bench").build()));
    let now = SystemTime::now();
    (0..SPANS as u64)
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
            attributes: attributes::<Key, Value>(|k, v| (k, v))
                .into_iter()
                .map(|(k, v)| KeyValue::new(k, v))
                .collect(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: Status::Unset,
            instrumentation_scope: scope,
        })
        .collect()
}

fn upstream_batch() -> Vec<upstream_sdk::trace::SpanData> {
    use upstream::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
    use upstream::{InstrumentationScope, Key, KeyValue, Value};
    use upstream_sdk::trace::{SpanData, SpanEvents, SpanLinks};
    let scope = InstrumentationScope::builder("bench").build();
    let now = SystemTime::now();
    (0..SPANS as u64)
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
            attributes: attributes::<Key, Value>(|k, v| (k, v))
                .into_iter()
                .map(|(k, v)| KeyValue::new(k, v))
                .collect(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: Status::Unset,
            instrumentation_scope: scope.clone(),
        })
        .collect()
}

fn export(c: &mut Criterion) {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (endpoint, received) = receiver(&server_rt);

    // Ours: built and polled outside any runtime.
    let mut ours = {
        use opentelemetry_otlp::WithExportConfig;
        opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.clone())
            .build()
            .unwrap()
    };
    let ours_batch = ours_batch();

    // Upstream: needs a tokio runtime to build and run.
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let upstream = client_rt.block_on(async {
        use upstream_otlp::WithExportConfig;
        upstream_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.clone())
            .build()
            .unwrap()
    });
    let upstream_batch = upstream_batch();

    // Both deliver (a sanity check, and the connection is warm before timing).
    {
        use opentelemetry_sdk::trace::SpanExporter as _;
        use upstream_sdk::trace::SpanExporter as _;
        futures_executor::block_on(ours.export(&ours_batch)).unwrap();
        client_rt
            .block_on(upstream.export(upstream_batch.clone()))
            .unwrap();
        assert_eq!(received.load(Ordering::Relaxed), 2 * SPANS);
    }

    let mut g = c.benchmark_group("otlp_export_grpc_512");
    g.throughput(Throughput::Elements(SPANS as u64));
    g.bench_function("ours", |b| {
        use opentelemetry_sdk::trace::SpanExporter as _;
        b.iter(|| futures_executor::block_on(ours.export(&ours_batch)).unwrap())
    });
    g.bench_function("upstream", |b| {
        use upstream_sdk::trace::SpanExporter as _;
        b.iter_batched(
            || upstream_batch.clone(),
            |batch| client_rt.block_on(upstream.export(batch)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = export
}
criterion_main!(benches);
