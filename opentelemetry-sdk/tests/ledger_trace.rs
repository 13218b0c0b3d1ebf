//! Trace SDK promises named by rows of the compliance ledger (`compliance/rust.yaml`) that no
//! other test proves directly.

use opentelemetry_api::global::{self, DiagnosticLevel};
use opentelemetry_api::trace::{
    Link, Span as _, SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags, TraceId,
    TraceState, Tracer, TracerProvider,
};
use opentelemetry_api::{Array, Context, InstrumentationScope, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, BoxFuture, InMemorySpanExporter, SamplingDecision,
    SamplingResult, SdkTracerProvider, ShouldSample, SimpleSpanProcessor, Span, SpanData,
    SpanExporter, SpanLimits, SpanProcessor,
};
use opentelemetry_sdk::{Error, Resource};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

fn provider_with(exporter: &InMemorySpanExporter) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build()
}

fn context(trace: u128, span: u64, sampled: bool, remote: bool) -> SpanContext {
    SpanContext::new(
        TraceId::from(trace),
        SpanId::from(span),
        TraceFlags::default().with_sampled(sampled),
        remote,
        TraceState::NONE,
    )
}

/// The only span `exporter` received.
fn only_span(exporter: &InMemorySpanExporter) -> SpanData {
    let mut spans = exporter.get_finished_spans();
    assert_eq!(spans.len(), 1, "{spans:?}");
    spans.remove(0)
}

#[test]
fn a_configured_provider_hands_out_tracers_that_keep_their_scope() {
    let exporter = InMemorySpanExporter::default();
    let resource = Resource::builder_empty().with_service_name("svc").build();
    let provider = SdkTracerProvider::builder()
        .with_resource(resource.clone())
        .with_span_limits(SpanLimits::default())
        .with_sampler(opentelemetry_sdk::trace::Sampler::AlwaysOn)
        .with_simple_exporter(exporter.clone())
        .build();
    assert_eq!(provider.resource(), &resource);
    let scope = InstrumentationScope::builder("io.example.lib")
        .with_version("2.1.0")
        .with_schema_url("https://opentelemetry.io/schemas/1.30.0")
        .with_attributes([KeyValue::new("k", "v")])
        .build();
    let tracer = provider.tracer_with_scope(scope.clone());
    assert_eq!(tracer.instrumentation_scope(), &scope);
    let other = provider.tracer("other");
    assert_eq!(other.instrumentation_scope().name(), "other");

    tracer.start("a").end();
    other.start("b").end();
    let spans = exporter.get_finished_spans();
    assert_eq!(*spans[0].instrumentation_scope, scope);
    assert_eq!(spans[1].instrumentation_scope.name(), "other");
    assert_eq!(spans[1].instrumentation_scope.version(), None);
    assert_eq!(exporter.resource(), Some(resource));
}

/// A processor whose flush and shutdown results a test chooses, counting calls.
#[derive(Debug, Default)]
struct Scripted {
    fail: bool,
    flushes: AtomicUsize,
    shutdowns: AtomicUsize,
}

#[derive(Debug, Clone, Default)]
struct ScriptedProcessor(Arc<Scripted>);

impl SpanProcessor for ScriptedProcessor {
    fn on_start(&self, _: &mut Span, _: &Context) {}
    fn on_end(&self, _: SpanData) {}
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        self.0.flushes.fetch_add(1, Ordering::SeqCst);
        if self.0.fail {
            Err(Error::InternalFailure("flush failed".into()))
        } else {
            Ok(())
        }
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        self.0.shutdowns.fetch_add(1, Ordering::SeqCst);
        if self.0.fail {
            Err(Error::InternalFailure("shutdown failed".into()))
        } else {
            Ok(())
        }
    }
}

#[test]
fn provider_force_flush_and_shutdown_reach_every_processor_and_report_failure() {
    let failing = ScriptedProcessor(Arc::new(Scripted {
        fail: true,
        ..Scripted::default()
    }));
    let fine = ScriptedProcessor::default();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(failing.clone())
        .with_span_processor(fine.clone())
        .build();

    assert_eq!(
        provider.force_flush(),
        Err(Error::InternalFailure("flush failed".into()))
    );
    assert_eq!(failing.0.flushes.load(Ordering::SeqCst), 1);
    assert_eq!(
        fine.0.flushes.load(Ordering::SeqCst),
        1,
        "every processor is flushed even after a failure"
    );

    assert_eq!(
        provider.shutdown(),
        Err(Error::InternalFailure("shutdown failed".into()))
    );
    assert_eq!(failing.0.shutdowns.load(Ordering::SeqCst), 1);
    assert_eq!(fine.0.shutdowns.load(Ordering::SeqCst), 1);
    assert_eq!(provider.shutdown(), Err(Error::AlreadyShutdown));
    assert_eq!(
        fine.0.shutdowns.load(Ordering::SeqCst),
        1,
        "processors are shut down once"
    );
    let tracer = provider.tracer("after shutdown");
    assert!(
        !tracer.start("x").is_recording(),
        "a tracer obtained after shutdown is a no-op tracer"
    );
}

