//! Exemplars: example measurements kept with data points, with the trace and span they were
//! recorded in.
//!
//! The provider's [`ExemplarFilter`] decides which measurements are eligible; the stream's
//! [`ExemplarReservoir`] (a view can choose one; otherwise the spec's default for the
//! aggregation) decides which eligible ones are kept, one reservoir per series.
//!
//! Costs on the measurement path: nothing with [`ExemplarFilter::AlwaysOff`] (the stream has
//! no sampler); with [`ExemplarFilter::TraceBased`] (the default), a read of the current
//! context's active span flags, and the reservoir only for measurements made inside a
//! sampled span. A series allocates its reservoir on the first measurement offered to it.
//! A reservoir busy with another thread's measurement skips the offer rather than wait.

use super::aggregators::bucket_index;
use super::data::{
    Exemplar, ExponentialHistogramDataPoint, GaugeDataPoint, HistogramDataPoint, SumDataPoint,
};
use super::number::Number;
use opentelemetry_api::trace::{active_span_ids, active_span_is_sampled, SpanId, TraceId};
use opentelemetry_api::{otel_warn, Context, KeyValue};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// Which measurements may become exemplars (set on
/// [`MeterProviderBuilder::with_exemplar_filter`](super::MeterProviderBuilder::with_exemplar_filter),
/// or from `OTEL_METRICS_EXEMPLAR_FILTER`).
///
/// ```
/// use opentelemetry_sdk::metrics::{ExemplarFilter, SdkMeterProvider};
/// let provider = SdkMeterProvider::builder()
///     .with_exemplar_filter(ExemplarFilter::AlwaysOff)
///     .build();
/// # drop(provider);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ExemplarFilter {
    /// Every measurement is eligible.
    AlwaysOn,
    /// No measurement is: exemplars are off and cost nothing.
    AlwaysOff,
    /// Measurements recorded while the current context's active span is sampled (the
    /// default).
    #[default]
    TraceBased,
}

impl ExemplarFilter {
    /// The filter named by `OTEL_METRICS_EXEMPLAR_FILTER` (`always_on`, `always_off` or
    /// `trace_based`, case-insensitive); `TraceBased` when unset. Another value is reported
    /// and `TraceBased` is used.
    pub fn from_env() -> Self {
        Self::from_env_value(crate::env::var("OTEL_METRICS_EXEMPLAR_FILTER").as_deref())
    }

    pub(crate) fn from_env_value(value: Option<&str>) -> Self {
        match value {
            None => ExemplarFilter::TraceBased,
            Some(v) if v.eq_ignore_ascii_case("always_on") => ExemplarFilter::AlwaysOn,
            Some(v) if v.eq_ignore_ascii_case("always_off") => ExemplarFilter::AlwaysOff,
            Some(v) if v.eq_ignore_ascii_case("trace_based") => ExemplarFilter::TraceBased,
            Some(v) => {
                otel_warn!(
                    "Env.InvalidExemplarFilter",
                    "OTEL_METRICS_EXEMPLAR_FILTER={v:?} is not always_on, always_off or \
                     trace_based; using trace_based"
                );
                ExemplarFilter::TraceBased
            }
        }
    }
}

/// How each series of a stream keeps exemplars (set on a view's
/// [`Stream::with_exemplar_reservoir`](super::Stream::with_exemplar_reservoir)).
///
/// Without one, explicit-bucket histograms with more than one bucket use
/// `AlignedHistogramBucket` with their own boundaries, and other aggregations
/// `SimpleFixedSize { size: 1 }`. Attributes a view removes from a stream are kept on its
/// exemplars as filtered attributes; turn exemplars off with [`ExemplarFilter::AlwaysOff`]
/// if they must not be exported at all.
///
/// ```
/// use opentelemetry_sdk::metrics::{ExemplarReservoir, InstrumentSelector, Stream, View};
/// let view = View::new(
///     InstrumentSelector::new().with_name("requests"),
///     Stream::new().with_exemplar_reservoir(ExemplarReservoir::SimpleFixedSize { size: 4 }),
/// );
/// # drop(view);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ExemplarReservoir {
    /// The spec's `SimpleFixedSizeExemplarReservoir`: up to `size` (at least 1) exemplars
    /// chosen uniformly among the eligible measurements of a collection interval
    /// (reservoir sampling).
    SimpleFixedSize {
        /// How many exemplars each series keeps.
        size: usize,
    },
    /// The spec's `AlignedHistogramBucketExemplarReservoir`: the last eligible measurement
    /// of each bucket of `boundaries` (upper-inclusive buckets, like the histogram's).
    AlignedHistogramBucket {
        /// Increasing bucket upper bounds.
        boundaries: Vec<f64>,
    },
    /// A reservoir of the user's: the factory makes one [`CustomReservoir`] per series.
    Custom(Arc<dyn CustomReservoirFactory>),
}

