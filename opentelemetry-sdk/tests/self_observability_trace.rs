//! SDK self-observability of the trace SDK: `otel.sdk.span.*` and
//! `otel.sdk.processor.span.*`, recorded into a meter provider read by a manual reader.

mod common;
mod self_observability_common;

use common::{config, span, Behaviour, TestExporter};
use opentelemetry_api::trace::{
    Link, Span as _, SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags, TraceId,
    TraceState, Tracer as _, TracerProvider as _,
};
use opentelemetry_api::{Context, KeyValue};
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, InMemorySpanExporter, SamplingDecision, SamplingResult, SdkTracerProvider,
    ShouldSample, SimpleSpanProcessor, SpanProcessor,
};
use opentelemetry_sdk::Error;
use self_observability_common::{
    collect, component, component_name, counter, expect, recorder, up_down,
};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const LONG: Duration = Duration::from_secs(30);

/// Decides by the span's name: `drop*` dropped, `record*` recorded only, others sampled.
#[derive(Debug)]
struct ByName;

impl ShouldSample for ByName {
    fn should_sample(
        &self,
        parent: &Context,
        _: TraceId,
        name: &str,
        _: SpanKind,
        _: &[KeyValue],
        _: &[Link],
    ) -> SamplingResult {
        let decision = if name.starts_with("drop") {
            SamplingDecision::Drop
        } else if name.starts_with("record") {
            SamplingDecision::RecordOnly
        } else {
            SamplingDecision::RecordAndSample
        };
        SamplingResult {
            decision,
            attributes: Vec::new(),
            trace_state: parent.span().span_context().trace_state().clone(),
        }
    }

    fn description(&self) -> String {
        "ByName".into()
    }
}

fn started(origin: &str, result: &str) -> self_observability_common::Attrs {
    expect(&[
        ("otel.span.parent.origin", origin),
        ("otel.span.sampling_result", result),
    ])
}

fn live(result: &str) -> self_observability_common::Attrs {
    expect(&[("otel.span.sampling_result", result)])
}

#[test]
fn span_started_counts_every_span_by_parent_origin_and_sampling_result() {
    let (meters, reader) = recorder();
    let provider = SdkTracerProvider::builder()
        .with_sampler(ByName)
        .with_simple_exporter(InMemorySpanExporter::default())
        .with_self_observability(&meters)
        .build();
    let tracer = provider.tracer("t");
    let remote = Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from(7u128),
        SpanId::from(9u64),
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    ));
    // Root spans: 1 dropped, 2 recorded only, 3 sampled.
    tracer.start("drop").end();
    for _ in 0..2 {
        tracer.start("record").end();
    }
    for _ in 0..3 {
        tracer.start("sample").end();
    }
    // Children of a local (sampled) parent: 4 dropped, 1 recorded only.
    tracer.in_span("parent", |cx| {
        for _ in 0..4 {
            tracer.start_with_context("drop child", &cx).end();
        }
        tracer.start_with_context("record child", &cx).end();
    });
    // Children of a remote parent: 5 sampled, 1 dropped.
    for _ in 0..5 {
        tracer.start_with_context("remote child", &remote).end();
    }
    tracer
        .start_with_context("drop remote child", &remote)
        .end();

    let metrics = collect(&reader);
    let points = counter(&metrics, "otel.sdk.span.started", "{span}");
    let expected = [
        (started("none", "DROP"), 1),
        (started("none", "RECORD_ONLY"), 2),
        // 3 + the parent
        (started("none", "RECORD_AND_SAMPLE"), 4),
        (started("local", "DROP"), 4),
        (started("local", "RECORD_ONLY"), 1),
        (started("remote", "RECORD_AND_SAMPLE"), 5),
        (started("remote", "DROP"), 1),
    ];
    for (attributes, value) in &expected {
        assert_eq!(
            points.get(attributes),
            Some(value),
            "{attributes:?} in {points:?}"
        );
    }
    // The other combinations were bound up front and are still zero.
    let total: u64 = points.values().sum();
    assert_eq!(total, 18, "{points:?}");
    provider.shutdown().unwrap();
}