/// An exporter whose export never completes.
#[derive(Debug)]
struct NeverCompletes;

impl SpanExporter for NeverCompletes {
    fn export<'a>(&'a mut self, _: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        Box::pin(std::future::pending())
    }
}

#[test]
fn provider_shutdown_times_out() {
    let processor = BatchSpanProcessor::builder(NeverCompletes)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_scheduled_delay(Duration::from_secs(3600))
                .with_max_export_timeout(Duration::ZERO) // no export timeout
                .build(),
        )
        .build();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .build();
    provider.tracer("t").start("stuck").end();
    let start = Instant::now();
    let limit = Duration::from_millis(200);
    assert_eq!(
        provider.shutdown_with_timeout(limit),
        Err(Error::Timeout(limit))
    );
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn span_name_timestamps_and_end() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let tracer = provider.tracer("t");
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    let end = start + Duration::from_secs(2);

    let mut span = tracer
        .span_builder("initial")
        .with_start_time(start)
        .start(&tracer);
    assert!(span.is_recording());
    span.update_name("renamed");
    span.update_name("renamed again");
    let sc = span.span_context().clone();
    let cx = Context::new().with_span(span);
    cx.span().end_with_timestamp(end);
    assert!(
        !cx.span().is_recording(),
        "an ended span is no longer recording"
    );
    cx.span().end_with_timestamp(end + Duration::from_secs(1));
    cx.span().update_name("too late");
    assert_eq!(cx.span().span_context(), &sc, "the context outlives End");

    // End does not deactivate the span: it still parents new spans through its context.
    let child = tracer.start_with_context("child", &cx);
    assert_eq!(child.span_context().trace_id(), sc.trace_id());
    drop(child);

    let mut now_span = tracer.start("ends now");
    let before = SystemTime::now();
    now_span.end();
    let after = SystemTime::now();

    let spans = exporter.get_finished_spans();
    assert_eq!(spans.len(), 3);
    let ended = &spans[0];
    assert_eq!(ended.name, "renamed again");
    assert_eq!(ended.start_time, start);
    assert_eq!(ended.end_time, end, "only the first End counts");
    assert_eq!(spans[1].parent_span_id, sc.span_id());
    assert!(spans[2].end_time >= before && spans[2].end_time <= after);
    assert!(spans[2].start_time <= spans[2].end_time);
}

#[test]
fn attribute_values_of_every_type_reach_the_exporter() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let mut span = provider.tracer("t").start("typed");
    span.set_attribute(KeyValue::new("string", "text"));
    span.set_attribute(KeyValue::new("owned string", String::from("owned")));
    span.set_attribute(KeyValue::new("bool", true));
    span.set_attribute(KeyValue::new("double", 1.5));
    span.set_attribute(KeyValue::new("int64", i64::MIN));
    span.set_attribute(KeyValue::new("bools", vec![true, false]));
    span.set_attribute(KeyValue::new("ints", vec![1i64, -2, i64::MAX]));
    span.set_attribute(KeyValue::new("doubles", vec![0.5, -1.25]));
    span.set_attribute(KeyValue::new(
        "strings",
        vec![StringValue::from("a"), StringValue::from("b")],
    ));
    span.set_attribute(KeyValue::new("replaced", 1));
    span.set_attribute(KeyValue::new("replaced", "now a string"));
    span.end();

    let data = only_span(&exporter);
    let get = |key: &str| {
        data.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
    };
    assert_eq!(get("string"), Some(Value::from("text")));
    assert_eq!(get("owned string"), Some(Value::from("owned")));
    assert_eq!(get("bool"), Some(Value::Bool(true)));
    assert_eq!(get("double"), Some(Value::F64(1.5)));
    assert_eq!(get("int64"), Some(Value::I64(i64::MIN)));
    assert_eq!(
        get("bools"),
        Some(Value::Array(Array::Bool(vec![true, false])))
    );
    assert_eq!(
        get("ints"),
        Some(Value::Array(Array::I64(vec![1, -2, i64::MAX])))
    );
    assert_eq!(
        get("doubles"),
        Some(Value::Array(Array::F64(vec![0.5, -1.25])))
    );
    assert_eq!(
        get("strings"),
        Some(Value::Array(Array::String(vec!["a".into(), "b".into()])))
    );
    assert_eq!(
        get("replaced"),
        Some(Value::from("now a string")),
        "setting a key again overwrites its value"
    );
    assert_eq!(data.attributes.len(), 10, "keys stay unique");

    // Every value is one of these variants: there is no null (or heterogeneous array) to set.
    for kv in &data.attributes {
        let kind = match &kv.value {
            Value::Bool(_) => "bool",
            Value::I64(_) => "int64",
            Value::F64(_) => "double",
            Value::String(_) => "string",
            Value::Array(Array::Bool(_)) => "bool[]",
            Value::Array(Array::I64(_)) => "int64[]",
            Value::Array(Array::F64(_)) => "double[]",
            Value::Array(Array::String(_)) => "string[]",
        };
        assert!(!kind.is_empty());
    }
}

