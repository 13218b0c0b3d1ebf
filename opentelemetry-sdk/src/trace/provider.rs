//! The SDK tracer provider.

use super::batch::BatchSpanProcessor;
use super::export::SpanExporter;
use super::id_generator::{IdGenerator, RandomIdGenerator};
use super::limits::SpanLimits;
use super::processor::{SimpleSpanProcessor, SpanProcessor};
use super::sampler::{Sampler, ShouldSample};
use super::tracer::SdkTracer;
use crate::error::{first_error, Error, Result};
use crate::resource::Resource;
use crate::self_observability::TracerMetrics;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::{otel_debug, InstrumentationScope};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The default timeout of [`SdkTracerProvider::shutdown`].
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The provider's configuration: everything it owns apart from its processors.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) sampler: Box<dyn ShouldSample>,
    pub(crate) id_generator: Box<dyn IdGenerator>,
    pub(crate) span_limits: SpanLimits,
    pub(crate) resource: Resource,
}

struct ProviderInner {
    processors: Vec<Box<dyn SpanProcessor>>,
    /// Whether a processor has something to do in `on_start`.
    starts: bool,
    config: Config,
    is_shutdown: AtomicBool,
    /// `OTEL_SDK_DISABLED`: record nothing.
    disabled: bool,
    /// `otel.sdk.span.*`, when self-observability is on.
    metrics: Option<Box<TracerMetrics>>,
}

impl ProviderInner {
    fn shutdown(&self, timeout: Duration) -> Result {
        if self.is_shutdown.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyShutdown);
        }
        first_error(
            self.processors
                .iter()
                .map(|p| p.shutdown_with_timeout(timeout)),
        )
    }
}

impl Drop for ProviderInner {
    fn drop(&mut self) {
        if !self.is_shutdown.load(Ordering::Acquire) {
            if let Err(err) = self.shutdown(DEFAULT_SHUTDOWN_TIMEOUT) {
                opentelemetry_api::global::handle_error("TracerProvider.ShutdownOnDrop", err);
            }
        }
    }
}

/// The SDK's tracer provider: owns the processors, sampler, ID generator, limits and resource.
/// Clones share one provider; dropping the last clone (tracers and spans hold one too) shuts
/// it down.
///
/// ```
/// use opentelemetry_api::trace::{Span, Tracer, TracerProvider};
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
///
/// let exporter = InMemorySpanExporter::default();
/// let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
/// let tracer = provider.tracer("example");
/// tracer.start("work").end();
/// assert_eq!(exporter.get_finished_spans()[0].name, "work");
/// provider.shutdown().unwrap();
/// ```
#[derive(Clone)]
pub struct SdkTracerProvider {
    inner: Arc<ProviderInner>,
}

impl fmt::Debug for SdkTracerProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkTracerProvider")
            .field("processors", &self.inner.processors)
            .field("config", &self.inner.config)
            .field("is_shutdown", &self.is_shutdown())
            .finish()
    }
}

impl Default for SdkTracerProvider {
    fn default() -> Self {
        SdkTracerProvider::builder().build()
    }
}

impl SdkTracerProvider {
    /// A builder with the defaults: no processors, `ParentBased(AlwaysOn)`, random IDs,
    /// default limits and the default resource.
    pub fn builder() -> TracerProviderBuilder {
        TracerProviderBuilder::default()
    }

    #[inline]
    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    #[inline]
    pub(crate) fn span_limits(&self) -> &SpanLimits {
        &self.inner.config.span_limits
    }

    /// The span metrics, when self-observability is on.
    #[inline]
    pub(crate) fn metrics(&self) -> Option<&TracerMetrics> {
        self.inner.metrics.as_deref()
    }

    /// Whether a processor has something to do when a span starts.
    #[inline]
    pub(crate) fn calls_on_start(&self) -> bool {
        self.inner.starts
    }

    #[inline]
    pub(crate) fn processors(&self) -> &[Box<dyn SpanProcessor>] {
        &self.inner.processors
    }

    /// The provider's resource.
    pub fn resource(&self) -> &Resource {
        &self.inner.config.resource
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[inline]
    pub fn is_shutdown(&self) -> bool {
        self.inner.is_shutdown.load(Ordering::Relaxed)
    }

    /// Whether spans are recorded at all: false after shutdown or when the SDK is disabled.
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        !self.inner.disabled && !self.is_shutdown()
    }

    /// Exports every span the processors hold. Reports the first failure (all processors
    /// are flushed regardless).
    pub fn force_flush(&self) -> Result {
        if self.is_shutdown() {
            return Err(Error::AlreadyShutdown);
        }
        first_error(self.inner.processors.iter().map(|p| p.force_flush()))
    }

    /// Flushes and shuts down every processor, within the default timeout (5 s). A second
    /// call returns [`Error::AlreadyShutdown`]; afterwards tracers hand out non-recording
    /// spans and processors are not called.
    pub fn shutdown(&self) -> Result {
        self.shutdown_with_timeout(DEFAULT_SHUTDOWN_TIMEOUT)
    }

    /// [`shutdown`](Self::shutdown) with a timeout for each processor.
    pub fn shutdown_with_timeout(&self, timeout: Duration) -> Result {
        let result = self.inner.shutdown(timeout);
        otel_debug!(
            "TracerProvider.Shutdown",
            "tracer provider shut down: {result:?}"
        );
        result
    }
}

