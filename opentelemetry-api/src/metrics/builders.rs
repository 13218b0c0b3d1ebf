//! Instrument builders: name (required), then optional description, unit and advisory
//! parameters, then `build()`.

use super::AsyncInstrument;
use super::{
    Callback, Counter, Gauge, Histogram, Meter, ObservableCounter, ObservableGauge,
    ObservableUpDownCounter, UpDownCounter,
};
use crate::Key;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// Configures a [`Counter`], [`UpDownCounter`] or [`Gauge`]; made by the [`Meter`] methods.
///
/// The fields are what an [`InstrumentProvider`](super::InstrumentProvider) receives. The API
/// does not validate them: the SDK checks the name syntax (an ASCII letter, then up to 254
/// letters, digits, `_`, `.`, `-` or `/`) and the unit (ASCII, at most 63 characters).
#[non_exhaustive]
pub struct InstrumentBuilder<'a, I> {
    meter: &'a Meter,
    /// The instrument's name.
    pub name: Cow<'static, str>,
    /// A human-readable description (free text, at least 1023 characters are supported).
    pub description: Option<Cow<'static, str>>,
    /// The unit of measure, case-sensitive (for example `"ms"`, `"By"`, `"{request}"`).
    pub unit: Option<Cow<'static, str>>,
    /// Advisory (Development in the spec): the attribute keys the resulting metrics should
    /// keep. The SDK uses them as the stream's allow-list unless a view sets one.
    pub attribute_keys: Option<Vec<Key>>,
    _instrument: PhantomData<fn() -> I>,
}

