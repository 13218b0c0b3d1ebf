//! Logs benchmarks: emitting a record through the SDK, and the `tracing` and `log` bridges.
//!
//! Feature set: ours: `opentelemetry_api`, `opentelemetry_sdk`, `opentelemetry-appender-log`
//! and `opentelemetry-appender-tracing` with their default features. Upstream:
//! `opentelemetry_sdk` 0.33 with `default-features = false, features = ["logs"]` (which turns
//! on upstream `opentelemetry`'s `logs` feature too), `opentelemetry-appender-log` 0.33 and
//! `opentelemetry-appender-tracing` 0.33 with their default features. `tracing` 0.1,
//! `tracing-subscriber` 0.3 (registry only), `log` 0.4.
//!
//! Every provider has one processor that does nothing on emit (its `enabled`/`event_enabled`
//! says yes, except in the `*_disabled` groups, where it says no below INFO): these measure
//! the cost up to and including handing the record to the processors, not an exporter.
//!
//! Compared, in each group, side by side in one process:
//! - `logs_sdk_emit_4_attrs`: `create_log_record`, set severity, severity text and a static
//!   body, add four attributes (int, static string, bool, float), `emit`, on a logger taken
//!   once from the SDK provider. `ours` / `upstream`.
//! - `tracing_info_4_fields`: `tracing::info!` with four fields and a formatted message under
//!   a registry with the bridge layer (`with_default`). `ours` / `upstream` (same mapping: no
//!   code attributes, no span bridge).
//! - `tracing_disabled_event`: `tracing::debug!` with four fields, filtered out by the
//!   processor (the bridge asks the logger; nothing is built).
//! - `log_info`: `log::info!` with a formatted message through the `log` bridge (called
//!   directly, as the global logger can be set only once per process). `ours/same_fields`
//!   (code attributes off, the information upstream records by default) /
//!   `upstream/same_fields`; `ours/code_attributes` (our default: `code.*` attributes too)
//!   has no upstream counterpart.
//! - `log_disabled`: `log::debug!` filtered out by the processor.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tracing_subscriber::layer::SubscriberExt;

mod ours {
    use opentelemetry_api::logs::Severity;
    use opentelemetry_api::InstrumentationScope;
    use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
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
}

mod up {
    use upstream::logs::Severity;
    use upstream::InstrumentationScope;
    use upstream_sdk::error::OTelSdkResult;
    use upstream_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};

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
}

fn sdk_emit(c: &mut Criterion) {
    let mut g = c.benchmark_group("logs_sdk_emit_4_attrs");
    {
        use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
        use opentelemetry_api::AnyValue;
        let provider = ours::provider(Severity::Trace);
        let logger = provider.logger("bench");
        g.bench_function("ours", |b| {
            b.iter(|| {
                let mut record = logger.create_log_record();
                record.set_severity_number(Severity::Info);
                record.set_severity_text("INFO");
                record.set_body(AnyValue::from("checkout done"));
                record.add_attribute("user.id", 42i64);
                record.add_attribute("user.name", "ann");
                record.add_attribute("ok", true);
                record.add_attribute("ratio", 0.5);
                logger.emit(black_box(record));
            })
        });
    }
    {
        use upstream::logs::{AnyValue, LogRecord, Logger, LoggerProvider, Severity};
        let provider = up::provider(Severity::Trace);
        let logger = provider.logger("bench");
        g.bench_function("upstream", |b| {
            b.iter(|| {
                let mut record = logger.create_log_record();
                record.set_severity_number(Severity::Info);
                record.set_severity_text("INFO");
                record.set_body(AnyValue::from("checkout done"));
                record.add_attribute("user.id", 42i64);
                record.add_attribute("user.name", "ann");
                record.add_attribute("ok", true);
                record.add_attribute("ratio", 0.5);
                logger.emit(black_box(record));
            })
        });
    }
    g.finish();
}

/// `tracing` events through each bridge; `disabled`: DEBUG events that the processor filters
/// out (it is enabled from INFO up).
fn tracing_bridge(c: &mut Criterion, group: &str, disabled: bool) {
    use opentelemetry_api::logs::Severity;
    let mut g = c.benchmark_group(group);
    let ours_provider = ours::provider(if disabled {
        Severity::Info
    } else {
        Severity::Trace
    });
    let ours_layer =
        opentelemetry_appender_tracing::OpenTelemetryTracingBridge::new(&ours_provider);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(ours_layer), || {
        g.bench_function("ours", |b| b.iter(|| emit_tracing(black_box(7), disabled)));
    });
    let up_min = if disabled {
        upstream::logs::Severity::Info
    } else {
        upstream::logs::Severity::Trace
    };
    let up_provider = up::provider(up_min);
    let up_layer = upstream_appender_tracing::layer::OpenTelemetryTracingBridge::new(&up_provider);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(up_layer), || {
        g.bench_function("upstream", |b| {
            b.iter(|| emit_tracing(black_box(7), disabled))
        });
    });
    g.finish();
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

fn tracing_groups(c: &mut Criterion) {
    tracing_bridge(c, "tracing_info_4_fields", false);
    tracing_bridge(c, "tracing_disabled_event", true);
}

fn log_groups(c: &mut Criterion) {
    use opentelemetry_api::logs::Severity;
    log::set_max_level(log::LevelFilter::Trace);
    let mut g = c.benchmark_group("log_info");
    let ours_provider = ours::provider(Severity::Trace);
    let same = opentelemetry_appender_log::OpenTelemetryLogBridge::new(&ours_provider)
        .with_code_attributes(false);
    let code = opentelemetry_appender_log::OpenTelemetryLogBridge::new(&ours_provider);
    let up_provider = up::provider(upstream::logs::Severity::Trace);
    let upstream = upstream_appender_log::OpenTelemetryLogBridge::new(&up_provider);
    g.bench_function("ours/same_fields", |b| {
        b.iter(|| log::info!(logger: same, "checkout {} done", black_box(7)))
    });
    g.bench_function("upstream/same_fields", |b| {
        b.iter(|| log::info!(logger: upstream, "checkout {} done", black_box(7)))
    });
    g.bench_function("ours/code_attributes", |b| {
        b.iter(|| log::info!(logger: code, "checkout {} done", black_box(7)))
    });
    g.finish();

    let mut g = c.benchmark_group("log_disabled");
    let ours_provider = ours::provider(Severity::Info);
    let ours_bridge = opentelemetry_appender_log::OpenTelemetryLogBridge::new(&ours_provider);
    let up_provider = up::provider(upstream::logs::Severity::Info);
    let up_bridge = upstream_appender_log::OpenTelemetryLogBridge::new(&up_provider);
    g.bench_function("ours", |b| {
        b.iter(|| log::debug!(logger: ours_bridge, "checkout {} done", black_box(7)))
    });
    g.bench_function("upstream", |b| {
        b.iter(|| log::debug!(logger: up_bridge, "checkout {} done", black_box(7)))
    });
    g.finish();
}

criterion_group!(benches, sdk_emit, tracing_groups, log_groups);
criterion_main!(benches);