impl PartialEq for ExemplarReservoir {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                ExemplarReservoir::SimpleFixedSize { size: a },
                ExemplarReservoir::SimpleFixedSize { size: b },
            ) => a == b,
            (
                ExemplarReservoir::AlignedHistogramBucket { boundaries: a },
                ExemplarReservoir::AlignedHistogramBucket { boundaries: b },
            ) => a == b,
            // The same factory.
            (ExemplarReservoir::Custom(a), ExemplarReservoir::Custom(b)) => {
                std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
            }
            _ => false,
        }
    }
}

/// The spec's `ExemplarReservoir` interface, for reservoirs of the user's: one per series
/// (each data point of a stream), made by a [`CustomReservoirFactory`] given to a view with
/// [`ExemplarReservoir::Custom`].
///
/// The SDK applies the provider's [`ExemplarFilter`] first: only eligible measurements are
/// offered. `offer` is called on the measuring thread with the reservoir locked (a
/// measurement that finds it locked by another thread is not offered), so it should be quick
/// and should not allocate when it keeps nothing.
///
/// `offer` receives the measurement's attributes that the series does **not** carry (those a
/// view filtered out), which are exactly what an [`Exemplar`] stores; the series' own
/// attributes were given to the factory when the reservoir was made, so the two together are
/// the measurement's complete set.
///
/// ```
/// use opentelemetry_api::trace::TraceContextExt;
/// use opentelemetry_api::{Context, KeyValue};
/// use opentelemetry_sdk::metrics::{
///     CustomReservoir, CustomReservoirFactory, Exemplar, ExemplarReservoir, InstrumentSelector,
///     Stream, View,
/// };
/// use std::sync::Arc;
/// use std::time::SystemTime;
///
/// /// Keeps the largest measurement of each interval.
/// #[derive(Default)]
/// struct Largest<T>(Option<Exemplar<T>>);
///
/// impl<T: Copy + PartialOrd + Send> CustomReservoir<T> for Largest<T> {
///     fn offer(&mut self, value: T, time: SystemTime, filtered: &[KeyValue], cx: &Context) {
///         if self.0.as_ref().is_some_and(|e| e.value >= value) {
///             return;
///         }
///         let span = cx.span();
///         let sc = span.span_context();
///         self.0 = Some(Exemplar {
///             filtered_attributes: filtered.to_vec(),
///             time,
///             value,
///             trace_id: sc.trace_id(),
///             span_id: sc.span_id(),
///         });
///     }
///
///     fn collect(&mut self, reset: bool) -> Vec<Exemplar<T>> {
///         let kept = if reset { self.0.take() } else { self.0.clone() };
///         kept.into_iter().collect()
///     }
/// }
///
/// #[derive(Debug)]
/// struct LargestFactory;
///
/// impl CustomReservoirFactory for LargestFactory {
///     fn reservoir_u64(&self, _series: &[KeyValue]) -> Box<dyn CustomReservoir<u64>> {
///         Box::new(Largest::default())
///     }
///     fn reservoir_i64(&self, _series: &[KeyValue]) -> Box<dyn CustomReservoir<i64>> {
///         Box::new(Largest::default())
///     }
///     fn reservoir_f64(&self, _series: &[KeyValue]) -> Box<dyn CustomReservoir<f64>> {
///         Box::new(Largest::default())
///     }
/// }
///
/// let view = View::new(
///     InstrumentSelector::new().with_name("latency"),
///     Stream::new().with_exemplar_reservoir(ExemplarReservoir::Custom(Arc::new(LargestFactory))),
/// );
/// # drop(view);
/// ```
pub trait CustomReservoir<T>: Send {
    /// Offers an eligible measurement: its value, when it was taken, the attributes the
    /// series does not carry, and the context it was made in (active span, baggage).
    fn offer(&mut self, value: T, time: SystemTime, filtered_attributes: &[KeyValue], cx: &Context);

