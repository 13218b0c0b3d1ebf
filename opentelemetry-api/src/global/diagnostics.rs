//! The internal diagnostic handler: where the API, the SDK and exporters report what went wrong.
//!
//! Telemetry never panics and never writes to the console behind the user's back; instead it
//! calls this handler with a [`Diagnostic`] whose `name` is stable (for example
//! `"TraceState.InvalidHeader"`), so a user can filter or count them. The default handler
//! writes to standard error what `OTEL_LOG_LEVEL` lets through (default `info`: life-cycle
//! events, warnings and errors); [`set_diagnostic_handler`] replaces it.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::RwLock;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagnosticLevel {
    /// Detail for people debugging the telemetry pipeline itself.
    Debug = 1,
    /// Normal life-cycle events (a provider shut down, an exporter started).
    Info = 2,
    /// Something was dropped or ignored (bad input, a full queue, an invalid value).
    Warn = 3,
    /// An operation failed (an export, a flush, a shutdown).
    Error = 4,
}

/// One internal diagnostic event.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// How serious it is.
    pub level: DiagnosticLevel,
    /// A stable event name, `Component.Event` (for example `"BatchSpanProcessor.QueueFull"`).
    pub name: &'static str,
    /// A message for people.
    pub message: Cow<'static, str>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OpenTelemetry {:?} [{}]: {}",
            self.level, self.name, self.message
        )
    }
}

type Handler = Box<dyn Fn(&Diagnostic) + Send + Sync>;

static HANDLER: RwLock<Option<Handler>> = RwLock::new(None);
/// Diagnostics below this level are not even formatted. `UNSET` until first read, when
/// `OTEL_LOG_LEVEL` (default `info`) decides it.
static MIN_LEVEL: AtomicU8 = AtomicU8::new(UNSET);
const UNSET: u8 = 0;
/// Above every level: nothing is reported (`OTEL_LOG_LEVEL=none`).
const OFF: u8 = 5;

/// The level named by an `OTEL_LOG_LEVEL` value; `None` when it names none.
fn level_from_env(value: &str) -> Option<u8> {
    Some(match value.trim().to_ascii_lowercase().as_str() {
        "" | "info" => DiagnosticLevel::Info as u8,
        "trace" | "debug" | "all" => DiagnosticLevel::Debug as u8,
        "warn" | "warning" => DiagnosticLevel::Warn as u8,
        "error" => DiagnosticLevel::Error as u8,
        "none" | "off" => OFF,
        _ => return None,
    })
}

#[cold]
fn init_min_level() -> u8 {
    let raw = std::env::var("OTEL_LOG_LEVEL").unwrap_or_default();
    let level = level_from_env(&raw).unwrap_or(DiagnosticLevel::Info as u8);
    // Only the first initialisation wins; a handler set meanwhile keeps its level.
    match MIN_LEVEL.compare_exchange(UNSET, level, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => {
            if level_from_env(&raw).is_none() {
                handle_diagnostic(Diagnostic {
                    level: DiagnosticLevel::Warn,
                    name: "Env.InvalidLogLevel",
                    message: Cow::Owned(format!(
                        "OTEL_LOG_LEVEL={raw:?} is not debug, info, warn, error or none; using info"
                    )),
                });
            }
            level
        }
        Err(current) => current,
    }
}

/// Replaces the diagnostic handler, and sets the lowest level it receives.
///
/// ```
/// use opentelemetry_api::global::{self, DiagnosticLevel};
/// global::set_diagnostic_handler(DiagnosticLevel::Warn, |d| {
///     // send to your own logging, count, or ignore
///     let _ = (d.name, &d.message);
/// });
/// ```
pub fn set_diagnostic_handler<F>(min_level: DiagnosticLevel, handler: F)
where
    F: Fn(&Diagnostic) + Send + Sync + 'static,
{
    let mut guard = HANDLER
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *guard = Some(Box::new(handler));
    MIN_LEVEL.store(min_level as u8, Ordering::Release);
}

