//! The trace SDK through its public API: provider life cycle, span data model, sampling,
//! limits and processors.

use opentelemetry_api::trace::{
    Link, Span as _, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId,
    TraceState, Tracer, TracerProvider,
};
use opentelemetry_api::{global, Context, InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::trace::{
    IdGenerator, InMemorySpanExporter, RandomIdGenerator, SamplingDecision, SamplingResult,
    SdkTracerProvider, ShouldSample, Span, SpanData, SpanLimits, SpanProcessor,
};
use opentelemetry_sdk::{Error, Resource};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

fn provider_with(exporter: &InMemorySpanExporter) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build()
}

fn remote_parent(sampled: bool) -> SpanContext {
    SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::default().with_sampled(sampled),
        true,
        TraceState::from_key_value([("vendor", "v1")]).unwrap(),
    )
}

#[test]
fn root_and_child_spans_carry_the_data_model() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let scope = InstrumentationScope::builder("lib")
        .with_version("1.0")
        .with_schema_url("https://opentelemetry.io/schemas/1.44.0")
        .with_attributes([KeyValue::new("scope.attr", true)])
        .build();
    let tracer = provider.tracer_with_scope(scope.clone());
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let end = start + Duration::from_millis(250);

    let mut root = tracer
        .span_builder("GET /users")
        .with_kind(SpanKind::Server)
        .with_start_time(start)
        .with_attributes([KeyValue::new("http.request.method", "GET")])
        .with_links(vec![Link::new(
            remote_parent(true),
            vec![KeyValue::new("l", 1)],
        )])
        .start(&tracer);
    assert!(root.is_recording());
    assert!(
        root.span_context().trace_flags().is_random(),
        "root spans of random IDs set the random flag"
    );
    let cx = Context::new().with_span(tracer.start("placeholder"));
    drop(cx);
    root.set_attribute(KeyValue::new("http.response.status_code", 200));
    root.add_event("cache miss", vec![KeyValue::new("key", "u1")]);
    root.add_link(remote_parent(false), vec![]);
    root.update_name("GET /users/{id}");
    root.set_status(Status::error("boom"));
    let root_sc = root.span_context().clone();
    let root_cx = Context::new().with_span(root);
    let mut child = tracer.start_with_context("db query", &root_cx);
    assert_eq!(child.span_context().trace_id(), root_sc.trace_id());
    child.end_with_timestamp(end);
    root_cx.span().end_with_timestamp(end);

    let spans = exporter.get_finished_spans();
    let names: Vec<_> = spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(names, ["placeholder", "db query", "GET /users/{id}"]);
    let (child, root) = (&spans[1], &spans[2]);
    assert_eq!(child.parent_span_id, root_sc.span_id());
    assert!(!child.parent_span_is_remote);
    assert_eq!(child.end_time, end);
    assert_eq!(root.parent_span_id, SpanId::INVALID);
    assert_eq!(root.span_kind, SpanKind::Server);
    assert_eq!(root.start_time, start);
    assert_eq!(root.attributes.len(), 2);
    assert_eq!(root.events.events[0].name, "cache miss");
    assert_eq!(root.links.links.len(), 2);
    assert_eq!(root.status, Status::error("boom"));
    assert_eq!(*root.instrumentation_scope, scope);
}

#[test]
fn remote_parent_is_continued() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let cx = Context::new().with_remote_span_context(remote_parent(true));
    let span = provider.tracer("t").start_with_context("server", &cx);
    let sc = span.span_context().clone();
    assert_eq!(sc.trace_id(), remote_parent(true).trace_id());
    assert_ne!(sc.span_id(), remote_parent(true).span_id());
    assert_eq!(sc.trace_state().get("vendor"), Some("v1"));
    assert!(!sc.is_remote());
    drop(span);
    let data = &exporter.get_finished_spans()[0];
    assert!(data.parent_span_is_remote);
    assert_eq!(data.parent_span_id, remote_parent(true).span_id());
}