#[test]
fn span_live_counts_recording_spans_until_they_end() {
    let (meters, reader) = recorder();
    let provider = SdkTracerProvider::builder()
        .with_sampler(ByName)
        .with_self_observability(&meters)
        .build();
    let tracer = provider.tracer("t");
    let mut open: Vec<_> = (0..3).map(|_| tracer.start("sample")).collect();
    let recorded: Vec<_> = (0..2).map(|_| tracer.start("record")).collect();
    let dropped: Vec<_> = (0..4).map(|_| tracer.start("drop")).collect();

    let metrics = collect(&reader);
    let points = up_down(&metrics, "otel.sdk.span.live", "{span}");
    assert_eq!(
        points.get(&live("RECORD_AND_SAMPLE")),
        Some(&3),
        "{points:?}"
    );
    assert_eq!(points.get(&live("RECORD_ONLY")), Some(&2), "{points:?}");
    // Non-recording spans are not live: no DROP series.
    assert!(!points.contains_key(&live("DROP")), "{points:?}");

    // Ended explicitly, ended by being dropped, and a non-recording one dropped.
    open.pop().unwrap().end();
    drop(recorded);
    drop(dropped);
    let metrics = collect(&reader);
    let points = up_down(&metrics, "otel.sdk.span.live", "{span}");
    assert_eq!(
        points.get(&live("RECORD_AND_SAMPLE")),
        Some(&2),
        "{points:?}"
    );
    assert_eq!(points.get(&live("RECORD_ONLY")), Some(&0), "{points:?}");

    // Ending twice counts once.
    let mut last = open.pop().unwrap();
    last.end();
    last.end();
    drop(last);
    drop(open);
    let metrics = collect(&reader);
    let points = up_down(&metrics, "otel.sdk.span.live", "{span}");
    assert_eq!(
        points.get(&live("RECORD_AND_SAMPLE")),
        Some(&0),
        "{points:?}"
    );
    provider.shutdown().unwrap();
}

#[test]
fn off_by_default_nothing_is_recorded() {
    let (_meters, reader) = recorder();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(InMemorySpanExporter::default())
        .with_simple_exporter(InMemorySpanExporter::default())
        .build();
    provider.tracer("t").start("s").end();
    provider.force_flush().unwrap();
    assert!(collect(&reader).is_empty());
    provider.shutdown().unwrap();
}

#[test]
fn batching_processor_queue_size_capacity_and_processed_with_queue_full_drops() {
    let (meters, reader) = recorder();
    let exporter = TestExporter::scripted([Behaviour::Block]);
    let processor = BatchSpanProcessor::builder(exporter.clone())
        .with_batch_config(config(4, 2, HOUR, LONG))
        .with_self_observability(&meters)
        .build();
    // The first batch is taken by the worker, whose export blocks: 2 processed.
    processor.on_end(span(1, true));
    processor.on_end(span(2, true));
    exporter.wait_calls(1);
    // 3..=6 fill the queue, 7..=9 are dropped; unsampled spans are not queued.
    for id in 3..=9 {
        processor.on_end(span(id, true));
    }
    processor.on_end(span(10, false));

    let metrics = collect(&reader);
    let unit = "{span}";
    let size = up_down(&metrics, "otel.sdk.processor.span.queue.size", unit);
    let name = component_name(&size, "batching_span_processor");
    let me = component("batching_span_processor", &name, None);
    assert_eq!(size, [(me.clone(), 4)].into());
    let capacity = up_down(&metrics, "otel.sdk.processor.span.queue.capacity", unit);
    assert_eq!(capacity, [(me.clone(), 4)].into());
    let processed = counter(&metrics, "otel.sdk.processor.span.processed", unit);
    let full = component("batching_span_processor", &name, Some("queue_full"));
    let shut = component("batching_span_processor", &name, Some("already_shutdown"));
    assert_eq!(processed.get(&me), Some(&2), "{processed:?}");
    assert_eq!(processed.get(&full), Some(&3), "{processed:?}");
    assert_eq!(processed.get(&shut).copied().unwrap_or(0), 0);

    // Released: the queued 4 are handed to the exporter (counted when handed over).
    exporter.release();
    processor.force_flush().unwrap();
    let metrics = collect(&reader);
    let processed = counter(&metrics, "otel.sdk.processor.span.processed", unit);
    assert_eq!(processed.get(&me), Some(&6), "{processed:?}");
    let size = up_down(&metrics, "otel.sdk.processor.span.queue.size", unit);
    assert_eq!(size, [(me.clone(), 0)].into());

    // After shutdown: dropped as already_shutdown.
    processor.shutdown().unwrap();
    processor.on_end(span(11, true));
    processor.on_end(span(12, true));
    assert_eq!(processor.dropped_spans(), 5);
    let metrics = collect(&reader);
    let processed = counter(&metrics, "otel.sdk.processor.span.processed", unit);
    assert_eq!(processed.get(&shut), Some(&2), "{processed:?}");
    assert_eq!(processed.get(&full), Some(&3), "{processed:?}");
    assert_eq!(processed.get(&me), Some(&6), "{processed:?}");
}

#[test]
fn processed_counts_spans_handed_to_the_exporter_even_when_the_export_fails() {
    let (meters, reader) = recorder();
    let exporter = TestExporter::scripted([Behaviour::Fail("boom"), Behaviour::Panic]);
    let processor = BatchSpanProcessor::builder(exporter.clone())
        .with_batch_config(config(16, 2, HOUR, LONG))
        .with_self_observability(&meters)
        .build();
    for id in 1..=5 {
        processor.on_end(span(id, true));
    }
    assert!(processor.force_flush().is_err());
    let metrics = collect(&reader);
    let processed = counter(&metrics, "otel.sdk.processor.span.processed", "{span}");
    let name = component_name(&processed, "batching_span_processor");
    assert_eq!(
        processed,
        [(component("batching_span_processor", &name, None), 5)].into(),
        "the export's outcome does not matter"
    );
    processor.shutdown().unwrap();
}

