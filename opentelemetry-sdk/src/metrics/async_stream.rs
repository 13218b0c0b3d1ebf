//! Asynchronous instruments: the streams their callbacks' observations go to.
//!
//! Callbacks report absolute values once per collection, so the state is small and on the
//! collection path only: the observations of the running collection, and the previous
//! collection's values and series start times (for delta conversion and for cumulative
//! start times).

use super::attributes::{hash_normalized, normalize, set_eq, AttributeFilter};
use super::data::{Gauge, GaugeDataPoint, Metric, MetricData, Sum, SumDataPoint, Temporality};
use super::number::Number;
use super::sync_stream::{CollectStream, StreamMeta, OVERFLOW_KEY};
use opentelemetry_api::{otel_warn, KeyValue};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// A normalised attribute set as a map key (floats compare by bits), shared with the data
/// points.
#[derive(Clone, Debug)]
struct AttributeSet(Arc<[KeyValue]>);

impl PartialEq for AttributeSet {
    fn eq(&self, other: &Self) -> bool {
        set_eq(&self.0, &other.0)
    }
}

impl Eq for AttributeSet {}

impl Hash for AttributeSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(hash_normalized(&self.0));
    }
}

/// How an asynchronous stream aggregates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum AsyncAggregation {
    /// The observed values are (cumulative) sums.
    Sum { monotonic: bool },
    /// The observed values are gauges.
    LastValue,
}

struct State<T> {
    /// This collection's observations, in first-observed order.
    current: Vec<(AttributeSet, T)>,
    index: HashMap<AttributeSet, usize>,
    overflow: Option<T>,
    /// The previous collection's values and each series' start.
    previous: HashMap<AttributeSet, (T, SystemTime)>,
    /// The previous collection (the instrument's creation before the first one).
    last_collection: SystemTime,
}

/// One stream of an asynchronous instrument, for one reader.
pub(crate) struct AsyncStream<T> {
    meta: StreamMeta,
    aggregation: AsyncAggregation,
    filter: Option<AttributeFilter>,
    limit: usize,
    non_negative: bool,
    state: Mutex<State<T>>,
    reported_invalid: AtomicBool,
    reported_overflow: AtomicBool,
}

impl<T: Number> AsyncStream<T> {
    pub(crate) fn new(
        meta: StreamMeta,
        aggregation: AsyncAggregation,
        filter: Option<AttributeFilter>,
        limit: usize,
        non_negative: bool,
    ) -> Self {
        AsyncStream {
            meta,
            aggregation,
            filter,
            limit: limit.max(1),
            non_negative,
            state: Mutex::new(State {
                current: Vec::new(),
                index: HashMap::new(),
                overflow: None,
                previous: HashMap::new(),
                last_collection: SystemTime::now(),
            }),
            reported_invalid: AtomicBool::new(false),
            reported_overflow: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        // A panicking callback never runs while this lock is held.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One observation from a callback. The last observation of an attribute set in a
    /// collection wins; sets beyond the cardinality limit go to the overflow point.
    pub(crate) fn observe(&self, value: T, attributes: &[KeyValue]) {
        let sum = matches!(self.aggregation, AsyncAggregation::Sum { .. });
        if (sum && !value.is_finite()) || (self.non_negative && !value.is_non_negative()) {
            if !self.reported_invalid.swap(true, Ordering::Relaxed) {
                otel_warn!(
                    "Metrics.InvalidMeasurement",
                    "stream {:?} dropped the observation {value} (reported once per stream)",
                    self.meta.name
                );
            }
            return;
        }
        let set = AttributeSet(
            match &self.filter {
                None => normalize(attributes, |_| true),
                Some(filter) => normalize(attributes, |k| filter.keeps(k)),
            }
            .into(),
        );
        let mut state = self.lock();
        if let Some(&i) = state.index.get(&set) {
            state.current[i].1 = value;
            return;
        }
        if state.current.len() < self.limit - 1 {
            let i = state.current.len();
            state.index.insert(set.clone(), i);
            state.current.push((set, value));
            return;
        }
        if !self.reported_overflow.swap(true, Ordering::Relaxed) {
            otel_warn!(
                "Metrics.CardinalityLimitReached",
                "stream {:?} reached its cardinality limit of {}: further attribute sets go \
                 to the {OVERFLOW_KEY}=true point",
                self.meta.name,
                self.limit
            );
        }
        state.overflow = Some(match (self.aggregation, state.overflow) {
            (AsyncAggregation::Sum { .. }, Some(total)) => total.add(value),
            _ => value,
        });
    }
}

impl<T: Number> CollectStream for AsyncStream<T> {
    fn collect(&self, now: SystemTime) -> Option<Metric> {
        let mut state = self.lock();
        let previous_collection = std::mem::replace(&mut state.last_collection, now);
        let delta = self.meta.temporality == Temporality::Delta;
        let mut observed = std::mem::take(&mut state.current);
        state.index.clear();
        if let Some(value) = state.overflow.take() {
            observed.push((
                AttributeSet(Arc::new([KeyValue::new(OVERFLOW_KEY, true)])),
                value,
            ));
        }
        let mut previous = std::mem::take(&mut state.previous);
        drop(state);
        if observed.is_empty() {
            return None;
        }
        let mut next = HashMap::with_capacity(observed.len());
        let mut points = Vec::with_capacity(observed.len());
        for (set, value) in observed {
            let before = previous.remove(&set);
            // A series first observed now started at the previous collection.
            let series_start = before.map_or(previous_collection, |(_, start)| start);
            let start = if delta {
                previous_collection
            } else {
                series_start
            };
            let reported = match (self.aggregation, before) {
                (AsyncAggregation::Sum { monotonic }, Some((last, _))) if delta => {
                    if value < last && (monotonic || !T::SIGNED) {
                        // The observed sum went down: a reset, the value is the new delta.
                        value
                    } else {
                        value.sub(last)
                    }
                }
                _ => value,
            };
            points.push((set.0.clone(), start, reported));
            next.insert(set, (value, series_start));
        }
        self.lock().previous = next;
        let data = match self.aggregation {
            AsyncAggregation::Sum { monotonic } => MetricData::Sum(Sum {
                data_points: points
                    .into_iter()
                    .map(|(attributes, start_time, value)| SumDataPoint {
                        attributes,
                        start_time,
                        time: now,
                        value,
                        exemplars: Vec::new(),
                    })
                    .collect(),
                temporality: self.meta.temporality,
                is_monotonic: monotonic,
            }),
            AsyncAggregation::LastValue => MetricData::Gauge(Gauge {
                data_points: points
                    .into_iter()
                    .map(|(attributes, start_time, value)| GaugeDataPoint {
                        attributes,
                        start_time: Some(start_time),
                        time: now,
                        value,
                        exemplars: Vec::new(),
                    })
                    .collect(),
            }),
        };
        Some(self.meta.metric(T::wrap(data)))
    }
}
