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
//! - In both `tracing_*` groups, `*/callsite_filter`: the same behind a per-layer filter that
//!   asks the logger once per callsite and lets `tracing` cache the answer (ours:
//!   `with_callsite_filter()`; upstream: `filter_fn` asking its logger's `event_enabled`,
//!   which is what an upstream user would write). A filtered-out callsite then costs
//!   `tracing`'s cached-interest check.
//! - `tracing_span`: a `tracing` span with one field, entered and exited (`in_scope`) and
//!   closed, through a span bridge into an SDK tracer with the `AlwaysOn` sampler and a span
//!   processor that does nothing: `ours` (this bridge's `with_tracer`) / `upstream`
//!   (`tracing-opentelemetry` 0.34, the usual bridge, on upstream's SDK 0.33).
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

    /// The severity for a `tracing` level, as upstream's bridge maps it.
    pub fn severity_of(level: &tracing::Level) -> Severity {
        match *level {
            tracing::Level::ERROR => Severity::Error,
            tracing::Level::WARN => Severity::Warn,
            tracing::Level::INFO => Severity::Info,
            tracing::Level::DEBUG => Severity::Debug,
            _ => Severity::Trace,
        }
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
    use tracing_subscriber::Layer as _;
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
    let ours_layer =
        opentelemetry_appender_tracing::OpenTelemetryTracingBridge::new(&ours_provider)
            .with_callsite_filter();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(ours_layer), || {
        g.bench_function("ours/callsite_filter", |b| {
            b.iter(|| emit_tracing(black_box(7), disabled))
        });
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
    let up_logger = {
        use upstream::logs::LoggerProvider as _;
        up_provider.logger("filter")
    };
    let up_filter = tracing_subscriber::filter::filter_fn(move |meta| {
        use upstream::logs::Logger as _;
        up_logger.event_enabled(
            up::severity_of(meta.level()),
            meta.target(),
            Some(meta.name()),
        )
    });
    let up_layer = upstream_appender_tracing::layer::OpenTelemetryTracingBridge::new(&up_provider)
        .with_filter(up_filter);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(up_layer), || {
        g.bench_function("upstream/callsite_filter", |b| {
            b.iter(|| emit_tracing(black_box(7), disabled))
        });
    });
    g.finish();
}

/// A `tracing` span through each span bridge.
fn tracing_span(c: &mut Criterion) {
    use opentelemetry_api::logs::Severity;
    let mut g = c.benchmark_group("tracing_span");
    {
        use opentelemetry_api::trace::TracerProvider as _;
        let logs = ours::provider(Severity::Trace);
        let traces = opentelemetry_sdk::trace::SdkTracerProvider::builder()
            .with_span_processor(ours::NoopSpans)
            .build();
        let layer = opentelemetry_appender_tracing::OpenTelemetryTracingBridge::new(&logs)
            .with_tracer(traces.tracer("bench"));
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            g.bench_function("ours", |b| b.iter(|| span_in_scope(black_box(7))));
        });
    }
    {
        use upstream::trace::TracerProvider as _;
        let traces = upstream_sdk::trace::SdkTracerProvider::builder()
            .with_span_processor(up::NoopSpans)
            .build();
        let layer = tracing_opentelemetry::layer().with_tracer(traces.tracer("bench"));
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            g.bench_function("upstream", |b| b.iter(|| span_in_scope(black_box(7))));
        });
    }
    g.finish();
}

#[inline(always)]
fn span_in_scope(id: i64) {
    tracing::info_span!("checkout", user.id = id).in_scope(|| black_box(id));
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
    tracing_span(c);
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