    /// The exemplars kept for the data point being collected. `reset` is true for delta
    /// collections: the next point must only carry exemplars measured after this one.
    fn collect(&mut self, reset: bool) -> Vec<Exemplar<T>>;
}

/// Makes a [`CustomReservoir`] for each series of a stream, given the series' attributes
/// (one method per measurement number type).
pub trait CustomReservoirFactory: fmt::Debug + Send + Sync {
    /// A reservoir for a series of a `u64` instrument.
    fn reservoir_u64(&self, series_attributes: &[KeyValue]) -> Box<dyn CustomReservoir<u64>>;
    /// A reservoir for a series of an `i64` instrument.
    fn reservoir_i64(&self, series_attributes: &[KeyValue]) -> Box<dyn CustomReservoir<i64>>;
    /// A reservoir for a series of an `f64` instrument.
    fn reservoir_f64(&self, series_attributes: &[KeyValue]) -> Box<dyn CustomReservoir<f64>>;
}

impl ExemplarReservoir {
    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            ExemplarReservoir::SimpleFixedSize { size: 0 } => {
                Err("an exemplar reservoir needs a size of at least 1".into())
            }
            ExemplarReservoir::SimpleFixedSize { .. } | ExemplarReservoir::Custom(_) => Ok(()),
            ExemplarReservoir::AlignedHistogramBucket { boundaries } => {
                if boundaries.iter().any(|b| !b.is_finite())
                    || boundaries.windows(2).any(|w| w[0] >= w[1])
                {
                    Err("exemplar reservoir boundaries must be finite and increasing".into())
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// A data point that carries exemplars.
pub(crate) trait WithExemplars<T> {
    fn set_exemplars(&mut self, exemplars: Vec<Exemplar<T>>);
}

impl<T> WithExemplars<T> for SumDataPoint<T> {
    fn set_exemplars(&mut self, exemplars: Vec<Exemplar<T>>) {
        self.exemplars = exemplars;
    }
}

impl<T> WithExemplars<T> for GaugeDataPoint<T> {
    fn set_exemplars(&mut self, exemplars: Vec<Exemplar<T>>) {
        self.exemplars = exemplars;
    }
}

impl<T> WithExemplars<T> for HistogramDataPoint<T> {
    fn set_exemplars(&mut self, exemplars: Vec<Exemplar<T>>) {
        self.exemplars = exemplars;
    }
}

impl<T> WithExemplars<T> for ExponentialHistogramDataPoint<T> {
    fn set_exemplars(&mut self, exemplars: Vec<Exemplar<T>>) {
        self.exemplars = exemplars;
    }
}

/// A stream's exemplar sampling: the filter (never `AlwaysOff`: such streams have none) and
/// the reservoir kind of its series.
#[derive(Debug)]
pub(crate) struct Sampler {
    always: bool,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Simple(usize),
    Aligned(Box<[f64]>),
    Custom(Arc<dyn CustomReservoirFactory>),
}

/// One series' reservoir, allocated on the first offer.
pub(crate) type Cell<T> = OnceLock<Mutex<Reservoir<T>>>;

pub(crate) struct Reservoir<T> {
    /// A user's reservoir, and the buffer its filtered attributes are gathered in (the
    /// built-in slots are then unused).
    custom: Option<(Box<dyn CustomReservoir<T>>, Vec<KeyValue>)>,
    slots: Box<[Slot<T>]>,
    /// Measurements offered this interval (simple reservoirs).
    seen: u64,
    /// xorshift state (simple reservoirs): never zero.
    rng: u64,
}

struct Slot<T> {
    filled: bool,
    value: T,
    time: SystemTime,
    trace_id: TraceId,
    span_id: SpanId,
    filtered: Vec<KeyValue>,
}

impl Sampler {
    /// The sampler for a stream, or `None` when exemplars are off.
    pub(crate) fn new(
        filter: ExemplarFilter,
        configured: Option<&ExemplarReservoir>,
        histogram_bounds: Option<&[f64]>,
    ) -> Option<Sampler> {
        let always = match filter {
            ExemplarFilter::AlwaysOff => return None,
            ExemplarFilter::AlwaysOn => true,
            ExemplarFilter::TraceBased => false,
        };
        let kind = match (configured, histogram_bounds) {
            (Some(ExemplarReservoir::SimpleFixedSize { size }), _) => Kind::Simple((*size).max(1)),
            (Some(ExemplarReservoir::AlignedHistogramBucket { boundaries }), _) => {
                Kind::Aligned(boundaries.clone().into())
            }
            (Some(ExemplarReservoir::Custom(factory)), _) => Kind::Custom(Arc::clone(factory)),
            (None, Some(bounds)) if !bounds.is_empty() => Kind::Aligned(bounds.into()),
            (None, _) => Kind::Simple(1),
        };
        Some(Sampler { always, kind })
    }

    /// Whether the current measurement may become an exemplar (what [`offer`](Self::offer)
    /// checks first).
    #[inline(always)]
    pub(crate) fn eligible(&self) -> bool {
        self.always || active_span_is_sampled()
    }

    /// Offers a measurement to the reservoir of the series with attributes `series`;
    /// `filtered` appends the measurement's attributes the series does not carry. Cheap when
    /// the measurement is not eligible.
    #[inline]
    pub(crate) fn offer<T: Number>(
        &self,
        cell: &Cell<T>,
        series: &[KeyValue],
        value: T,
        filtered: impl FnOnce(&mut Vec<KeyValue>),
    ) {
        // TraceBased: one thread-local load decides for measurements outside sampled spans.
        if !self.always && !active_span_is_sampled() {
            return;
        }
        if let Kind::Custom(factory) = &self.kind {
            self.offer_custom(factory, cell, series, value, filtered);
            return;
        }
        self.store(cell, value, filtered);
    }

    #[inline(never)]
    fn offer_custom<T: Number>(
        &self,
        factory: &Arc<dyn CustomReservoirFactory>,
        cell: &Cell<T>,
        series: &[KeyValue],
        value: T,
        filtered: impl FnOnce(&mut Vec<KeyValue>),
    ) {
        let reservoir = cell.get_or_init(|| {
            Mutex::new(Reservoir {
                custom: Some((T::custom_reservoir(&**factory, series), Vec::new())),
                slots: Box::default(),
                seen: 0,
                rng: 1,
            })
        });
        let Ok(mut r) = reservoir.try_lock() else {
            return;
        };
        if let Some((custom, scratch)) = &mut r.custom {
            // Read the clock only for an offer that is made (not when the reservoir is busy).
            let time = crate::clock::now();
            scratch.clear();
            filtered(scratch);
            // A user's reservoir must not take the measuring thread down with it.
            let offered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                Context::map_current(|cx| custom.offer(value, time, scratch, cx));
            }));
            if offered.is_err() {
                otel_warn!(
                    "Metrics.ExemplarReservoirPanicked",
                    "a custom exemplar reservoir panicked in offer; the measurement was recorded without an exemplar"
                );
            }
        }
    }

