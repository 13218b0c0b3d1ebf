//! # A bridge from the `log` crate to OpenTelemetry logs
//!
//! [`OpenTelemetryLogBridge`] is a [`log::Log`] that turns every record of the `log` facade
//! into an OpenTelemetry log record, emitted through a logger of any
//! [`LoggerProvider`] of the API: the SDK's, the
//! global one, or a boxed one.
//!
//! | `log` | OpenTelemetry log record |
//! | --- | --- |
//! | level `Error`, `Warn`, `Info`, `Debug`, `Trace` | severity `ERROR` (17), `WARN` (13), `INFO` (9), `DEBUG` (5), `TRACE` (1); severity text `"ERROR"`, `"WARN"`, ... |
//! | message (`args`) | body (a string; not copied when it is a literal) |
//! | target | the record's target |
//! | file, line | attributes `code.file.path`, `code.line.number` (semantic conventions) |
//! | module path | attribute `code.namespace` (see below) |
//! | key-values (feature `with-kv`) | attributes, with their types: booleans, integers, floats, strings; anything else as its display text |
//!
//! The code attributes are on by default and can be turned off with
//! [`with_code_attributes`](OpenTelemetryLogBridge::with_code_attributes). The semantic
//! conventions have no stable attribute for a module path (`code.function.name` needs the
//! function, which `log` does not give); the bridge uses `code.namespace`, the nearest one.
//!
//! The trace context of a record is the one current when the record is logged: logs written
//! inside a span carry its IDs. [`Log::enabled`](log::Log::enabled) asks the OpenTelemetry
//! logger ([`Logger::enabled`]), and a record it filters out costs that question and nothing
//! else: no allocation, no formatting. Nothing is recorded while telemetry is suppressed, so
//! an exporter that logs through `log` does not feed its own output back.
//!
//! ```
//! use opentelemetry_appender_log::OpenTelemetryLogBridge;
//! use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
//!
//! let exporter = InMemoryLogExporter::default();
//! let provider = SdkLoggerProvider::builder().with_simple_exporter(exporter.clone()).build();
//! let bridge = OpenTelemetryLogBridge::new(&provider);
//! // In an application: log::set_boxed_logger(Box::new(bridge)); here the logger is given
//! // explicitly.
//! log::set_max_level(log::LevelFilter::Info);
//! log::warn!(logger: bridge, target: "shop::payments", "card declined for order {}", 42);
//!
//! let logs = exporter.get_emitted_logs();
//! assert_eq!(logs[0].record.severity_text(), Some("WARN"));
//! assert_eq!(logs[0].record.target(), Some("shop::payments"));
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use log::{Level, Metadata, Record};
use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
use opentelemetry_api::{AnyValue, Context, InstrumentationScope, Key, StringValue};
use std::borrow::Cow;
use std::fmt;

/// The instrumentation scope name of the bridge's logger.
pub const SCOPE_NAME: &str = "opentelemetry-appender-log";

const CODE_FILE_PATH: Key = Key::from_static_str("code.file.path");
const CODE_LINE_NUMBER: Key = Key::from_static_str("code.line.number");
const CODE_NAMESPACE: Key = Key::from_static_str("code.namespace");

/// The severity for a `log` level (each level maps to the first step of its range).
#[inline]
pub fn severity_of(level: Level) -> Severity {
    match level {
        Level::Error => Severity::Error,
        Level::Warn => Severity::Warn,
        Level::Info => Severity::Info,
        Level::Debug => Severity::Debug,
        Level::Trace => Severity::Trace,
    }
}

/// A [`log::Log`] that emits every record through an OpenTelemetry logger (see the
/// [crate documentation](crate) for the mapping).
///
/// ```
/// use opentelemetry_appender_log::OpenTelemetryLogBridge;
/// use opentelemetry_api::global;
///
/// // Through the global provider: records go wherever the installed provider sends them.
/// let bridge = OpenTelemetryLogBridge::new(&global::logger_provider());
/// let _ = log::set_boxed_logger(Box::new(bridge));
/// log::set_max_level(log::LevelFilter::Info);
/// log::info!("started");
/// ```
pub struct OpenTelemetryLogBridge<L> {
    logger: L,
    code_attributes: bool,
}

impl<L> fmt::Debug for OpenTelemetryLogBridge<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenTelemetryLogBridge")
            .field("code_attributes", &self.code_attributes)
            .finish()
    }
}

impl<L: Logger> OpenTelemetryLogBridge<L> {
    /// A bridge emitting through a logger of `provider`, for the scope
    /// `opentelemetry-appender-log` with this crate's version.
    pub fn new<P: LoggerProvider<Logger = L>>(provider: &P) -> Self {
        let scope = InstrumentationScope::builder(SCOPE_NAME)
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        OpenTelemetryLogBridge::from_logger(provider.logger_with_scope(scope))
    }

