//! No-op meter provider and instruments: what is used until an SDK is installed.
//!
//! Recording on a no-op instrument does nothing and allocates nothing; `enabled()` is `false`.

use super::{
    BoundSyncInstrument, CallbackRegistration, Counter, Gauge, Histogram, InstrumentProvider,
    Meter, MeterProvider, ObservableCounter, ObservableGauge, ObservableUpDownCounter,
    SyncInstrument, UpDownCounter,
};
use crate::{InstrumentationScope, KeyValue, Result};
use std::sync::Arc;

/// A meter provider whose meters create no-op instruments.
///
/// ```
/// use opentelemetry_api::metrics::{noop::NoopMeterProvider, MeterProvider};
/// use opentelemetry_api::KeyValue;
/// let counter = NoopMeterProvider::new().meter("my-library").u64_counter("c").build();
/// counter.add(1, &[KeyValue::new("k", "v")]);
/// assert!(!counter.enabled());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopMeterProvider {
    _private: (),
}

impl NoopMeterProvider {
    /// Creates the provider.
    pub fn new() -> Self {
        NoopMeterProvider { _private: () }
    }
}

impl MeterProvider for NoopMeterProvider {
    fn meter_with_scope(&self, _scope: InstrumentationScope) -> Meter {
        Meter::new(Arc::new(NoopInstrumentProvider::new()))
    }
}

/// An instrument provider that creates only no-op instruments (every
/// [`InstrumentProvider`] default).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopInstrumentProvider {
    _private: (),
}

impl NoopInstrumentProvider {
    /// Creates the provider.
    pub fn new() -> Self {
        NoopInstrumentProvider { _private: () }
    }
}

impl InstrumentProvider for NoopInstrumentProvider {}

/// A synchronous instrument (and bound instrument) that drops everything.
struct NoopSync;

impl<T: 'static> SyncInstrument<T> for NoopSync {
    #[inline]
    fn measure(&self, _value: T, _attributes: &[KeyValue]) {}

    fn enabled(&self) -> bool {
        false
    }

    fn bind(self: Arc<Self>, _attributes: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>> {
        // A zero-sized value: boxing it does not allocate.
        Box::new(NoopSync)
    }
}

impl<T> BoundSyncInstrument<T> for NoopSync {
    #[inline]
    fn measure(&self, _value: T) {}

    fn enabled(&self) -> bool {
        false
    }
}

/// The identity object of a no-op asynchronous instrument.
struct NoopObservable;

struct NoopRegistration;

impl CallbackRegistration for NoopRegistration {
    fn unregister(&mut self) -> Result<()> {
        Ok(())
    }
}

pub(crate) fn registration() -> Box<dyn CallbackRegistration> {
    Box::new(NoopRegistration)
}

/// Builds the no-op form of an instrument handle.
pub(crate) trait NoopInstrument {
    fn noop() -> Self;
}

macro_rules! noop_sync {
    ($($ty:ident),+) => {$(
        impl<T: 'static> NoopInstrument for $ty<T> {
            fn noop() -> Self {
                $ty::new(Arc::new(NoopSync))
            }
        }
    )+};
}

macro_rules! noop_async {
    ($($ty:ident),+) => {$(
        impl<T> NoopInstrument for $ty<T> {
            fn noop() -> Self {
                $ty::new(Arc::new(NoopObservable))
            }
        }
    )+};
}

noop_sync!(Counter, UpDownCounter, Histogram, Gauge);
noop_async!(ObservableCounter, ObservableUpDownCounter, ObservableGauge);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noop_instruments_are_disabled_and_accept_everything() {
        let meter = NoopMeterProvider::new().meter("test");
        let counter = meter
            .f64_counter("c")
            .with_description("d")
            .with_unit("1")
            .build();
        counter.add(1.5, &[KeyValue::new("k", "v")]);
        assert!(!counter.enabled());
        let bound = counter.bind(&[KeyValue::new("k", "v")]);
        bound.add(2.0);
        assert!(!bound.enabled());

        let histogram = meter
            .u64_histogram("h")
            .with_boundaries(vec![1.0, 2.0])
            .build();
        histogram.record(3, &[]);
        assert!(!histogram.bind(&[]).enabled());
        assert!(!meter.i64_gauge("g").build().enabled());
        assert!(!meter.f64_up_down_counter("u").build().enabled());
    }

    #[test]
    fn noop_callbacks_are_never_run() {
        let meter = NoopMeterProvider::new().meter("test");
        let gauge = meter
            .u64_observable_gauge("g")
            .with_callback(|_| panic!("no-op must not run callbacks"))
            .build();
        let mut registration = meter
            .register_callback(&[&gauge], |_| panic!("no-op must not run callbacks"))
            .expect("no-op registration succeeds");
        registration
            .unregister()
            .expect("no-op unregister succeeds");
        registration.unregister().expect("unregister twice is fine");
    }
}