/// Whether a diagnostic of this level would reach the handler (so formatting can be skipped).
/// The level comes from [`set_diagnostic_handler`], or else from `OTEL_LOG_LEVEL`
/// (`debug`, `info` (the default), `warn`, `error` or `none`).
#[inline]
pub fn diagnostic_enabled(level: DiagnosticLevel) -> bool {
    let min = match MIN_LEVEL.load(Ordering::Relaxed) {
        UNSET => init_min_level(),
        min => min,
    };
    level as u8 >= min
}

/// Reports a diagnostic to the handler. Prefer the `otel_warn!`-style macros, which skip the
/// formatting when the level is disabled.
pub fn handle_diagnostic(diagnostic: Diagnostic) {
    if !diagnostic_enabled(diagnostic.level) {
        return;
    }
    // The handler is user code: a panic in it must not escape into instrumented code.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let guard = HANDLER
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match guard.as_ref() {
            Some(handler) => handler(&diagnostic),
            None => default_handler(&diagnostic),
        }
    }));
}

/// Reports an [`Error`](crate::Error) at error level under the given event name.
pub fn handle_error(name: &'static str, error: impl fmt::Display) {
    if diagnostic_enabled(DiagnosticLevel::Error) {
        handle_diagnostic(Diagnostic {
            level: DiagnosticLevel::Error,
            name,
            message: Cow::Owned(error.to_string()),
        });
    }
}

#[allow(clippy::print_stderr)]
fn default_handler(diagnostic: &Diagnostic) {
    // The one place the library writes to the console, and only until the user installs a
    // handler: silent loss of telemetry is worse than a line on stderr.
    eprintln!("{diagnostic}");
}

/// Reports a diagnostic at the given level: `otel_diagnostic!(Warn, "Name.Event", "fmt", args..)`.
#[macro_export]
macro_rules! otel_diagnostic {
    ($level:ident, $name:expr, $($arg:tt)+) => {
        if $crate::global::diagnostic_enabled($crate::global::DiagnosticLevel::$level) {
            $crate::global::handle_diagnostic($crate::global::Diagnostic {
                level: $crate::global::DiagnosticLevel::$level,
                name: $name,
                message: ::std::borrow::Cow::Owned(::std::format!($($arg)+)),
            });
        }
    };
}

/// Reports a debug diagnostic: `otel_debug!("Name.Event", "message {}", x)`.
#[macro_export]
macro_rules! otel_debug {
    ($name:expr, $($arg:tt)+) => { $crate::otel_diagnostic!(Debug, $name, $($arg)+) };
}

/// Reports an info diagnostic: `otel_info!("Name.Event", "message {}", x)`.
#[macro_export]
macro_rules! otel_info {
    ($name:expr, $($arg:tt)+) => { $crate::otel_diagnostic!(Info, $name, $($arg)+) };
}

/// Reports a warning diagnostic: `otel_warn!("Name.Event", "message {}", x)`.
#[macro_export]
macro_rules! otel_warn {
    ($name:expr, $($arg:tt)+) => { $crate::otel_diagnostic!(Warn, $name, $($arg)+) };
}

/// Reports an error diagnostic: `otel_error!("Name.Event", "message {}", x)`.
#[macro_export]
macro_rules! otel_error {
    ($name:expr, $($arg:tt)+) => { $crate::otel_diagnostic!(Error, $name, $($arg)+) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_level_values() {
        assert_eq!(level_from_env("DEBUG"), Some(DiagnosticLevel::Debug as u8));
        assert_eq!(level_from_env(""), Some(DiagnosticLevel::Info as u8));
        assert_eq!(level_from_env("warning"), Some(DiagnosticLevel::Warn as u8));
        assert_eq!(level_from_env("error"), Some(DiagnosticLevel::Error as u8));
        assert_eq!(level_from_env("none"), Some(OFF));
        assert_eq!(level_from_env("loud"), None);
    }
}