    /// A bridge emitting through `logger` (for example a
    /// [`BoxedLogger`](opentelemetry_api::logs::BoxedLogger)).
    pub fn from_logger(logger: L) -> Self {
        OpenTelemetryLogBridge {
            logger,
            code_attributes: true,
        }
    }

    /// Whether to record the file, line and module path as `code.*` attributes (default
    /// `true`).
    pub fn with_code_attributes(mut self, enabled: bool) -> Self {
        self.code_attributes = enabled;
        self
    }

    /// The logger records are emitted through.
    pub fn logger(&self) -> &L {
        &self.logger
    }
}

impl<L> log::Log for OpenTelemetryLogBridge<L>
where
    L: Logger + Send + Sync,
{
    #[inline]
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // The logger first: a filtered-out record stops at its first check.
        self.logger
            .enabled(severity_of(metadata.level()), metadata.target(), None)
            && !Context::is_current_telemetry_suppressed()
    }

    fn log(&self, record: &Record<'_>) {
        // `log!` does not ask `enabled` first: a filtered-out record stops here, before
        // anything is allocated or formatted.
        if !self.enabled(record.metadata()) {
            return;
        }
        self.emit(record)
    }

    fn flush(&self) {}
}

impl<L: Logger> OpenTelemetryLogBridge<L> {
    /// Emits `record` (the logger said it is enabled for it). Kept out of line so that a
    /// filtered-out record does not pay for this frame.
    #[inline(never)]
    fn emit(&self, record: &Record<'_>) {
        let code_attributes = self.code_attributes;
        // Filled in place: the logger's record is never moved.
        self.logger.emit_with(|otel| {
            let level = record.level();
            otel.set_severity_number(severity_of(level));
            otel.set_severity_text(level.as_str());
            let body = match record.args().as_str() {
                Some(literal) => AnyValue::from(literal),
                None => AnyValue::String(StringValue::format(*record.args())),
            };
            otel.set_body(body);
            let target = record.target();
            let module = record.module_path_static();
            // The default target is the module path: reuse the static string when it is.
            let target: Cow<'static, str> = match module {
                Some(m) if std::ptr::eq(m, target) || m == target => Cow::Borrowed(m),
                _ => Cow::Owned(target.to_owned()),
            };
            otel.set_target(target);
            if code_attributes {
                match (record.file_static(), record.file()) {
                    (Some(file), _) => otel.add_attribute(CODE_FILE_PATH, file),
                    (None, Some(file)) => otel.add_attribute(CODE_FILE_PATH, file.to_owned()),
                    (None, None) => {}
                }
                if let Some(line) = record.line() {
                    otel.add_attribute(CODE_LINE_NUMBER, i64::from(line));
                }
                match (module, record.module_path()) {
                    (Some(m), _) => otel.add_attribute(CODE_NAMESPACE, m),
                    (None, Some(m)) => otel.add_attribute(CODE_NAMESPACE, m.to_owned()),
                    (None, None) => {}
                }
            }
            #[cfg(feature = "with-kv")]
            kv::record_key_values(record, otel);
        });
    }
}

#[cfg(feature = "with-kv")]
mod kv {
    use log::kv::{Error, Key as LogKey, Value as LogValue, VisitSource};
    use opentelemetry_api::logs::LogRecord;
    use opentelemetry_api::{AnyValue, Key, StringValue};

    struct Visitor<'r, R>(&'r mut R);

    impl<'kvs, R: LogRecord> VisitSource<'kvs> for Visitor<'_, R> {
        fn visit_pair(&mut self, key: LogKey<'kvs>, value: LogValue<'kvs>) -> Result<(), Error> {
            self.0
                .record_attribute(Key::copied(key.as_str()), any_value(&value));
            Ok(())
        }
    }

    /// The attribute value of a `log` value, keeping its type where OpenTelemetry has one.
    fn any_value(value: &LogValue<'_>) -> AnyValue {
        if let Some(b) = value.to_bool() {
            return AnyValue::Boolean(b);
        }
        if let Some(i) = value.to_i64() {
            return AnyValue::Int(i);
        }
        if let Some(u) = value.to_u64() {
            // Too large for an i64: keep every digit as text.
            return AnyValue::from(u.to_string());
        }
        if let Some(f) = value.to_f64() {
            return AnyValue::Double(f);
        }
        if let Some(s) = value.to_borrowed_str() {
            return AnyValue::String(StringValue::copied(s));
        }
        AnyValue::from(value.to_string())
    }

    pub(crate) fn record_key_values<R: LogRecord>(record: &log::Record<'_>, otel: &mut R) {
        let _ = record.key_values().visit(&mut Visitor(otel));
    }
}
