//! What log exporters receive, and the exporter interface.

use super::record::SdkLogRecord;
use crate::error::Result;
use crate::resource::Resource;
use crate::trace::BoxFuture;
use opentelemetry_api::InstrumentationScope;
use std::fmt::Debug;
use std::sync::Arc;

/// An emitted log record with the instrumentation scope of the logger that emitted it: what
/// exporters receive (the spec's `ReadableLogRecord`; the resource is handed to the exporter
/// once, through [`LogExporter::set_resource`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LogData {
    /// The record.
    pub record: SdkLogRecord,
    /// The scope of the logger that emitted it (shared by every record of that logger).
    pub instrumentation_scope: Arc<InstrumentationScope>,
}

/// Sends batches of log records somewhere: the interface every log exporter implements.
///
/// It is dyn-compatible (processors hold `Box<dyn LogExporter>`). `export` returns a boxed
/// future so that an exporter may do asynchronous I/O; the SDK's processors drive it to
/// completion (on their own thread by default, so no async runtime is required), never call
/// `export` concurrently (`&mut self`), never call it after `shutdown`, and call it with
/// telemetry suppressed, so that logs the exporter itself writes through a bridged logging
/// library are not exported back into it. A synchronous exporter returns
/// `Box::pin(std::future::ready(result))`.
///
/// ```
/// use opentelemetry_sdk::logs::{LogData, LogExporter};
/// use opentelemetry_sdk::trace::BoxFuture;
///
/// #[derive(Debug, Default)]
/// struct CountingExporter { records: usize }
///
/// impl LogExporter for CountingExporter {
///     fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
///         self.records += batch.len();
///         Box::pin(std::future::ready(Ok(())))
///     }
/// }
/// ```
pub trait LogExporter: Send + Debug {
    /// Exports a batch; must not block forever (give up with an error after a timeout).
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, Result>;

    /// Exports anything the exporter itself buffered.
    fn force_flush(&mut self) -> Result {
        Ok(())
    }

    /// Shuts the exporter down; later exports fail.
    fn shutdown(&mut self) -> Result {
        Ok(())
    }

    /// Receives the provider's resource once, before the first export.
    fn set_resource(&mut self, _resource: &Resource) {}
}

impl<T: LogExporter + ?Sized> LogExporter for Box<T> {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, Result> {
        (**self).export(batch)
    }
    fn force_flush(&mut self) -> Result {
        (**self).force_flush()
    }
    fn shutdown(&mut self) -> Result {
        (**self).shutdown()
    }
    fn set_resource(&mut self, resource: &Resource) {
        (**self).set_resource(resource)
    }
}
