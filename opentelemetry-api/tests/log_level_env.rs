//! `OTEL_LOG_LEVEL` sets which internal diagnostics are reported when no handler set one.
//! Each test runs in its own process (nextest), so the variable is read fresh.

use opentelemetry_api::global::{self, DiagnosticLevel};

#[test]
fn default_level_is_info() {
    std::env::remove_var("OTEL_LOG_LEVEL");
    assert!(global::diagnostic_enabled(DiagnosticLevel::Info));
    assert!(!global::diagnostic_enabled(DiagnosticLevel::Debug));
}

#[test]
fn error_level_silences_warnings() {
    std::env::set_var("OTEL_LOG_LEVEL", "error");
    assert!(!global::diagnostic_enabled(DiagnosticLevel::Warn));
    assert!(global::diagnostic_enabled(DiagnosticLevel::Error));
}

#[test]
fn none_silences_everything() {
    std::env::set_var("OTEL_LOG_LEVEL", "none");
    assert!(!global::diagnostic_enabled(DiagnosticLevel::Error));
}

#[test]
fn debug_enables_everything() {
    std::env::set_var("OTEL_LOG_LEVEL", "Debug");
    assert!(global::diagnostic_enabled(DiagnosticLevel::Debug));
}

#[test]
fn invalid_value_falls_back_to_info() {
    std::env::set_var("OTEL_LOG_LEVEL", "chatty");
    assert!(global::diagnostic_enabled(DiagnosticLevel::Info));
    assert!(!global::diagnostic_enabled(DiagnosticLevel::Debug));
}

#[test]
fn a_handler_level_wins_over_the_variable() {
    std::env::set_var("OTEL_LOG_LEVEL", "none");
    global::set_diagnostic_handler(DiagnosticLevel::Warn, |_| {});
    assert!(global::diagnostic_enabled(DiagnosticLevel::Warn));
}