#[test]
fn non_sampled_spans_are_not_recording_but_get_new_span_ids() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let cx = Context::new().with_remote_span_context(remote_parent(false));
    let tracer = provider.tracer("t");
    let a = tracer.start_with_context("a", &cx);
    let b = tracer.start_with_context("b", &cx);
    assert!(!a.is_recording());
    assert!(!a.span_context().is_sampled());
    assert!(a.span_context().is_valid());
    assert_ne!(a.span_context().span_id(), b.span_context().span_id());
    assert_ne!(a.span_context().span_id(), remote_parent(false).span_id());
    drop((a, b));
    assert!(exporter.get_finished_spans().is_empty());
}

#[derive(Debug)]
struct RecordOnly;
impl ShouldSample for RecordOnly {
    fn should_sample(
        &self,
        _: &Context,
        _: TraceId,
        _: &str,
        _: SpanKind,
        _: &[KeyValue],
        _: &[Link],
    ) -> SamplingResult {
        SamplingResult {
            decision: SamplingDecision::RecordOnly,
            attributes: vec![KeyValue::new("sampler.attr", "x")],
            trace_state: TraceState::from_key_value([("s", "1")]).unwrap(),
        }
    }
    fn description(&self) -> String {
        "RecordOnly".into()
    }
}

#[derive(Debug, Default)]
struct Recording {
    events: Mutex<Vec<String>>,
    ended: Mutex<Vec<SpanData>>,
}

#[derive(Debug, Clone, Default)]
struct RecordingProcessor(Arc<Recording>, &'static str);

impl SpanProcessor for RecordingProcessor {
    fn on_start(&self, span: &mut Span, parent_cx: &Context) {
        span.set_attribute(KeyValue::new(self.1, "started"));
        let parent = parent_cx.span().span_context().span_id();
        self.0
            .events
            .lock()
            .unwrap()
            .push(format!("{}:start parent={parent}", self.1));
    }
    fn on_ending(&self, span: &mut SpanData) {
        span.attributes.push(KeyValue::new("ending", self.1));
        self.0
            .events
            .lock()
            .unwrap()
            .push(format!("{}:ending", self.1));
    }
    fn on_end(&self, span: SpanData) {
        self.0
            .events
            .lock()
            .unwrap()
            .push(format!("{}:end", self.1));
        self.0.ended.lock().unwrap().push(span);
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        self.0
            .events
            .lock()
            .unwrap()
            .push(format!("{}:flush", self.1));
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        self.0
            .events
            .lock()
            .unwrap()
            .push(format!("{}:shutdown", self.1));
        Ok(())
    }
}

#[test]
fn record_only_reaches_processors_but_not_exporters_and_sampler_output_is_applied() {
    let exporter = InMemorySpanExporter::default();
    let rec = Arc::new(Recording::default());
    let provider = SdkTracerProvider::builder()
        .with_sampler(RecordOnly)
        .with_span_processor(RecordingProcessor(rec.clone(), "p"))
        .with_simple_exporter(exporter.clone())
        .build();
    let span = provider.tracer("t").start("x");
    assert!(span.is_recording());
    assert!(!span.span_context().is_sampled());
    assert_eq!(span.span_context().trace_state().get("s"), Some("1"));
    drop(span);
    assert!(
        exporter.get_finished_spans().is_empty(),
        "exporters only get sampled spans"
    );
    let ended = rec.ended.lock().unwrap();
    assert_eq!(ended.len(), 1);
    assert!(ended[0]
        .attributes
        .contains(&KeyValue::new("sampler.attr", "x")));
}

#[test]
fn processors_run_in_order_with_parent_context_and_on_ending_before_on_end() {
    let rec = Arc::new(Recording::default());
    let provider = SdkTracerProvider::builder()
        .with_span_processor(RecordingProcessor(rec.clone(), "a"))
        .with_span_processor(RecordingProcessor(rec.clone(), "b"))
        .build();
    let cx = Context::new().with_remote_span_context(remote_parent(true));
    provider.tracer("t").start_with_context("s", &cx).end();
    provider.force_flush().unwrap();
    provider.shutdown().unwrap();
    let events = rec.events.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            "a:start parent=00f067aa0ba902b7",
            "b:start parent=00f067aa0ba902b7",
            "a:ending",
            "b:ending",
            "a:end",
            "b:end",
            "a:flush",
            "b:flush",
            "a:shutdown",
            "b:shutdown"
        ]
    );
    let ended = rec.ended.lock().unwrap();
    assert!(ended[0].attributes.contains(&KeyValue::new("a", "started")));
    assert!(ended[1].attributes.contains(&KeyValue::new("ending", "b")));
}

