//! `autoconfig` from the environment. Each test runs in its own process (nextest).
#![cfg(feature = "sdk")]

use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::global::{self, DiagnosticLevel};
use opentelemetry::trace::{Span, Tracer};
use std::sync::{Arc, Mutex};

fn capture() -> Arc<Mutex<Vec<(String, String)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    global::set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        sink.lock()
            .unwrap()
            .push((d.name.to_string(), d.message.to_string()));
    });
    seen
}

fn global_fields() -> Vec<String> {
    global::get_text_map_propagator(|p| p.fields().map(str::to_owned).collect())
}

#[test]
fn console_exporter_installs_a_recording_global_provider() {
    std::env::set_var("OTEL_TRACES_EXPORTER", "console");
    let telemetry = AutoConfig::from_env().install();
    assert!(telemetry.tracer_provider().is_some());
    let span = global::tracer("t").start("x");
    assert!(span.is_recording());
    assert_eq!(global_fields(), ["traceparent", "tracestate", "baggage"]);
    drop(span);
    telemetry.shutdown().unwrap();
}

#[test]
fn default_exporter_applies_only_when_the_variable_is_unset() {
    std::env::remove_var("OTEL_TRACES_EXPORTER");
    let t = AutoConfig::from_env()
        .with_default_exporter("console")
        .install();
    assert!(t.tracer_provider().is_some());
    drop(t);
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    let t = AutoConfig::from_env()
        .with_default_exporter("console")
        .install();
    assert!(t.tracer_provider().is_none());
}

#[test]
#[cfg(not(feature = "otlp"))]
fn exporter_not_compiled_in_is_reported() {
    let seen = capture();
    std::env::remove_var("OTEL_TRACES_EXPORTER");
    let t = AutoConfig::from_env().install();
    assert!(
        t.tracer_provider().is_none(),
        "the default otlp exporter is not compiled in"
    );
    let seen = seen.lock().unwrap();
    let (name, message) = seen
        .iter()
        .find(|(n, m)| n == "AutoConfig.FeatureNotEnabled" && m.contains("OTEL_TRACES_EXPORTER"))
        .expect("reported");
    assert_eq!(name, "AutoConfig.FeatureNotEnabled");
    assert!(
        message.contains("OTEL_TRACES_EXPORTER=otlp") && message.contains("`otlp` feature"),
        "{message}"
    );
}

#[test]
fn unknown_exporter_and_propagator_are_reported() {
    let seen = capture();
    std::env::set_var("OTEL_TRACES_EXPORTER", "console,carrier-pigeon");
    std::env::set_var("OTEL_PROPAGATORS", "tracecontext,xray,smoke-signals");
    let t = AutoConfig::from_env().install();
    assert!(
        t.tracer_provider().is_some(),
        "the known exporter is still installed"
    );
    #[cfg(not(feature = "aws"))]
    assert_eq!(global_fields(), ["traceparent", "tracestate"]);
    #[cfg(feature = "aws")]
    assert_eq!(
        global_fields(),
        ["traceparent", "tracestate", "X-Amzn-Trace-Id"]
    );
    let names: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(n, m)| format!("{n}: {m}"))
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.contains("UnknownValue") && n.contains("carrier-pigeon")),
        "{names:?}"
    );
    // Without the `aws` feature, xray is named as needing it; with it, it is installed.
    assert_eq!(
        names
            .iter()
            .any(|n| n.contains("FeatureNotEnabled") && n.contains("xray") && n.contains("`aws`")),
        cfg!(not(feature = "aws")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.contains("UnknownValue") && n.contains("smoke-signals")),
        "{names:?}"
    );
}

#[test]
fn sdk_disabled_installs_no_provider_but_still_sets_propagators() {
    std::env::set_var("OTEL_SDK_DISABLED", "true");
    std::env::set_var("OTEL_TRACES_EXPORTER", "console");
    std::env::set_var("OTEL_PROPAGATORS", "baggage");
    let t = AutoConfig::from_env().install();
    assert!(t.tracer_provider().is_none());
    assert!(!global::tracer("t").start("x").is_recording());
    assert_eq!(global_fields(), ["baggage"]);
}

#[test]
fn propagators_none_installs_nothing() {
    std::env::set_var("OTEL_PROPAGATORS", "none");
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    let _t = AutoConfig::from_env().install();
    assert!(global_fields().is_empty());
}

#[test]
fn console_metrics_exporter_installs_a_global_meter_provider() {
    std::env::set_var("OTEL_METRICS_EXPORTER", "console");
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    let telemetry = AutoConfig::from_env().install();
    assert!(telemetry.meter_provider().is_some());
    assert!(telemetry.tracer_provider().is_none());
    let counter = global::meter("m").u64_counter("c").build();
    assert!(counter.enabled(), "the global meter provider is the SDK's");
    counter.add(1, &[]);
    telemetry.force_flush().unwrap();
    telemetry.shutdown().unwrap();
    assert!(!counter.enabled(), "shut down by the guard");
}

#[test]
fn metrics_exporter_none_and_unknown_values() {
    let seen = capture();
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    std::env::set_var("OTEL_METRICS_EXPORTER", "none");
    let t = AutoConfig::from_env().install();
    assert!(t.meter_provider().is_none());
    assert!(!global::meter("m").u64_counter("c").build().enabled());
    drop(t);
    // With the `prometheus` feature on, `prometheus` is available (tests/autoconfig_prometheus.rs).
    let prometheus_gated = cfg!(not(feature = "prometheus"));
    std::env::set_var(
        "OTEL_METRICS_EXPORTER",
        if prometheus_gated {
            "prometheus,abacus"
        } else {
            "abacus"
        },
    );
    let t = AutoConfig::from_env().install();
    assert!(t.meter_provider().is_none());
    let names: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(n, m)| format!("{n}: {m}"))
        .collect();
    assert!(
        !prometheus_gated
            || names.iter().any(|n| n.contains("FeatureNotEnabled")
                && n.contains("OTEL_METRICS_EXPORTER=prometheus")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.contains("UnknownValue") && n.contains("abacus")),
        "{names:?}"
    );
}
