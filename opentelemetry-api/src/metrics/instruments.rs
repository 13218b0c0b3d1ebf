//! Synchronous instruments: the handles users record with, the provider-side trait behind
//! them, and their bound forms.

use crate::KeyValue;
use std::fmt;
use std::sync::Arc;

/// The provider's side of a synchronous instrument ([`Counter`], [`UpDownCounter`],
/// [`Histogram`], [`Gauge`]).
///
/// Implementations must be safe to call from many threads at once, and must not panic: a
/// measurement the provider cannot accept is dropped (and reported through the diagnostics
/// macros).
pub trait SyncInstrument<T>: Send + Sync + 'static {
    /// Records one measurement: an increment for counters, a value for histograms and gauges.
    fn measure(&self, value: T, attributes: &[KeyValue]);

    /// Whether measurements recorded now would be used. The answer can change over time, so
    /// callers ask each time they are about to do expensive work for a measurement.
    fn enabled(&self) -> bool {
        true
    }

    /// Binds the instrument to a fixed set of attributes.
    ///
    /// The default keeps a copy of the attributes and forwards each measurement to
    /// [`measure`](SyncInstrument::measure); providers override it to resolve the attributes
    /// once, so recording on the bound form skips the attribute lookup.
    fn bind(self: Arc<Self>, attributes: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>> {
        Box::new(AttributesBound {
            instrument: self,
            attributes: attributes.to_vec(),
        })
    }
}

/// The provider's side of a synchronous instrument bound to a set of attributes (see
/// [`SyncInstrument::bind`]).
pub trait BoundSyncInstrument<T>: Send + Sync {
    /// Records one measurement with the bound attributes.
    fn measure(&self, value: T);

    /// Whether measurements recorded now would be used (see [`SyncInstrument::enabled`]).
    fn enabled(&self) -> bool {
        true
    }
}

/// The default bound instrument: the attributes, kept next to the unbound instrument.
struct AttributesBound<S: ?Sized> {
    instrument: Arc<S>,
    attributes: Vec<KeyValue>,
}

impl<T, S: SyncInstrument<T> + ?Sized> BoundSyncInstrument<T> for AttributesBound<S> {
    #[inline]
    fn measure(&self, value: T) {
        self.instrument.measure(value, &self.attributes);
    }

    fn enabled(&self) -> bool {
        self.instrument.enabled()
    }
}

macro_rules! sync_instrument {
    (
        $(#[$doc:meta])*
        $name:ident, $bound:ident, $op:ident,
        op_doc: $op_doc:literal,
        bound_doc: $bound_doc:literal $(,)?
    ) => {
        $(#[$doc])*
        pub struct $name<T> {
            inner: Arc<dyn SyncInstrument<T>>,
        }

        impl<T: 'static> $name<T> {
            /// Wraps a provider's instrument. Called by
            /// [`InstrumentProvider`](crate::metrics::InstrumentProvider) implementations.
            pub fn new(inner: Arc<dyn SyncInstrument<T>>) -> Self {
                $name { inner }
            }

            #[doc = $op_doc]
            ///
            /// Safe to call from many threads at once.
            #[inline]
            pub fn $op(&self, value: T, attributes: &[KeyValue]) {
                self.inner.measure(value, attributes);
            }

            /// Whether measurements recorded now would be used. The answer can change over
            /// time: ask each time before doing expensive work to produce a measurement.
            #[inline]
            pub fn enabled(&self) -> bool {
                self.inner.enabled()
            }

            /// Binds the instrument to `attributes`: every measurement on the returned handle
            /// carries them, and a provider can resolve them once instead of at each
            /// recording.
            pub fn bind(&self, attributes: &[KeyValue]) -> $bound<T> {
                $bound {
                    inner: Arc::clone(&self.inner).bind(attributes),
                }
            }

            #[allow(dead_code)] // used by the global meter provider
            pub(crate) fn inner(&self) -> &Arc<dyn SyncInstrument<T>> {
                &self.inner
            }
        }

        impl<T> Clone for $name<T> {
            fn clone(&self) -> Self {
                $name {
                    inner: Arc::clone(&self.inner),
                }
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }

        #[doc = $bound_doc]
        pub struct $bound<T> {
            inner: Box<dyn BoundSyncInstrument<T>>,
        }

        impl<T> $bound<T> {
            #[doc = $op_doc]
            ///
            /// The bound attributes are attached. Safe to call from many threads at once.
            #[inline]
            pub fn $op(&self, value: T) {
                self.inner.measure(value);
            }

            /// Whether measurements recorded now would be used.
            #[inline]
            pub fn enabled(&self) -> bool {
                self.inner.enabled()
            }
        }

        impl<T> fmt::Debug for $bound<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($bound)).finish_non_exhaustive()
            }
        }
    };
}

