//! The metrics API: meter providers, meters and instruments.
//!
//! A [`MeterProvider`] hands out [`Meter`]s, one per instrumentation scope; a meter creates
//! instruments. Synchronous instruments ([`Counter`], [`UpDownCounter`], [`Histogram`],
//! [`Gauge`]) are called inline by the code being measured; asynchronous ones
//! ([`ObservableCounter`], [`ObservableUpDownCounter`], [`ObservableGauge`]) report through
//! callbacks that the SDK runs when it collects.
//!
//! Until an SDK is installed everything is a no-op: recording costs one atomic load and a
//! virtual call, and allocates nothing.
//!
//! ```
//! use opentelemetry_api::{global, KeyValue};
//!
//! let meter = global::meter("my-library");
//! let requests = meter.u64_counter("http.server.requests").with_unit("{request}").build();
//! requests.add(1, &[KeyValue::new("http.request.method", "GET")]);
//!
//! let _queue = meter
//!     .i64_observable_up_down_counter("queue.length")
//!     .with_callback(|observer| observer.observe(3, &[]))
//!     .build();
//! ```
//!
//! All providers, meters and instruments are safe to use from many threads at once, and
//! implementations of the traits here must be too.

mod builders;
mod instruments;
pub mod noop;
mod observable;

pub use builders::{AsyncInstrumentBuilder, HistogramBuilder, InstrumentBuilder};
pub use instruments::{
    BoundCounter, BoundGauge, BoundHistogram, BoundSyncInstrument, BoundUpDownCounter, Counter,
    Gauge, Histogram, SyncInstrument, UpDownCounter,
};
pub(crate) use observable::ProviderInstrument;
pub use observable::{
    AsyncInstrument, Callback, CallbackRegistration, MultiInstrumentCallback, Observable,
    ObservableCounter, ObservableGauge, ObservableInstrument, ObservableUpDownCounter, Observer,
};

use crate::{InstrumentationScope, Result};
use noop::NoopInstrument;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// The entry point of the metrics API: hands out [`Meter`]s.
///
/// Implementations must be safe to use from many threads at once. Applications usually
/// install one with [`global::set_meter_provider`](crate::global::set_meter_provider) and
/// libraries take meters from [`global::meter`](crate::global::meter).
///
/// ```
/// use opentelemetry_api::metrics::{MeterProvider, noop::NoopMeterProvider};
/// use opentelemetry_api::InstrumentationScope;
///
/// let provider = NoopMeterProvider::new();
/// let meter = provider.meter("my-library");
/// let scoped = provider.meter_with_scope(
///     InstrumentationScope::builder("my-library").with_version("1.0.0").build(),
/// );
/// meter.u64_counter("work.done").build().add(1, &[]);
/// scoped.f64_histogram("work.duration").build().record(0.5, &[]);
/// ```
pub trait MeterProvider: Send + Sync {
    /// A meter for a scope with only a name (typically the library's crate name).
    fn meter(&self, name: impl Into<Cow<'static, str>>) -> Meter
    where
        Self: Sized,
    {
        self.meter_with_scope(InstrumentationScope::builder(name).build())
    }

    /// A meter for a full instrumentation scope (name, version, schema URL, attributes).
    fn meter_with_scope(&self, scope: InstrumentationScope) -> Meter;
}

impl<P: MeterProvider + ?Sized> MeterProvider for Arc<P> {
    fn meter_with_scope(&self, scope: InstrumentationScope) -> Meter {
        (**self).meter_with_scope(scope)
    }
}

impl<P: MeterProvider + ?Sized> MeterProvider for Box<P> {
    fn meter_with_scope(&self, scope: InstrumentationScope) -> Meter {
        (**self).meter_with_scope(scope)
    }
}

/// Creates instruments for one instrumentation scope. Cheap to clone, safe to share between
/// threads.
///
/// Instrument names should follow the spec's syntax (an ASCII letter, then up to 254 letters,
/// digits, `_`, `.`, `-` or `/`); the API does not check them, the SDK does.
///
/// ```
/// use opentelemetry_api::{global, KeyValue};
///
/// let meter = global::meter("my-library");
/// let bytes = meter.u64_counter("network.io").with_unit("By").build();
/// let latency = meter.f64_histogram("rpc.duration").with_unit("s").build();
/// let usage = meter.u64_observable_counter("device.usage").build();
/// let pressure = meter.f64_observable_gauge("device.pressure").build();
///
/// bytes.add(512, &[KeyValue::new("network.io.direction", "receive")]);
/// latency.record(0.003, &[]);
///
/// // One callback reporting two instruments, e.g. from one expensive system call.
/// let mut registration = meter.register_callback(&[&usage, &pressure], {
///     let (usage, pressure) = (usage.clone(), pressure.clone());
///     move |observer| {
///         observer.observe_u64(&usage, 42, &[]);
///         observer.observe_f64(&pressure, 1.5, &[]);
///     }
/// })?;
/// registration.unregister()?;
/// # Ok::<(), opentelemetry_api::Error>(())
/// ```
#[derive(Clone)]
pub struct Meter {
    provider: Arc<dyn InstrumentProvider>,
}

impl fmt::Debug for Meter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Meter").finish_non_exhaustive()
    }
}

