//! The global tracer provider: tracers taken before an SDK is installed start recording once
//! one is, and follow a replaced provider. (Each test runs in its own process under nextest.)

use opentelemetry_api::trace::{
    Span, SpanBuilder, SpanContext, SpanId, Status, TraceContextExt, TraceFlags, TraceId,
    TraceState, Tracer, TracerProvider,
};
use opentelemetry_api::{global, Context, InstrumentationScope, KeyValue};
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

#[derive(Clone, Default)]
struct Recorder {
    label: &'static str,
    ended: Arc<Mutex<Vec<String>>>,
}

struct RecordingTracer(Recorder);

struct RecordingSpan {
    name: Cow<'static, str>,
    cx: SpanContext,
    recorder: Recorder,
    ended: bool,
}

static NEXT: AtomicU64 = AtomicU64::new(1);

impl TracerProvider for Recorder {
    type Tracer = RecordingTracer;
    fn tracer_with_scope(&self, _scope: InstrumentationScope) -> RecordingTracer {
        RecordingTracer(self.clone())
    }
}

impl Tracer for RecordingTracer {
    type Span = RecordingSpan;
    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> RecordingSpan {
        let parent = parent_cx.span().span_context().clone();
        let trace_id = if parent.is_valid() {
            parent.trace_id()
        } else {
            TraceId::from(99u128)
        };
        RecordingSpan {
            name: builder.name,
            cx: SpanContext::new(
                trace_id,
                SpanId::from(NEXT.fetch_add(1, Ordering::Relaxed)),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            recorder: self.0.clone(),
            ended: false,
        }
    }
}

impl Span for RecordingSpan {
    fn span_context(&self) -> &SpanContext {
        &self.cx
    }
    fn is_recording(&self) -> bool {
        !self.ended
    }
    fn set_attribute(&mut self, _: KeyValue) {}
    fn set_status(&mut self, _: Status) {}
    fn record_event(&mut self, _: Cow<'static, str>, _: Option<SystemTime>, _: Vec<KeyValue>) {}
    fn add_link(&mut self, _: SpanContext, _: Vec<KeyValue>) {}
    fn rename(&mut self, name: Cow<'static, str>) {
        self.name = name;
    }
    fn end_at(&mut self, _: Option<SystemTime>) {
        if !self.ended {
            self.ended = true;
            let line = format!("{}:{}", self.recorder.label, self.name);
            self.recorder.ended.lock().unwrap().push(line);
        }
    }
}

impl Drop for RecordingSpan {
    fn drop(&mut self) {
        self.end()
    }
}

#[test]
fn tracer_taken_before_install_records_after_install() {
    let tracer = global::tracer("early");
    let mut span = tracer.start("before");
    assert!(!span.is_recording());
    span.end();

    let first = Recorder {
        label: "first",
        ..Default::default()
    };
    global::set_tracer_provider(first.clone());
    let mut span = tracer.start("after");
    assert!(span.is_recording());
    span.end();
    assert_eq!(
        *first.ended.lock().unwrap(),
        vec!["first:after".to_string()]
    );

    let second = Recorder {
        label: "second",
        ..Default::default()
    };
    global::set_tracer_provider(second.clone());
    tracer.in_span("replaced", |cx| {
        assert!(cx.span().is_recording());
        let child = tracer.start("child");
        assert_eq!(
            child.span_context().trace_id(),
            cx.span().span_context().trace_id()
        );
    });
    assert_eq!(
        *second.ended.lock().unwrap(),
        vec!["second:child".to_string(), "second:replaced".to_string()]
    );
    assert!(global::tracer("late").enabled());
}

#[test]
fn global_noop_tracer_keeps_propagating_remote_parent() {
    let remote = SpanContext::new(
        TraceId::from(5u128),
        SpanId::from(6u64),
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    );
    let _g = Context::new()
        .with_remote_span_context(remote.clone())
        .attach();
    let span = global::tracer("x").start("child");
    assert_eq!(span.span_context(), &remote);
    assert!(!global::tracer("x").enabled());
}

#[test]
fn installing_the_global_provider_as_the_global_provider_is_refused() {
    let recorder = Recorder {
        label: "real",
        ..Default::default()
    };
    global::set_tracer_provider(recorder.clone());
    global::set_tracer_provider(global::tracer_provider());
    // Still delegating to the real provider, not recursing into itself.
    global::tracer("t").start("after").end();
    assert_eq!(
        *recorder.ended.lock().unwrap(),
        vec!["real:after".to_string()]
    );
}
