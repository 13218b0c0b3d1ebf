//! Environment variables named by rows of the compliance ledger (`compliance/rust.yaml`), seen
//! end to end through a provider built with the defaults. Each test runs in its own process
//! (nextest), so setting variables does not leak between tests.

use opentelemetry_api::trace::{Span as _, TraceContextExt, Tracer, TracerProvider};
use opentelemetry_api::{Context, KeyValue, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};

/// Builds a provider from the environment and records one span with 4 attributes (string
/// values of 8 characters), one event and one link with 4 attributes each.
fn record_one_span() -> SpanData {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let attrs = || {
        (0..4)
            .map(|i| KeyValue::new(format!("k{i}"), "abcdefgh"))
            .collect::<Vec<_>>()
    };
    let tracer = provider.tracer("t");
    let linked = tracer.start("linked").span_context().clone();
    let mut span = tracer
        .span_builder("s")
        .with_attributes(attrs())
        .start(&tracer);
    span.add_event("e", attrs());
    span.add_link(linked, attrs());
    span.end();
    let spans = exporter.get_finished_spans();
    spans.into_iter().find(|s| s.name == "s").expect("exported")
}

#[test]
fn span_specific_limits_win_over_the_general_ones() {
    std::env::set_var("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "2");
    std::env::set_var("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "3");
    std::env::set_var("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "1");
    std::env::set_var("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "3");
    std::env::set_var("OTEL_ATTRIBUTE_COUNT_LIMIT", "100");
    std::env::set_var("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "6");
    let span = record_one_span();
    assert_eq!(span.attributes.len(), 2);
    assert_eq!(span.dropped_attributes_count, 2);
    assert_eq!(span.attributes[0].value, Value::from("abc"));
    let event = &span.events.events[0];
    assert_eq!(event.attributes.len(), 1);
    assert_eq!(event.dropped_attributes_count, 3);
    assert_eq!(event.attributes[0].value, Value::from("abc"));
    let link = &span.links.links[0];
    assert_eq!(link.attributes.len(), 3);
    assert_eq!(link.dropped_attributes_count, 1);
}

#[test]
fn general_attribute_limits_apply_where_no_specific_one_is_set() {
    std::env::set_var("OTEL_ATTRIBUTE_COUNT_LIMIT", "2");
    std::env::set_var("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "5");
    let span = record_one_span();
    assert_eq!(span.attributes.len(), 2);
    assert_eq!(span.attributes[1].value, Value::from("abcde"));
    assert_eq!(span.events.events[0].attributes.len(), 2);
    assert_eq!(span.links.links[0].attributes.len(), 2);
    assert_eq!(
        span.links.links[0].attributes[0].value,
        Value::from("abcde")
    );
}

#[test]
fn event_and_link_count_limits_from_the_environment() {
    std::env::set_var("OTEL_SPAN_EVENT_COUNT_LIMIT", "2");
    std::env::set_var("OTEL_SPAN_LINK_COUNT_LIMIT", "1");
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("t");
    let linked = tracer.start("linked").span_context().clone();
    let mut span = tracer.start("s");
    for _ in 0..3 {
        span.add_event("e", vec![]);
        span.add_link(linked.clone(), vec![]);
    }
    span.end();
    let span = exporter
        .get_finished_spans()
        .into_iter()
        .find(|s| s.name == "s")
        .unwrap();
    assert_eq!(span.events.events.len(), 2);
    assert_eq!(span.events.dropped_count, 1);
    assert_eq!(span.links.links.len(), 1);
    assert_eq!(span.links.dropped_count, 2);
}

#[test]
fn ratio_sampler_and_its_argument_from_the_environment() {
    std::env::set_var("OTEL_TRACES_SAMPLER", "traceidratio");
    std::env::set_var("OTEL_TRACES_SAMPLER_ARG", "0");
    let provider = SdkTracerProvider::builder().build();
    let tracer = provider.tracer("t");
    assert!((0..50).all(|_| !tracer.start("x").is_recording()));

    std::env::set_var("OTEL_TRACES_SAMPLER", "parentbased_traceidratio");
    std::env::set_var("OTEL_TRACES_SAMPLER_ARG", "1.0");
    let provider = SdkTracerProvider::builder().build();
    let tracer = provider.tracer("t");
    let root = tracer.start("root");
    assert!(root.is_recording() && root.span_context().is_sampled());
    // ParentBased follows an unsampled remote parent whatever the ratio.
    let unsampled = opentelemetry_api::trace::SpanContext::new(
        opentelemetry_api::trace::TraceId::from(1u128),
        opentelemetry_api::trace::SpanId::from(1u64),
        opentelemetry_api::trace::TraceFlags::NOT_SAMPLED,
        true,
        opentelemetry_api::trace::TraceState::NONE,
    );
    let cx = Context::new().with_remote_span_context(unsampled);
    assert!(!tracer.start_with_context("child", &cx).is_recording());
}
