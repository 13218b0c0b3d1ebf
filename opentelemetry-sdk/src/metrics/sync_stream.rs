//! The storage of one synchronous metric stream: series keyed by attribute set.
//!
//! The measurement path with attributes hashes the caller's slice order-independently
//! (no allocation), looks the hash up in a [`SeriesTable`] without taking a lock, compares
//! the candidates' stored (sorted) attributes with the slice and updates the matching
//! series' atomic cell. Only a new attribute set takes the slow path: normalise (filter,
//! sort, de-duplicate) and insert under the table's writer lock. The empty attribute set has
//! a dedicated series that needs no lookup at all, and bound instruments hold their series
//! directly.
//!
//! Cumulative streams never drop a series, so their measurements take no lock at all: one
//! atomic update of the series (a short lock for histograms). Delta streams free the series
//! not updated since the previous collection: there every unbound measurement holds the read
//! side of one of [`GATES`] read-write locks (picked by hash) while it finds and updates its
//! series, and a collection takes them all for writing, so no unbound update is in flight
//! while it takes values and frees series. Bound and permanent series are updated without
//! locks: their writers publish an `updated` flag (release) after the value, and the
//! collector swaps the flag (acquire) before taking the value, so every measurement lands in
//! exactly one collection.

use super::aggregators::Aggregator;
use super::attributes::{
    hash_kv, hash_normalized, matches, normalize, set_eq, AttributeFilter, Probe,
};
use super::data::{Metric, Temporality};
use super::exemplar::{self, Sampler, WithExemplars};
use super::number::Number;
use super::series_table::SeriesTable;
use opentelemetry_api::metrics::{BoundSyncInstrument, SyncInstrument};
use opentelemetry_api::{otel_warn, Key, KeyValue};
use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::SystemTime;

/// Number of read-write locks a delta stream's measurements spread over.
pub(crate) const GATES: usize = 16;

/// The attribute key of the overflow series.
pub(crate) const OVERFLOW_KEY: &str = "otel.metric.overflow";

/// A stream's identity as exported.
#[derive(Clone, Debug)]
pub(crate) struct StreamMeta {
    pub(crate) name: Cow<'static, str>,
    pub(crate) description: Cow<'static, str>,
    pub(crate) unit: Cow<'static, str>,
    pub(crate) temporality: Temporality,
}

impl StreamMeta {
    pub(crate) fn metric(&self, data: super::data::AggregatedMetrics) -> Metric {
        Metric {
            name: self.name.clone(),
            description: self.description.clone(),
            unit: self.unit.clone(),
            data,
        }
    }
}

/// Which values a stream accepts; others are dropped (and reported once).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ValueCheck {
    /// Sums and histograms: NaN and infinities would poison the series for good.
    pub(crate) finite: bool,
    /// Counters and histograms: only non-negative values.
    pub(crate) non_negative: bool,
}

impl ValueCheck {
    #[inline]
    pub(crate) fn accepts<T: Number>(self, value: T) -> bool {
        (!self.finite || value.is_finite()) && (!self.non_negative || value.is_non_negative())
    }
}

/// One attribute set's series.
pub(crate) struct Series<T, A> {
    /// Shared with the data points: a collection clones no attribute.
    pub(crate) attributes: Arc<[KeyValue]>,
    /// The series' exemplar reservoir (allocated on the first offer).
    exemplars: exemplar::Cell<T>,
    /// Each attribute's hash, in the same order.
    hashes: Box<[u64]>,
    /// When the series was created: the start of its cumulative points.
    start: SystemTime,
    agg: A,
    /// Set after every update; swapped off by delta collections, read by cumulative ones.
    updated: AtomicBool,
    /// How many bound instruments point here (such series are never freed).
    bound: AtomicUsize,
}

impl<T, A> Series<T, A> {
    fn new(attributes: Vec<KeyValue>, agg: A, start: SystemTime) -> Self {
        Series {
            exemplars: exemplar::Cell::new(),
            hashes: attributes.iter().map(hash_kv).collect(),
            attributes: attributes.into(),
            start,
            agg,
            updated: AtomicBool::new(false),
            bound: AtomicUsize::new(0),
        }
    }