#[test]
fn unicode_keys_and_string_values_are_kept_intact() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let mut span = provider.tracer("t").start("ユニコード");
    span.set_attribute(KeyValue::new("ключ.名前", "värde ✓ 🚀"));
    span.set_attribute(KeyValue::new(
        "emoji",
        vec![StringValue::from("😀"), StringValue::from("ñ")],
    ));
    span.add_event("événement", vec![KeyValue::new("clé", "valeur é")]);
    span.end();
    let data = only_span(&exporter);
    assert_eq!(data.name, "ユニコード");
    assert_eq!(data.attributes[0], KeyValue::new("ключ.名前", "värde ✓ 🚀"));
    assert_eq!(
        data.attributes[1].value,
        Value::Array(Array::String(vec!["😀".into(), "ñ".into()]))
    );
    assert_eq!(data.events.events[0].name, "événement");
    assert_eq!(
        data.events.events[0].attributes[0],
        KeyValue::new("clé", "valeur é")
    );
}

#[test]
fn links_from_creation_and_after_creation_keep_their_order() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let tracer = provider.tracer("t");
    let mut span = tracer
        .span_builder("batch")
        .with_links(vec![
            Link::new(context(1, 1, true, true), vec![KeyValue::new("n", 1)]),
            Link::new(context(2, 2, false, false), vec![KeyValue::new("n", 2)]),
        ])
        .start(&tracer);
    span.add_link(context(3, 3, true, false), vec![KeyValue::new("n", 3)]);
    span.add_link(context(1, 4, true, true), vec![]);
    span.end();
    let data = only_span(&exporter);
    let linked: Vec<u64> = data
        .links
        .links
        .iter()
        .map(|l| u64::from(l.span_context.span_id()))
        .collect();
    assert_eq!(linked, [1, 2, 3, 4]);
    assert_eq!(
        data.links.links[2].attributes,
        vec![KeyValue::new("n", 3)],
        "a link added after creation keeps its attributes"
    );
    assert_eq!(
        data.links.links[1].span_context.trace_id(),
        TraceId::from(2)
    );
    assert_eq!(data.links.dropped_count, 0);
}

#[test]
fn events_keep_their_order_and_timestamps() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let mut span = provider.tracer("t").start("s");
    let past = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
    let before = SystemTime::now();
    span.add_event("first", vec![KeyValue::new("i", 1)]);
    let after = SystemTime::now();
    span.add_event_with_timestamp("second", past, vec![]);
    span.add_event("third", vec![]);
    span.end();
    let events = only_span(&exporter).events.events;
    let names: Vec<_> = events.iter().map(|e| e.name.as_ref()).collect();
    assert_eq!(
        names,
        ["first", "second", "third"],
        "recording order, even with an out-of-order timestamp"
    );
    assert!(events[0].timestamp >= before && events[0].timestamp <= after);
    assert_eq!(events[0].attributes, vec![KeyValue::new("i", 1)]);
    assert_eq!(
        events[1].timestamp, past,
        "a custom timestamp is kept as given"
    );
}

#[derive(Debug)]
struct TestError;

impl std::fmt::Display for TestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset")
    }
}

impl std::error::Error for TestError {}

