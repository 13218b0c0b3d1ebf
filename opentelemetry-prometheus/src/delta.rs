//! Delta to cumulative: Prometheus wants cumulative series. The reader asks the SDK for
//! cumulative data, but metric producers may hand over delta data; this state adds each
//! delta point to what the series accumulated so far.

use opentelemetry_api::KeyValue;
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, ExponentialBucket, ExponentialHistogramDataPoint, HistogramDataPoint,
    MetricData, ResourceMetrics, Temporality,
};
use std::collections::{BTreeMap, HashMap};

/// One series' running total.
#[derive(Debug)]
enum Acc {
    F64(f64),
    U64(u64),
    I64(i64),
    Histogram {
        bounds: Vec<f64>,
        counts: Vec<u64>,
        count: u64,
        sum: f64,
    },
    Exponential {
        scale: i8,
        count: u64,
        sum: f64,
        zero_count: u64,
        zero_threshold: f64,
        positive: BTreeMap<i32, u64>,
        negative: BTreeMap<i32, u64>,
    },
}

/// A series: scope name, scope version, metric name, attributes.
type SeriesKey = (String, String, String, Vec<KeyValue>);

/// The running totals of the delta series seen so far.
#[derive(Debug, Default)]
pub(crate) struct DeltaState {
    series: HashMap<SeriesKey, Acc>,
}

/// A number type of metric data.
trait Num: Copy {
    fn acc(self) -> Acc;
    fn add(self, acc: &mut Acc) -> Self;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
}

