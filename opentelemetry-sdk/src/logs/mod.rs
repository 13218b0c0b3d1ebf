//! The logs SDK: the logger provider, log records, limits, processors and exporters.
//!
//! Applications keep logging with their library (`log`, `tracing`, ...); a bridge
//! (`opentelemetry-appender-log`, `opentelemetry-appender-tracing`) turns each record into an
//! OpenTelemetry log record through a logger of this provider. Records emitted inside a span
//! carry its trace and span IDs.
//!
//! ```
//! use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
//! use opentelemetry_api::trace::{Tracer, TracerProvider};
//! use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//!
//! let exporter = InMemoryLogExporter::default();
//! let provider = SdkLoggerProvider::builder().with_simple_exporter(exporter.clone()).build();
//! let logger = provider.logger("my-app");
//! let tracer = SdkTracerProvider::default().tracer("my-app");
//!
//! tracer.in_span("checkout", |_cx| {
//!     let mut record = logger.create_log_record();
//!     record.set_severity_number(Severity::Warn);
//!     record.set_severity_text("WARN");
//!     record.set_body("card declined".into());
//!     record.add_attribute("payment.id", "p-42");
//!     logger.emit(record);
//! });
//!
//! let logs = exporter.get_emitted_logs();
//! assert_eq!(logs.len(), 1);
//! assert!(logs[0].record.trace_context().is_some(), "correlated with the span");
//! ```

mod batch;
mod export;
mod in_memory;
mod limits;
mod processor;
mod provider;
mod record;
mod stdout;

pub use batch::{BatchConfig, BatchConfigBuilder, BatchLogProcessor, BatchLogProcessorBuilder};
pub use export::{LogData, LogExporter};
pub use in_memory::InMemoryLogExporter;
pub use limits::LogRecordLimits;
pub use processor::{LogProcessor, SimpleLogProcessor};
pub use provider::{LoggerProviderBuilder, SdkLogger, SdkLoggerProvider, DEFAULT_SHUTDOWN_TIMEOUT};
pub use record::{SdkLogRecord, TraceContext};
pub use stdout::{ConsoleLogExporter, StdoutLogExporter};
