//! The global logger provider.

use super::slot::{GlobalSlot, ScopedDelegate};
use crate::logs::{
    BoxedLogRecord, BoxedLogger, Logger, LoggerProvider, ObjectSafeLoggerProvider, Severity,
};
use crate::InstrumentationScope;
use std::any::TypeId;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

static SLOT: GlobalSlot<Arc<dyn ObjectSafeLoggerProvider>> = GlobalSlot::new();

/// Installs `provider` as the global logger provider.
///
/// Loggers taken from [`logger`] or [`logger_provider`] before this call start using the new
/// provider from their next record on. Replacing a provider does not shut the old one down:
/// keep a handle to it and shut it down yourself. Installing the global provider itself is
/// refused (it would delegate to itself).
///
/// ```
/// use opentelemetry_api::global;
/// use opentelemetry_api::logs::noop::NoopLoggerProvider;
/// global::set_logger_provider(NoopLoggerProvider::new());
/// ```
pub fn set_logger_provider<P>(provider: P)
where
    P: ObjectSafeLoggerProvider + 'static,
{
    if TypeId::of::<P>() == TypeId::of::<GlobalLoggerProvider>() {
        crate::otel_warn!(
            "GlobalLoggerProvider.SelfInstall",
            "ignored an attempt to install the global logger provider as the global provider"
        );
        return;
    }
    SLOT.install(Arc::new(provider));
}

/// The global logger provider: a handle that always delegates to the installed one.
pub fn logger_provider() -> GlobalLoggerProvider {
    GlobalLoggerProvider { _private: () }
}

/// A logger from the global provider, for a scope with only a name.
///
/// ```
/// use opentelemetry_api::global;
/// use opentelemetry_api::logs::{LogRecord, Logger, Severity};
///
/// let logger = global::logger("my-bridge");
/// let mut record = logger.create_log_record();
/// record.set_severity_number(Severity::Info);
/// record.set_body("started".into());
/// logger.emit(record);
/// ```
pub fn logger(name: impl Into<Cow<'static, str>>) -> GlobalLogger {
    logger_provider().logger(name)
}

/// A logger from the global provider, for a full instrumentation scope.
pub fn logger_with_scope(scope: InstrumentationScope) -> GlobalLogger {
    logger_provider().logger_with_scope(scope)
}

/// The global logger provider (see [`logger_provider`]).
#[derive(Clone, Copy, Debug)]
pub struct GlobalLoggerProvider {
    _private: (),
}

impl LoggerProvider for GlobalLoggerProvider {
    type Logger = GlobalLogger;

    fn logger_with_scope(&self, scope: InstrumentationScope) -> GlobalLogger {
        GlobalLogger {
            inner: Arc::new(ScopedDelegate::new(scope)),
        }
    }
}

/// A logger taken from the global provider.
///
/// Until a provider is installed it is a no-op: creating a record costs one atomic load and
/// returns an inline no-op [`BoxedLogRecord`], and setting fields and emitting it do nothing
/// and allocate nothing. Afterwards it delegates to a logger of the installed provider,
/// created on first use and re-created if the global provider is replaced.
#[derive(Clone)]
pub struct GlobalLogger {
    inner: Arc<ScopedDelegate<BoxedLogger>>,
}

impl fmt::Debug for GlobalLogger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlobalLogger")
            .field("scope", &self.inner.scope)
            .finish()
    }
}

impl GlobalLogger {
    #[inline]
    fn delegate(&self) -> Option<&BoxedLogger> {
        self.inner.get(&SLOT, |provider, scope| {
            provider.boxed_logger(scope.clone())
        })
    }
}

impl Logger for GlobalLogger {
    type LogRecord = BoxedLogRecord;

    #[inline]
    fn create_log_record(&self) -> BoxedLogRecord {
        match self.delegate() {
            Some(logger) => logger.create_log_record(),
            None => BoxedLogRecord::NOOP,
        }
    }

    #[inline]
    fn emit(&self, record: BoxedLogRecord) {
        if record.is_noop() {
            return;
        }
        if let Some(logger) = self.delegate() {
            logger.emit(record)
        }
    }

    #[inline]
    fn enabled(&self, severity: Severity, target: &str, event_name: Option<&str>) -> bool {
        self.delegate()
            .is_some_and(|logger| logger.enabled(severity, target, event_name))
    }
}
