//! Metrics.

use super::common::{attributes, resource, scope};
use super::sink::Sink;
use crate::metrics::v1::AggregationTemporality;
use crate::transform::unix_nanos;
use opentelemetry_api::otel_warn;
use opentelemetry_api::trace::{SpanId, TraceId};
use opentelemetry_sdk::metrics::{self as sdk, AggregatedMetrics, MetricData, Temporality};

/// A number type of the SDK's metric data, as OTLP carries it (as the conversion does).
trait Number: Copy {
    /// Integers go in `as_int` (tag 6), doubles in `as_double`.
    const INT: bool;
    fn as_i64(self) -> i64;
    fn as_f64(self) -> f64;
}

impl Number for f64 {
    const INT: bool = false;
    #[inline]
    fn as_i64(self) -> i64 {
        self as i64
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self
    }
}

impl Number for i64 {
    const INT: bool = true;
    #[inline]
    fn as_i64(self) -> i64 {
        self
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Number for u64 {
    const INT: bool = true;
    // Saturates above `i64::MAX`, as the conversion does.
    #[inline]
    fn as_i64(self) -> i64 {
        i64::try_from(self).unwrap_or(i64::MAX)
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

/// The value oneof of a number point or exemplar (`as_double` at `double_tag`, `as_int` 6).
#[inline]
fn number<S: Sink, T: Number>(s: &mut S, double_tag: u32, value: T) {
    if T::INT {
        s.sfixed64_always(6, "asInt", value.as_i64());
    } else {
        s.double_always(double_tag, "asDouble", value.as_f64());
    }
}

#[inline]
fn temporality(temporality: Temporality) -> i32 {
    (match temporality {
        Temporality::Cumulative => AggregationTemporality::Cumulative,
        Temporality::Delta => AggregationTemporality::Delta,
        _ => AggregationTemporality::Unspecified,
    }) as i32
}

fn exemplars<S: Sink, T: Number>(s: &mut S, tag: u32, exemplars: &[sdk::Exemplar<T>]) {
    s.repeated(tag, "exemplars", 1, exemplars, |s, e| {
        s.fixed64(2, "timeUnixNano", unix_nanos(e.time));
        number(s, 3, e.value);
        if e.span_id != SpanId::INVALID {
            s.id(4, "spanId", &e.span_id.to_bytes());
        }
        if e.trace_id != TraceId::INVALID {
            s.id(5, "traceId", &e.trace_id.to_bytes());
        }
        attributes(s, 7, "filteredAttributes", &e.filtered_attributes);
    });
}

fn buckets<S: Sink>(s: &mut S, tag: u32, name: &'static str, b: &sdk::ExponentialBucket) {
    s.message(tag, name, 1, |s| {
        s.sint32(1, "offset", b.offset);
        s.packed_uint64(2, "bucketCounts", &b.bucket_counts);
    });
}

/// Whether this version can encode the metric's kind of data.
fn known<T>(data: &MetricData<T>) -> bool {
    matches!(
        data,
        MetricData::Gauge(_)
            | MetricData::Sum(_)
            | MetricData::Histogram(_)
            | MetricData::ExponentialHistogram(_)
    )
}

/// The data oneof of a `Metric`.
fn data<S: Sink, T: Number>(s: &mut S, data: &MetricData<T>) {
    match data {
        MetricData::Gauge(gauge) => s.message(5, "gauge", 3, |s| {
            s.repeated(1, "dataPoints", 1, &gauge.data_points, |s, p| {
                s.fixed64(2, "startTimeUnixNano", p.start_time.map_or(0, unix_nanos));
                s.fixed64(3, "timeUnixNano", unix_nanos(p.time));
                number(s, 4, p.value);
                exemplars(s, 5, &p.exemplars);
                attributes(s, 7, "attributes", &p.attributes[..]);
            });
        }),
        MetricData::Sum(sum) => s.message(7, "sum", 3, |s| {
            s.repeated(1, "dataPoints", 1, &sum.data_points, |s, p| {
                s.fixed64(2, "startTimeUnixNano", unix_nanos(p.start_time));
                s.fixed64(3, "timeUnixNano", unix_nanos(p.time));
                number(s, 4, p.value);
                exemplars(s, 5, &p.exemplars);
                attributes(s, 7, "attributes", &p.attributes[..]);
            });
            s.enumeration(2, "aggregationTemporality", temporality(sum.temporality));
            s.boolean(3, "isMonotonic", sum.is_monotonic);
        }),
        MetricData::Histogram(histogram) => s.message(9, "histogram", 3, |s| {
            s.repeated(1, "dataPoints", 2, &histogram.data_points, |s, p| {
                s.fixed64(2, "startTimeUnixNano", unix_nanos(p.start_time));
                s.fixed64(3, "timeUnixNano", unix_nanos(p.time));
                s.fixed64(4, "count", p.count);
                if let Some(sum) = p.sum {
                    s.double_always(5, "sum", sum.as_f64());
                }
                s.packed_fixed64(6, "bucketCounts", &p.bucket_counts);
                s.packed_double(7, "explicitBounds", &p.bounds);
                exemplars(s, 8, &p.exemplars);
                attributes(s, 9, "attributes", &p.attributes[..]);
                if let Some(min) = p.min {
                    s.double_always(11, "min", min.as_f64());
                }
                if let Some(max) = p.max {
                    s.double_always(12, "max", max.as_f64());
                }
            });
            s.enumeration(
                2,
                "aggregationTemporality",
                temporality(histogram.temporality),
            );
        }),
        MetricData::ExponentialHistogram(histogram) => {
            s.message(10, "exponentialHistogram", 3, |s| {
                s.repeated(1, "dataPoints", 2, &histogram.data_points, |s, p| {
                    attributes(s, 1, "attributes", &p.attributes[..]);
                    s.fixed64(2, "startTimeUnixNano", unix_nanos(p.start_time));
                    s.fixed64(3, "timeUnixNano", unix_nanos(p.time));
                    s.fixed64(4, "count", p.count);
                    if let Some(sum) = p.sum {
                        s.double_always(5, "sum", sum.as_f64());
                    }
                    s.sint32(6, "scale", i32::from(p.scale));
                    s.fixed64(7, "zeroCount", p.zero_count);
                    buckets(s, 8, "positive", &p.positive_bucket);
                    buckets(s, 9, "negative", &p.negative_bucket);
                    exemplars(s, 11, &p.exemplars);
                    if let Some(min) = p.min {
                        s.double_always(12, "min", min.as_f64());
                    }
                    if let Some(max) = p.max {
                        s.double_always(13, "max", max.as_f64());
                    }
                    s.double(14, "zeroThreshold", p.zero_threshold);
                });
                s.enumeration(
                    2,
                    "aggregationTemporality",
                    temporality(histogram.temporality),
                );
            })
        }
        // Left out by the caller (`known`).
        _ => {}
    }
}

/// The fields of an `ExportMetricsServiceRequest`, as
/// `ExportMetricsServiceRequest::from_metrics` builds it.
pub(super) fn request<S: Sink>(s: &mut S, metrics: &sdk::ResourceMetrics) {
    s.repeated(1, "resourceMetrics", 3, [()], |s, ()| {
        resource(s, &metrics.resource);
        s.repeated(2, "scopeMetrics", 3, &metrics.scope_metrics, |s, sm| {
            scope(s, &sm.scope, sm.scope.name());
            let encodable = sm.metrics.iter().filter(|m| {
                let ok = match &m.data {
                    AggregatedMetrics::F64(d) => known(d),
                    AggregatedMetrics::U64(d) => known(d),
                    AggregatedMetrics::I64(d) => known(d),
                };
                if !ok {
                    otel_warn!(
                        "OtlpProto.UnknownMetricData",
                        "metric {} has a kind of data this version cannot encode: it is left out",
                        m.name
                    );
                }
                ok
            });
            s.repeated(2, "metrics", 3, encodable, |s, m| {
                s.string(1, "name", &m.name);
                s.string(2, "description", &m.description);
                s.string(3, "unit", &m.unit);
                match &m.data {
                    AggregatedMetrics::F64(d) => data(s, d),
                    AggregatedMetrics::U64(d) => data(s, d),
                    AggregatedMetrics::I64(d) => data(s, d),
                }
            });
            s.string(3, "schemaUrl", sm.scope.schema_url().unwrap_or_default());
        });
        s.string(
            3,
            "schemaUrl",
            metrics.resource.schema_url().unwrap_or_default(),
        );
    });
}