impl opentelemetry_api::trace::TracerProvider for SdkTracerProvider {
    type Tracer = SdkTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> SdkTracer {
        if scope.name().is_empty() {
            opentelemetry_api::otel_warn!(
                "TracerProvider.EmptyTracerName",
                "a tracer was requested with an empty name; it works, but name it after the \
                 instrumenting library"
            );
        }
        SdkTracer::new(scope, self.clone())
    }
}

/// Builds an [`SdkTracerProvider`].
#[derive(Default)]
pub struct TracerProviderBuilder {
    processors: Vec<Box<dyn SpanProcessor>>,
    sampler: Option<Box<dyn ShouldSample>>,
    id_generator: Option<Box<dyn IdGenerator>>,
    span_limits: Option<SpanLimits>,
    resource: Option<Resource>,
    self_observability: Option<Meter>,
}

impl fmt::Debug for TracerProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracerProviderBuilder")
            .field("processors", &self.processors)
            .finish()
    }
}

impl TracerProviderBuilder {
    /// Adds a processor; processors run in the order they were added.
    pub fn with_span_processor<P: SpanProcessor + 'static>(mut self, processor: P) -> Self {
        self.processors.push(Box::new(processor));
        self
    }

    /// Adds a [`SimpleSpanProcessor`] exporting each span as it ends (for tests and debugging;
    /// use a batch processor in production).
    pub fn with_simple_exporter<E: SpanExporter + 'static>(self, exporter: E) -> Self {
        self.with_span_processor(SimpleSpanProcessor::new(exporter))
    }

    /// Adds a [`BatchSpanProcessor`] with the default configuration (the `OTEL_BSP_*`
    /// variables apply) running on its own thread: the production choice. Use
    /// [`BatchSpanProcessor::builder`] for other settings.
    pub fn with_batch_exporter<E: SpanExporter + 'static>(self, exporter: E) -> Self {
        self.with_span_processor(BatchSpanProcessor::builder(exporter).build())
    }

    /// Sets the sampler (default: [`Sampler::from_env`], which is `ParentBased(AlwaysOn)`
    /// unless `OTEL_TRACES_SAMPLER` says otherwise).
    pub fn with_sampler<S: ShouldSample + 'static>(mut self, sampler: S) -> Self {
        self.sampler = Some(Box::new(sampler));
        self
    }

    /// Sets the ID generator (default [`RandomIdGenerator`]).
    pub fn with_id_generator<G: IdGenerator + 'static>(mut self, id_generator: G) -> Self {
        self.id_generator = Some(Box::new(id_generator));
        self
    }

    /// Sets all span limits (default: [`SpanLimits::from_env`]).
    pub fn with_span_limits(mut self, span_limits: SpanLimits) -> Self {
        self.span_limits = Some(span_limits);
        self
    }

    /// Sets the resource (default: [`Resource::default`]).
    pub fn with_resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Turns on the SDK's self-observability metrics, recorded into `meter_provider` (any
    /// provider: a dedicated one, or [`global::meter_provider()`], which follows whatever is
    /// installed later). Off by default, and then free.
    ///
    /// The provider records `otel.sdk.span.started` (per `otel.span.parent.origin` and
    /// `otel.span.sampling_result`) and `otel.sdk.span.live`; the SDK's processors added to
    /// it that were not given a meter provider of their own record
    /// `otel.sdk.processor.span.*` (see
    /// [`BatchSpanProcessorBuilder::with_self_observability`](super::BatchSpanProcessorBuilder::with_self_observability)).
    /// The meter's scope is
    /// `opentelemetry_sdk` with the crate's version and the conventions' schema URL.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_api::trace::{Span, Tracer, TracerProvider};
    /// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
    ///
    /// let provider = SdkTracerProvider::builder()
    ///     .with_batch_exporter(InMemorySpanExporter::default())
    ///     .with_self_observability(&global::meter_provider())
    ///     .build();
    /// provider.tracer("app").start("work").end();
    /// # provider.shutdown().unwrap();
    /// ```
    ///
    /// [`global::meter_provider()`]: opentelemetry_api::global::meter_provider
    pub fn with_self_observability<P: MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.self_observability = Some(crate::self_observability::meter(meter_provider));
        self
    }

    /// Builds the provider and hands every processor the resource. With
    /// `OTEL_SDK_DISABLED=true` the provider records nothing: its tracers behave as no-op
    /// tracers.
    pub fn build(mut self) -> SdkTracerProvider {
        let disabled = crate::env::bool_var("OTEL_SDK_DISABLED");
        let resource = self.resource.unwrap_or_default();
        for p in &mut self.processors {
            p.set_resource(&resource);
        }
        let metrics = self.self_observability.map(|meter| {
            for p in &mut self.processors {
                p.enable_self_observability(&meter, super::processor::private::Sealed(()));
            }
            Box::new(TracerMetrics::new(&meter))
        });
        let starts = self
            .processors
            .iter()
            .any(|p| !p.ignores_start(super::processor::private::Sealed(())));
        SdkTracerProvider {
            inner: Arc::new(ProviderInner {
                starts,
                processors: self.processors,
                config: Config {
                    sampler: self
                        .sampler
                        .unwrap_or_else(|| Box::new(Sampler::from_env())),
                    id_generator: self
                        .id_generator
                        .unwrap_or_else(|| Box::new(RandomIdGenerator::default())),
                    span_limits: self.span_limits.unwrap_or_else(SpanLimits::from_env),
                    resource,
                },
                is_shutdown: AtomicBool::new(false),
                disabled,
                metrics,
            }),
        }
    }
}
