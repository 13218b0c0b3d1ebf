//! Metric filters: a reader's choice of which metric streams, and which of their attribute
//! sets, a collection returns (the spec's `MetricFilter`, in Development status there).

use super::data::{AggregatedMetrics, MetricData, ScopeMetrics};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use std::fmt;

/// The kind of a metric stream's points, as a [`MetricFilter`] sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetricPointKind {
    /// Last values.
    Gauge,
    /// Sums (monotonic or not).
    Sum,
    /// Explicit-bucket histograms.
    Histogram,
    /// Base-2 exponential histograms.
    ExponentialHistogram,
}

/// What [`MetricFilter::test_metric`] decides for a whole stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricFilterResult {
    /// Every data point of the stream is kept.
    Accept,
    /// The stream is left out of the collection.
    Drop,
    /// [`MetricFilter::test_attributes`] decides for each data point.
    AcceptPartial,
}

/// What [`MetricFilter::test_attributes`] decides for one data point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributesFilterResult {
    /// The data point is kept.
    Accept,
    /// The data point is left out.
    Drop,
}

/// Decides which streams, and which data points of them, a reader's collections return.
/// Registered on a reader (`with_metric_filter`), which applies it to the SDK's metrics and
/// hands it to its [`MetricProducer`](super::MetricProducer)s.
///
/// ```
/// use opentelemetry_api::metrics::MeterProvider;
/// use opentelemetry_api::{InstrumentationScope, KeyValue};
/// use opentelemetry_sdk::metrics::{
///     AttributesFilterResult, ManualReader, MetricFilter, MetricFilterResult, MetricPointKind,
///     ResourceMetrics, SdkMeterProvider,
/// };
///
/// /// Drops `debug.*` streams and the points of `http.*` streams for health checks.
/// #[derive(Debug)]
/// struct NoNoise;
///
/// impl MetricFilter for NoNoise {
///     fn test_metric(&self, _: &InstrumentationScope, name: &str, _: MetricPointKind, _: &str) -> MetricFilterResult {
///         if name.starts_with("debug.") {
///             MetricFilterResult::Drop
///         } else if name.starts_with("http.") {
///             MetricFilterResult::AcceptPartial
///         } else {
///             MetricFilterResult::Accept
///         }
///     }
///
///     fn test_attributes(&self, _: &InstrumentationScope, _: &str, _: MetricPointKind, _: &str, attributes: &[KeyValue]) -> AttributesFilterResult {
///         if attributes.iter().any(|kv| kv.key.as_str() == "http.route" && kv.value.as_str() == "/health") {
///             AttributesFilterResult::Drop
///         } else {
///             AttributesFilterResult::Accept
///         }
///     }
/// }
///
/// let reader = ManualReader::builder().with_metric_filter(NoNoise).build();
/// let provider = SdkMeterProvider::builder().with_reader(reader.clone()).build();
/// let meter = provider.meter("app");
/// meter.u64_counter("debug.loops").build().add(1, &[]);
/// let requests = meter.u64_counter("http.requests").build();
/// requests.add(1, &[KeyValue::new("http.route", "/health")]);
/// requests.add(1, &[KeyValue::new("http.route", "/users")]);
///
/// let mut metrics = ResourceMetrics::default();
/// reader.collect(&mut metrics).unwrap();
/// let names: Vec<_> = metrics.scope_metrics[0].metrics.iter().map(|m| m.name.as_ref()).collect();
/// assert_eq!(names, ["http.requests"]);
/// assert_eq!(metrics.scope_metrics[0].metrics[0].data.data_point_count(), 1);
/// ```
pub trait MetricFilter: Send + Sync + fmt::Debug + 'static {
    /// Decides for a whole stream, once per stream and collection.
    fn test_metric(
        &self,
        scope: &InstrumentationScope,
        name: &str,
        kind: MetricPointKind,
        unit: &str,
    ) -> MetricFilterResult;

    /// Decides for one data point of a stream for which
    /// [`test_metric`](Self::test_metric) returned [`MetricFilterResult::AcceptPartial`].
    /// The default keeps every point.
    fn test_attributes(
        &self,
        scope: &InstrumentationScope,
        name: &str,
        kind: MetricPointKind,
        unit: &str,
        attributes: &[KeyValue],
    ) -> AttributesFilterResult {
        let _ = (scope, name, kind, unit, attributes);
        AttributesFilterResult::Accept
    }
}

fn kind_of(data: &AggregatedMetrics) -> MetricPointKind {
    fn of<T>(data: &MetricData<T>) -> MetricPointKind {
        match data {
            MetricData::Gauge(_) => MetricPointKind::Gauge,
            MetricData::Sum(_) => MetricPointKind::Sum,
            MetricData::Histogram(_) => MetricPointKind::Histogram,
            MetricData::ExponentialHistogram(_) => MetricPointKind::ExponentialHistogram,
        }
    }
    match data {
        AggregatedMetrics::U64(d) => of(d),
        AggregatedMetrics::I64(d) => of(d),
        AggregatedMetrics::F64(d) => of(d),
    }
}

/// Keeps the points whose attributes `keep` accepts.
fn retain_points<T>(data: &mut MetricData<T>, mut keep: impl FnMut(&[KeyValue]) -> bool) {
    match data {
        MetricData::Gauge(g) => g.data_points.retain(|p| keep(&p.attributes)),
        MetricData::Sum(s) => s.data_points.retain(|p| keep(&p.attributes)),
        MetricData::Histogram(h) => h.data_points.retain(|p| keep(&p.attributes)),
        MetricData::ExponentialHistogram(h) => h.data_points.retain(|p| keep(&p.attributes)),
    }
}

/// Applies `filter` to one scope's metrics, in place: dropped streams and streams left
/// without points are removed.
pub(crate) fn apply(filter: &dyn MetricFilter, scope_metrics: &mut ScopeMetrics) {
    let scope = &scope_metrics.scope;
    scope_metrics.metrics.retain_mut(|metric| {
        let kind = kind_of(&metric.data);
        match filter.test_metric(scope, &metric.name, kind, &metric.unit) {
            MetricFilterResult::Accept => true,
            MetricFilterResult::Drop => false,
            MetricFilterResult::AcceptPartial => {
                let (name, unit) = (&metric.name, &metric.unit);
                let keep = |attributes: &[KeyValue]| {
                    filter.test_attributes(scope, name, kind, unit, attributes)
                        == AttributesFilterResult::Accept
                };
                match &mut metric.data {
                    AggregatedMetrics::U64(d) => retain_points(d, keep),
                    AggregatedMetrics::I64(d) => retain_points(d, keep),
                    AggregatedMetrics::F64(d) => retain_points(d, keep),
                }
                metric.data.data_point_count() > 0
            }
        }
    });
}
