//! Environment configuration of the trace SDK. Each test runs in its own process (nextest),
//! so setting variables does not leak between tests.

use opentelemetry_api::global::{self, DiagnosticLevel};
use opentelemetry_api::trace::{Span as _, Tracer, TracerProvider};
use opentelemetry_api::KeyValue;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanLimits};
use opentelemetry_sdk::Resource;
use std::sync::{Arc, Mutex};

fn capture_diagnostics() -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    global::set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        sink.lock().unwrap().push(d.name.to_string());
    });
    seen
}

#[test]
fn span_limits_come_from_the_environment() {
    std::env::set_var("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "3");
    std::env::set_var("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4");
    std::env::set_var("OTEL_SPAN_EVENT_COUNT_LIMIT", "5");
    std::env::set_var("OTEL_SPAN_LINK_COUNT_LIMIT", "6");
    std::env::set_var("OTEL_ATTRIBUTE_COUNT_LIMIT", "7");
    std::env::set_var("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "8");
    let l = SpanLimits::from_env();
    assert_eq!(
        l.max_attributes_per_span, 3,
        "span-specific wins over general"
    );
    assert_eq!(
        l.max_attribute_value_length,
        Some(4),
        "general applies when specific unset"
    );
    assert_eq!(l.max_events_per_span, 5);
    assert_eq!(l.max_links_per_span, 6);
    assert_eq!(l.max_attributes_per_event, 7);
    assert_eq!(l.max_attributes_per_link, 8);
}

#[test]
fn invalid_limit_is_reported_and_the_default_used() {
    let seen = capture_diagnostics();
    std::env::set_var("OTEL_SPAN_EVENT_COUNT_LIMIT", "lots");
    std::env::set_var("OTEL_SPAN_LINK_COUNT_LIMIT", "");
    let l = SpanLimits::from_env();
    assert_eq!(l, SpanLimits::default());
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|n| n == "Env.InvalidInteger"));
}

#[test]
fn sampler_comes_from_the_environment() {
    std::env::set_var("OTEL_TRACES_SAMPLER", "always_off");
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let span = provider.tracer("t").start("x");
    assert!(!span.is_recording());
    assert!(span.span_context().is_valid());
}

#[test]
fn unknown_sampler_is_reported_and_ignored() {
    let seen = capture_diagnostics();
    std::env::set_var("OTEL_TRACES_SAMPLER", "sometimes");
    let provider = SdkTracerProvider::builder().build();
    assert!(provider.tracer("t").start("x").is_recording());
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|n| n == "Env.UnknownSampler"));
}

#[test]
fn sdk_disabled_records_nothing() {
    std::env::set_var("OTEL_SDK_DISABLED", "TRUE");
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("t");
    assert!(!tracer.enabled());
    let mut span = tracer.start("x");
    assert!(!span.is_recording());
    span.set_attribute(KeyValue::new("a", 1));
    span.end();
    assert!(exporter.get_finished_spans().is_empty());
}

#[test]
fn resource_from_the_environment() {
    std::env::set_var(
        "OTEL_RESOURCE_ATTRIBUTES",
        "service.name=from-attrs,deployment.environment.name=prod%20eu",
    );
    std::env::set_var("OTEL_SERVICE_NAME", "checkout");
    let r = Resource::default();
    assert_eq!(r.get(&"service.name".into()).unwrap().as_str(), "checkout");
    assert_eq!(
        r.get(&"deployment.environment.name".into())
            .unwrap()
            .as_str(),
        "prod eu"
    );
    assert_eq!(
        r.get(&"telemetry.sdk.language".into()).unwrap().as_str(),
        "rust"
    );
    let user = Resource::builder().with_service_name("explicit").build();
    assert_eq!(
        user.get(&"service.name".into()).unwrap().as_str(),
        "explicit",
        "code wins over env"
    );
}