#[test]
fn record_exception_follows_the_conventions_and_extra_attributes_win() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let mut span = provider.tracer("t").start("s");
    span.record_exception(&TestError, vec![]);
    span.record_exception(
        &TestError,
        vec![
            KeyValue::new("exception.type", "TestError"),
            KeyValue::new("exception.message", "overridden"),
            KeyValue::new("exception.stacktrace", "at main"),
        ],
    );
    span.end();
    let events = only_span(&exporter).events.events;
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.name == "exception"));
    assert_eq!(
        events[0].attributes,
        vec![KeyValue::new("exception.message", "connection reset")]
    );
    let extra = &events[1].attributes;
    assert_eq!(extra.len(), 3, "{extra:?}");
    assert!(extra.contains(&KeyValue::new("exception.message", "overridden")));
    assert!(extra.contains(&KeyValue::new("exception.type", "TestError")));
    assert!(extra.contains(&KeyValue::new("exception.stacktrace", "at main")));
}

/// A value a test puts in the parent context for the sampler to find.
#[derive(Debug, PartialEq)]
struct Tenant(&'static str);

/// What the sampler saw: the tenant in the parent context, the trace ID, the parent span ID.
type Seen = (Option<&'static str>, TraceId, Option<SpanId>);

/// Samples only spans whose parent context carries `Tenant("sampled")`, and records what it
/// was given.
#[derive(Debug, Default)]
struct ContextSampler {
    seen: Mutex<Vec<Seen>>,
}

#[derive(Debug, Clone, Default)]
struct SharedSampler(Arc<ContextSampler>);

impl ShouldSample for SharedSampler {
    fn should_sample(
        &self,
        parent: &Context,
        trace_id: TraceId,
        _: &str,
        _: SpanKind,
        _: &[KeyValue],
        _: &[Link],
    ) -> SamplingResult {
        let tenant = parent.get::<Tenant>().map(|t| t.0);
        let parent_span = parent
            .has_active_span()
            .then(|| parent.span().span_context().span_id());
        self.0
            .seen
            .lock()
            .unwrap()
            .push((tenant, trace_id, parent_span));
        SamplingResult {
            decision: if tenant == Some("sampled") {
                SamplingDecision::RecordAndSample
            } else {
                SamplingDecision::Drop
            },
            attributes: Vec::new(),
            trace_state: parent.span().span_context().trace_state().clone(),
        }
    }
    fn description(&self) -> String {
        "ContextSampler".into()
    }
}

#[test]
fn should_sample_gets_the_full_parent_context() {
    let sampler = SharedSampler::default();
    let provider = SdkTracerProvider::builder()
        .with_sampler(sampler.clone())
        .build();
    let tracer = provider.tracer("t");
    let parent = context(0xfeed, 7, true, true);
    let cx = Context::new()
        .with_value(Tenant("sampled"))
        .with_remote_span_context(parent.clone());
    let span = tracer.start_with_context("child", &cx);
    assert!(span.is_recording());
    let other = tracer.start_with_context("other", &Context::new().with_value(Tenant("x")));
    assert!(!other.is_recording());
    let seen = sampler.0.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0],
        (Some("sampled"), parent.trace_id(), Some(parent.span_id()))
    );
    assert_eq!(seen[1].0, Some("x"));
    assert_eq!(seen[1].2, None, "no parent span for a root");
}

#[test]
fn dropped_attributes_events_and_links_are_reported_once_per_span() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    global::set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        sink.lock().unwrap().push(d.name.to_string());
    });
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_span_limits(SpanLimits {
            max_attributes_per_span: 1,
            max_events_per_span: 1,
            max_links_per_span: 1,
            ..SpanLimits::default()
        })
        .with_simple_exporter(exporter.clone())
        .build();
    let reports = || {
        seen.lock()
            .unwrap()
            .iter()
            .filter(|n| *n == "Span.LimitReached")
            .count()
    };
    let tracer = provider.tracer("t");
    let mut span = tracer.start("first");
    for i in 0..5 {
        span.set_attribute(KeyValue::new(format!("k{i}"), i));
        span.add_event("e", vec![]);
        span.add_link(context(1, 1 + i as u64, true, false), vec![]);
    }
    span.end();
    assert_eq!(reports(), 1, "one message for the whole span");
    let mut second = tracer.start("second");
    second.set_attribute(KeyValue::new("a", 1));
    second.set_attribute(KeyValue::new("b", 2));
    second.set_attribute(KeyValue::new("c", 3));
    second.end();
    assert_eq!(reports(), 2, "and one for the next span");
    let spans = exporter.get_finished_spans();
    assert_eq!(spans[0].dropped_attributes_count, 4);
    assert_eq!(spans[0].events.dropped_count, 4);
    assert_eq!(spans[0].links.dropped_count, 4);
}