sync_instrument! {
    /// A monotonic sum: counts things that only go up (bytes received, requests served).
    /// Increments are expected to be non-negative.
    ///
    /// Created with [`Meter::u64_counter`](crate::metrics::Meter::u64_counter) or
    /// [`Meter::f64_counter`](crate::metrics::Meter::f64_counter). Cheap to clone.
    ///
    /// ```
    /// use opentelemetry_api::{global, KeyValue};
    /// let meter = global::meter("my-library");
    /// let requests = meter
    ///     .u64_counter("http.server.requests")
    ///     .with_description("Requests served")
    ///     .with_unit("{request}")
    ///     .build();
    /// requests.add(1, &[KeyValue::new("http.request.method", "GET")]);
    ///
    /// // Bind once, record many times without passing the attributes again.
    /// let gets = requests.bind(&[KeyValue::new("http.request.method", "GET")]);
    /// gets.add(1);
    /// ```
    Counter, BoundCounter, add,
    op_doc: "Adds `value`, which is expected to be non-negative: a counter only goes up. The API does not check it; what becomes of a negative value is up to the SDK.",
    bound_doc: "A [`Counter`] bound to a fixed set of attributes (see [`Counter::bind`]).",
}

sync_instrument! {
    /// A non-monotonic sum: counts things that go up and down (active requests, queue length).
    /// Increments may be negative.
    ///
    /// Created with [`Meter::i64_up_down_counter`](crate::metrics::Meter::i64_up_down_counter)
    /// or [`Meter::f64_up_down_counter`](crate::metrics::Meter::f64_up_down_counter).
    ///
    /// ```
    /// use opentelemetry_api::{global, KeyValue};
    /// let active = global::meter("my-library")
    ///     .i64_up_down_counter("http.server.active_requests")
    ///     .build();
    /// active.add(1, &[]);
    /// active.add(-1, &[]);
    /// ```
    UpDownCounter, BoundUpDownCounter, add,
    op_doc: "Adds `value`, which may be negative (to decrement).",
    bound_doc: "An [`UpDownCounter`] bound to a fixed set of attributes (see [`UpDownCounter::bind`]).",
}

sync_instrument! {
    /// A distribution of values (request durations, payload sizes), aggregated by the SDK into
    /// a histogram. Values are expected to be non-negative.
    ///
    /// Created with [`Meter::f64_histogram`](crate::metrics::Meter::f64_histogram) or
    /// [`Meter::u64_histogram`](crate::metrics::Meter::u64_histogram); the builder takes
    /// advisory bucket boundaries.
    ///
    /// ```
    /// use opentelemetry_api::{global, KeyValue};
    /// let duration = global::meter("my-library")
    ///     .f64_histogram("http.server.request.duration")
    ///     .with_unit("s")
    ///     .with_boundaries(vec![0.005, 0.01, 0.05, 0.1, 0.5, 1.0])
    ///     .build();
    /// duration.record(0.042, &[KeyValue::new("http.route", "/users/{id}")]);
    /// ```
    Histogram, BoundHistogram, record,
    op_doc: "Records `value`, which is expected to be non-negative (histograms are for durations, sizes and other non-negative quantities). The API does not check it; what becomes of a negative value is up to the SDK.",
    bound_doc: "A [`Histogram`] bound to a fixed set of attributes (see [`Histogram::bind`]).",
}