    #[inline]
    fn record(&self, value: T, config: &A::Config)
    where
        T: Number,
        A: Aggregator<T>,
    {
        self.agg.record(value, config);
        self.updated.store(true, Ordering::Release);
    }
}

/// A read-write lock on its own cache lines, so threads taking different ones do not
/// contend.
#[repr(align(128))]
struct Gate(RwLock<()>);

const EMPTY_UNKNOWN: u8 = 0;
const EMPTY_ADMITTED: u8 = 1;

/// The storage and aggregation of one synchronous stream.
pub(crate) struct SyncStream<T: Number, A: Aggregator<T>> {
    meta: StreamMeta,
    config: A::Config,
    check: ValueCheck,
    filter: Option<AttributeFilter>,
    /// Exemplar sampling (`None` when the filter is `AlwaysOff`).
    exemplars: Option<Sampler>,
    /// The most points one collection produces, the overflow point included.
    limit: usize,
    series: SeriesTable<Series<T, A>>,
    /// Delta streams only (empty otherwise): see the module documentation.
    gates: Box<[Gate]>,
    /// The series of the empty attribute set: no lookup needed.
    empty: Arc<Series<T, A>>,
    /// Whether the empty set holds one of the `limit - 1` regular slots yet.
    empty_state: AtomicU8,
    overflow: Arc<Series<T, A>>,
    /// Regular series (the empty one included) holding a slot.
    count: AtomicUsize,
    /// The start of the current delta interval.
    interval_start: Mutex<SystemTime>,
    /// Set while the meter is disabled (its `MeterConfig`) or the provider is shut down:
    /// measurements are dropped.
    off: Arc<AtomicBool>,
    reported_invalid: AtomicBool,
    reported_overflow: AtomicBool,
    _number: PhantomData<fn(T)>,
}

/// Everything that configures a stream.
pub(crate) struct StreamSpec<C> {
    pub(crate) meta: StreamMeta,
    pub(crate) config: C,
    pub(crate) check: ValueCheck,
    pub(crate) filter: Option<AttributeFilter>,
    pub(crate) exemplars: Option<Sampler>,
    pub(crate) limit: usize,
    /// The meter's off switch (see [`SyncStream`]).
    pub(crate) off: Arc<AtomicBool>,
}

