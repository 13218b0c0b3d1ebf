//! The per-series aggregation state (the cells updated on the measurement path) and how each
//! turns into data points.
//!
//! Sums and last values are single atomic cells: concurrent updates of one series never take
//! a lock. A histogram series is a small mutex-protected record (bucket counts, count, sum,
//! min, max) so that a collection always sees them consistent with each other.

use super::data::{
    Gauge, GaugeDataPoint, Histogram, HistogramDataPoint, MetricData, Sum, SumDataPoint,
    Temporality,
};
use super::number::{AtomicNumber, Number};
use opentelemetry_api::KeyValue;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// One series' aggregation state.
pub(crate) trait Aggregator<T: Number>: Send + Sync + Sized + 'static {
    /// The stream-wide parameters (shared by every series of the stream).
    type Config: Send + Sync + 'static;
    /// The data point this aggregation produces.
    type Point;

    /// Fresh state.
    fn new(config: &Self::Config) -> Self;

    /// Adds one (already validated) measurement.
    fn record(&self, value: T, config: &Self::Config);

    /// The data point for the state; `reset` (delta temporality) starts a new interval.
    fn point(
        &self,
        config: &Self::Config,
        reset: bool,
        attributes: Arc<[KeyValue]>,
        start_time: SystemTime,
        time: SystemTime,
    ) -> Self::Point;

    /// The metric data for the points of one collection.
    fn data(
        config: &Self::Config,
        temporality: Temporality,
        points: Vec<Self::Point>,
    ) -> MetricData<T>;
}

/// Parameters of a sum stream.
pub(crate) struct SumConfig {
    pub(crate) monotonic: bool,
}

/// A running sum.
pub(crate) struct SumCell<T: Number> {
    value: T::Atomic,
}

impl<T: Number> Aggregator<T> for SumCell<T> {
    type Config = SumConfig;
    type Point = SumDataPoint<T>;

    fn new(_: &SumConfig) -> Self {
        SumCell {
            value: T::Atomic::default(),
        }
    }

    #[inline]
    fn record(&self, value: T, _: &SumConfig) {
        self.value.add(value);
    }

    fn point(
        &self,
        _: &SumConfig,
        reset: bool,
        attributes: Arc<[KeyValue]>,
        start_time: SystemTime,
        time: SystemTime,
    ) -> SumDataPoint<T> {
        SumDataPoint {
            attributes,
            start_time,
            time,
            value: if reset {
                self.value.take()
            } else {
                self.value.load()
            },
            exemplars: Vec::new(),
        }
    }

    fn data(
        config: &SumConfig,
        temporality: Temporality,
        data_points: Vec<SumDataPoint<T>>,
    ) -> MetricData<T> {
        MetricData::Sum(Sum {
            data_points,
            temporality,
            is_monotonic: config.monotonic,
        })
    }
}

/// The last value recorded.
pub(crate) struct LastValueCell<T: Number> {
    value: T::Atomic,
}

impl<T: Number> Aggregator<T> for LastValueCell<T> {
    type Config = ();
    type Point = GaugeDataPoint<T>;

    fn new(_: &()) -> Self {
        LastValueCell {
            value: T::Atomic::default(),
        }
    }

    #[inline]
    fn record(&self, value: T, _: &()) {
        self.value.store(value);
    }

    fn point(
        &self,
        _: &(),
        _reset: bool,
        attributes: Arc<[KeyValue]>,
        start_time: SystemTime,
        time: SystemTime,
    ) -> GaugeDataPoint<T> {
        GaugeDataPoint {
            attributes,
            start_time: Some(start_time),
            time,
            value: self.value.load(),
            exemplars: Vec::new(),
        }
    }

    fn data(_: &(), _: Temporality, data_points: Vec<GaugeDataPoint<T>>) -> MetricData<T> {
        MetricData::Gauge(Gauge { data_points })
    }
}

/// Parameters of an explicit-bucket histogram stream.
pub(crate) struct HistogramConfig {
    pub(crate) bounds: Vec<f64>,
    pub(crate) record_min_max: bool,
    /// False for instruments whose values may be negative (the spec asks not to sum them).
    pub(crate) record_sum: bool,
}

struct Buckets<T> {
    counts: Vec<u64>,
    count: u64,
    sum: T,
    min: T,
    max: T,
}

/// An explicit-bucket histogram series.
pub(crate) struct HistogramCell<T: Number> {
    buckets: Mutex<Buckets<T>>,
}

impl<T: Number> HistogramCell<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets<T>> {
        // Nothing under this lock can panic half-way through an update.
        self.buckets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The bucket of `v`: bucket i holds (bounds[i-1], bounds[i]], so its index is the number of
/// bounds below the value. Up to 32 bounds (the default has 15) are counted in one
/// branch-free pass the compiler vectorises, faster than a binary search's chain of
/// dependent loads and mispredicted branches.
#[inline]
pub(crate) fn bucket_index(bounds: &[f64], v: f64) -> usize {
    if bounds.len() <= 32 {
        bounds.iter().map(|b| usize::from(*b < v)).sum()
    } else {
        bounds.partition_point(|b| *b < v)
    }
}

impl<T: Number> Aggregator<T> for HistogramCell<T> {
    type Config = HistogramConfig;
    type Point = HistogramDataPoint<T>;