sync_instrument! {
    /// The current value of something that is not additive (a temperature, a configured
    /// limit), recorded when it changes. Values may be negative.
    ///
    /// Created with [`Meter::u64_gauge`](crate::metrics::Meter::u64_gauge),
    /// [`Meter::i64_gauge`](crate::metrics::Meter::i64_gauge) or
    /// [`Meter::f64_gauge`](crate::metrics::Meter::f64_gauge).
    ///
    /// ```
    /// use opentelemetry_api::{global, KeyValue};
    /// let fan = global::meter("my-library").u64_gauge("hw.fan.speed").with_unit("rpm").build();
    /// fan.record(1200, &[KeyValue::new("hw.id", "fan0")]);
    /// ```
    Gauge, BoundGauge, record,
    op_doc: "Records `value` as the current absolute value; any value, negative included.",
    bound_doc: "A [`Gauge`] bound to a fixed set of attributes (see [`Gauge::bind`]).",
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recording {
        seen: Mutex<Vec<(u64, Vec<KeyValue>)>>,
    }

    impl SyncInstrument<u64> for Recording {
        fn measure(&self, value: u64, attributes: &[KeyValue]) {
            self.seen.lock().unwrap().push((value, attributes.to_vec()));
        }
        fn enabled(&self) -> bool {
            false
        }
    }

    #[test]
    fn default_bind_forwards_with_the_bound_attributes() {
        let inner = Arc::new(Recording::default());
        let counter = Counter::new(inner.clone());
        let bound = counter.bind(&[KeyValue::new("k", "v")]);
        bound.add(3);
        counter.add(4, &[]);
        assert!(!bound.enabled(), "bound enabled follows the instrument");
        assert_eq!(
            *inner.seen.lock().unwrap(),
            vec![(3, vec![KeyValue::new("k", "v")]), (4, vec![])]
        );
    }

    struct FastBound(Arc<Mutex<Vec<u64>>>);
    impl BoundSyncInstrument<u64> for FastBound {
        fn measure(&self, value: u64) {
            self.0.lock().unwrap().push(value);
        }
    }
    struct Overriding(Arc<Mutex<Vec<u64>>>);
    impl SyncInstrument<u64> for Overriding {
        fn measure(&self, _: u64, _: &[KeyValue]) {
            panic!("bound measurements must not come through measure");
        }
        fn bind(self: Arc<Self>, _: &[KeyValue]) -> Box<dyn BoundSyncInstrument<u64>> {
            Box::new(FastBound(self.0.clone()))
        }
    }

    #[test]
    fn providers_can_override_bind() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let histogram = Histogram::new(Arc::new(Overriding(seen.clone())));
        let bound = histogram.bind(&[KeyValue::new("k", 1)]);
        bound.record(7);
        bound.record(8);
        assert!(bound.enabled());
        assert_eq!(*seen.lock().unwrap(), vec![7, 8]);
    }

    struct RecordingF64(Mutex<Vec<f64>>);
    impl SyncInstrument<f64> for RecordingF64 {
        fn measure(&self, value: f64, _: &[KeyValue]) {
            self.0.lock().unwrap().push(value);
        }
    }

    #[test]
    fn the_api_does_not_validate_values_it_hands_them_to_the_provider() {
        // Counter and Histogram values are expected to be non-negative, but the spec leaves
        // checking to the implementation: the API passes every value through unchanged.
        let inner = Arc::new(RecordingF64(Mutex::new(Vec::new())));
        Counter::new(inner.clone()).add(-1.0, &[]);
        Histogram::new(inner.clone()).record(-2.5, &[]);
        Histogram::new(inner.clone()).bind(&[]).record(-3.0);
        UpDownCounter::new(inner.clone()).add(-4.0, &[]);
        Gauge::new(inner.clone()).record(-5.0, &[]);
        assert_eq!(*inner.0.lock().unwrap(), [-1.0, -2.5, -3.0, -4.0, -5.0]);
    }
}