/// An exporter that counts what the SDK asks of it.
#[derive(Debug, Default)]
struct Calls {
    exports: AtomicUsize,
    spans: AtomicUsize,
    flushes: AtomicUsize,
    shutdowns: AtomicUsize,
    in_export: AtomicUsize,
    overlapped: AtomicUsize,
}

#[derive(Debug, Clone, Default)]
struct CountingExporter(Arc<Calls>);

impl SpanExporter for CountingExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let calls = &self.0;
        if calls.in_export.fetch_add(1, Ordering::SeqCst) > 0 {
            calls.overlapped.fetch_add(1, Ordering::SeqCst);
        }
        std::thread::sleep(Duration::from_micros(200));
        calls.exports.fetch_add(1, Ordering::SeqCst);
        calls.spans.fetch_add(batch.len(), Ordering::SeqCst);
        calls.in_export.fetch_sub(1, Ordering::SeqCst);
        Box::pin(std::future::ready(Ok(())))
    }
    fn force_flush(&mut self) -> opentelemetry_sdk::Result {
        self.0.flushes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        self.0.shutdowns.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn simple_processor_exports_one_at_a_time_and_flushes_and_shuts_down_its_exporter() {
    let exporter = CountingExporter::default();
    let calls = exporter.0.clone();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(SimpleSpanProcessor::new(exporter))
        .build();
    let tracer = provider.tracer("t");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..25 {
                    tracer.start("s").end();
                }
            });
        }
    });
    assert_eq!(calls.exports.load(Ordering::SeqCst), 100);
    assert_eq!(calls.spans.load(Ordering::SeqCst), 100);
    assert_eq!(
        calls.overlapped.load(Ordering::SeqCst),
        0,
        "export is never called concurrently"
    );
    provider.force_flush().unwrap();
    assert_eq!(calls.flushes.load(Ordering::SeqCst), 1);
    provider.shutdown().unwrap();
    assert_eq!(calls.shutdowns.load(Ordering::SeqCst), 1);
    tracer.start("late").end();
    assert_eq!(calls.exports.load(Ordering::SeqCst), 100);
}

#[test]
fn custom_exporters_plug_into_both_built_in_processors() {
    let simple = CountingExporter::default();
    let batched = CountingExporter::default();
    let (simple_calls, batched_calls) = (simple.0.clone(), batched.0.clone());
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(simple)
        .with_batch_exporter(batched)
        .build();
    provider.tracer("t").start("a").end();
    provider.tracer("t").start("b").end();
    provider.force_flush().unwrap();
    assert_eq!(simple_calls.spans.load(Ordering::SeqCst), 2);
    assert_eq!(batched_calls.spans.load(Ordering::SeqCst), 2);
    assert_eq!(
        batched_calls.flushes.load(Ordering::SeqCst),
        1,
        "a flush exports the queue, then flushes the exporter"
    );
    provider.shutdown().unwrap();
    assert_eq!(simple_calls.shutdowns.load(Ordering::SeqCst), 1);
    assert_eq!(batched_calls.shutdowns.load(Ordering::SeqCst), 1);
}

#[test]
fn in_memory_exporter_keeps_spans_until_reset_and_fails_after_shutdown() {
    let exporter = InMemorySpanExporter::default();
    let provider = provider_with(&exporter);
    let tracer = provider.tracer("t");
    tracer.start("one").end();
    tracer.start("two").end();
    let names: Vec<_> = exporter
        .get_finished_spans()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["one", "two"]);
    let kept = exporter.get_finished_spans();
    exporter.reset();
    assert!(exporter.get_finished_spans().is_empty());
    let mut direct = exporter.clone();
    assert_eq!(direct.force_flush(), Ok(()));
    assert_eq!(futures_executor::block_on(direct.export(&kept)), Ok(()));
    assert_eq!(exporter.get_finished_spans().len(), 2);
    provider.shutdown().unwrap();
    assert!(exporter.is_shutdown());
    assert_eq!(
        futures_executor::block_on(direct.export(&kept)),
        Err(Error::AlreadyShutdown),
        "export after shutdown fails"
    );
}