#[test]
fn shutdown_is_idempotent_and_later_spans_are_not_recorded() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let tracer = provider.tracer("t");
    assert!(tracer.enabled());
    provider.shutdown().unwrap();
    assert_eq!(provider.shutdown(), Err(Error::AlreadyShutdown));
    assert_eq!(provider.force_flush(), Err(Error::AlreadyShutdown));
    assert!(exporter.is_shutdown());
    let cx = Context::new().with_remote_span_context(remote_parent(true));
    let span = tracer.start_with_context("late", &cx);
    assert!(!span.is_recording());
    assert_eq!(
        span.span_context(),
        &remote_parent(true),
        "behaves as the no-op tracer"
    );
    assert!(!tracer.enabled());
    drop(span);
    assert!(exporter.get_finished_spans().is_empty());
}

#[test]
fn dropping_the_last_handle_shuts_the_provider_down() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let tracer = provider.tracer("t");
    drop(provider);
    assert!(!exporter.is_shutdown(), "a tracer still holds the provider");
    tracer.start("x").end();
    drop(tracer);
    assert!(exporter.is_shutdown());
    assert_eq!(exporter.get_finished_spans().len(), 1);
}

#[test]
fn end_is_idempotent_and_ended_spans_are_read_only() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let mut span = provider.tracer("t").start("s");
    span.end();
    assert!(!span.is_recording());
    span.set_attribute(KeyValue::new("late", 1));
    span.add_event("late", vec![]);
    span.set_status(Status::Ok);
    span.update_name("renamed");
    span.end();
    drop(span);
    let spans = exporter.get_finished_spans();
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].name, "s");
    assert!(spans[0].attributes.is_empty());
    assert_eq!(spans[0].status, Status::Unset);
}

#[test]
fn status_precedence_on_sdk_spans() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let mut span = provider.tracer("t").start("s");
    span.set_status(Status::error("first"));
    span.set_status(Status::Unset);
    span.set_status(Status::Ok);
    span.set_status(Status::error("ignored"));
    span.end();
    assert_eq!(exporter.get_finished_spans()[0].status, Status::Ok);
}

#[test]
fn record_exception_adds_an_exception_event() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let mut span = provider.tracer("t").start("s");
    let err = std::io::Error::other("disk full");
    span.record_exception(
        &err,
        vec![KeyValue::new("exception.type", "std::io::Error")],
    );
    span.end();
    let event = &exporter.get_finished_spans()[0].events.events[0];
    assert_eq!(event.name, "exception");
    assert!(event
        .attributes
        .contains(&KeyValue::new("exception.message", "disk full")));
    assert!(event
        .attributes
        .contains(&KeyValue::new("exception.type", "std::io::Error")));
}

