//! Metrics.

use super::{attributes, unix_nanos};
use crate::collector::metrics::v1::ExportMetricsServiceRequest;
use crate::common::v1::InstrumentationScope;
use crate::metrics::v1::{
    exemplar, exponential_histogram_data_point, metric, number_data_point, AggregationTemporality,
    Exemplar, ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram,
    HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
};
use crate::resource::v1::Resource;
use opentelemetry_api::otel_warn;
use opentelemetry_api::trace::{SpanId, TraceId};
use opentelemetry_sdk::metrics::{self as sdk, AggregatedMetrics, MetricData, Temporality};

/// A number type of the SDK's metric data, as OTLP carries it.
trait Number: Copy {
    fn number(self) -> number_data_point::Value;
    fn exemplar(self) -> exemplar::Value;
    fn as_f64(self) -> f64;
}

impl Number for f64 {
    #[inline]
    fn number(self) -> number_data_point::Value {
        number_data_point::Value::AsDouble(self)
    }
    #[inline]
    fn exemplar(self) -> exemplar::Value {
        exemplar::Value::AsDouble(self)
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self
    }
}

impl Number for i64 {
    #[inline]
    fn number(self) -> number_data_point::Value {
        number_data_point::Value::AsInt(self)
    }
    #[inline]
    fn exemplar(self) -> exemplar::Value {
        exemplar::Value::AsInt(self)
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Number for u64 {
    // OTLP integers are signed: values above `i64::MAX` (only reachable by a counter that
    // overflowed its usefulness long ago) saturate rather than wrap to negative numbers.
    #[inline]
    fn number(self) -> number_data_point::Value {
        number_data_point::Value::AsInt(i64::try_from(self).unwrap_or(i64::MAX))
    }
    #[inline]
    fn exemplar(self) -> exemplar::Value {
        exemplar::Value::AsInt(i64::try_from(self).unwrap_or(i64::MAX))
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

fn temporality(temporality: Temporality) -> i32 {
    match temporality {
        Temporality::Cumulative => AggregationTemporality::Cumulative as i32,
        Temporality::Delta => AggregationTemporality::Delta as i32,
        // A temporality this version does not know: sent as unspecified, which receivers
        // reject or treat as unknown rather than misread.
        _ => AggregationTemporality::Unspecified as i32,
    }
}

fn exemplars<T: Number>(exemplars: &[sdk::Exemplar<T>]) -> Vec<Exemplar> {
    exemplars
        .iter()
        .map(|e| Exemplar {
            filtered_attributes: attributes(&e.filtered_attributes),
            time_unix_nano: unix_nanos(e.time),
            value: Some(e.value.exemplar()),
            span_id: if e.span_id == SpanId::INVALID {
                Vec::new()
            } else {
                e.span_id.to_bytes().to_vec()
            },
            trace_id: if e.trace_id == TraceId::INVALID {
                Vec::new()
            } else {
                e.trace_id.to_bytes().to_vec()
            },
        })
        .collect()
}

/// The data of one metric; `None` for a kind of data this version cannot convert.
///
/// Each kind of [`MetricData`] has one arm here: a new kind of point gets its arm (and its
/// message: every OTLP point kind is in [`crate::metrics::v1`]).
fn data<T: Number>(data: &MetricData<T>) -> Option<metric::Data> {
    Some(match data {
        MetricData::Gauge(gauge) => metric::Data::Gauge(Gauge {
            data_points: gauge
                .data_points
                .iter()
                .map(|p| NumberDataPoint {
                    attributes: attributes(&p.attributes),
                    start_time_unix_nano: p.start_time.map_or(0, unix_nanos),
                    time_unix_nano: unix_nanos(p.time),
                    value: Some(p.value.number()),
                    exemplars: exemplars(&p.exemplars),
                    flags: 0,
                })
                .collect(),
        }),
        MetricData::Sum(sum) => metric::Data::Sum(Sum {
            data_points: sum
                .data_points
                .iter()
                .map(|p| NumberDataPoint {
                    attributes: attributes(&p.attributes),
                    start_time_unix_nano: unix_nanos(p.start_time),
                    time_unix_nano: unix_nanos(p.time),
                    value: Some(p.value.number()),
                    exemplars: exemplars(&p.exemplars),
                    flags: 0,
                })
                .collect(),
            aggregation_temporality: temporality(sum.temporality),
            is_monotonic: sum.is_monotonic,
        }),
        MetricData::Histogram(histogram) => metric::Data::Histogram(Histogram {
            data_points: histogram
                .data_points
                .iter()
                .map(|p| HistogramDataPoint {
                    attributes: attributes(&p.attributes),
                    start_time_unix_nano: unix_nanos(p.start_time),
                    time_unix_nano: unix_nanos(p.time),
                    count: p.count,
                    sum: p.sum.map(Number::as_f64),
                    bucket_counts: p.bucket_counts.clone(),
                    explicit_bounds: p.bounds.clone(),
                    exemplars: exemplars(&p.exemplars),
                    flags: 0,
                    min: p.min.map(Number::as_f64),
                    max: p.max.map(Number::as_f64),
                })
                .collect(),
            aggregation_temporality: temporality(histogram.temporality),
        }),
        MetricData::ExponentialHistogram(histogram) => {
            let buckets = |b: &sdk::ExponentialBucket| {
                Some(exponential_histogram_data_point::Buckets {
                    offset: b.offset,
                    bucket_counts: b.bucket_counts.clone(),
                })
            };
            metric::Data::ExponentialHistogram(ExponentialHistogram {
                data_points: histogram
                    .data_points
                    .iter()
                    .map(|p| ExponentialHistogramDataPoint {
                        attributes: attributes(&p.attributes),
                        start_time_unix_nano: unix_nanos(p.start_time),
                        time_unix_nano: unix_nanos(p.time),
                        count: p.count,
                        sum: p.sum.map(Number::as_f64),
                        scale: i32::from(p.scale),
                        zero_count: p.zero_count,
                        positive: buckets(&p.positive_bucket),
                        negative: buckets(&p.negative_bucket),
                        flags: 0,
                        exemplars: exemplars(&p.exemplars),
                        min: p.min.map(Number::as_f64),
                        max: p.max.map(Number::as_f64),
                        zero_threshold: p.zero_threshold,
                    })
                    .collect(),
                aggregation_temporality: temporality(histogram.temporality),
            })
        }
        // `MetricData` is non-exhaustive: a kind added to the SDK before its arm here.
        _ => return None,
    })
}

impl ExportMetricsServiceRequest {
    /// The export request for one collection: the resource, and each scope's metrics in
    /// their order. A metric whose kind of data this version cannot convert is left out and
    /// reported.
    ///
    /// ```
    /// use opentelemetry_api::metrics::MeterProvider;
    /// use opentelemetry_proto::collector::metrics::v1::ExportMetricsServiceRequest;
    /// use opentelemetry_proto::metrics::v1::metric::Data;
    /// use opentelemetry_sdk::metrics::{ManualReader, ResourceMetrics, SdkMeterProvider};
    ///
    /// let reader = ManualReader::builder().build();
    /// let provider = SdkMeterProvider::builder().with_reader(reader.clone()).build();
    /// provider.meter("shop").u64_counter("orders").build().add(3, &[]);
    ///
    /// let mut collected = ResourceMetrics::default();
    /// reader.collect(&mut collected).unwrap();
    /// let request = ExportMetricsServiceRequest::from_metrics(&collected);
    /// let metric = &request.resource_metrics[0].scope_metrics[0].metrics[0];
    /// assert_eq!(metric.name, "orders");
    /// assert!(matches!(&metric.data, Some(Data::Sum(sum)) if sum.is_monotonic));
    /// ```
    pub fn from_metrics(metrics: &sdk::ResourceMetrics) -> Self {
        let scope_metrics = metrics
            .scope_metrics
            .iter()
            .map(|scope| ScopeMetrics {
                scope: Some(InstrumentationScope::from(&scope.scope)),
                metrics: scope
                    .metrics
                    .iter()
                    .filter_map(|m| {
                        let converted = match &m.data {
                            AggregatedMetrics::F64(d) => data(d),
                            AggregatedMetrics::U64(d) => data(d),
                            AggregatedMetrics::I64(d) => data(d),
                        };
                        let Some(converted) = converted else {
                            otel_warn!(
                                "OtlpProto.UnknownMetricData",
                                "metric {} has a kind of data this version cannot encode: it is left out",
                                m.name
                            );
                            return None;
                        };
                        Some(Metric {
                            name: m.name.to_string(),
                            description: m.description.to_string(),
                            unit: m.unit.to_string(),
                            data: Some(converted),
                            metadata: Vec::new(),
                        })
                    })
                    .collect(),
                schema_url: scope.scope.schema_url().unwrap_or_default().to_owned(),
            })
            .collect();
        ExportMetricsServiceRequest {
            resource_metrics: vec![ResourceMetrics {
                resource: Some(Resource::from(&metrics.resource)),
                scope_metrics,
                schema_url: metrics.resource.schema_url().unwrap_or_default().to_owned(),
            }],
        }
    }
}

impl From<&sdk::ResourceMetrics> for ExportMetricsServiceRequest {
    fn from(metrics: &sdk::ResourceMetrics) -> Self {
        ExportMetricsServiceRequest::from_metrics(metrics)
    }
}