macro_rules! num {
    ($t:ty, $v:ident) => {
        impl Num for $t {
            fn acc(self) -> Acc {
                Acc::$v(self)
            }
            fn add(self, acc: &mut Acc) -> Self {
                match acc {
                    Acc::$v(total) => {
                        *total = total.wrapping_add_num(self);
                        *total
                    }
                    other => {
                        *other = Acc::$v(self);
                        self
                    }
                }
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn from_f64(v: f64) -> Self {
                v as $t
            }
        }
    };
}

/// Addition that never panics on overflow.
trait WrappingAddNum {
    fn wrapping_add_num(self, other: Self) -> Self;
}
impl WrappingAddNum for f64 {
    fn wrapping_add_num(self, other: f64) -> f64 {
        self + other
    }
}
impl WrappingAddNum for u64 {
    fn wrapping_add_num(self, other: u64) -> u64 {
        self.wrapping_add(other)
    }
}
impl WrappingAddNum for i64 {
    fn wrapping_add_num(self, other: i64) -> i64 {
        self.wrapping_add(other)
    }
}
num!(f64, F64);
num!(u64, U64);
num!(i64, I64);

impl DeltaState {
    /// Replaces every delta point of `metrics` by its series' cumulative total.
    pub(crate) fn accumulate(&mut self, metrics: &mut ResourceMetrics) {
        for scope in &mut metrics.scope_metrics {
            let scope_name = scope.scope.name().to_owned();
            let scope_version = scope.scope.version().unwrap_or("").to_owned();
            for metric in &mut scope.metrics {
                let prefix = (scope_name.as_str(), scope_version.as_str(), &*metric.name);
                match &mut metric.data {
                    AggregatedMetrics::F64(d) => self.data(prefix, d),
                    AggregatedMetrics::U64(d) => self.data(prefix, d),
                    AggregatedMetrics::I64(d) => self.data(prefix, d),
                }
            }
        }
    }

    fn entry(&mut self, prefix: (&str, &str, &str), attributes: &[KeyValue]) -> Option<&mut Acc> {
        let key = (
            prefix.0.to_owned(),
            prefix.1.to_owned(),
            prefix.2.to_owned(),
            attributes.to_vec(),
        );
        self.series.get_mut(&key)
    }

    fn insert(&mut self, prefix: (&str, &str, &str), attributes: &[KeyValue], acc: Acc) {
        let key = (
            prefix.0.to_owned(),
            prefix.1.to_owned(),
            prefix.2.to_owned(),
            attributes.to_vec(),
        );
        self.series.insert(key, acc);
    }

    fn data<T: Num>(&mut self, prefix: (&str, &str, &str), data: &mut MetricData<T>) {
        match data {
            MetricData::Sum(sum) if sum.temporality == Temporality::Delta => {
                for point in &mut sum.data_points {
                    match self.entry(prefix, &point.attributes) {
                        Some(acc) => point.value = point.value.add(acc),
                        None => self.insert(prefix, &point.attributes, point.value.acc()),
                    }
                }
                sum.temporality = Temporality::Cumulative;
            }
            MetricData::Histogram(h) if h.temporality == Temporality::Delta => {
                for point in &mut h.data_points {
                    self.histogram(prefix, point);
                }
                h.temporality = Temporality::Cumulative;
            }
            MetricData::ExponentialHistogram(h) if h.temporality == Temporality::Delta => {
                for point in &mut h.data_points {
                    self.exponential(prefix, point);
                }
                h.temporality = Temporality::Cumulative;
            }
            _ => {}
        }
    }

    fn histogram<T: Num>(&mut self, prefix: (&str, &str, &str), p: &mut HistogramDataPoint<T>) {
        let sum = p.sum.map_or(0.0, Num::to_f64);
        match self.entry(prefix, &p.attributes) {
            Some(Acc::Histogram {
                bounds,
                counts,
                count,
                sum: total,
            }) if *bounds == p.bounds && counts.len() == p.bucket_counts.len() => {
                for (c, n) in counts.iter_mut().zip(&mut p.bucket_counts) {
                    *c = c.wrapping_add(*n);
                    *n = *c;
                }
                *count = count.wrapping_add(p.count);
                p.count = *count;
                *total += sum;
                if p.sum.is_some() {
                    p.sum = Some(T::from_f64(*total));
                }
            }
            // A new series, or one whose buckets changed (restart it).
            _ => self.insert(
                prefix,
                &p.attributes,
                Acc::Histogram {
                    bounds: p.bounds.clone(),
                    counts: p.bucket_counts.clone(),
                    count: p.count,
                    sum,
                },
            ),
        }
    }

    fn exponential<T: Num>(
        &mut self,
        prefix: (&str, &str, &str),
        p: &mut ExponentialHistogramDataPoint<T>,
    ) {
        let sum = p.sum.map_or(0.0, Num::to_f64);
        let Some(Acc::Exponential {
            scale,
            count,
            sum: total,
            zero_count,
            zero_threshold,
            positive,
            negative,
        }) = self.entry(prefix, &p.attributes)
        else {
            let acc = Acc::Exponential {
                scale: p.scale,
                count: p.count,
                sum,
                zero_count: p.zero_count,
                zero_threshold: p.zero_threshold,
                positive: sparse(&p.positive_bucket),
                negative: sparse(&p.negative_bucket),
            };
            self.insert(prefix, &p.attributes, acc);
            return;
        };
        // Both at the coarser scale: index i at scale s is index i >> d at scale s - d.
        let new_scale = (*scale).min(p.scale);
        let old_shift = (*scale - new_scale) as u32;
        if old_shift > 0 {
            *positive = rescale(std::mem::take(positive), old_shift);
            *negative = rescale(std::mem::take(negative), old_shift);
        }
        *scale = new_scale;
        let shift = (p.scale - new_scale) as u32;
        add_buckets(positive, &p.positive_bucket, shift);
        add_buckets(negative, &p.negative_bucket, shift);
        *count = count.wrapping_add(p.count);
        *zero_count = zero_count.wrapping_add(p.zero_count);
        *zero_threshold = zero_threshold.max(p.zero_threshold);
        *total += sum;
        p.scale = new_scale;
        p.count = *count;
        p.zero_count = *zero_count;
        p.zero_threshold = *zero_threshold;
        p.positive_bucket = dense(positive);
        p.negative_bucket = dense(negative);
        if p.sum.is_some() {
            p.sum = Some(T::from_f64(*total));
        }
    }
}

fn shift_index(index: i32, shift: u32) -> i32 {
    // An arithmetic shift floors, which is what rescaling needs for negative indexes too.
    index >> shift.min(31)
}

fn sparse(bucket: &ExponentialBucket) -> BTreeMap<i32, u64> {
    let mut out = BTreeMap::new();
    add_buckets(&mut out, bucket, 0);
    out
}

fn add_buckets(map: &mut BTreeMap<i32, u64>, bucket: &ExponentialBucket, shift: u32) {
    for (i, n) in bucket.bucket_counts.iter().enumerate() {
        if *n > 0 {
            let index = shift_index(bucket.offset.saturating_add(i as i32), shift);
            let c = map.entry(index).or_insert(0);
            *c = c.wrapping_add(*n);
        }
    }
}

fn rescale(map: BTreeMap<i32, u64>, shift: u32) -> BTreeMap<i32, u64> {
    let mut out = BTreeMap::new();
    for (i, n) in map {
        *out.entry(shift_index(i, shift)).or_insert(0) += n;
    }
    out
}

fn dense(map: &BTreeMap<i32, u64>) -> ExponentialBucket {
    let (Some((&first, _)), Some((&last, _))) = (map.first_key_value(), map.last_key_value())
    else {
        return ExponentialBucket::default();
    };
    let mut counts = vec![0u64; (last as i64 - first as i64 + 1) as usize];
    for (i, n) in map {
        counts[(*i as i64 - first as i64) as usize] = *n;
    }
    ExponentialBucket {
        offset: first,
        bucket_counts: counts,
    }
}