impl Meter {
    /// Wraps a provider's instrument factory. Called by [`MeterProvider`] implementations.
    pub fn new(provider: Arc<dyn InstrumentProvider>) -> Self {
        Meter { provider }
    }

    /// Starts a `u64` [`Counter`].
    pub fn u64_counter(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> InstrumentBuilder<'_, Counter<u64>> {
        InstrumentBuilder::new(self, name.into())
    }

    /// Starts an `f64` [`Counter`].
    pub fn f64_counter(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> InstrumentBuilder<'_, Counter<f64>> {
        InstrumentBuilder::new(self, name.into())
    }

    /// Starts an `i64` [`UpDownCounter`].
    pub fn i64_up_down_counter(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> InstrumentBuilder<'_, UpDownCounter<i64>> {
        InstrumentBuilder::new(self, name.into())
    }

    /// Starts an `f64` [`UpDownCounter`].
    pub fn f64_up_down_counter(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> InstrumentBuilder<'_, UpDownCounter<f64>> {
        InstrumentBuilder::new(self, name.into())
    }

    /// Starts a `u64` [`Histogram`].
    pub fn u64_histogram(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> HistogramBuilder<'_, Histogram<u64>> {
        HistogramBuilder::new(self, name.into())
    }

    /// Starts an `f64` [`Histogram`].
    pub fn f64_histogram(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> HistogramBuilder<'_, Histogram<f64>> {
        HistogramBuilder::new(self, name.into())
    }

    /// Starts a `u64` [`Gauge`].
    pub fn u64_gauge(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> InstrumentBuilder<'_, Gauge<u64>> {
        InstrumentBuilder::new(self, name.into())
    }

    /// Starts an `i64` [`Gauge`].
    pub fn i64_gauge(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> InstrumentBuilder<'_, Gauge<i64>> {
        InstrumentBuilder::new(self, name.into())
    }

    /// Starts an `f64` [`Gauge`].
    pub fn f64_gauge(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> InstrumentBuilder<'_, Gauge<f64>> {
        InstrumentBuilder::new(self, name.into())
    }

    /// Starts a `u64` [`ObservableCounter`].
    pub fn u64_observable_counter(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> AsyncInstrumentBuilder<'_, ObservableCounter<u64>, u64> {
        AsyncInstrumentBuilder::new(self, name.into())
    }

    /// Starts an `f64` [`ObservableCounter`].
    pub fn f64_observable_counter(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> AsyncInstrumentBuilder<'_, ObservableCounter<f64>, f64> {
        AsyncInstrumentBuilder::new(self, name.into())
    }

    /// Starts an `i64` [`ObservableUpDownCounter`].
    pub fn i64_observable_up_down_counter(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> AsyncInstrumentBuilder<'_, ObservableUpDownCounter<i64>, i64> {
        AsyncInstrumentBuilder::new(self, name.into())
    }

    /// Starts an `f64` [`ObservableUpDownCounter`].
    pub fn f64_observable_up_down_counter(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> AsyncInstrumentBuilder<'_, ObservableUpDownCounter<f64>, f64> {
        AsyncInstrumentBuilder::new(self, name.into())
    }

    /// Starts a `u64` [`ObservableGauge`].
    pub fn u64_observable_gauge(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> AsyncInstrumentBuilder<'_, ObservableGauge<u64>, u64> {
        AsyncInstrumentBuilder::new(self, name.into())
    }

    /// Starts an `i64` [`ObservableGauge`].
    pub fn i64_observable_gauge(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> AsyncInstrumentBuilder<'_, ObservableGauge<i64>, i64> {
        AsyncInstrumentBuilder::new(self, name.into())
    }

    /// Starts an `f64` [`ObservableGauge`].
    pub fn f64_observable_gauge(
        &self,
        name: impl Into<Cow<'static, str>>,
    ) -> AsyncInstrumentBuilder<'_, ObservableGauge<f64>, f64> {
        AsyncInstrumentBuilder::new(self, name.into())
    }

    /// Registers one callback that reports measurements for several asynchronous instruments
    /// of this meter; it runs once per collection until unregistered.
    ///
    /// The callback may observe only the `instruments` listed here (the SDK drops other
    /// observations). It should be reentrant, return quickly and not report two values for
    /// the same instrument and attributes. Dropping the returned registration does not
    /// unregister the callback; call [`CallbackRegistration::unregister`].
    pub fn register_callback<F>(
        &self,
        instruments: &[&dyn ObservableInstrument],
        callback: F,
    ) -> Result<Box<dyn CallbackRegistration>>
    where
        F: Fn(&dyn Observer) + Send + Sync + 'static,
    {
        self.provider
            .register_callback(instruments, Arc::new(callback))
    }
}

