//! What readers and exporters receive: aggregated metric data, following the spec's data
//! model (resource → scopes → metrics → data points).

use crate::resource::Resource;
use opentelemetry_api::trace::{SpanId, TraceId};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

/// Whether a data point covers the time since the previous collection or since its start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Temporality {
    /// Since a fixed start time: each point repeats the start (`(T0, T1]`, `(T0, T2]`, ...).
    #[default]
    Cumulative,
    /// Since the previous collection: start times advance (`(T0, T1]`, `(T1, T2]`, ...).
    Delta,
}

/// Everything one collection produced, for one resource.
///
/// ```
/// use opentelemetry_sdk::metrics::{ManualReader, ResourceMetrics, SdkMeterProvider};
/// use opentelemetry_api::metrics::MeterProvider;
///
/// let reader = ManualReader::builder().build();
/// let provider = SdkMeterProvider::builder().with_reader(reader.clone()).build();
/// provider.meter("app").u64_counter("jobs").build().add(2, &[]);
///
/// let mut metrics = ResourceMetrics::default();
/// reader.collect(&mut metrics).unwrap();
/// let metric = &metrics.scope_metrics[0].metrics[0];
/// assert_eq!(metric.name, "jobs");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceMetrics {
    /// The provider's resource.
    pub resource: Resource,
    /// The metrics, grouped by the scope of the meter that produced them.
    pub scope_metrics: Vec<ScopeMetrics>,
}

impl Default for ResourceMetrics {
    /// Empty, with an empty resource: a buffer for [`ManualReader::collect`](super::ManualReader::collect).
    fn default() -> Self {
        ResourceMetrics {
            resource: Resource::empty(),
            scope_metrics: Vec::new(),
        }
    }
}

/// The metrics of one instrumentation scope (one meter, or one metric producer).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScopeMetrics {
    /// The scope.
    pub scope: InstrumentationScope,
    /// Its metrics, in the order their instruments were created.
    pub metrics: Vec<Metric>,
}

/// One metric stream: its identity and its data points.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// The stream's name (the instrument's, unless a view renamed it).
    pub name: Cow<'static, str>,
    /// The description (empty when none was given).
    pub description: Cow<'static, str>,
    /// The unit (empty when none was given).
    pub unit: Cow<'static, str>,
    /// The aggregated data.
    pub data: AggregatedMetrics,
}

/// Metric data of any number type.
#[derive(Clone, Debug, PartialEq)]
pub enum AggregatedMetrics {
    /// From `f64` instruments.
    F64(MetricData<f64>),
    /// From `u64` instruments.
    U64(MetricData<u64>),
    /// From `i64` instruments.
    I64(MetricData<i64>),
}

/// The data of one metric, by point kind.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MetricData<T> {
    /// Last values (from the LastValue aggregation).
    Gauge(Gauge<T>),
    /// Sums (from the Sum aggregation).
    Sum(Sum<T>),
    /// Explicit-bucket histograms.
    Histogram(Histogram<T>),
    /// Base-2 exponential bucket histograms.
    ExponentialHistogram(ExponentialHistogram<T>),
}

/// Sampled values.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge<T> {
    /// One point per attribute set.
    pub data_points: Vec<GaugeDataPoint<T>>,
}

/// The last value recorded for one attribute set.
#[derive(Clone, Debug, PartialEq)]
pub struct GaugeDataPoint<T> {
    /// The attribute set, sorted by key. Shared with the SDK's series (and with the points of
    /// other collections of the same series): cloning it is one reference count increment.
    pub attributes: Arc<[KeyValue]>,
    /// When the series started (optional for gauges; the SDK always sets it).
    pub start_time: Option<SystemTime>,
    /// When it was collected.
    pub time: SystemTime,
    /// The value.
    pub value: T,
    /// Example measurements (the exemplar support fills these).
    pub exemplars: Vec<Exemplar<T>>,
}

/// Sums.
#[derive(Clone, Debug, PartialEq)]
pub struct Sum<T> {
    /// One point per attribute set.
    pub data_points: Vec<SumDataPoint<T>>,
    /// Delta or cumulative.
    pub temporality: Temporality,
    /// Whether the sum only goes up.
    pub is_monotonic: bool,
}

/// The sum for one attribute set over `(start_time, time]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SumDataPoint<T> {
    /// The attribute set, sorted by key. Shared with the SDK's series (and with the points of
    /// other collections of the same series): cloning it is one reference count increment.
    pub attributes: Arc<[KeyValue]>,
    /// The start of the interval.
    pub start_time: SystemTime,
    /// The end of the interval (the collection time).
    pub time: SystemTime,
    /// The sum.
    pub value: T,
    /// Example measurements (the exemplar support fills these).
    pub exemplars: Vec<Exemplar<T>>,
}

/// Explicit-bucket histograms.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram<T> {
    /// One point per attribute set.
    pub data_points: Vec<HistogramDataPoint<T>>,
    /// Delta or cumulative.
    pub temporality: Temporality,
}

/// The distribution of one attribute set's values over `(start_time, time]`.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramDataPoint<T> {
    /// The attribute set, sorted by key. Shared with the SDK's series (and with the points of
    /// other collections of the same series): cloning it is one reference count increment.
    pub attributes: Arc<[KeyValue]>,
    /// The start of the interval.
    pub start_time: SystemTime,
    /// The end of the interval (the collection time).
    pub time: SystemTime,
    /// How many values were recorded.
    pub count: u64,
    /// The bucket upper bounds (inclusive), increasing.
    pub bounds: Vec<f64>,
    /// The count of each bucket: `bounds.len() + 1` of them, the last one for values above
    /// the last bound.
    pub bucket_counts: Vec<u64>,
    /// The smallest value, when min/max recording is on and a value was recorded.
    pub min: Option<T>,
    /// The largest value, when min/max recording is on and a value was recorded.
    pub max: Option<T>,
    /// The sum of the values; `None` for instruments whose values may be negative
    /// (up-down counters, gauges), as the spec asks.
    pub sum: Option<T>,
    /// Example measurements (the exemplar support fills these).
    pub exemplars: Vec<Exemplar<T>>,
}

