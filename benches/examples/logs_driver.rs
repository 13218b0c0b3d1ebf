//! A small driver running one logs scenario of `benches/benches/logs.rs` in a loop, for exact
//! instruction counts under `valgrind --tool=callgrind` (or profiles under `perf record`).
//!
//! Feature set: the same as `benches/benches/logs.rs` (ours: default features; upstream:
//! `opentelemetry_sdk` 0.33 `logs` and `trace`, the 0.33 appenders, `tracing-opentelemetry`
//! 0.34 without default features).
//!
//! ```text
//! cargo build --release -p otel-benches --example logs_driver
//! valgrind --tool=callgrind target/release/examples/logs_driver SCENARIO N
//! ```
//!
//! Scenarios (each `ours` and `upstream`): `sdk_emit_4_attrs`, `tracing_info_4_fields`,
//! `tracing_disabled_event`, `log_info`, `log_disabled`, `tracing_span`; and, ours only,
//! `tracing_disabled_event_cf` and `tracing_info_4_fields_cf` (behind `with_callsite_filter`). The per-iteration
//! cost is the difference between two runs with different `N` divided by the difference in
//! `N` (which cancels the set-up).

// A command-line tool prints its results.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use tracing_subscriber::layer::SubscriberExt;

mod ours {
    use opentelemetry_api::logs::Severity;
    use opentelemetry_api::{Context, InstrumentationScope};
    use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
    use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
    use std::sync::Arc;
    use std::time::Duration;

    /// Does nothing; enabled for `min` and above.
    #[derive(Debug)]
    pub struct Noop {
        pub min: Severity,
    }

    impl LogProcessor for Noop {
        fn emit(&self, record: &mut SdkLogRecord, _scope: &Arc<InstrumentationScope>) {
            std::hint::black_box(record);
        }
        fn enabled(&self, s: Severity, _: &str, _: Option<&str>, _: &InstrumentationScope) -> bool {
            s >= self.min
        }
        fn force_flush(&self) -> opentelemetry_sdk::Result {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
            Ok(())
        }
    }

    pub fn provider(min: Severity) -> SdkLoggerProvider {
        SdkLoggerProvider::builder()
            .with_log_processor(Noop { min })
            .build()
    }

    /// A span processor that does nothing with the ended span.
    #[derive(Debug)]
    pub struct NoopSpans;

    impl SpanProcessor for NoopSpans {
        fn on_start(&self, _span: &mut Span, _cx: &Context) {}
        fn on_end(&self, span: SpanData) {
            std::hint::black_box(span);
        }
        fn force_flush(&self) -> opentelemetry_sdk::Result {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
            Ok(())
        }
    }
}

mod up {
    use std::time::Duration;
    use upstream::logs::Severity;
    use upstream::{Context, InstrumentationScope};
    use upstream_sdk::error::OTelSdkResult;
    use upstream_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
    use upstream_sdk::trace::{Span, SpanData, SpanProcessor};

    /// Does nothing; enabled for `min` and above.
    #[derive(Debug)]
    pub struct Noop {
        pub min: Severity,
    }

    impl LogProcessor for Noop {
        fn emit(&self, record: &mut SdkLogRecord, _scope: &InstrumentationScope) {
            std::hint::black_box(record);
        }
        fn force_flush(&self) -> OTelSdkResult {
            Ok(())
        }
        fn event_enabled(&self, s: Severity, _: &str, _: Option<&str>) -> bool {
            s >= self.min
        }
    }

    pub fn provider(min: Severity) -> SdkLoggerProvider {
        SdkLoggerProvider::builder()
            .with_log_processor(Noop { min })
            .build()
    }

    /// A span processor that does nothing with the ended span.
    #[derive(Debug)]
    pub struct NoopSpans;

    impl SpanProcessor for NoopSpans {
        fn on_start(&self, _span: &mut Span, _cx: &Context) {}
        fn on_end(&self, span: SpanData) {
            std::hint::black_box(span);
        }
        fn force_flush(&self) -> OTelSdkResult {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
            Ok(())
        }
    }
}

#[inline(always)]
fn emit_tracing(id: i64, disabled: bool) {
    if disabled {
        tracing::debug!(
            user.id = id,
            user.name = "ann",
            ok = true,
            ratio = 0.5,
            "checkout {id} done"
        );
    } else {
        tracing::info!(
            user.id = id,
            user.name = "ann",
            ok = true,
            ratio = 0.5,
            "checkout {id} done"
        );
    }
}

#[inline(always)]
fn tracing_span(id: i64) {
    tracing::info_span!("checkout", user.id = id).in_scope(|| black_box(id));
}