/// The SDK's side of a [`Meter`]: creates the instruments for one scope.
///
/// Every method has a default that returns a no-op instrument, so an implementation overrides
/// only the kinds it supports. Implementations must be safe to call from many threads at once
/// and must not panic on bad input (an invalid name, say): report it through the diagnostics
/// macros and return an instrument anyway.
#[allow(unused_variables)] // the defaults ignore their builder
pub trait InstrumentProvider: Send + Sync {
    /// Creates a `u64` [`Counter`].
    fn u64_counter(&self, builder: InstrumentBuilder<'_, Counter<u64>>) -> Counter<u64> {
        Counter::noop()
    }

    /// Creates an `f64` [`Counter`].
    fn f64_counter(&self, builder: InstrumentBuilder<'_, Counter<f64>>) -> Counter<f64> {
        Counter::noop()
    }

    /// Creates an `i64` [`UpDownCounter`].
    fn i64_up_down_counter(
        &self,
        builder: InstrumentBuilder<'_, UpDownCounter<i64>>,
    ) -> UpDownCounter<i64> {
        UpDownCounter::noop()
    }

    /// Creates an `f64` [`UpDownCounter`].
    fn f64_up_down_counter(
        &self,
        builder: InstrumentBuilder<'_, UpDownCounter<f64>>,
    ) -> UpDownCounter<f64> {
        UpDownCounter::noop()
    }

    /// Creates a `u64` [`Histogram`].
    fn u64_histogram(&self, builder: HistogramBuilder<'_, Histogram<u64>>) -> Histogram<u64> {
        Histogram::noop()
    }

    /// Creates an `f64` [`Histogram`].
    fn f64_histogram(&self, builder: HistogramBuilder<'_, Histogram<f64>>) -> Histogram<f64> {
        Histogram::noop()
    }

    /// Creates a `u64` [`Gauge`].
    fn u64_gauge(&self, builder: InstrumentBuilder<'_, Gauge<u64>>) -> Gauge<u64> {
        Gauge::noop()
    }

    /// Creates an `i64` [`Gauge`].
    fn i64_gauge(&self, builder: InstrumentBuilder<'_, Gauge<i64>>) -> Gauge<i64> {
        Gauge::noop()
    }

    /// Creates an `f64` [`Gauge`].
    fn f64_gauge(&self, builder: InstrumentBuilder<'_, Gauge<f64>>) -> Gauge<f64> {
        Gauge::noop()
    }

    /// Creates a `u64` [`ObservableCounter`] and registers the builder's callbacks with it.
    fn u64_observable_counter(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableCounter<u64>, u64>,
    ) -> ObservableCounter<u64> {
        ObservableCounter::noop()
    }

    /// Creates an `f64` [`ObservableCounter`] and registers the builder's callbacks with it.
    fn f64_observable_counter(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableCounter<f64>, f64>,
    ) -> ObservableCounter<f64> {
        ObservableCounter::noop()
    }

    /// Creates an `i64` [`ObservableUpDownCounter`] and registers the builder's callbacks.
    fn i64_observable_up_down_counter(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableUpDownCounter<i64>, i64>,
    ) -> ObservableUpDownCounter<i64> {
        ObservableUpDownCounter::noop()
    }

    /// Creates an `f64` [`ObservableUpDownCounter`] and registers the builder's callbacks.
    fn f64_observable_up_down_counter(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableUpDownCounter<f64>, f64>,
    ) -> ObservableUpDownCounter<f64> {
        ObservableUpDownCounter::noop()
    }

    /// Creates a `u64` [`ObservableGauge`] and registers the builder's callbacks with it.
    fn u64_observable_gauge(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableGauge<u64>, u64>,
    ) -> ObservableGauge<u64> {
        ObservableGauge::noop()
    }

    /// Creates an `i64` [`ObservableGauge`] and registers the builder's callbacks with it.
    fn i64_observable_gauge(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableGauge<i64>, i64>,
    ) -> ObservableGauge<i64> {
        ObservableGauge::noop()
    }

    /// Creates an `f64` [`ObservableGauge`] and registers the builder's callbacks with it.
    fn f64_observable_gauge(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableGauge<f64>, f64>,
    ) -> ObservableGauge<f64> {
        ObservableGauge::noop()
    }

    /// Registers a callback observing several of this provider's asynchronous instruments
    /// (see [`Meter::register_callback`]). The default never runs it.
    fn register_callback(
        &self,
        instruments: &[&dyn ObservableInstrument],
        callback: MultiInstrumentCallback,
    ) -> Result<Box<dyn CallbackRegistration>> {
        Ok(noop::registration())
    }
}