/// Base-2 exponential bucket histograms.
#[derive(Clone, Debug, PartialEq)]
pub struct ExponentialHistogram<T> {
    /// One point per attribute set.
    pub data_points: Vec<ExponentialHistogramDataPoint<T>>,
    /// Delta or cumulative.
    pub temporality: Temporality,
}

/// The distribution of one attribute set's values over `(start_time, time]`, in buckets
/// whose boundaries are powers of `base = 2^(2^-scale)`.
///
/// Bucket `index` of either range holds the absolute values in
/// `(base^index, base^(index + 1)]`; values equal to zero are counted in `zero_count`.
///
/// ```
/// use opentelemetry_api::metrics::MeterProvider;
/// use opentelemetry_sdk::metrics::{
///     AggregatedMetrics, Aggregation, ExponentialBucket, InstrumentSelector, ManualReader,
///     MetricData, ResourceMetrics, SdkMeterProvider, Stream, View,
/// };
///
/// let reader = ManualReader::builder().build();
/// let provider = SdkMeterProvider::builder()
///     .with_reader(reader.clone())
///     .with_view(View::new(
///         InstrumentSelector::new().with_name("latency"),
///         Stream::new().with_aggregation(Aggregation::Base2ExponentialHistogram {
///             max_size: 160,
///             max_scale: 0,
///             record_min_max: true,
///         }),
///     ))
///     .build();
/// let latency = provider.meter("app").f64_histogram("latency").build();
/// latency.record(3.0, &[]);
/// latency.record(0.0, &[]);
///
/// let mut metrics = ResourceMetrics::default();
/// reader.collect(&mut metrics).unwrap();
/// let AggregatedMetrics::F64(MetricData::ExponentialHistogram(h)) =
///     &metrics.scope_metrics[0].metrics[0].data
/// else { unreachable!() };
/// let point = &h.data_points[0];
/// // Scale 0 (base 2): 3.0 is in bucket 1, (2, 4].
/// assert_eq!(point.scale, 0);
/// assert_eq!(point.positive_bucket, ExponentialBucket { offset: 1, bucket_counts: vec![1] });
/// assert_eq!((point.zero_count, point.count), (1, 2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ExponentialHistogramDataPoint<T> {
    /// The attribute set, sorted by key. Shared with the SDK's series (and with the points of
    /// other collections of the same series): cloning it is one reference count increment.
    pub attributes: Arc<[KeyValue]>,
    /// The start of the interval.
    pub start_time: SystemTime,
    /// The end of the interval (the collection time).
    pub time: SystemTime,
    /// How many values were recorded (the zero bucket's and both ranges' counts together).
    pub count: u64,
    /// The smallest value, when min/max recording is on and a value was recorded.
    pub min: Option<T>,
    /// The largest value, when min/max recording is on and a value was recorded.
    pub max: Option<T>,
    /// The sum of the values; `None` for instruments whose values may be negative
    /// (up-down counters, gauges), as the spec asks.
    pub sum: Option<T>,
    /// The resolution: bucket boundaries are powers of `2^(2^-scale)`.
    pub scale: i8,
    /// How many values had an absolute value at most `zero_threshold`.
    pub zero_count: u64,
    /// The width of the zero bucket (0: only zeros are counted there).
    pub zero_threshold: f64,
    /// The buckets of the positive values.
    pub positive_bucket: ExponentialBucket,
    /// The buckets of the negative values, by absolute value.
    pub negative_bucket: ExponentialBucket,
    /// Example measurements (the exemplar support fills these).
    pub exemplars: Vec<Exemplar<T>>,
}

/// A dense run of exponential buckets: `bucket_counts[i]` counts bucket `offset + i`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExponentialBucket {
    /// The index of the first bucket.
    pub offset: i32,
    /// The counts of consecutive buckets from `offset` (empty: no value in this range).
    pub bucket_counts: Vec<u64>,
}

/// An example measurement kept with a data point.
#[derive(Clone, Debug, PartialEq)]
pub struct Exemplar<T> {
    /// The attributes of the measurement that the data point does not carry.
    pub filtered_attributes: Vec<KeyValue>,
    /// When the measurement was recorded.
    pub time: SystemTime,
    /// The measured value.
    pub value: T,
    /// The trace of the span active when it was recorded.
    pub trace_id: TraceId,
    /// The span active when it was recorded.
    pub span_id: SpanId,
}

impl AggregatedMetrics {
    /// How many data points this metric carries.
    pub fn data_point_count(&self) -> usize {
        match self {
            AggregatedMetrics::F64(d) => d.data_point_count(),
            AggregatedMetrics::U64(d) => d.data_point_count(),
            AggregatedMetrics::I64(d) => d.data_point_count(),
        }
    }
}

impl<T> MetricData<T> {
    /// How many data points this metric carries.
    pub fn data_point_count(&self) -> usize {
        match self {
            MetricData::Gauge(g) => g.data_points.len(),
            MetricData::Sum(s) => s.data_points.len(),
            MetricData::Histogram(h) => h.data_points.len(),
            MetricData::ExponentialHistogram(h) => h.data_points.len(),
        }
    }
}