#[test]
fn simple_processor_counts_sampled_spans_and_drops_after_shutdown() {
    let (meters, reader) = recorder();
    let exporter = InMemorySpanExporter::default();
    let processor = SimpleSpanProcessor::new(exporter.clone()).with_self_observability(&meters);
    for id in 1..=3 {
        processor.on_end(span(id, true));
    }
    processor.on_end(span(4, false)); // not sampled: not exported, not processed
    processor.shutdown().unwrap();
    processor.on_end(span(5, true));
    assert_eq!(exporter.get_finished_spans().len(), 3);

    let metrics = collect(&reader);
    let processed = counter(&metrics, "otel.sdk.processor.span.processed", "{span}");
    let name = component_name(&processed, "simple_span_processor");
    assert_eq!(
        processed,
        [
            (component("simple_span_processor", &name, None), 3),
            (
                component("simple_span_processor", &name, Some("already_shutdown")),
                1
            ),
        ]
        .into()
    );
    // No queue: no queue metrics.
    assert!(!metrics
        .iter()
        .any(|m| m.name.starts_with("otel.sdk.processor.span.queue")));
}

#[test]
fn the_provider_turns_metrics_on_for_its_processors_each_with_its_own_name() {
    let (meters, reader) = recorder();
    let (other_meters, other_reader) = recorder();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(InMemorySpanExporter::default())
        .with_batch_exporter(InMemorySpanExporter::default())
        .with_simple_exporter(InMemorySpanExporter::default())
        // Given its own meter provider: keeps it.
        .with_span_processor(
            SimpleSpanProcessor::new(InMemorySpanExporter::default())
                .with_self_observability(&other_meters),
        )
        .with_self_observability(&meters)
        .build();
    for _ in 0..3 {
        provider.tracer("t").start("s").end();
    }
    provider.force_flush().unwrap();

    let metrics = collect(&reader);
    let processed = counter(&metrics, "otel.sdk.processor.span.processed", "{span}");
    let batching: Vec<_> = processed
        .iter()
        .filter(|(a, _)| a["otel.component.type"] == "batching_span_processor")
        .collect();
    assert_eq!(batching.len(), 2, "{processed:?}");
    let numbers: Vec<u64> = batching
        .iter()
        .map(|(a, _)| {
            a["otel.component.name"]["batching_span_processor/".len()..]
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(
        numbers[0].abs_diff(numbers[1]),
        1,
        "consecutive instances: {numbers:?}"
    );
    assert!(batching.iter().all(|(_, v)| **v == 3), "{processed:?}");
    let capacity = up_down(&metrics, "otel.sdk.processor.span.queue.capacity", "{span}");
    assert_eq!(capacity.len(), 2);
    assert!(capacity.values().all(|v| *v == 2048), "{capacity:?}");
    let simple = component_name(&processed, "simple_span_processor");
    assert_eq!(
        processed[&component("simple_span_processor", &simple, None)],
        3
    );
    let started = counter(&metrics, "otel.sdk.span.started", "{span}");
    assert_eq!(started[&started_attrs()], 3);

    // The processor with its own meter provider records there only.
    let other = collect(&other_reader);
    let other_processed = counter(&other, "otel.sdk.processor.span.processed", "{span}");
    assert_eq!(other_processed.len(), 1, "{other_processed:?}");
    assert_eq!(other_processed.values().sum::<u64>(), 3);
    assert!(!other.iter().any(|m| m.name == "otel.sdk.span.started"));
    provider.shutdown().unwrap();
    assert_eq!(provider.shutdown(), Err(Error::AlreadyShutdown));
}

fn started_attrs() -> self_observability_common::Attrs {
    started("none", "RECORD_AND_SAMPLE")
}

#[test]
fn a_dropped_processor_is_no_longer_observed() {
    let (meters, reader) = recorder();
    let processor = BatchSpanProcessor::builder(InMemorySpanExporter::default())
        .with_batch_config(config(8, 2, HOUR, LONG))
        .with_self_observability(&meters)
        .build();
    let metrics = collect(&reader);
    let capacity = up_down(&metrics, "otel.sdk.processor.span.queue.capacity", "{span}");
    assert_eq!(capacity.values().copied().collect::<Vec<_>>(), vec![8]);
    processor.shutdown().unwrap();
    drop(processor);
    // The callback is unregistered with the processor: its queue is no longer reported.
    let metrics = collect(&reader);
    let capacity = metrics
        .iter()
        .find(|m| m.name == "otel.sdk.processor.span.queue.capacity")
        .map(|_| up_down(&metrics, "otel.sdk.processor.span.queue.capacity", "{span}"))
        .unwrap_or_default();
    assert!(capacity.is_empty(), "{capacity:?}");
}