    #[inline(never)]
    fn store<T: Number>(
        &self,
        cell: &Cell<T>,
        value: T,
        filtered: impl FnOnce(&mut Vec<KeyValue>),
    ) {
        let (trace_id, span_id) = match active_span_ids() {
            Some((trace_id, span_id, flags)) if self.always || flags.is_sampled() => {
                (trace_id, span_id)
            }
            None if self.always => (TraceId::INVALID, SpanId::INVALID),
            _ => return,
        };
        let reservoir = cell.get_or_init(|| Mutex::new(self.reservoir()));
        // Busy with another measurement: this one is skipped (the reservoir may sample).
        let Ok(mut r) = reservoir.try_lock() else {
            return;
        };
        let index = match &self.kind {
            Kind::Aligned(bounds) => bucket_index(bounds, value.to_f64()),
            // Offered through `offer_custom`.
            Kind::Custom(_) => return,
            Kind::Simple(size) => {
                let seen = r.seen;
                r.seen += 1;
                if seen < *size as u64 {
                    seen as usize
                } else {
                    // Uniform in [0, seen]: the slot, if it is one, is replaced.
                    let pick = r.next_random(seen + 1);
                    if pick >= *size as u64 {
                        return;
                    }
                    pick as usize
                }
            }
        };
        let Some(slot) = r.slots.get_mut(index) else {
            return;
        };
        slot.filled = true;
        slot.value = value;
        slot.time = crate::clock::now();
        slot.trace_id = trace_id;
        slot.span_id = span_id;
        slot.filtered.clear();
        filtered(&mut slot.filtered);
    }

