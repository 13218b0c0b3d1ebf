//! Span processors: what happens when spans start and end.

use super::export::{SpanData, SpanExporter};
use super::span::Span;
use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::self_observability::{Dropped, ProcessorMetrics, SPAN_PROCESSOR};
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::{otel_error, Context};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Hooks into span start and end. Processors run synchronously on the thread that starts or
/// ends the span, in the order they were added, and only for recording spans; they must not
/// block.
///
/// ```
/// use opentelemetry_api::Context;
/// use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// /// Counts ended spans.
/// #[derive(Debug, Default)]
/// struct Counter(AtomicUsize);
///
/// impl SpanProcessor for Counter {
///     fn on_start(&self, _span: &mut Span, _parent: &Context) {}
///     fn on_end(&self, _span: SpanData) { self.0.fetch_add(1, Ordering::Relaxed); }
///     fn force_flush(&self) -> opentelemetry_sdk::Result { Ok(()) }
///     fn shutdown_with_timeout(&self, _t: std::time::Duration) -> opentelemetry_sdk::Result { Ok(()) }
/// }
/// ```
pub trait SpanProcessor: Send + Sync + Debug {
    /// Called when a recording span starts, with the parent context the SDK determined. The
    /// span may be modified (e.g. attributes added).
    fn on_start(&self, span: &mut Span, parent_cx: &Context);

    /// Whether [`on_start`](Self::on_start) does nothing (then the SDK skips calling it and
    /// returns new spans without moving them again). Only the SDK's processors answer; its
    /// argument's type cannot be named outside the SDK.
    #[doc(hidden)]
    #[inline]
    fn ignores_start(&self, _: private::Sealed) -> bool {
        false
    }

    /// Called while the span ends, after its end time is set and before any `on_end`; the
    /// span's data may still be modified.
    fn on_ending(&self, _span: &mut SpanData) {}

    /// Called with the ended span.
    fn on_end(&self, span: SpanData);

    /// How the SDK's span hands its ended data over when this is its provider's only
    /// processor: in place, so that a processor which moves the data on (the batch processor
    /// into its queue) copies it once. Calls [`on_end`](Self::on_end) by default. Its
    /// argument's type cannot be named outside the SDK, so this is not for other processors
    /// to implement.
    #[doc(hidden)]
    #[inline]
    fn on_end_in_place(&self, span: private::EndedSpan<'_>) {
        self.on_end(span.take())
    }

    /// Exports everything received so far; returns when done or failed.
    fn force_flush(&self) -> Result;

    /// Flushes and shuts down within `timeout`; later calls are ignored.
    fn shutdown_with_timeout(&self, timeout: Duration) -> Result;

    /// Flushes and shuts down within 5 seconds.
    fn shutdown(&self) -> Result {
        self.shutdown_with_timeout(Duration::from_secs(5))
    }

    /// Receives the provider's resource when the provider is built.
    fn set_resource(&mut self, _resource: &Resource) {}

    /// Receives the self-observability meter of a provider built
    /// [`with_self_observability`](super::TracerProviderBuilder::with_self_observability):
    /// the SDK's processors record their `otel.sdk.processor.span.*` metrics with it, unless
    /// they were given a meter provider of their own. Its argument's type cannot be named
    /// outside the SDK.
    #[doc(hidden)]
    fn enable_self_observability(&mut self, _meter: &Meter, _: private::Sealed) {}
}

pub(crate) mod private {
    use super::SpanData;
    use std::marker::PhantomData;

    /// A token only the SDK can make: methods taking it cannot be implemented outside.
    #[derive(Clone, Copy, Debug)]
    pub struct Sealed(pub(crate) ());

    /// An ended span's data, owned but left where the span kept it: [`take`](Self::take)
    /// moves it out; dropping this drops the data in place. Public (for the hidden
    /// [`SpanProcessor::on_end_in_place`](super::SpanProcessor::on_end_in_place)) in a
    /// private module: only the SDK can name or make one.
    pub struct EndedSpan<'a> {
        data: *mut SpanData,
        _owner: PhantomData<&'a mut SpanData>,
    }

    impl<'a> EndedSpan<'a> {
        /// # Safety
        /// `*data` is valid, and from now on owned by the result: the caller neither uses
        /// nor drops it again (the value is moved out or dropped through the result).
        #[inline]
        pub(crate) unsafe fn new(data: *mut SpanData) -> Self {
            EndedSpan {
                data,
                _owner: PhantomData,
            }
        }

        /// The data (still in place).
        #[inline]
        pub(crate) fn get(&self) -> &SpanData {
            // SAFETY: `new`'s contract: valid and owned by `self`.
            unsafe { &*self.data }
        }

        /// Moves the data out.
        #[inline]
        pub(crate) fn take(self) -> SpanData {
            let this = std::mem::ManuallyDrop::new(self);
            // SAFETY: valid and owned (see `new`); read once, and `self` is not dropped, so
            // the data is not dropped in place afterwards.
            unsafe { std::ptr::read(this.data) }
        }

        /// Gives the data up to a callee that moves it out when it returns true (and leaves
        /// it alone otherwise, when it is then dropped in place).
        ///
        /// # Safety
        /// `f` returns true exactly when it moved `*ptr` out (a bitwise copy it now owns).
        #[inline]
        pub(crate) unsafe fn move_out_if(self, f: impl FnOnce(*mut SpanData) -> bool) {
            let this = std::mem::ManuallyDrop::new(self);
            if !f(this.data) {
                // SAFETY: not moved out: still valid and owned here, dropped once.
                unsafe { std::ptr::drop_in_place(this.data) };
            }
        }
    }

    impl Drop for EndedSpan<'_> {
        fn drop(&mut self) {
            // SAFETY: valid and owned (see `new`); dropped once (`take` and `move_out_if`
            // do not run this).
            unsafe { std::ptr::drop_in_place(self.data) }
        }
    }
}

