//! `autoconfig` for logs (`OTEL_LOGS_EXPORTER`). Each test runs in its own process (nextest).
#![cfg(feature = "sdk")]

use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::global::{self, DiagnosticLevel};
use opentelemetry::logs::{Logger, Severity};
use std::sync::{Arc, Mutex};

fn capture() -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    global::set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        sink.lock()
            .unwrap()
            .push(format!("{}: {}", d.name, d.message));
    });
    seen
}

#[test]
fn console_logs_exporter_installs_an_enabled_global_logger_provider() {
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    std::env::set_var("OTEL_LOGS_EXPORTER", "console");
    let telemetry = AutoConfig::from_env().install();
    assert!(telemetry.tracer_provider().is_none());
    assert!(telemetry.logger_provider().is_some());
    assert!(global::logger("t").enabled(Severity::Info, "", None));
    telemetry.force_flush().unwrap();
    telemetry.shutdown().unwrap();
}

#[test]
fn logs_exporter_none_and_the_default_exporter() {
    std::env::set_var("OTEL_LOGS_EXPORTER", "none");
    let t = AutoConfig::from_env()
        .with_default_exporter("console")
        .install();
    assert!(t.logger_provider().is_none());
    assert!(t.tracer_provider().is_some(), "traces use the default");
    assert!(!global::logger("t").enabled(Severity::Fatal, "", None));
    drop(t);
    std::env::remove_var("OTEL_LOGS_EXPORTER");
    let t = AutoConfig::from_env()
        .with_default_exporter("console")
        .install();
    assert!(t.logger_provider().is_some());
}

#[test]
fn unknown_and_feature_gated_logs_exporters_are_reported() {
    let seen = capture();
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    std::env::set_var("OTEL_LOGS_EXPORTER", "otlp,console,carrier-pigeon");
    let t = AutoConfig::from_env().install();
    assert!(
        t.logger_provider().is_some(),
        "the known exporter is installed"
    );
    let seen = seen.lock().unwrap();
    // With the `otlp` feature (tests/autoconfig_otlp.rs covers it), otlp is installed.
    assert!(
        cfg!(feature = "otlp")
            || seen
                .iter()
                .any(|m| m.starts_with("AutoConfig.FeatureNotEnabled")
                    && m.contains("OTEL_LOGS_EXPORTER=otlp")),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|m| m.starts_with("AutoConfig.UnknownValue")
            && m.contains("OTEL_LOGS_EXPORTER=carrier-pigeon")),
        "{seen:?}"
    );
}

#[test]
fn sdk_disabled_installs_no_logger_provider() {
    std::env::set_var("OTEL_SDK_DISABLED", "true");
    std::env::set_var("OTEL_LOGS_EXPORTER", "console");
    let t = AutoConfig::from_env().install();
    assert!(t.logger_provider().is_none());
}