    fn reservoir<T: Number>(&self) -> Reservoir<T> {
        let size = match &self.kind {
            Kind::Simple(size) => *size,
            Kind::Aligned(bounds) => bounds.len() + 1,
            // Custom reservoirs are made in `offer_custom`.
            Kind::Custom(_) => 0,
        };
        Reservoir {
            custom: None,
            slots: (0..size)
                .map(|_| Slot {
                    filled: false,
                    value: T::ZERO,
                    time: SystemTime::UNIX_EPOCH,
                    trace_id: TraceId::INVALID,
                    span_id: SpanId::INVALID,
                    filtered: Vec::new(),
                })
                .collect(),
            seen: 0,
            rng: rand::random::<u64>() | 1,
        }
    }

    /// The exemplars a series collected; `reset` (delta) empties the reservoir. The
    /// sampling state restarts every collection either way.
    #[inline]
    pub(crate) fn collect<T: Number>(&self, cell: &Cell<T>, reset: bool) -> Vec<Exemplar<T>> {
        match cell.get() {
            None => Vec::new(),
            Some(reservoir) => Self::take(reservoir, reset),
        }
    }

    fn take<T: Number>(reservoir: &Mutex<Reservoir<T>>, reset: bool) -> Vec<Exemplar<T>> {
        let mut r = reservoir.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((custom, _)) = &mut r.custom {
            return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                custom.collect(reset)
            }))
            .unwrap_or_else(|_| {
                otel_warn!(
                    "Metrics.ExemplarReservoirPanicked",
                    "a custom exemplar reservoir panicked in collect; the point has no exemplars"
                );
                Vec::new()
            });
        }
        r.seen = 0;
        let mut out = Vec::new();
        for slot in r.slots.iter_mut().filter(|s| s.filled) {
            out.push(Exemplar {
                filtered_attributes: if reset {
                    std::mem::take(&mut slot.filtered)
                } else {
                    slot.filtered.clone()
                },
                time: slot.time,
                value: slot.value,
                trace_id: slot.trace_id,
                span_id: slot.span_id,
            });
            if reset {
                slot.filled = false;
            }
        }
        out
    }
}

