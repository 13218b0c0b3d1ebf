//! The span bridge: `tracing` spans become OpenTelemetry spans.

use opentelemetry_api::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId, TraceState,
    Tracer as _, TracerProvider as _,
};
use opentelemetry_api::{Context, KeyValue, Value};
use opentelemetry_appender_tracing::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing::instrument;
use tracing_subscriber::layer::SubscriberExt;

struct Setup {
    spans: InMemorySpanExporter,
    logs: InMemoryLogExporter,
    tracer_provider: SdkTracerProvider,
    _logger_provider: SdkLoggerProvider,
}

fn with_bridge<R>(f: impl FnOnce(&Setup) -> R) -> (Setup, R) {
    let spans = InMemorySpanExporter::default();
    let logs = InMemoryLogExporter::default();
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build();
    let logger_provider = SdkLoggerProvider::builder()
        .with_simple_exporter(logs.clone())
        .build();
    let layer = OpenTelemetryTracingBridge::new(&logger_provider)
        .with_tracer(tracer_provider.tracer("bridge"));
    let setup = Setup {
        spans,
        logs,
        tracer_provider,
        _logger_provider: logger_provider,
    };
    let r =
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || f(&setup));
    (setup, r)
}

fn find<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name:?} in {spans:?}"))
}

fn attr(span: &SpanData, key: &str) -> Option<Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.clone())
}

#[instrument(fields(cart.items = items))]
fn checkout(user: &str, items: i64) -> Result<(), String> {
    tracing::info!(step = 1, "loading cart");
    charge(1999)
}

#[instrument(err)]
fn charge(amount: i64) -> Result<(), String> {
    tracing::warn!("retrying");
    Err("card declined".into())
}

#[test]
fn instrumented_code_exports_a_trace() {
    let (setup, _) = with_bridge(|_| {
        let _ = checkout("ann", 3);
    });
    let spans = setup.spans.get_finished_spans();
    assert_eq!(spans.len(), 2);
    let root = find(&spans, "checkout");
    let child = find(&spans, "charge");
    assert_eq!(root.parent_span_id, SpanId::INVALID);
    assert_eq!(child.parent_span_id, root.span_context.span_id());
    assert_eq!(child.span_context.trace_id(), root.span_context.trace_id());
    // Fields are attributes.
    assert_eq!(attr(root, "user"), Some(Value::from("ann")));
    assert_eq!(attr(root, "items"), Some(Value::I64(3)));
    assert_eq!(attr(root, "cart.items"), Some(Value::I64(3)));
    assert_eq!(attr(child, "amount"), Some(Value::I64(1999)));
    // Events inside spans are span events; an ERROR event sets the error status.
    let root_events: Vec<&str> = root.events.events.iter().map(|e| &*e.name).collect();
    assert_eq!(root_events, ["loading cart"]);
    assert!(root.events.events[0]
        .attributes
        .contains(&KeyValue::new("step", 1)));
    assert_eq!(root.status, Status::Unset);
    let child_events: Vec<&str> = child.events.events.iter().map(|e| &*e.name).collect();
    assert_eq!(child_events, ["retrying", "exception"]);
    assert!(child.events.events[1]
        .attributes
        .contains(&KeyValue::new("exception.message", "card declined")));
    assert!(
        matches!(child.status, Status::Error { .. }),
        "{:?}",
        child.status
    );
    // The same events are log records, correlated with the spans.
    let logs = setup.logs.get_emitted_logs();
    assert_eq!(logs.len(), 3);
    assert_eq!(
        logs[0].record.trace_context().unwrap().span_id,
        root.span_context.span_id()
    );
    assert_eq!(
        logs[1].record.trace_context().unwrap().span_id,
        child.span_context.span_id()
    );
}