fn run(scenario: &str, side: &str, n: u64) -> Result<(), String> {
    use opentelemetry_api::logs::Severity;
    match (scenario, side) {
        ("sdk_emit_4_attrs", "ours") => {
            use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider};
            use opentelemetry_api::AnyValue;
            let provider = ours::provider(Severity::Trace);
            let logger = provider.logger("bench");
            for _ in 0..n {
                let mut record = logger.create_log_record();
                record.set_severity_number(Severity::Info);
                record.set_severity_text("INFO");
                record.set_body(AnyValue::from("checkout done"));
                record.add_attribute("user.id", 42i64);
                record.add_attribute("user.name", "ann");
                record.add_attribute("ok", true);
                record.add_attribute("ratio", 0.5);
                logger.emit(black_box(record));
            }
        }
        ("sdk_emit_4_attrs", "upstream") => {
            use upstream::logs::{AnyValue, LogRecord, Logger, LoggerProvider, Severity};
            let provider = up::provider(Severity::Trace);
            let logger = provider.logger("bench");
            for _ in 0..n {
                let mut record = logger.create_log_record();
                record.set_severity_number(Severity::Info);
                record.set_severity_text("INFO");
                record.set_body(AnyValue::from("checkout done"));
                record.add_attribute("user.id", 42i64);
                record.add_attribute("user.name", "ann");
                record.add_attribute("ok", true);
                record.add_attribute("ratio", 0.5);
                logger.emit(black_box(record));
            }
        }
        ("tracing_info_4_fields" | "tracing_disabled_event", "ours") => {
            let disabled = scenario == "tracing_disabled_event";
            let min = if disabled {
                Severity::Info
            } else {
                Severity::Trace
            };
            let provider = ours::provider(min);
            let layer = opentelemetry_appender_tracing::OpenTelemetryTracingBridge::new(&provider);
            let _g = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
            for _ in 0..n {
                emit_tracing(black_box(7), disabled);
            }
        }
        ("tracing_disabled_event_cf" | "tracing_info_4_fields_cf", "ours") => {
            let provider = ours::provider(Severity::Info);
            let layer = opentelemetry_appender_tracing::OpenTelemetryTracingBridge::new(&provider)
                .with_callsite_filter();
            let _g = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
            let disabled = scenario == "tracing_disabled_event_cf";
            for _ in 0..n {
                emit_tracing(black_box(7), disabled);
            }
        }
        ("tracing_info_4_fields" | "tracing_disabled_event", "upstream") => {
            let disabled = scenario == "tracing_disabled_event";
            let min = if disabled {
                upstream::logs::Severity::Info
            } else {
                upstream::logs::Severity::Trace
            };
            let provider = up::provider(min);
            let layer =
                upstream_appender_tracing::layer::OpenTelemetryTracingBridge::new(&provider);
            let _g = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
            for _ in 0..n {
                emit_tracing(black_box(7), disabled);
            }
        }
        ("log_info" | "log_disabled", "ours") => {
            log::set_max_level(log::LevelFilter::Trace);
            let min = if scenario == "log_disabled" {
                Severity::Info
            } else {
                Severity::Trace
            };
            let provider = ours::provider(min);
            let bridge = opentelemetry_appender_log::OpenTelemetryLogBridge::new(&provider)
                .with_code_attributes(false);
            for _ in 0..n {
                if scenario == "log_disabled" {
                    log::debug!(logger: bridge, "checkout {} done", black_box(7));
                } else {
                    log::info!(logger: bridge, "checkout {} done", black_box(7));
                }
            }
        }
        ("log_info" | "log_disabled", "upstream") => {
            log::set_max_level(log::LevelFilter::Trace);
            let min = if scenario == "log_disabled" {
                upstream::logs::Severity::Info
            } else {
                upstream::logs::Severity::Trace
            };
            let provider = up::provider(min);
            let bridge = upstream_appender_log::OpenTelemetryLogBridge::new(&provider);
            for _ in 0..n {
                if scenario == "log_disabled" {
                    log::debug!(logger: bridge, "checkout {} done", black_box(7));
                } else {
                    log::info!(logger: bridge, "checkout {} done", black_box(7));
                }
            }
        }
        ("tracing_span", "ours") => {
            use opentelemetry_api::trace::TracerProvider;
            let logs = ours::provider(Severity::Trace);
            let traces = opentelemetry_sdk::trace::SdkTracerProvider::builder()
                .with_span_processor(ours::NoopSpans)
                .build();
            let layer = opentelemetry_appender_tracing::OpenTelemetryTracingBridge::new(&logs)
                .with_tracer(traces.tracer("bench"));
            let _g = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
            for _ in 0..n {
                tracing_span(black_box(7));
            }
        }
        ("tracing_span", "upstream") => {
            use upstream::trace::TracerProvider;
            let traces = upstream_sdk::trace::SdkTracerProvider::builder()
                .with_span_processor(up::NoopSpans)
                .build();
            let layer = tracing_opentelemetry::layer().with_tracer(traces.tracer("bench"));
            let _g = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
            for _ in 0..n {
                tracing_span(black_box(7));
            }
        }
        _ => return Err(format!("unknown scenario/side {scenario} {side}")),
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (scenario, side, n) = match args.as_slice() {
        [s, side, n] => (s.as_str(), side.as_str(), n.parse().unwrap_or(1000)),
        [s, side] => (s.as_str(), side.as_str(), 1000),
        _ => {
            eprintln!("usage: logs_driver SCENARIO ours|upstream [N]");
            std::process::exit(2)
        }
    };
    otel_benches::settle_clock();
    if let Err(e) = run(scenario, side, n) {
        eprintln!("{e}");
        std::process::exit(2)
    }
}