#[test]
fn limits_drop_and_count() {
    let exporter = InMemorySpanExporter::default();
    let limits = SpanLimits {
        max_attributes_per_span: 2,
        max_attribute_value_length: Some(3),
        max_events_per_span: 1,
        max_links_per_span: 1,
        max_attributes_per_event: 1,
        max_attributes_per_link: 1,
    };
    let provider = SdkTracerProvider::builder()
        .with_span_limits(limits)
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("t");
    let mut span = tracer
        .span_builder("s")
        .with_attributes([
            KeyValue::new("a", "abcdef"),
            KeyValue::new("b", 1),
            KeyValue::new("c", 2),
        ])
        .with_links(vec![
            Link::new(
                remote_parent(true),
                vec![KeyValue::new("x", 1), KeyValue::new("y", 2)],
            ),
            Link::with_context(remote_parent(false)),
        ])
        .start(&tracer);
    span.set_attribute(KeyValue::new("d", 3));
    span.set_attribute(KeyValue::new("a", "replaced-not-dropped"));
    span.add_event("e1", vec![KeyValue::new("p", 1), KeyValue::new("q", 2)]);
    span.add_event("e2", vec![]);
    span.add_link(remote_parent(true), vec![]);
    span.end();
    let s = &exporter.get_finished_spans()[0];
    assert_eq!(
        s.attributes,
        vec![KeyValue::new("a", "rep"), KeyValue::new("b", 1)]
    );
    assert_eq!(s.dropped_attributes_count, 2);
    assert_eq!(s.events.events.len(), 1);
    assert_eq!(s.events.dropped_count, 1);
    assert_eq!(s.events.events[0].dropped_attributes_count, 1);
    assert_eq!(s.links.links.len(), 1);
    assert_eq!(s.links.dropped_count, 2);
    assert_eq!(s.links.links[0].dropped_attributes_count, 1);
    assert_eq!(s.attributes[0].value, Value::from("rep"));
}

#[derive(Debug)]
struct SequentialIds(Mutex<u64>);
impl IdGenerator for SequentialIds {
    fn new_trace_id(&self) -> TraceId {
        TraceId::from(0xabcu128)
    }
    fn new_span_id(&self) -> SpanId {
        let mut n = self.0.lock().unwrap();
        *n += 1;
        SpanId::from(*n)
    }
}

#[test]
fn custom_id_generator_without_randomness_does_not_set_the_random_flag() {
    let provider = SdkTracerProvider::builder()
        .with_id_generator(SequentialIds(Mutex::new(0)))
        .build();
    let span = provider.tracer("t").start("s");
    assert_eq!(span.span_context().trace_id(), TraceId::from(0xabcu128));
    assert_eq!(span.span_context().span_id(), SpanId::from(1u64));
    assert!(!span.span_context().trace_flags().is_random());
    assert!(RandomIdGenerator::default().is_random());
}

#[test]
fn suppressed_context_records_nothing() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let _g = Context::enter_telemetry_suppressed_scope();
    let span = provider.tracer("t").start("inside exporter");
    assert!(!span.is_recording());
    drop(span);
    assert!(exporter.get_finished_spans().is_empty());
}

#[test]
fn resource_reaches_the_exporter() {
    let exporter = InMemorySpanExporter::default();
    let resource = Resource::builder_empty().with_service_name("svc").build();
    let _provider = SdkTracerProvider::builder()
        .with_resource(resource.clone())
        .with_simple_exporter(exporter.clone())
        .build();
    assert_eq!(exporter.resource(), Some(resource));
}

#[test]
fn global_tracer_taken_before_install_records_through_the_sdk() {
    let tracer = global::tracer("early");
    tracer.start("ignored").end();
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    global::set_tracer_provider(provider.clone());
    tracer.in_span("outer", |_| tracer.start("inner").end());
    let names: Vec<_> = exporter
        .get_finished_spans()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["inner", "outer"]);
}

#[test]
fn tracers_are_safe_to_use_from_many_threads() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let tracer = provider.tracer("t");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for i in 0..250 {
                    let mut span = tracer.start("work");
                    span.set_attribute(KeyValue::new("i", i));
                }
            });
        }
    });
    assert_eq!(exporter.get_finished_spans().len(), 1000);
}