#[test]
fn recorded_fields_error_field_names_kinds_and_links() {
    let (setup, _) = with_bridge(|_| {
        let first = tracing::info_span!("first");
        let span = tracing::info_span!(
            "GET",
            otel.name = "GET /users",
            otel.kind = "server",
            http.status = tracing::field::Empty,
            error = tracing::field::Empty
        );
        span.follows_from(&first);
        span.record("http.status", 500);
        span.record("error", "upstream failed");
        drop(span);
        drop(first);
    });
    let spans = setup.spans.get_finished_spans();
    let get = find(&spans, "GET /users");
    let first = find(&spans, "first");
    assert_eq!(get.span_kind, SpanKind::Server);
    assert_eq!(attr(get, "http.status"), Some(Value::I64(500)));
    assert_eq!(
        get.status,
        Status::Error {
            description: "upstream failed".into()
        }
    );
    assert_eq!(get.links.links.len(), 1);
    assert_eq!(get.links.links[0].span_context, first.span_context);
    assert_eq!(get.parent_span_id, SpanId::INVALID);
}

#[test]
fn root_spans_continue_the_current_context_and_explicit_roots_start_a_trace() {
    let remote = SpanContext::new(
        TraceId::from(0xabu128),
        SpanId::from(0xcdu64),
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    );
    let (setup, _) = with_bridge(|_| {
        let _g = Context::current()
            .with_remote_span_context(remote.clone())
            .attach();
        let _request = tracing::info_span!("request").entered();
        let _detached = tracing::info_span!(parent: None, "detached").entered();
    });
    let spans = setup.spans.get_finished_spans();
    let request = find(&spans, "request");
    assert_eq!(request.span_context.trace_id(), remote.trace_id());
    assert_eq!(request.parent_span_id, remote.span_id());
    assert!(request.parent_span_is_remote);
    let detached = find(&spans, "detached");
    assert_ne!(detached.span_context.trace_id(), remote.trace_id());
    assert_eq!(detached.parent_span_id, SpanId::INVALID);
}

#[test]
fn opentelemetry_api_calls_inside_an_entered_span_are_its_children() {
    let (setup, _) = with_bridge(|setup| {
        let tracer = setup.tracer_provider.tracer("api");
        let span = tracing::info_span!("outer");
        let sc = span.in_scope(|| {
            tracer.in_span("api child", |_| {});
            Context::current().span().span_context().clone()
        });
        assert!(!Context::current().has_active_span(), "detached on exit");
        sc
    });
    let spans = setup.spans.get_finished_spans();
    let outer = find(&spans, "outer");
    let child = find(&spans, "api child");
    assert_eq!(child.parent_span_id, outer.span_context.span_id());
}

#[test]
fn spans_started_while_suppressed_are_not_recorded() {
    let (setup, _) = with_bridge(|_| {
        let _g = Context::enter_telemetry_suppressed_scope();
        let _s = tracing::info_span!("hidden").entered();
        tracing::info!("hidden event");
    });
    assert!(setup.spans.get_finished_spans().is_empty());
    assert!(setup.logs.get_emitted_logs().is_empty());
}

#[test]
fn entering_a_span_inside_a_suppressed_scope_keeps_telemetry_suppressed() {
    let (setup, _) = with_bridge(|_| {
        let span = tracing::info_span!("created outside");
        let _g = Context::enter_telemetry_suppressed_scope();
        span.in_scope(|| tracing::info!("inside an exporter"));
    });
    assert!(setup.logs.get_emitted_logs().is_empty());
    assert_eq!(setup.spans.get_finished_spans().len(), 1);
}

#[test]
fn spans_on_several_threads_nest_per_thread() {
    let (setup, _) = with_bridge(|_| {
        let parent = tracing::info_span!("parent");
        std::thread::scope(|s| {
            for i in 0..4 {
                let parent = parent.clone();
                let dispatch = tracing::dispatcher::get_default(|d| d.clone());
                s.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        let _w = tracing::info_span!(parent: &parent, "worker", i).entered();
                        tracing::info!("working");
                    })
                });
            }
        });
    });
    let spans = setup.spans.get_finished_spans();
    let parent = find(&spans, "parent");
    let workers: Vec<&SpanData> = spans.iter().filter(|s| s.name == "worker").collect();
    assert_eq!(workers.len(), 4);
    assert!(workers
        .iter()
        .all(|w| w.parent_span_id == parent.span_context.span_id() && w.events.events.len() == 1));
}
