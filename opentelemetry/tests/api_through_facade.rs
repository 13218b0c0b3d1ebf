//! The API as users reach it through the facade: `opentelemetry::trace`, `opentelemetry::global`
//! and the root types. Each test checks one promise of the trace API's specification.
//! (Tests that install a global provider rely on nextest running each test in its own process.)

use opentelemetry::trace::{
    get_active_span, mark_span_as_active, Span, SpanBuilder, SpanContext, SpanId, Status,
    TraceContextExt, TraceFlags, TraceId, TraceState, Tracer, TracerProvider,
};
use opentelemetry::{global, Context, InstrumentationScope, KeyValue};
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// One started span as the recording tracer saw it.
#[derive(Clone, Debug, PartialEq)]
struct Started {
    name: String,
    span_id: SpanId,
    parent: SpanContext,
}

/// A provider whose tracers remember every scope asked for and every span started.
#[derive(Clone, Default)]
struct Recording {
    scopes: Arc<Mutex<Vec<InstrumentationScope>>>,
    started: Arc<Mutex<Vec<Started>>>,
}

struct RecordingTracer(Recording);

struct RecordingSpan(SpanContext);

static NEXT_SPAN_ID: AtomicU64 = AtomicU64::new(1);

impl TracerProvider for Recording {
    type Tracer = RecordingTracer;
    fn tracer_with_scope(&self, scope: InstrumentationScope) -> RecordingTracer {
        self.scopes.lock().unwrap().push(scope);
        RecordingTracer(self.clone())
    }
}

impl Tracer for RecordingTracer {
    type Span = RecordingSpan;
    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> RecordingSpan {
        let parent = parent_cx.span().span_context().clone();
        let n = NEXT_SPAN_ID.fetch_add(1, Ordering::Relaxed);
        let span_id = SpanId::from(n);
        self.0.started.lock().unwrap().push(Started {
            name: builder.name.to_string(),
            span_id,
            parent: parent.clone(),
        });
        let trace_id = if parent.is_valid() {
            parent.trace_id()
        } else {
            TraceId::from(u128::from(n))
        };
        RecordingSpan(SpanContext::new(
            trace_id,
            span_id,
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        ))
    }
}

impl Span for RecordingSpan {
    fn span_context(&self) -> &SpanContext {
        &self.0
    }
    fn is_recording(&self) -> bool {
        true
    }
    fn set_attribute(&mut self, _: KeyValue) {}
    fn set_status(&mut self, _: Status) {}
    fn record_event(&mut self, _: Cow<'static, str>, _: Option<SystemTime>, _: Vec<KeyValue>) {}
    fn add_link(&mut self, _: SpanContext, _: Vec<KeyValue>) {}
    fn rename(&mut self, _: Cow<'static, str>) {}
    fn end_at(&mut self, _: Option<SystemTime>) {}
}

impl Recording {
    fn started(&self, name: &str) -> Started {
        let started = self.started.lock().unwrap();
        let found = started.iter().find(|s| s.name == name);
        found
            .cloned()
            .unwrap_or_else(|| panic!("no span {name:?} in {started:?}"))
    }
}

fn span_context(trace: u128, span: u64, remote: bool) -> SpanContext {
    SpanContext::new(
        TraceId::from(trace),
        SpanId::from(span),
        TraceFlags::SAMPLED,
        remote,
        TraceState::NONE,
    )
}

#[test]
fn span_context_is_valid_only_with_both_ids_non_zero() {
    assert!(span_context(1, 2, false).is_valid());
    assert!(!span_context(0, 2, false).is_valid());
    assert!(!span_context(1, 0, false).is_valid());
    assert!(!SpanContext::NONE.is_valid());
}

#[test]
fn span_context_is_remote_only_when_propagated_from_a_remote_parent() {
    assert!(!span_context(1, 2, false).is_remote());
    let cx = Context::new().with_remote_span_context(span_context(1, 2, true));
    assert!(cx.span().span_context().is_remote());
    // Without an SDK a child is the parent's context passed on, still marked remote.
    let child = global::tracer("t").start_with_context("child", &cx);
    assert_eq!(child.span_context(), &span_context(1, 2, true));
    assert!(!Context::new().span().span_context().is_remote());
}

#[test]
fn global_tracer_forwards_name_version_schema_url_and_attributes() {
    let recording = Recording::default();
    global::set_tracer_provider(recording.clone());
    let scope = InstrumentationScope::builder("my-library")
        .with_version("1.2.3")
        .with_schema_url("https://opentelemetry.io/schemas/1.44.0")
        .with_attributes([KeyValue::new("component", "db")])
        .build();
    let tracer = global::tracer_with_scope(scope.clone());
    tracer.start("work").end();
    assert_eq!(*recording.scopes.lock().unwrap(), vec![scope]);
    assert_eq!(recording.started("work").parent, SpanContext::NONE);
}

#[test]
fn set_active_span_and_get_it_back() {
    let tracer = Recording::default().tracer("t");
    let span = tracer.start_with_context("parent", &Context::new());
    let expected = span.span_context().clone();
    let cx = Context::new().with_span(span);
    assert_eq!(cx.span().span_context(), &expected);
    assert!(
        !Context::current().has_active_span(),
        "with_span does not attach"
    );
    let _guard = cx.attach();
    get_active_span(|active| assert_eq!(active.span_context(), &expected));
    assert_eq!(Context::current().span().span_context(), &expected);
}

#[test]
fn new_spans_are_children_of_the_active_span_unless_given_a_context() {
    let recording = Recording::default();
    let tracer = recording.tracer("t");

    let root = tracer.start_with_context("root", &Context::new());
    let root_cx = root.span_context().clone();
    let guard = mark_span_as_active(root);
    get_active_span(|active| assert_eq!(active.span_context(), &root_cx));
    tracer.start("implicit-child").end();
    tracer.in_span("scoped", |cx| {
        let scoped = cx.span().span_context().clone();
        tracer.start("grandchild").end();
        assert_eq!(recording.started("grandchild").parent, scoped);
    });
    let other = Context::new().with_remote_span_context(span_context(7, 8, true));
    tracer.start_with_context("explicit-child", &other).end();
    tracer
        .start_with_context("explicit-root", &Context::new())
        .end();
    drop(guard);
    tracer.start("after-guard").end();

    assert_eq!(recording.started("root").parent, SpanContext::NONE);
    assert_eq!(recording.started("implicit-child").parent, root_cx);
    assert_eq!(recording.started("scoped").parent, root_cx);
    assert_eq!(
        recording.started("explicit-child").parent,
        span_context(7, 8, true)
    );
    assert_eq!(recording.started("explicit-root").parent, SpanContext::NONE);
    assert_eq!(recording.started("after-guard").parent, SpanContext::NONE);
}