#[test]
fn shared_span_in_context_is_safe_for_concurrent_calls() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let cx = Context::new().with_span(provider.tracer("t").start("shared"));
    std::thread::scope(|s| {
        for t in 0..4 {
            let cx = cx.clone();
            s.spawn(move || {
                for i in 0..25 {
                    cx.span()
                        .set_attribute(KeyValue::new(format!("t{t}-{i}"), i));
                    cx.span().add_event("e", vec![]);
                }
            });
        }
    });
    cx.span().end();
    let span = &exporter.get_finished_spans()[0];
    assert_eq!(span.attributes.len(), 100);
    assert_eq!(
        span.events.events.len() as u32 + span.events.dropped_count,
        100
    );
}

#[test]
fn provider_and_tracers_are_safe_to_use_from_many_threads() {
    const THREADS: usize = 8;
    const CALLS: usize = 100;
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let shared = provider.tracer("shared");
    let start = std::sync::Barrier::new(THREADS);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (provider, shared, start) = (&provider, &shared, &start);
            s.spawn(move || {
                start.wait();
                for _ in 0..CALLS {
                    provider.tracer(format!("t{t}")).start("own").end();
                    shared.in_span("outer", |cx| {
                        shared.start_with_context("inner", &cx).end();
                    });
                }
            });
        }
    });
    let spans = exporter.get_finished_spans();
    assert_eq!(
        spans.len(),
        3 * THREADS * CALLS,
        "no span lost or duplicated"
    );
    let ids: std::collections::HashSet<_> =
        spans.iter().map(|s| s.span_context.span_id()).collect();
    assert_eq!(ids.len(), spans.len(), "span IDs are unique");
    for t in 0..THREADS {
        let scope = format!("t{t}");
        let own = spans
            .iter()
            .filter(|s| s.instrumentation_scope.name() == scope)
            .count();
        assert_eq!(own, CALLS);
    }
    let by_id: std::collections::HashMap<_, _> = spans
        .iter()
        .map(|s| (s.span_context.span_id(), s))
        .collect();
    for inner in spans.iter().filter(|s| s.name == "inner") {
        let outer = by_id[&inner.parent_span_id];
        assert_eq!(outer.name, "outer");
        assert_eq!(outer.span_context.trace_id(), inner.span_context.trace_id());
    }
}

#[test]
fn links_to_invalid_contexts_are_kept_only_when_they_carry_data() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let tracer = provider.tracer("t");
    let with_state = SpanContext::new(
        TraceId::INVALID,
        SpanId::INVALID,
        TraceFlags::default(),
        false,
        TraceState::from_key_value([("k", "v")]).unwrap(),
    );
    let mut span = tracer
        .span_builder("s")
        .with_links(vec![
            Link::with_context(SpanContext::NONE),
            Link::new(SpanContext::NONE, vec![KeyValue::new("why", "lost parent")]),
        ])
        .start(&tracer);
    span.add_link(SpanContext::NONE, vec![]);
    span.add_link(with_state.clone(), vec![]);
    span.end();
    let links = &exporter.get_finished_spans()[0].links.links;
    assert_eq!(links.len(), 2);
    assert_eq!(
        links[0].attributes,
        vec![KeyValue::new("why", "lost parent")]
    );
    assert_eq!(links[1].span_context, with_state);
}

fn capture_warnings() -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    global::set_diagnostic_handler(global::DiagnosticLevel::Warn, move |d| {
        sink.lock()
            .unwrap()
            .push(format!("{}: {}", d.name, d.message));
    });
    seen
}