impl<'a, I> InstrumentBuilder<'a, I> {
    pub(crate) fn new(meter: &'a Meter, name: Cow<'static, str>) -> Self {
        InstrumentBuilder {
            meter,
            name,
            description: None,
            unit: None,
            attribute_keys: None,
            _instrument: PhantomData,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the unit.
    pub fn with_unit(mut self, unit: impl Into<Cow<'static, str>>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Advises the attribute keys the resulting metrics should keep (the spec's advisory
    /// `Attributes` parameter): measurements' other attributes are dropped before
    /// aggregation unless a view chooses the keys.
    pub fn with_advisory_attribute_keys<K: Into<Key>>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        self.attribute_keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }
}

/// Configures a [`Histogram`]; made by [`Meter::u64_histogram`] and [`Meter::f64_histogram`].
///
/// Like [`InstrumentBuilder`], plus the advisory explicit bucket boundaries.
#[non_exhaustive]
pub struct HistogramBuilder<'a, I> {
    meter: &'a Meter,
    /// The instrument's name.
    pub name: Cow<'static, str>,
    /// A human-readable description.
    pub description: Option<Cow<'static, str>>,
    /// The unit of measure, case-sensitive.
    pub unit: Option<Cow<'static, str>>,
    /// Advisory (Development in the spec): the attribute keys the resulting metrics should
    /// keep. The SDK uses them as the stream's allow-list unless a view sets one.
    pub attribute_keys: Option<Vec<Key>>,
    /// Advisory: the bucket boundaries to use when aggregating to an explicit-bucket
    /// histogram. The SDK may ignore them; it validates them (increasing, finite).
    pub boundaries: Option<Vec<f64>>,
    _instrument: PhantomData<fn() -> I>,
}

impl<'a, I> HistogramBuilder<'a, I> {
    pub(crate) fn new(meter: &'a Meter, name: Cow<'static, str>) -> Self {
        HistogramBuilder {
            meter,
            name,
            description: None,
            unit: None,
            attribute_keys: None,
            boundaries: None,
            _instrument: PhantomData,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the unit.
    pub fn with_unit(mut self, unit: impl Into<Cow<'static, str>>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Advises the attribute keys the resulting metrics should keep (the spec's advisory
    /// `Attributes` parameter): measurements' other attributes are dropped before
    /// aggregation unless a view chooses the keys.
    pub fn with_advisory_attribute_keys<K: Into<Key>>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        self.attribute_keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Advises the explicit bucket boundaries (upper bounds, increasing).
    pub fn with_boundaries(mut self, boundaries: Vec<f64>) -> Self {
        self.boundaries = Some(boundaries);
        self
    }
}

/// Configures an asynchronous instrument ([`ObservableCounter`], [`ObservableUpDownCounter`],
/// [`ObservableGauge`]) whose measurements are of type `M`; made by the `*_observable_*`
/// [`Meter`] methods.
#[non_exhaustive]
pub struct AsyncInstrumentBuilder<'a, I, M> {
    meter: &'a Meter,
    /// The instrument's name.
    pub name: Cow<'static, str>,
    /// A human-readable description.
    pub description: Option<Cow<'static, str>>,
    /// The unit of measure, case-sensitive.
    pub unit: Option<Cow<'static, str>>,
    /// Advisory (Development in the spec): the attribute keys the resulting metrics should
    /// keep. The SDK uses them as the stream's allow-list unless a view sets one.
    pub attribute_keys: Option<Vec<Key>>,
    /// The callbacks registered for good with the instrument; the SDK runs each once per
    /// collection.
    pub callbacks: Vec<Callback<M>>,
    _instrument: PhantomData<fn() -> I>,
}

impl<'a, I, M> AsyncInstrumentBuilder<'a, I, M> {
    pub(crate) fn new(meter: &'a Meter, name: Cow<'static, str>) -> Self {
        AsyncInstrumentBuilder {
            meter,
            name,
            description: None,
            unit: None,
            attribute_keys: None,
            callbacks: Vec::new(),
            _instrument: PhantomData,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the unit.
    pub fn with_unit(mut self, unit: impl Into<Cow<'static, str>>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Advises the attribute keys the resulting metrics should keep (the spec's advisory
    /// `Attributes` parameter): measurements' other attributes are dropped before
    /// aggregation unless a view chooses the keys.
    pub fn with_advisory_attribute_keys<K: Into<Key>>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        self.attribute_keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Adds a callback that reports the instrument's value(s); may be called several times.
    ///
    /// The SDK runs each callback once per collection (per reader), so callbacks should be
    /// reentrant, return quickly, and not report two values for the same attributes. State is
    /// passed by capturing it in the closure.
    pub fn with_callback<F>(mut self, callback: F) -> Self
    where
        F: Fn(&dyn AsyncInstrument<M>) + Send + Sync + 'static,
    {
        self.callbacks.push(Arc::new(callback));
        self
    }
}

macro_rules! debug_builder {
    ($($builder:ident <$($g:ident),+>),+) => {$(
        impl<$($g),+> fmt::Debug for $builder<'_, $($g),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($builder))
                    .field("name", &self.name)
                    .field("description", &self.description)
                    .field("unit", &self.unit)
                    .finish_non_exhaustive()
            }
        }
    )+};
}

debug_builder!(InstrumentBuilder<I>, HistogramBuilder<I>, AsyncInstrumentBuilder<I, M>);

macro_rules! build {
    ($($builder:ident <$instrument:ty $(, $m:ty)?> => $method:ident;)+) => {$(
        impl $builder<'_, $instrument $(, $m)?> {
            /// Creates the instrument.
            pub fn build(self) -> $instrument {
                let meter = self.meter;
                meter.provider.$method(self)
            }
        }
    )+};
}

build! {
    InstrumentBuilder<Counter<u64>> => u64_counter;
    InstrumentBuilder<Counter<f64>> => f64_counter;
    InstrumentBuilder<UpDownCounter<i64>> => i64_up_down_counter;
    InstrumentBuilder<UpDownCounter<f64>> => f64_up_down_counter;
    HistogramBuilder<Histogram<u64>> => u64_histogram;
    HistogramBuilder<Histogram<f64>> => f64_histogram;
    InstrumentBuilder<Gauge<u64>> => u64_gauge;
    InstrumentBuilder<Gauge<i64>> => i64_gauge;
    InstrumentBuilder<Gauge<f64>> => f64_gauge;
    AsyncInstrumentBuilder<ObservableCounter<u64>, u64> => u64_observable_counter;
    AsyncInstrumentBuilder<ObservableCounter<f64>, f64> => f64_observable_counter;
    AsyncInstrumentBuilder<ObservableUpDownCounter<i64>, i64> => i64_observable_up_down_counter;
    AsyncInstrumentBuilder<ObservableUpDownCounter<f64>, f64> => f64_observable_up_down_counter;
    AsyncInstrumentBuilder<ObservableGauge<u64>, u64> => u64_observable_gauge;
    AsyncInstrumentBuilder<ObservableGauge<i64>, i64> => i64_observable_gauge;
    AsyncInstrumentBuilder<ObservableGauge<f64>, f64> => f64_observable_gauge;
}

#[cfg(test)]
mod tests {
    use super::super::{InstrumentProvider, ObservableInstrument};
    use super::*;
    use std::sync::Mutex;

    /// Records what each builder carried to the provider.
    #[derive(Default)]
    struct Seen(Mutex<Vec<String>>);

    impl InstrumentProvider for Seen {
        fn f64_counter(&self, b: InstrumentBuilder<'_, Counter<f64>>) -> Counter<f64> {
            let line = format!("{} {:?} {:?}", b.name, b.description, b.unit);
            self.0.lock().unwrap().push(line);
            Counter::noop()
        }
        fn u64_histogram(&self, b: HistogramBuilder<'_, Histogram<u64>>) -> Histogram<u64> {
            let line = format!("{} {:?} {:?}", b.name, b.unit, b.boundaries);
            self.0.lock().unwrap().push(line);
            Histogram::noop()
        }
        fn i64_observable_gauge(
            &self,
            b: AsyncInstrumentBuilder<'_, ObservableGauge<i64>, i64>,
        ) -> ObservableGauge<i64> {
            let line = format!(
                "{} {:?} callbacks={}",
                b.name,
                b.description,
                b.callbacks.len()
            );
            self.0.lock().unwrap().push(line);
            ObservableGauge::noop()
        }
    }

    use super::super::noop::NoopInstrument;

    #[test]
    fn builders_carry_their_fields_to_the_provider() {
        let seen = Arc::new(Seen::default());
        let meter = Meter::new(seen.clone());
        meter
            .f64_counter("c")
            .with_description("d")
            .with_unit("ms")
            .build();
        meter.f64_counter(String::from("bare")).build();
        meter
            .u64_histogram("h")
            .with_unit("By")
            .with_boundaries(vec![1.0, 10.0])
            .build();
        let gauge = meter
            .i64_observable_gauge("g")
            .with_description("x")
            .with_callback(|o| o.observe(1, &[]))
            .with_callback(|o| o.observe(2, &[]))
            .build();
        // Kinds the provider does not implement fall back to the no-op defaults.
        meter.u64_gauge("n").build().record(1, &[]);
        assert_eq!(
            *seen.0.lock().unwrap(),
            vec![
                r#"c Some("d") Some("ms")"#,
                "bare None None",
                r#"h Some("By") Some([1.0, 10.0])"#,
                r#"g Some("x") callbacks=2"#,
            ]
        );
        let clone = gauge.clone();
        assert!(Arc::ptr_eq(
            gauge.provider_instrument(),
            clone.provider_instrument()
        ));
    }
}
