//! The push metric exporter interface.

use super::aggregation::Aggregation;
use super::data::{ResourceMetrics, Temporality};
use super::view::InstrumentKind;
use crate::error::Result;
use crate::trace::BoxFuture;
use std::fmt::Debug;

/// Sends collected metrics somewhere: what a [`PeriodicReader`](super::PeriodicReader)
/// exports to.
///
/// It is dyn-compatible. `export` returns a boxed future so that an exporter may do
/// asynchronous I/O; the reader drives it (on its own thread by default), never calls
/// `export` concurrently, gives each export a timeout, and never calls it after `shutdown`.
/// A synchronous exporter returns `Box::pin(std::future::ready(result))`.
///
/// The reader asks [`temporality`](Self::temporality) and [`aggregation`](Self::aggregation)
/// once, when it is built.
///
/// ```
/// use opentelemetry_sdk::metrics::{PushMetricExporter, ResourceMetrics};
/// use opentelemetry_sdk::trace::BoxFuture;
///
/// #[derive(Debug, Default)]
/// struct CountingExporter { metrics: usize }
///
/// impl PushMetricExporter for CountingExporter {
///     fn export<'a>(&'a mut self, batch: &'a ResourceMetrics) -> BoxFuture<'a, opentelemetry_sdk::Result> {
///         self.metrics += batch.scope_metrics.iter().map(|s| s.metrics.len()).sum::<usize>();
///         Box::pin(std::future::ready(Ok(())))
///     }
/// }
/// ```
pub trait PushMetricExporter: Send + Debug + 'static {
    /// Exports one batch; must not block forever (give up with an error after a timeout).
    fn export<'a>(&'a mut self, metrics: &'a ResourceMetrics) -> BoxFuture<'a, Result>;

    /// Sends anything the exporter itself buffered.
    fn force_flush(&mut self) -> Result {
        Ok(())
    }

    /// Shuts the exporter down; later exports fail.
    fn shutdown(&mut self) -> Result {
        Ok(())
    }

    /// The temporality the exporter wants for an instrument kind (default: cumulative).
    fn temporality(&self, _kind: InstrumentKind) -> Temporality {
        Temporality::Cumulative
    }

    /// The default aggregation the exporter wants for an instrument kind (default: the
    /// kind's default); views override it.
    fn aggregation(&self, _kind: InstrumentKind) -> Aggregation {
        Aggregation::Default
    }
}

impl<T: PushMetricExporter + ?Sized> PushMetricExporter for Box<T> {
    fn export<'a>(&'a mut self, metrics: &'a ResourceMetrics) -> BoxFuture<'a, Result> {
        (**self).export(metrics)
    }
    fn force_flush(&mut self) -> Result {
        (**self).force_flush()
    }
    fn shutdown(&mut self) -> Result {
        (**self).shutdown()
    }
    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        (**self).temporality(kind)
    }
    fn aggregation(&self, kind: InstrumentKind) -> Aggregation {
        (**self).aggregation(kind)
    }
}