#[test]
fn limits_hit_at_start_are_reported_once() {
    let seen = capture_warnings();
    let provider = SdkTracerProvider::builder()
        .with_span_limits(SpanLimits {
            max_attributes_per_span: 1,
            ..SpanLimits::default()
        })
        .build();
    let tracer = provider.tracer("t");
    let mut span = tracer
        .span_builder("s")
        .with_attributes([KeyValue::new("a", 1), KeyValue::new("b", 2)])
        .start(&tracer);
    span.set_attribute(KeyValue::new("c", 3));
    let seen = seen.lock().unwrap();
    let limit: Vec<_> = seen
        .iter()
        .filter(|m| m.starts_with("Span.LimitReached"))
        .collect();
    assert_eq!(limit.len(), 1, "{seen:?}");
    assert!(
        limit[0].contains("1 attributes and 0 links dropped"),
        "{seen:?}"
    );
}

#[test]
fn an_empty_tracer_name_is_reported_but_works() {
    let seen = capture_warnings();
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    provider.tracer("").start("s").end();
    assert_eq!(
        exporter.get_finished_spans()[0]
            .instrumentation_scope
            .name(),
        ""
    );
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|m| m.starts_with("TracerProvider.EmptyTracerName")));
}

/// Adds beyond every limit while the span ends.
#[derive(Debug)]
struct OverfillingOnEnding;

impl SpanProcessor for OverfillingOnEnding {
    fn on_start(&self, _: &mut Span, _: &Context) {}
    fn on_ending(&self, span: &mut SpanData) {
        // A repeated key (the later value wins), then more than the limit allows.
        span.attributes
            .push(KeyValue::new("kept", "replaced while ending"));
        for i in 0..5 {
            span.attributes.push(KeyValue::new(format!("added.{i}"), i));
        }
        // An existing value replaced in place by a longer one.
        if let Some(kv) = span
            .attributes
            .iter_mut()
            .find(|kv| kv.key.as_str() == "short")
        {
            kv.value = Value::from("far too long for the limit");
        }
        for i in 0..4 {
            span.events.events.push(opentelemetry_sdk::trace::Event {
                name: format!("late {i}").into(),
                timestamp: SystemTime::now(),
                attributes: vec![
                    KeyValue::new("a", 1),
                    KeyValue::new("b", 2),
                    KeyValue::new("c", 3),
                ],
                dropped_attributes_count: 0,
            });
        }
        for _ in 0..3 {
            span.links.links.push(Link::new(
                remote_parent(true),
                vec![KeyValue::new("x", 1); 3],
            ));
        }
    }
    fn on_end(&self, _: SpanData) {}
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        Ok(())
    }
}

#[test]
fn what_on_ending_adds_is_held_to_the_span_limits() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_span_limits(SpanLimits {
            max_attributes_per_span: 3,
            max_attribute_value_length: Some(8),
            max_events_per_span: 2,
            max_links_per_span: 1,
            max_attributes_per_event: 2,
            max_attributes_per_link: 1,
        })
        .with_span_processor(OverfillingOnEnding)
        .with_simple_exporter(exporter.clone())
        .build();
    let mut span = provider.tracer("t").start("s");
    span.set_attribute(KeyValue::new("kept", "original"));
    span.set_attribute(KeyValue::new("short", "ok"));
    span.end();
    let spans = exporter.get_finished_spans();
    let data = &spans[0];
    assert_eq!(
        data.attributes,
        [
            KeyValue::new("kept", "replaced"),
            KeyValue::new("short", "far too "),
            KeyValue::new("added.0", 0),
        ],
        "the repeated key keeps its later value, values are cut, the count is kept"
    );
    assert_eq!(data.dropped_attributes_count, 4);
    assert_eq!(data.events.events.len(), 2);
    assert_eq!(data.events.dropped_count, 2);
    for event in &data.events.events {
        assert_eq!(event.attributes.len(), 2);
        assert_eq!(event.dropped_attributes_count, 1);
    }
    assert_eq!(data.links.links.len(), 1);
    assert_eq!(data.links.dropped_count, 2);
    assert_eq!(data.links.links[0].attributes.len(), 1);
}