    fn new(config: &HistogramConfig) -> Self {
        HistogramCell {
            buckets: Mutex::new(Buckets {
                counts: vec![0; config.bounds.len() + 1],
                count: 0,
                sum: T::ZERO,
                min: T::ZERO,
                max: T::ZERO,
            }),
        }
    }

    #[inline]
    fn record(&self, value: T, config: &HistogramConfig) {
        let index = bucket_index(&config.bounds, value.to_f64());
        let mut b = self.lock();
        b.counts[index] += 1;
        b.count += 1;
        b.sum = b.sum.add(value);
        if b.count == 1 {
            b.min = value;
            b.max = value;
        } else {
            if value < b.min {
                b.min = value;
            }
            if value > b.max {
                b.max = value;
            }
        }
    }

    fn point(
        &self,
        config: &HistogramConfig,
        reset: bool,
        attributes: Arc<[KeyValue]>,
        start_time: SystemTime,
        time: SystemTime,
    ) -> HistogramDataPoint<T> {
        let mut b = self.lock();
        let has_values = b.count > 0;
        let point = HistogramDataPoint {
            attributes,
            start_time,
            time,
            count: b.count,
            bounds: config.bounds.clone(),
            bucket_counts: b.counts.clone(),
            min: (config.record_min_max && has_values).then_some(b.min),
            max: (config.record_min_max && has_values).then_some(b.max),
            sum: config.record_sum.then_some(b.sum),
            exemplars: Vec::new(),
        };
        if reset {
            b.counts.iter_mut().for_each(|c| *c = 0);
            b.count = 0;
            b.sum = T::ZERO;
            b.min = T::ZERO;
            b.max = T::ZERO;
        }
        point
    }

    fn data(
        _: &HistogramConfig,
        temporality: Temporality,
        data_points: Vec<HistogramDataPoint<T>>,
    ) -> MetricData<T> {
        MetricData::Histogram(Histogram {
            data_points,
            temporality,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> SystemTime {
        SystemTime::UNIX_EPOCH
    }

    #[test]
    fn histogram_buckets_are_upper_inclusive() {
        let config = HistogramConfig {
            bounds: vec![0.0, 5.0, 10.0],
            record_min_max: true,
            record_sum: true,
        };
        let h = HistogramCell::<f64>::new(&config);
        for v in [0.0, 0.5, 5.0, 5.5, 10.0, 11.0, 1000.0] {
            h.record(v, &config);
        }
        let p = h.point(&config, true, Arc::default(), at(), at());
        // (-inf,0] (0,5] (5,10] (10,+inf)
        assert_eq!(p.bucket_counts, [1, 2, 2, 2]);
        assert_eq!(p.count, 7);
        assert_eq!(p.sum, Some(1032.0));
        assert_eq!((p.min, p.max), (Some(0.0), Some(1000.0)));
        let empty = h.point(&config, false, Arc::default(), at(), at());
        assert_eq!(empty.count, 0, "reset after a delta point");
        assert_eq!((empty.min, empty.max), (None, None));
        assert_eq!(empty.bucket_counts, [0, 0, 0, 0]);
    }

    #[test]
    fn bucket_index_agrees_with_a_binary_search() {
        let short: Vec<f64> = crate::metrics::DEFAULT_HISTOGRAM_BOUNDARIES.to_vec();
        let long: Vec<f64> = (0..100).map(|i| f64::from(i) * 1.5 - 20.0).collect();
        for bounds in [&short, &long, &Vec::new()] {
            for i in -400..16_000 {
                let v = f64::from(i) * 0.75;
                assert_eq!(
                    bucket_index(bounds, v),
                    bounds.partition_point(|b| *b < v),
                    "{v}"
                );
            }
        }
    }

    #[test]
    fn histogram_without_min_max_or_sum() {
        let config = HistogramConfig {
            bounds: vec![],
            record_min_max: false,
            record_sum: false,
        };
        let h = HistogramCell::<i64>::new(&config);
        h.record(-3, &config);
        h.record(4, &config);
        let p = h.point(&config, false, Arc::default(), at(), at());
        assert_eq!(p.bucket_counts, [2]);
        assert_eq!((p.min, p.max, p.sum), (None, None, None));
    }

    #[test]
    fn sums_take_on_reset_and_last_values_store() {
        let s = SumCell::<u64>::new(&SumConfig { monotonic: true });
        let config = SumConfig { monotonic: true };
        s.record(3, &config);
        s.record(4, &config);
        assert_eq!(s.point(&config, false, Arc::default(), at(), at()).value, 7);
        assert_eq!(s.point(&config, true, Arc::default(), at(), at()).value, 7);
        assert_eq!(s.point(&config, true, Arc::default(), at(), at()).value, 0);
        let g = LastValueCell::<f64>::new(&());
        g.record(1.0, &());
        g.record(-2.5, &());
        assert_eq!(g.point(&(), false, Arc::default(), at(), at()).value, -2.5);
    }
}