/// Runs an export to completion with telemetry suppressed, containing a panic in the exporter.
pub(crate) fn run_export(exporter: &mut dyn SpanExporter, batch: &[SpanData]) -> Result {
    crate::export::run_export_blocking(|| exporter.export(batch))
}

/// Exports each sampled span as soon as it ends, one export at a time. Simple and
/// synchronous (the ending thread waits for the export): for tests, debugging and exporters
/// that only hand data to a local buffer. Use a batch processor in production.
///
/// ```
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};
/// let provider = SdkTracerProvider::builder()
///     .with_span_processor(SimpleSpanProcessor::new(InMemorySpanExporter::default()))
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct SimpleSpanProcessor {
    exporter: Mutex<Box<dyn SpanExporter>>,
    is_shutdown: AtomicBool,
    metrics: Option<ProcessorMetrics>,
}

impl SimpleSpanProcessor {
    /// A processor that exports to `exporter`.
    pub fn new<E: SpanExporter + 'static>(exporter: E) -> Self {
        SimpleSpanProcessor {
            exporter: Mutex::new(Box::new(exporter)),
            is_shutdown: AtomicBool::new(false),
            metrics: None,
        }
    }

    /// Records `otel.sdk.processor.span.processed` into `meter_provider`, as component
    /// `simple_span_processor/<n>`: a sampled span counts when it is handed to the exporter,
    /// or with `error.type` `already_shutdown` when it ends after shutdown. Off by default;
    /// a provider built
    /// [`with_self_observability`](super::TracerProviderBuilder::with_self_observability)
    /// turns it on for the processors it was given without one.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor};
    /// let processor = SimpleSpanProcessor::new(InMemorySpanExporter::default())
    ///     .with_self_observability(&global::meter_provider());
    /// # drop(processor);
    /// ```
    pub fn with_self_observability<P: MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.enable(&crate::self_observability::meter(meter_provider));
        self
    }

    fn enable(&mut self, meter: &Meter) {
        self.metrics = Some(ProcessorMetrics::new(
            meter,
            &SPAN_PROCESSOR,
            opentelemetry_semantic_conventions::attribute::otel_component_type::SIMPLE_SPAN_PROCESSOR,
            None,
        ));
    }

    fn exporter(&self) -> std::sync::MutexGuard<'_, Box<dyn SpanExporter>> {
        // A panic during an export is contained in `run_export`; the exporter stays usable.
        self.exporter.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SimpleSpanProcessor {
    fn export_one(&self, span: &SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        if self.is_shutdown.load(Ordering::Relaxed) {
            if let Some(metrics) = &self.metrics {
                metrics.dropped(Dropped::AlreadyShutdown);
            }
            return;
        }
        let mut exporter = self.exporter();
        if let Some(metrics) = &self.metrics {
            metrics.processed(1);
        }
        if let Err(err) = run_export(&mut **exporter, std::slice::from_ref(span)) {
            otel_error!(
                "SimpleSpanProcessor.ExportFailed",
                "span export failed: {err}"
            );
        }
    }
}

impl SpanProcessor for SimpleSpanProcessor {
    fn on_start(&self, _span: &mut Span, _parent_cx: &Context) {}

    fn ignores_start(&self, _: private::Sealed) -> bool {
        true
    }

    fn on_end(&self, span: SpanData) {
        self.export_one(&span)
    }

    /// Exports the span from where it is (then drops it there): no copy.
    fn on_end_in_place(&self, span: private::EndedSpan<'_>) {
        self.export_one(span.get())
    }

    fn force_flush(&self) -> Result {
        if self.is_shutdown.load(Ordering::Relaxed) {
            return Err(Error::AlreadyShutdown);
        }
        let mut exporter = self.exporter();
        crate::export::suppressed(|| exporter.force_flush())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> Result {
        if self.is_shutdown.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyShutdown);
        }
        let mut exporter = self.exporter();
        crate::export::suppressed(|| exporter.shutdown())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.exporter
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .set_resource(resource);
    }

    fn enable_self_observability(&mut self, meter: &Meter, _: private::Sealed) {
        if self.metrics.is_none() {
            self.enable(meter);
        }
    }
}