impl<T: Number, A: Aggregator<T>> SyncStream<T, A>
where
    A::Point: WithExemplars<T>,
{
    pub(crate) fn new(spec: StreamSpec<A::Config>) -> Self {
        let now = SystemTime::now();
        let empty = Arc::new(Series::new(Vec::new(), A::new(&spec.config), now));
        let overflow = Arc::new(Series::new(
            vec![KeyValue::new(OVERFLOW_KEY, true)],
            A::new(&spec.config),
            now,
        ));
        let gates = if spec.meta.temporality == Temporality::Delta {
            (0..GATES).map(|_| Gate(RwLock::new(()))).collect()
        } else {
            Box::default()
        };
        SyncStream {
            meta: spec.meta,
            config: spec.config,
            check: spec.check,
            filter: spec.filter,
            exemplars: spec.exemplars,
            limit: spec.limit.max(1),
            series: SeriesTable::new(),
            gates,
            empty,
            empty_state: AtomicU8::new(EMPTY_UNKNOWN),
            overflow,
            count: AtomicUsize::new(0),
            interval_start: Mutex::new(now),
            off: spec.off,
            reported_invalid: AtomicBool::new(false),
            reported_overflow: AtomicBool::new(false),
            _number: PhantomData,
        }
    }

    /// For a delta stream, the read side of the gate for `hash`: held while a measurement
    /// finds and updates its series, so that no collection frees the series meanwhile.
    #[inline]
    fn enter(&self, hash: u64) -> Option<RwLockReadGuard<'_, ()>> {
        if self.gates.is_empty() {
            return None;
        }
        // Middle bits: the table uses the low ones.
        let gate = &self.gates[(hash >> 32) as usize % self.gates.len()];
        // No code holding these locks can panic half-way through an update.
        Some(gate.0.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Records one measurement (the caller checks that the instrument is not off). The
    /// empty attribute set, once it holds its slot, takes a short path that the caller can
    /// inline: no lookup, and none of the register saves the lookup path needs.
    #[inline(always)]
    pub(crate) fn record(&self, value: T, attributes: &[KeyValue]) {
        if attributes.is_empty()
            && self.empty_state.load(Ordering::Relaxed) == EMPTY_ADMITTED
            && self.check.accepts(value)
        {
            self.empty.record(value, &self.config);
            if self.exemplars.as_ref().is_some_and(Sampler::eligible) {
                self.offer_empty(value);
            }
            return;
        }
        self.record_any(value, attributes);
    }

    /// Offers an eligible measurement of the empty set for an exemplar (out of line: the
    /// short path then needs no register saves).
    #[cold]
    #[inline(never)]
    fn offer_empty(&self, value: T) {
        if let Some(sampler) = &self.exemplars {
            // No attribute for the exemplar to carry.
            sampler.offer(&self.empty.exemplars, &self.empty.attributes, value, |_| {});
        }
    }

    /// [`record`](Self::record) for any attribute set.
    #[inline(never)]
    fn record_any(&self, value: T, attributes: &[KeyValue]) {
        if !self.check.accepts(value) {
            self.report_invalid(value);
            return;
        }
        match &self.filter {
            None => self.record_with(value, attributes, |_| true),
            Some(filter) => self.record_with(value, attributes, |k| filter.keeps(k)),
        }
    }

    #[inline]
    fn record_with<F: Fn(&Key) -> bool + Copy>(&self, value: T, attributes: &[KeyValue], keep: F) {
        if attributes.is_empty() {
            return self.record_empty(value, attributes, keep);
        }
        let mut probe = Probe::empty();
        probe.fill(attributes, keep);
        if probe.kept == 0 {
            return self.record_empty(value, attributes, keep);
        }
        let _gate = self.enter(probe.hash);
        let found = self.series.get(probe.hash, |s| {
            matches(&s.attributes, &s.hashes, attributes, &probe, keep)
        });
        match found {
            Some(series) => self.put(series, value, attributes, keep),
            None => self.record_new(value, attributes, keep),
        }
    }

    /// Records into `series` and offers the measurement for an exemplar.
    #[inline]
    fn put<F: Fn(&Key) -> bool>(
        &self,
        series: &Series<T, A>,
        value: T,
        attributes: &[KeyValue],
        keep: F,
    ) {
        series.record(value, &self.config);
        if self.exemplars.as_ref().is_some_and(Sampler::eligible) {
            self.offer(series, value, attributes, keep);
        }
    }

    /// Offers an eligible measurement of `series` for an exemplar (out of line: rare, and
    /// it needs registers the measurement path does not).
    #[cold]
    #[inline(never)]
    fn offer<F: Fn(&Key) -> bool>(
        &self,
        series: &Series<T, A>,
        value: T,
        attributes: &[KeyValue],
        keep: F,
    ) {
        if let Some(sampler) = &self.exemplars {
            // The overflow point carries none of the measurement's attributes.
            let overflow = std::ptr::eq(series, &*self.overflow);
            sampler.offer(&series.exemplars, &series.attributes, value, |filtered| {
                filtered.extend(
                    attributes
                        .iter()
                        .filter(|kv| overflow || !keep(&kv.key))
                        .cloned(),
                );
            });
        }
    }

    /// A measurement none of whose attributes the stream keeps.
    #[inline]
    fn record_empty<F: Fn(&Key) -> bool>(&self, value: T, attributes: &[KeyValue], keep: F) {
        if self.empty_state.load(Ordering::Relaxed) == EMPTY_ADMITTED {
            self.put(&self.empty, value, attributes, keep);
        } else {
            self.record_empty_slow(value, attributes, keep);
        }
    }

    #[cold]
    fn record_empty_slow<F: Fn(&Key) -> bool>(&self, value: T, attributes: &[KeyValue], keep: F) {
        self.put(self.resolve_empty(), value, attributes, keep);
    }

    /// The series for the empty set: its own once it holds a slot, else the overflow one.
    fn resolve_empty(&self) -> &Arc<Series<T, A>> {
        if self.empty_state.load(Ordering::Relaxed) == EMPTY_ADMITTED {
            return &self.empty;
        }
        if !self.reserve() {
            self.report_overflow();
            return &self.overflow;
        }
        if self
            .empty_state
            .compare_exchange(
                EMPTY_UNKNOWN,
                EMPTY_ADMITTED,
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_err()
        {
            // Another thread admitted it first.
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        &self.empty
    }

    /// Takes one regular slot if the limit allows.
    fn reserve(&self) -> bool {
        if self.count.fetch_add(1, Ordering::Relaxed) < self.limit - 1 {
            true
        } else {
            self.count.fetch_sub(1, Ordering::Relaxed);
            false
        }
    }

    /// A measurement for an attribute set not found by the fast path (a delta stream's
    /// caller holds a gate).
    #[cold]
    fn record_new<F: Fn(&Key) -> bool + Copy>(&self, value: T, attributes: &[KeyValue], keep: F) {
        let normalized = normalize(attributes, keep);
        if normalized.is_empty() {
            return self.record_empty(value, attributes, keep);
        }
        // Repeated keys make the caller's hash differ from the set's: look again.
        let hash = hash_normalized(&normalized);
        match self
            .series
            .get(hash, |s| set_eq(&s.attributes, &normalized))
        {
            Some(series) => self.put(series, value, attributes, keep),
            None => {
                let series = self.find_or_insert(hash, normalized);
                self.put(&series, value, attributes, keep);
            }
        }
    }

    /// The series for a normalised set, inserting it if a slot is free; the overflow series
    /// otherwise. A delta stream's caller holds a gate.
    fn find_or_insert(&self, hash: u64, normalized: Vec<KeyValue>) -> Arc<Series<T, A>> {
        let found = self.series.get_or_insert(
            hash,
            normalized,
            |s, normalized| set_eq(&s.attributes, normalized),
            |normalized| {
                self.reserve().then(|| {
                    Arc::new(Series::new(
                        normalized,
                        A::new(&self.config),
                        SystemTime::now(),
                    ))
                })
            },
        );
        found.unwrap_or_else(|| {
            self.report_overflow();
            Arc::clone(&self.overflow)
        })
    }

    /// Resolves the series for a bound instrument, counting the binding so it is never
    /// freed.
    pub(crate) fn bind_series(&self, attributes: &[KeyValue]) -> Arc<Series<T, A>> {
        let normalized = match &self.filter {
            None => normalize(attributes, |_| true),
            Some(filter) => normalize(attributes, |k| filter.keeps(k)),
        };
        if normalized.is_empty() {
            return Arc::clone(self.resolve_empty());
        }
        let hash = hash_normalized(&normalized);
        // Held until the binding is counted: no delta collection can free the series first.
        let _gate = self.enter(hash);
        let series = self.find_or_insert(hash, normalized);
        series.bound.fetch_add(1, Ordering::Relaxed);
        series
    }

    #[cold]
    fn report_invalid(&self, value: T) {
        if !self.reported_invalid.swap(true, Ordering::Relaxed) {
            otel_warn!(
                "Metrics.InvalidMeasurement",
                "stream {:?} dropped the measurement {value}: {} (reported once per stream)",
                self.meta.name,
                if self.check.non_negative {
                    "this instrument takes only finite non-negative values"
                } else {
                    "this aggregation takes only finite values"
                }
            );
        }
    }

    #[cold]
    fn report_overflow(&self) {
        if !self.reported_overflow.swap(true, Ordering::Relaxed) {
            otel_warn!(
                "Metrics.CardinalityLimitReached",
                "stream {:?} reached its cardinality limit of {}: measurements for new \
                 attribute sets go to the {OVERFLOW_KEY}=true series",
                self.meta.name,
                self.limit
            );
        }
    }

    /// The stream's points for a collection at `now`, or `None` when it has none.
    pub(crate) fn collect_metric(&self, now: SystemTime) -> Option<Metric> {
        let delta = self.meta.temporality == Temporality::Delta;
        let interval_start = if delta {
            let mut start = self
                .interval_start
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut *start, now)
        } else {
            SystemTime::UNIX_EPOCH
        };
        // Every regular series (the empty one included) and the overflow one.
        let mut points = Vec::with_capacity(self.count.load(Ordering::Relaxed) + 1);
        let mut emit = |series: &Series<T, A>| {
            let start = if delta { interval_start } else { series.start };
            let mut point =
                series
                    .agg
                    .point(&self.config, delta, series.attributes.clone(), start, now);
            if let Some(sampler) = &self.exemplars {
                point.set_exemplars(sampler.collect(&series.exemplars, delta));
            }
            points.push(point);
        };
        let updated = |series: &Series<T, A>| {
            if delta {
                series.updated.swap(false, Ordering::Acquire)
            } else {
                series.updated.load(Ordering::Acquire)
            }
        };
        if updated(&self.empty) {
            emit(&self.empty);
        }
        if delta {
            // Every unbound measurement holds one gate: with all of them, none is in flight.
            let _gates: Vec<_> = self
                .gates
                .iter()
                .map(|g| g.0.write().unwrap_or_else(|p| p.into_inner()))
                .collect();
            let keep = |series: &Series<T, A>| {
                // Bindings first: a binding released before this point published its
                // updates, which the flag swap below then sees.
                let bound = series.bound.load(Ordering::Acquire) > 0;
                if updated(series) {
                    emit(series);
                    true
                } else {
                    bound
                }
            };
            // SAFETY: readers of the table (measurements, bindings) hold a gate's read lock,
            // and this holds every gate's write lock.
            let freed = unsafe { self.series.retain(keep) };
            if freed > 0 {
                self.count.fetch_sub(freed, Ordering::Relaxed);
            }
        } else {
            self.series.for_each(|series| {
                if updated(series) {
                    emit(series);
                }
            });
        }
        if updated(&self.overflow) {
            emit(&self.overflow);
        }
        if points.is_empty() {
            return None;
        }
        Some(self.meta.metric(T::wrap(A::data(
            &self.config,
            self.meta.temporality,
            points,
        ))))
    }
}

/// Records into one stream on behalf of an instrument (several streams: one per view and
/// reader).
pub(crate) trait StreamRecorder<T>: Send + Sync {
    fn record(&self, value: T, attributes: &[KeyValue]);
    fn bind(self: Arc<Self>, attributes: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>>;
}

impl<T: Number, A: Aggregator<T>> StreamRecorder<T> for SyncStream<T, A>
where
    A::Point: WithExemplars<T>,
{
    #[inline]
    fn record(&self, value: T, attributes: &[KeyValue]) {
        SyncStream::record(self, value, attributes);
    }

    fn bind(self: Arc<Self>, attributes: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>> {
        let series = self.bind_series(attributes);
        // The exemplars' filtered attributes: those the series does not carry.
        let filtered = if self.exemplars.is_none() {
            Box::default()
        } else {
            let overflow = Arc::ptr_eq(&series, &self.overflow);
            attributes
                .iter()
                .filter(|kv| overflow || self.filter.as_ref().is_some_and(|f| !f.keeps(&kv.key)))
                .cloned()
                .collect()
        };
        Box::new(BoundSeries {
            stream: self,
            series,
            filtered,
        })
    }
}

/// A single stream is the instrument itself: one virtual call per measurement.
impl<T: Number, A: Aggregator<T>> SyncInstrument<T> for SyncStream<T, A>
where
    A::Point: WithExemplars<T>,
{
    #[inline]
    fn measure(&self, value: T, attributes: &[KeyValue]) {
        if self.off.load(Ordering::Relaxed) {
            return;
        }
        self.record(value, attributes);
    }

    fn enabled(&self) -> bool {
        !self.off.load(Ordering::Relaxed)
    }

    fn bind(self: Arc<Self>, attributes: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>> {
        StreamRecorder::bind(self, attributes)
    }
}

/// A bound instrument of one stream: holds its series, so a measurement is one atomic update
/// (a short lock for histograms).
struct BoundSeries<T: Number, A: Aggregator<T>> {
    stream: Arc<SyncStream<T, A>>,
    series: Arc<Series<T, A>>,
    /// The bound attributes the series does not carry (for exemplars).
    filtered: Box<[KeyValue]>,
}

impl<T: Number, A: Aggregator<T>> BoundSyncInstrument<T> for BoundSeries<T, A>
where
    A::Point: WithExemplars<T>,
{
    #[inline]
    fn measure(&self, value: T) {
        let stream = &*self.stream;
        if stream.off.load(Ordering::Relaxed) {
            return;
        }
        if !stream.check.accepts(value) {
            stream.report_invalid(value);
            return;
        }
        self.series.record(value, &stream.config);
        if stream.exemplars.as_ref().is_some_and(Sampler::eligible) {
            self.offer(value);
        }
    }

    fn enabled(&self) -> bool {
        !self.stream.off.load(Ordering::Relaxed)
    }
}

impl<T: Number, A: Aggregator<T>> BoundSeries<T, A>
where
    A::Point: WithExemplars<T>,
{
    /// Offers an eligible measurement for an exemplar (out of line: the measurement path
    /// then needs no register saves).
    #[cold]
    #[inline(never)]
    fn offer(&self, value: T) {
        if let Some(sampler) = &self.stream.exemplars {
            sampler.offer(
                &self.series.exemplars,
                &self.series.attributes,
                value,
                |filtered| {
                    filtered.extend(self.filtered.iter().cloned());
                },
            );
        }
    }
}

impl<T: Number, A: Aggregator<T>> Drop for BoundSeries<T, A> {
    fn drop(&mut self) {
        // Release: the updates made through this binding are visible to the collection that
        // sees the binding gone.
        self.series.bound.fetch_sub(1, Ordering::Release);
    }
}

/// An instrument with several streams (several views or readers).
pub(crate) struct FanOut<T> {
    pub(crate) streams: Box<[Arc<dyn StreamRecorder<T>>]>,
    pub(crate) off: Arc<AtomicBool>,
}

impl<T: Number> SyncInstrument<T> for FanOut<T> {
    #[inline]
    fn measure(&self, value: T, attributes: &[KeyValue]) {
        if self.off.load(Ordering::Relaxed) {
            return;
        }
        for stream in self.streams.iter() {
            stream.record(value, attributes);
        }
    }

    fn enabled(&self) -> bool {
        !self.off.load(Ordering::Relaxed)
    }

    fn bind(self: Arc<Self>, attributes: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>> {
        Box::new(BoundFanOut {
            bound: self
                .streams
                .iter()
                .map(|s| Arc::clone(s).bind(attributes))
                .collect(),
        })
    }
}

struct BoundFanOut<T> {
    bound: Box<[Box<dyn BoundSyncInstrument<T>>]>,
}

impl<T: Copy> BoundSyncInstrument<T> for BoundFanOut<T> {
    #[inline]
    fn measure(&self, value: T) {
        for b in self.bound.iter() {
            b.measure(value);
        }
    }

    fn enabled(&self) -> bool {
        self.bound.iter().any(|b| b.enabled())
    }
}

/// An instrument no stream uses (every view dropped it): does nothing, `enabled()` is false.
pub(crate) struct Disabled;

impl<T: 'static> SyncInstrument<T> for Disabled {
    #[inline]
    fn measure(&self, _: T, _: &[KeyValue]) {}

    fn enabled(&self) -> bool {
        false
    }

    fn bind(self: Arc<Self>, _: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>> {
        Box::new(Disabled)
    }
}

impl<T> BoundSyncInstrument<T> for Disabled {
    #[inline]
    fn measure(&self, _: T) {}

    fn enabled(&self) -> bool {
        false
    }
}

/// A stream as the collection sees it.
pub(crate) trait CollectStream: Send + Sync {
    fn collect(&self, now: SystemTime) -> Option<Metric>;
}

impl<T: Number, A: Aggregator<T>> CollectStream for SyncStream<T, A>
where
    A::Point: WithExemplars<T>,
{
    fn collect(&self, now: SystemTime) -> Option<Metric> {
        self.collect_metric(now)
    }
}
