//! Asynchronous instruments: handles that identify an instrument, the callbacks that report
//! their measurements, and the observers those callbacks report to.

use crate::{KeyValue, Result};
use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A callback registered with one asynchronous instrument when it is built: it reports the
/// instrument's current value(s) each time the SDK collects.
///
/// Callbacks should be reentrant (the SDK may run them for several readers), should return
/// quickly, and should not report two measurements with the same attributes.
pub type Callback<T> = Arc<dyn Fn(&dyn AsyncInstrument<T>) + Send + Sync>;

/// A callback registered with [`Meter::register_callback`](crate::metrics::Meter::register_callback)
/// that reports measurements for several asynchronous instruments at once.
///
/// The same rules as for [`Callback`] apply: reentrant, quick, no duplicate observations.
pub type MultiInstrumentCallback = Arc<dyn Fn(&dyn Observer) + Send + Sync>;

/// Where a single-instrument [`Callback`] reports its measurements (the spec's "observable
/// result"). Implemented by SDKs.
pub trait AsyncInstrument<T> {
    /// Reports the instrument's current `value` for `attributes`. For observable counters
    /// this is the absolute (cumulative) value, not an increment, and is expected not to
    /// decrease from one collection to the next; observable up-down counters and gauges
    /// report any value, negative included.
    fn observe(&self, value: T, attributes: &[KeyValue]);
}

/// Where a [`MultiInstrumentCallback`] reports its measurements, naming the instrument of
/// each one. Implemented by SDKs.
///
/// The instrument is passed by identity (see [`ObservableInstrument::provider_instrument`]), so
/// an SDK can drop observations of instruments the callback was not registered for.
pub trait Observer {
    /// Reports `value` for a `u64` instrument.
    fn observe_u64(&self, instrument: &dyn Observable<u64>, value: u64, attributes: &[KeyValue]);
    /// Reports `value` for an `f64` instrument.
    fn observe_f64(&self, instrument: &dyn Observable<f64>, value: f64, attributes: &[KeyValue]);
    /// Reports `value` for an `i64` instrument.
    fn observe_i64(&self, instrument: &dyn Observable<i64>, value: i64, attributes: &[KeyValue]);
}

/// A registered multi-instrument callback (see
/// [`Meter::register_callback`](crate::metrics::Meter::register_callback)).
///
/// Dropping it does not unregister the callback; call [`unregister`](Self::unregister).
pub trait CallbackRegistration: Send + Sync {
    /// Stops the callback from being run. Calling it again does nothing.
    fn unregister(&mut self) -> Result<()>;
}

pub(crate) mod private {
    /// Keeps the instrument-identity traits implementable only by this crate's handles.
    pub trait Sealed {}
}

/// Any asynchronous instrument handle, whatever its kind and number type: what
/// [`Meter::register_callback`](crate::metrics::Meter::register_callback) takes.
///
/// Implemented only by this crate's observable instrument types.
pub trait ObservableInstrument: private::Sealed + Send + Sync {
    /// The object the provider created for this instrument (passed to the handle's `new`).
    /// SDKs downcast it, or compare it by pointer, to recognise their own instruments.
    fn provider_instrument(&self) -> &Arc<dyn Any + Send + Sync>;
}

/// An asynchronous instrument handle whose measurements are of type `T`: what
/// [`Observer`] methods take.
pub trait Observable<T>: ObservableInstrument {}

/// A bare instrument identity of any number type; used where the API re-maps instruments
/// (the global meter provider).
pub(crate) struct ProviderInstrument(pub(crate) Arc<dyn Any + Send + Sync>);

impl private::Sealed for ProviderInstrument {}
impl ObservableInstrument for ProviderInstrument {
    fn provider_instrument(&self) -> &Arc<dyn Any + Send + Sync> {
        &self.0
    }
}
impl Observable<u64> for ProviderInstrument {}
impl Observable<f64> for ProviderInstrument {}
impl Observable<i64> for ProviderInstrument {}

macro_rules! observable_instrument {
    ($(#[$doc:meta])* $name:ident: $($t:ty),+) => {
        $(#[$doc])*
        pub struct $name<T> {
            instrument: Arc<dyn Any + Send + Sync>,
            _measurement: PhantomData<fn() -> T>,
        }

        impl<T> $name<T> {
            /// Wraps the provider's identity object for the instrument. Called by
            /// [`InstrumentProvider`](crate::metrics::InstrumentProvider) implementations.
            pub fn new(instrument: Arc<dyn Any + Send + Sync>) -> Self {
                $name {
                    instrument,
                    _measurement: PhantomData,
                }
            }
        }

        impl<T> Clone for $name<T> {
            fn clone(&self) -> Self {
                $name::new(Arc::clone(&self.instrument))
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }

        impl<T> private::Sealed for $name<T> {}

        impl<T> ObservableInstrument for $name<T> {
            fn provider_instrument(&self) -> &Arc<dyn Any + Send + Sync> {
                &self.instrument
            }
        }

        $(impl Observable<$t> for $name<$t> {})+
    };
}

observable_instrument! {
    /// An asynchronous monotonic sum (CPU time, page faults): its callbacks report the
    /// absolute value when the SDK collects, which is expected to be non-negative and never
    /// to decrease (the API does not check it).
    ///
    /// ```
    /// use opentelemetry_api::{global, KeyValue};
    /// let _cpu = global::meter("my-library")
    ///     .f64_observable_counter("process.cpu.time")
    ///     .with_unit("s")
    ///     .with_callback(|observer| observer.observe(12.5, &[KeyValue::new("cpu.mode", "user")]))
    ///     .build();
    /// ```
    ObservableCounter: u64, f64
}

observable_instrument! {
    /// An asynchronous non-monotonic sum (heap size, items in a buffer): its callbacks report
    /// the absolute value when the SDK collects; it may go down, and may be negative.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// let _heap = global::meter("my-library")
    ///     .i64_observable_up_down_counter("process.memory.usage")
    ///     .with_unit("By")
    ///     .with_callback(|observer| observer.observe(4096, &[]))
    ///     .build();
    /// ```
    ObservableUpDownCounter: i64, f64
}

observable_instrument! {
    /// An asynchronous gauge (a temperature, CPU frequency): its callbacks report the current,
    /// non-additive value when the SDK collects; any value, negative included.
    ///
    /// ```
    /// use opentelemetry_api::{global, KeyValue};
    /// let _temperature = global::meter("my-library")
    ///     .f64_observable_gauge("hw.temperature")
    ///     .with_unit("Cel")
    ///     .with_callback(|observer| observer.observe(41.5, &[KeyValue::new("hw.id", "cpu0")]))
    ///     .build();
    /// ```
    ObservableGauge: u64, i64, f64
}