impl<T> Reservoir<T> {
    /// Uniform in `[0, n)` (xorshift64*, then a multiply-shift: no division).
    fn next_random(&mut self, n: u64) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        let r = x.wrapping_mul(0x2545_f491_4f6c_dd1d);
        ((u128::from(r) * u128::from(n)) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::trace::{SpanContext, TraceContextExt, TraceFlags, TraceState};
    use opentelemetry_api::Context;

    fn in_span<R>(sampled: bool, f: impl FnOnce() -> R) -> R {
        let sc = SpanContext::new(
            TraceId::from(7u128),
            SpanId::from(9u64),
            TraceFlags::SAMPLED.with_sampled(sampled),
            false,
            TraceState::NONE,
        );
        let _guard = Context::new().with_remote_span_context(sc).attach();
        f()
    }

    #[test]
    fn filters_from_the_environment() {
        assert_eq!(
            ExemplarFilter::from_env_value(None),
            ExemplarFilter::TraceBased
        );
        assert_eq!(
            ExemplarFilter::from_env_value(Some("ALWAYS_ON")),
            ExemplarFilter::AlwaysOn
        );
        assert_eq!(
            ExemplarFilter::from_env_value(Some("always_off")),
            ExemplarFilter::AlwaysOff
        );
        assert_eq!(
            ExemplarFilter::from_env_value(Some("trace_based")),
            ExemplarFilter::TraceBased
        );
        assert_eq!(
            ExemplarFilter::from_env_value(Some("sometimes")),
            ExemplarFilter::TraceBased
        );
    }

    #[test]
    fn trace_based_samples_only_inside_sampled_spans() {
        let s = Sampler::new(ExemplarFilter::TraceBased, None, None).unwrap();
        let cell = Cell::<u64>::new();
        s.offer(&cell, &[], 1, |_| {});
        assert!(cell.get().is_none(), "no span: not even a reservoir");
        in_span(false, || s.offer(&cell, &[], 2, |_| {}));
        assert!(cell.get().is_none(), "unsampled span");
        in_span(true, || {
            s.offer(&cell, &[], 3, |v| v.push(KeyValue::new("f", 1)))
        });
        let ex = s.collect(&cell, true);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].value, 3);
        assert_eq!(ex[0].trace_id, TraceId::from(7u128));
        assert_eq!(ex[0].span_id, SpanId::from(9u64));
        assert_eq!(ex[0].filtered_attributes, [KeyValue::new("f", 1)]);
        assert!(s.collect(&cell, true).is_empty(), "delta resets");
    }

    #[test]
    fn always_on_samples_without_a_span_and_off_has_no_sampler() {
        assert!(Sampler::new(ExemplarFilter::AlwaysOff, None, None).is_none());
        let s = Sampler::new(ExemplarFilter::AlwaysOn, None, None).unwrap();
        let cell = Cell::<f64>::new();
        s.offer(&cell, &[], 1.5, |_| {});
        let ex = s.collect(&cell, false);
        assert_eq!(ex.len(), 1);
        assert_eq!(
            (ex[0].trace_id, ex[0].span_id),
            (TraceId::INVALID, SpanId::INVALID)
        );
        assert_eq!(
            s.collect(&cell, false).len(),
            1,
            "cumulative keeps exemplars"
        );
    }

    #[test]
    fn simple_reservoir_samples_uniformly() {
        let s = Sampler::new(
            ExemplarFilter::AlwaysOn,
            Some(&ExemplarReservoir::SimpleFixedSize { size: 2 }),
            None,
        )
        .unwrap();
        let mut hits = [0u32; 10];
        for _ in 0..4000 {
            let cell = Cell::<u64>::new();
            for v in 0..10 {
                s.offer(&cell, &[], v, |_| {});
            }
            let ex = s.collect(&cell, true);
            assert_eq!(ex.len(), 2, "the reservoir fills to its size");
            for e in ex {
                hits[e.value as usize] += 1;
            }
        }
        // Each of the 10 values is kept with probability 2/10: 800 expected of 4000.
        for (v, h) in hits.iter().enumerate() {
            assert!((650..=950).contains(h), "value {v} kept {h} times");
        }
    }

    #[test]
    fn aligned_reservoir_keeps_the_last_per_bucket() {
        let s = Sampler::new(ExemplarFilter::AlwaysOn, None, Some(&[10.0, 20.0])).unwrap();
        let cell = Cell::<f64>::new();
        for v in [1.0, 5.0, 15.0, 10.0, 25.0, 30.0] {
            s.offer(&cell, &[], v, |_| {});
        }
        let values: Vec<f64> = s.collect(&cell, true).iter().map(|e| e.value).collect();
        // (-inf,10]: 1, 5, 10 → 10; (10,20]: 15; (20,inf): 25, 30 → 30.
        assert_eq!(values, [10.0, 15.0, 30.0]);
    }

    #[test]
    fn reservoir_configurations_are_validated() {
        assert!(ExemplarReservoir::SimpleFixedSize { size: 0 }
            .validate()
            .is_err());
        assert!(ExemplarReservoir::AlignedHistogramBucket {
            boundaries: vec![1.0, 1.0]
        }
        .validate()
        .is_err());
        assert!(ExemplarReservoir::AlignedHistogramBucket {
            boundaries: vec![1.0, 2.0]
        }
        .validate()
        .is_ok());
    }
}
