//! Trace API promises named by rows of the compliance ledger (`compliance/rust.yaml`) that no
//! other test proves directly.

use opentelemetry_api::trace::{
    get_active_span, Span, SpanBuilder, SpanContext, SpanId, Status, TraceContextExt, TraceFlags,
    TraceId, TraceState, Tracer, TracerProvider,
};
use opentelemetry_api::{global, Context, InstrumentationScope, KeyValue};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::SystemTime;

/// What a span had seen when it ended.
#[derive(Clone, Debug, Default, PartialEq)]
struct Tally {
    attributes: u64,
    events: u64,
    links: u64,
    ends: u64,
}

/// A recording span with plain (unsynchronised) counters: `Span` methods take `&mut self`,
/// so sharing it between threads is up to the API.
struct CountingSpan {
    cx: SpanContext,
    tally: Tally,
    ended: Arc<Mutex<Option<Tally>>>,
}

impl Span for CountingSpan {
    fn span_context(&self) -> &SpanContext {
        &self.cx
    }
    fn is_recording(&self) -> bool {
        self.tally.ends == 0
    }
    fn set_attribute(&mut self, _: KeyValue) {
        self.tally.attributes += 1;
    }
    fn set_status(&mut self, _: Status) {}
    fn record_event(&mut self, _: Cow<'static, str>, _: Option<SystemTime>, _: Vec<KeyValue>) {
        self.tally.events += 1;
    }
    fn add_link(&mut self, _: SpanContext, _: Vec<KeyValue>) {
        self.tally.links += 1;
    }
    fn rename(&mut self, _: Cow<'static, str>) {}
    fn end_at(&mut self, _: Option<SystemTime>) {
        self.tally.ends += 1;
        *self.ended.lock().unwrap() = Some(self.tally.clone());
    }
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn a_span_shared_through_a_context_is_safe_to_call_from_many_threads() {
    assert_send_sync::<Context>();
    let sc = SpanContext::new(
        TraceId::from(1u128),
        SpanId::from(2u64),
        TraceFlags::SAMPLED,
        false,
        TraceState::NONE,
    );
    let ended = Arc::new(Mutex::new(None));
    let cx = Context::new().with_span(CountingSpan {
        cx: sc.clone(),
        tally: Tally::default(),
        ended: ended.clone(),
    });

    const THREADS: u64 = 8;
    const CALLS: u64 = 1_000;
    let start = Arc::new(std::sync::Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (cx, start, sc) = (cx.clone(), start.clone(), sc.clone());
            std::thread::spawn(move || {
                start.wait();
                let _guard = cx.clone().attach();
                for i in 0..CALLS {
                    let span = cx.span();
                    assert!(span.is_recording());
                    assert_eq!(span.span_context(), &sc);
                    span.set_attribute(KeyValue::new("thread", t as i64));
                    span.add_event("tick", vec![KeyValue::new("i", i as i64)]);
                    if i % 10 == 0 {
                        span.add_link(sc.clone(), vec![]);
                    }
                    // The same span reached through the current context.
                    get_active_span(|active| active.add_event("via current", vec![]));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    cx.span().end();
    assert!(!cx.span().is_recording());
    assert_eq!(
        ended.lock().unwrap().take(),
        Some(Tally {
            attributes: THREADS * CALLS,
            events: 2 * THREADS * CALLS,
            links: THREADS * CALLS / 10,
            ends: 1,
        }),
        "no call was lost or torn"
    );
}

/// What a [`CountingProvider`] has seen: tracers handed out and spans ended, per scope name,
/// and spans started. Plain maps behind locks, as an SDK's state might be.
#[derive(Default)]
struct Counts {
    tracers: Mutex<HashMap<String, u64>>,
    started: AtomicU64,
    ended: Mutex<HashMap<String, u64>>,
}

#[derive(Clone, Default)]
struct CountingProvider(Arc<Counts>);

struct CountingTracer {
    scope: String,
    counts: Arc<Counts>,
}

struct EndCountingSpan {
    cx: SpanContext,
    scope: String,
    counts: Arc<Counts>,
    done: bool,
}

impl TracerProvider for CountingProvider {
    type Tracer = CountingTracer;
    fn tracer_with_scope(&self, scope: InstrumentationScope) -> CountingTracer {
        let name = scope.name().to_string();
        *self
            .0
            .tracers
            .lock()
            .unwrap()
            .entry(name.clone())
            .or_default() += 1;
        CountingTracer {
            scope: name,
            counts: self.0.clone(),
        }
    }
}

impl Tracer for CountingTracer {
    type Span = EndCountingSpan;
    fn build_with_context(&self, _: SpanBuilder, parent_cx: &Context) -> EndCountingSpan {
        let id = self.counts.started.fetch_add(1, Ordering::Relaxed) + 1;
        let parent = parent_cx.span().span_context().clone();
        let trace_id = if parent.is_valid() {
            parent.trace_id()
        } else {
            TraceId::from(u128::from(id))
        };
        EndCountingSpan {
            cx: SpanContext::new(
                trace_id,
                SpanId::from(id),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            scope: self.scope.clone(),
            counts: self.counts.clone(),
            done: false,
        }
    }
}

impl Span for EndCountingSpan {
    fn span_context(&self) -> &SpanContext {
        &self.cx
    }
    fn is_recording(&self) -> bool {
        !self.done
    }
    fn set_attribute(&mut self, _: KeyValue) {}
    fn set_status(&mut self, _: Status) {}
    fn record_event(&mut self, _: Cow<'static, str>, _: Option<SystemTime>, _: Vec<KeyValue>) {}
    fn add_link(&mut self, _: SpanContext, _: Vec<KeyValue>) {}
    fn rename(&mut self, _: Cow<'static, str>) {}
    fn end_at(&mut self, _: Option<SystemTime>) {
        if !self.done {
            self.done = true;
            let mut ended = self.counts.ended.lock().unwrap();
            *ended.entry(self.scope.clone()).or_default() += 1;
        }
    }
}

/// Ends on drop, as an SDK span does (so `in_span` ends its span).
impl Drop for EndCountingSpan {
    fn drop(&mut self) {
        self.end_at(None);
    }
}

/// Shares `provider` and one of its tracers between threads and calls their operations from
/// all of them at once. Compiles for any provider only because `TracerProvider` and `Tracer`
/// have `Send + Sync` as supertraits.
fn use_from_many_threads<P: TracerProvider>(provider: &P, threads: usize, calls: usize) {
    let shared = provider.tracer("shared");
    let start = Barrier::new(threads);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (shared, start) = (&shared, &start);
            s.spawn(move || {
                start.wait();
                for _ in 0..calls {
                    // Get a tracer, while the other threads do too.
                    let scope = InstrumentationScope::builder(format!("t{t}")).build();
                    let own = provider.tracer_with_scope(scope);
                    own.start("own").end();
                    // Create spans from one tracer shared by every thread.
                    assert!(shared.enabled());
                    shared.in_span("outer", |cx| {
                        let mut inner = shared.start_with_context("inner", &cx);
                        let parent_trace = cx.span().span_context().trace_id();
                        assert_eq!(inner.span_context().trace_id(), parent_trace);
                        inner.end();
                    });
                }
            });
        }
    });
}

/// Checks what [`use_from_many_threads`] left in `counts`: nothing lost or counted twice.
fn assert_counts(counts: &Counts, threads: usize, calls: usize) {
    let per_thread = calls as u64;
    let all = (threads * calls) as u64;
    let tracers = counts.tracers.lock().unwrap();
    assert_eq!(tracers["shared"], 1);
    let ended = counts.ended.lock().unwrap();
    for t in 0..threads {
        assert_eq!(tracers[&format!("t{t}")], per_thread);
        assert_eq!(ended[&format!("t{t}")], per_thread);
    }
    assert_eq!(counts.started.load(Ordering::Relaxed), 3 * all);
    assert_eq!(ended["shared"], 2 * all, "two shared-tracer spans per call");
}

#[test]
fn tracer_providers_and_tracers_are_safe_to_use_from_many_threads() {
    const THREADS: usize = 8;
    let provider = CountingProvider::default();
    use_from_many_threads(&provider, THREADS, 200);
    assert_counts(&provider.0, THREADS, 200);

    // The same through the global provider and its tracers, which delegate to the
    // installed provider.
    let installed = CountingProvider::default();
    global::set_tracer_provider(installed.clone());
    use_from_many_threads(&global::tracer_provider(), THREADS, 50);
    assert_counts(&installed.0, THREADS, 50);
}

/// The documentation row of the matrix: the API docs recommend attributes at span creation,
/// on the builder and on `Span::set_attribute` (what a user reads when setting one later).
#[test]
fn docs_prefer_attributes_given_at_span_creation() {
    let builder_docs = include_str!("../src/trace/tracer.rs");
    assert!(builder_docs
        .contains("/// Attributes given here, rather than set after start, are seen by samplers: prefer them."));
    let span_docs = include_str!("../src/trace/span.rs");
    assert!(span_docs
        .contains("/// Attributes known when the span starts should be given at creation instead"));
}

/// A tracer that records, for each span it starts, the parent span context it was given:
/// `build_with_context` is the one method a tracer must implement, and its only way to learn
/// a parent is the `Context`.
#[derive(Default)]
struct ParentRecorder {
    parents: Mutex<Vec<Option<SpanContext>>>,
}

impl Tracer for ParentRecorder {
    type Span = opentelemetry_api::trace::noop::NoopSpan;

    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> Self::Span {
        // Exhaustive on purpose: this stops compiling if a field is added to the builder, so
        // a parent field could not be added without this test being revisited.
        let SpanBuilder {
            name: _,
            span_kind: _,
            attributes: _,
            links: _,
            start_time: _,
        } = builder;
        let parent = parent_cx
            .has_active_span()
            .then(|| parent_cx.span().span_context().clone());
        self.parents.lock().unwrap().push(parent);
        opentelemetry_api::trace::noop::NoopSpan::DEFAULT
    }
}

#[test]
fn a_parent_can_only_be_given_as_a_context() {
    let tracer = ParentRecorder::default();
    let parent_sc = SpanContext::new(
        TraceId::from(7u128),
        SpanId::from(8u64),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let parent_cx = Context::new().with_remote_span_context(parent_sc.clone());

    // Every way the API offers to start a span, with the parent given as a context (or the
    // current context). There is no other kind of parent argument to give: the builder's
    // fields are listed exhaustively above, and every method ends in `build_with_context`.
    tracer.start_with_context("a", &parent_cx);
    tracer.build_with_context(tracer.span_builder("b"), &parent_cx);
    SpanBuilder::from_name("c").start_with_context(&tracer, &parent_cx);
    {
        let _guard = parent_cx.clone().attach();
        tracer.start("d");
        tracer.build(tracer.span_builder("e"));
        SpanBuilder::from_name("f").start(&tracer);
        tracer.in_span("g", |_| ());
    }
    // Without a context holding a span, a span has no parent.
    tracer.start("root");

    let parents = tracer.parents.lock().unwrap().clone();
    assert_eq!(parents.len(), 8);
    assert!(
        parents[..7].iter().all(|p| p.as_ref() == Some(&parent_sc)),
        "{parents:?}"
    );
    assert_eq!(parents[7], None);
}
