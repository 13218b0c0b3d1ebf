//! Process-wide providers, propagator and the diagnostic handler.
//!
//! Libraries take tracers, meters and loggers from here; the application installs an SDK's
//! providers once at start-up. Whatever a library took before that starts recording once the
//! SDK is installed. Reading a global is lock-free: one atomic load when nothing is installed,
//! two when something is.

mod diagnostics;
mod logs;
mod metrics;
mod propagation;
mod slot;
pub(crate) mod swap;
mod trace;

pub use diagnostics::{
    diagnostic_enabled, handle_diagnostic, handle_error, set_diagnostic_handler, Diagnostic,
    DiagnosticLevel,
};
pub use logs::{
    logger, logger_provider, logger_with_scope, set_logger_provider, GlobalLogger,
    GlobalLoggerProvider,
};
pub use metrics::{
    meter, meter_provider, meter_with_scope, set_meter_provider, GlobalMeterProvider,
};
pub use propagation::{get_text_map_propagator, set_text_map_propagator};
pub use trace::{
    set_tracer_provider, tracer, tracer_provider, tracer_with_scope, GlobalTracer,
    GlobalTracerProvider,
};
