//! Conversions from the SDK's data: the mapping rules, without the Python peer.
#![cfg(feature = "sdk")]

mod common;

use common::*;
use opentelemetry_api::InstrumentationScope;
use opentelemetry_proto::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::common::v1::{any_value, AnyValue};
use opentelemetry_proto::metrics::v1::{metric, number_data_point, AggregationTemporality};
use opentelemetry_proto::trace::v1::{span, status, Span, SpanFlags};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, MetricData, ResourceMetrics, ScopeMetrics, Sum, SumDataPoint, Temporality,
};
use opentelemetry_sdk::trace::SpanData;
use prost::Message;
use std::time::{Duration, UNIX_EPOCH};

#[test]
fn span_flags_carry_the_trace_flags_and_the_parents_remoteness() {
    let spans = spans();
    let full = Span::from(&spans[0]);
    assert_eq!(full.flags & SpanFlags::TraceFlagsMask as u32, 0x03);
    assert_ne!(full.flags & SpanFlags::ContextHasIsRemoteMask as u32, 0);
    assert_ne!(
        full.flags & SpanFlags::ContextIsRemoteMask as u32,
        0,
        "remote parent"
    );
    assert_eq!(full.flags >> 10, 0, "the high 22 bits must be zero");
    // A link to a remote span, and one to a local span.
    assert_eq!(full.links[0].flags, 0x01 | 0x100 | 0x200);
    assert_eq!(full.links[1].flags, 0x100);

    let root = Span::from(&spans[1]);
    assert_eq!(
        root.flags,
        SpanFlags::ContextHasIsRemoteMask as u32,
        "known, not remote"
    );
    assert!(
        root.parent_span_id.is_empty(),
        "a root span has no parent ID"
    );
    assert!(root.trace_state.is_empty());
}

#[test]
fn span_kinds_statuses_and_dropped_counts() {
    let spans = spans();
    let converted: Vec<Span> = spans.iter().map(Span::from).collect();
    let kinds: Vec<i32> = converted.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            span::SpanKind::Server as i32,
            span::SpanKind::Client as i32,
            span::SpanKind::Producer as i32,
            span::SpanKind::Consumer as i32,
            span::SpanKind::Internal as i32,
        ]
    );
    let error = converted[0].status.as_ref().unwrap();
    assert_eq!(error.code, status::StatusCode::Error as i32);
    assert_eq!(error.message, "payment declined");
    let ok = converted[1].status.as_ref().unwrap();
    assert_eq!(
        (ok.code, ok.message.as_str()),
        (status::StatusCode::Ok as i32, "")
    );
    assert_eq!(converted[2].status, None, "unset is sent as no status");

    let full = &converted[0];
    assert_eq!(full.dropped_attributes_count, 3);
    assert_eq!(full.dropped_events_count, 4);
    assert_eq!(full.dropped_links_count, 5);
    assert_eq!(full.events[0].dropped_attributes_count, 1);
    assert_eq!(full.links[0].dropped_attributes_count, 2);
    assert_eq!(full.trace_state, "k1=v1,k2=v2");
    assert_eq!(full.links[0].trace_state, "vendor=opaque");
    assert_eq!(full.start_time_unix_nano, T0);
    assert_eq!(full.end_time_unix_nano, T0 + 1_500);
    assert_eq!(full.events[1].time_unix_nano, T0 + 20);
}

#[test]
fn attribute_values_of_every_kind() {
    let full = Span::from(&spans()[0]);
    let values: Vec<(&str, &any_value::Value)> = full
        .attributes
        .iter()
        .map(|kv| {
            (
                kv.key.as_str(),
                kv.value.as_ref().unwrap().value.as_ref().unwrap(),
            )
        })
        .collect();
    use any_value::Value as V;
    let list = |values: Vec<V>| {
        V::ArrayValue(opentelemetry_proto::common::v1::ArrayValue {
            values: values
                .into_iter()
                .map(|v| AnyValue { value: Some(v) })
                .collect(),
        })
    };
    assert_eq!(
        values,
        [
            ("bool", &V::BoolValue(true)),
            ("int", &V::IntValue(-9_007_199_254_740_993)),
            ("double", &V::DoubleValue(2.5)),
            ("string", &V::StringValue("héllo".into())),
            (
                "bools",
                &list(vec![V::BoolValue(true), V::BoolValue(false)])
            ),
            (
                "ints",
                &list(vec![V::IntValue(1), V::IntValue(-2), V::IntValue(i64::MAX)])
            ),
            (
                "doubles",
                &list(vec![V::DoubleValue(0.5), V::DoubleValue(-1.25)])
            ),
            (
                "strings",
                &list(vec![
                    V::StringValue("a".into()),
                    V::StringValue(String::new())
                ])
            ),
        ]
    );
}

#[test]
fn spans_are_grouped_by_scope_in_first_seen_order_keeping_span_order() {
    let request = ExportTraceServiceRequest::from_spans(&spans(), &resource());
    assert_eq!(request.resource_spans.len(), 1);
    let rs = &request.resource_spans[0];
    assert_eq!(rs.schema_url, SCHEMA_URL);
    let names: Vec<(&str, Vec<&str>)> = rs
        .scope_spans
        .iter()
        .map(|ss| {
            (
                ss.scope.as_ref().unwrap().name.as_str(),
                ss.spans.iter().map(|s| s.name.as_str()).collect(),
            )
        })
        .collect();
    // Equal scopes in separate `Arc`s share a group.
    assert_eq!(
        names,
        [
            ("lib-a", vec!["GET /cart", "span-3"]),
            ("lib-b", vec!["span-2", "span-4", "span-5"]),
        ]
    );
    let scope = rs.scope_spans[0].scope.as_ref().unwrap();
    assert_eq!(scope.version, "1.2.3");
    assert_eq!(scope.attributes[0].key, "scope.attr");
    assert_eq!(rs.scope_spans[0].schema_url, SCOPE_SCHEMA_URL);
    assert_eq!(rs.scope_spans[1].schema_url, "");
    let resource = rs.resource.as_ref().unwrap();
    assert_eq!(resource.attributes[0].key, "service.name");
    assert_eq!(resource.attributes.len(), 2);
}

#[test]
fn many_scopes_keep_their_order_and_groups() {
    // More scopes than the linear search handles, interleaved.
    let template = spans().remove(1);
    let mut batch = Vec::new();
    for round in 0..3 {
        for i in 0..40 {
            let mut span: SpanData = template.clone();
            span.name = format!("s{i}-{round}").into();
            span.instrumentation_scope = Box::leak(Box::new(
                InstrumentationScope::builder(format!("scope-{i}")).build(),
            ));
            batch.push(span);
        }
    }
    let request = ExportTraceServiceRequest::from_spans(&batch, &resource());
    let groups = &request.resource_spans[0].scope_spans;
    assert_eq!(groups.len(), 40);
    for (i, group) in groups.iter().enumerate() {
        assert_eq!(group.scope.as_ref().unwrap().name, format!("scope-{i}"));
        let names: Vec<&str> = group.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [format!("s{i}-0"), format!("s{i}-1"), format!("s{i}-2")]
        );
    }
}

#[test]
fn empty_batches_make_empty_requests() {
    let request = ExportTraceServiceRequest::from_spans(&[], &resource());
    assert!(request.resource_spans.is_empty());
    assert!(request.encode_to_vec().is_empty());
    let request = ExportLogsServiceRequest::from_logs(&[], &resource());
    assert!(request.resource_logs.is_empty());
}

#[test]
fn times_before_the_epoch_are_sent_as_unknown() {
    let mut span = spans().remove(1);
    span.start_time = UNIX_EPOCH - Duration::from_secs(1);
    assert_eq!(Span::from(&span).start_time_unix_nano, 0);
}

#[test]
fn metrics_keep_kinds_temporality_and_monotonicity() {
    let request = ExportMetricsServiceRequest::from(&metrics());
    let rm = &request.resource_metrics[0];
    assert_eq!(rm.schema_url, SCHEMA_URL);
    assert_eq!(rm.scope_metrics.len(), 2);
    assert_eq!(rm.scope_metrics[0].schema_url, SCOPE_SCHEMA_URL);
    let all: Vec<_> = rm.scope_metrics.iter().flat_map(|s| &s.metrics).collect();
    let shape: Vec<(&str, &str, i32, bool)> = all
        .iter()
        .map(|m| match m.data.as_ref().unwrap() {
            metric::Data::Gauge(_) => (m.name.as_str(), "gauge", 0, false),
            metric::Data::Sum(s) => (
                m.name.as_str(),
                "sum",
                s.aggregation_temporality,
                s.is_monotonic,
            ),
            metric::Data::Histogram(h) => (
                m.name.as_str(),
                "histogram",
                h.aggregation_temporality,
                false,
            ),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let delta = AggregationTemporality::Delta as i32;
    let cumulative = AggregationTemporality::Cumulative as i32;
    assert_eq!(
        shape,
        [
            ("f64.gauge", "gauge", 0, false),
            ("i64.gauge", "gauge", 0, false),
            ("u64.sum", "sum", cumulative, true),
            ("i64.updown", "sum", delta, false),
            ("f64.sum", "sum", delta, true),
            ("f64.histogram", "histogram", delta, false),
            ("u64.histogram", "histogram", cumulative, false),
            ("i64.histogram", "histogram", cumulative, false),
        ]
    );
    assert!(all
        .iter()
        .all(|m| m.description == "a description" && m.unit == "ms"));

    let metric::Data::Gauge(gauge) = all[0].data.as_ref().unwrap() else {
        unreachable!()
    };
    let point = &gauge.data_points[0];
    assert_eq!(point.value, Some(number_data_point::Value::AsDouble(2.5)));
    assert_eq!(
        (point.start_time_unix_nano, point.time_unix_nano),
        (T0, T0 + 100)
    );
    let exemplar = &point.exemplars[0];
    assert_eq!(exemplar.trace_id, TRACE_ID);
    assert_eq!(exemplar.span_id, SPAN_ID);
    assert_eq!(exemplar.filtered_attributes[0].key, "user");

    let metric::Data::Gauge(gauge) = all[1].data.as_ref().unwrap() else {
        unreachable!()
    };
    assert_eq!(
        gauge.data_points[0].start_time_unix_nano, 0,
        "no start time"
    );
    assert_eq!(
        gauge.data_points[0].value,
        Some(number_data_point::Value::AsInt(-7))
    );

    let metric::Data::Histogram(h) = all[5].data.as_ref().unwrap() else {
        unreachable!()
    };
    let p = &h.data_points[0];
    assert_eq!(
        (p.count, p.sum, p.min, p.max),
        (10, Some(40.5), Some(-1.5), Some(12.0))
    );
    assert_eq!(p.explicit_bounds, [0.0, 5.0, 10.0]);
    assert_eq!(p.bucket_counts, [1, 2, 3, 4]);
    let metric::Data::Histogram(h) = all[7].data.as_ref().unwrap() else {
        unreachable!()
    };
    assert_eq!(
        h.data_points[0].sum, None,
        "no sum for instruments that may go negative"
    );
    assert_eq!(
        (h.data_points[0].min, h.data_points[0].max),
        (Some(-4.0), Some(0.0))
    );
}

#[test]
fn u64_values_above_i64_max_saturate() {
    let metrics = ResourceMetrics {
        resource: resource(),
        scope_metrics: vec![ScopeMetrics {
            scope: scope_b(),
            metrics: vec![opentelemetry_sdk::metrics::Metric {
                name: "huge".into(),
                description: "".into(),
                unit: "".into(),
                data: AggregatedMetrics::U64(MetricData::Sum(Sum {
                    data_points: vec![SumDataPoint {
                        attributes: Default::default(),
                        start_time: at(T0),
                        time: at(T0),
                        value: u64::MAX,
                        exemplars: Vec::new(),
                    }],
                    temporality: Temporality::Cumulative,
                    is_monotonic: true,
                })),
            }],
        }],
    };
    let request = ExportMetricsServiceRequest::from_metrics(&metrics);
    let metric::Data::Sum(sum) = request.resource_metrics[0].scope_metrics[0].metrics[0]
        .data
        .as_ref()
        .unwrap()
    else {
        unreachable!()
    };
    assert_eq!(
        sum.data_points[0].value,
        Some(number_data_point::Value::AsInt(i64::MAX))
    );
}

#[test]
fn log_records_carry_every_field_and_targets_name_their_scope() {
    let request = ExportLogsServiceRequest::from_logs(&logs(), &resource());
    let rl = &request.resource_logs[0];
    assert_eq!(rl.schema_url, SCHEMA_URL);
    let groups: Vec<(&str, usize)> = rl
        .scope_logs
        .iter()
        .map(|s| (s.scope.as_ref().unwrap().name.as_str(), s.log_records.len()))
        .collect();
    assert_eq!(groups, [("shop::payments", 1), ("lib-b", 5), ("lib-a", 3)]);
    // The target replaces the name only: the logger scope's other fields stay.
    let payments = &rl.scope_logs[0];
    assert_eq!(payments.scope.as_ref().unwrap().version, "1.2.3");
    assert_eq!(payments.schema_url, SCOPE_SCHEMA_URL);

    let first = &payments.log_records[0];
    assert_eq!(first.time_unix_nano, T0 + 1_000);
    assert_eq!(first.observed_time_unix_nano, T0 + 2_000);
    assert_eq!(first.severity_number, 15);
    assert_eq!(first.severity_text, "WARNING");
    assert_eq!(first.event_name, "payment.declined");
    assert_eq!(first.trace_id, TRACE_ID);
    assert_eq!(first.span_id, SPAN_ID);
    assert_eq!(first.flags, 1);
    assert_eq!(first.attributes.len(), 9);
    assert_eq!(first.dropped_attributes_count, 2);

    let second = &rl.scope_logs[1].log_records[0];
    assert_eq!(second.flags, 0, "trace context without flags");
    assert_eq!(second.span_id, PARENT_ID);
    let last = &rl.scope_logs[1].log_records[4];
    assert_eq!(last.body, None);
    assert!(last.trace_id.is_empty() && last.span_id.is_empty());
    assert_eq!((last.time_unix_nano, last.observed_time_unix_nano), (0, 0));
}

#[test]
fn log_bodies_of_every_kind() {
    use any_value::Value as V;
    let request = ExportLogsServiceRequest::from_logs(&logs(), &resource());
    let records: Vec<_> = request.resource_logs[0]
        .scope_logs
        .iter()
        .flat_map(|s| &s.log_records)
        .collect();
    let body = |i: usize| records[i].body.as_ref().unwrap().value.clone().unwrap();
    // Order after grouping: 0 | 1, 3, 5, 7, none | 2, 4, 6.
    assert_eq!(body(1), V::IntValue(-17));
    assert_eq!(body(2), V::StringValue("plain text".into()));
    assert_eq!(body(3), V::BytesValue(b"\x00raw\xff".to_vec()));
    assert_eq!(body(4), V::StringValue(String::new()));
    assert_eq!(records[5].body, None);
    assert_eq!(body(6), V::DoubleValue(0.25));
    assert_eq!(body(7), V::BoolValue(true));
    assert_eq!(
        body(8),
        V::ArrayValue(opentelemetry_proto::common::v1::ArrayValue {
            values: vec![
                AnyValue {
                    value: Some(V::IntValue(1))
                },
                AnyValue {
                    value: Some(V::StringValue("two".into()))
                },
            ],
        })
    );
    let V::KvlistValue(map) = body(0) else {
        panic!("a map body")
    };
    let keys: Vec<&str> = map.values.iter().map(|kv| kv.key.as_str()).collect();
    assert_eq!(keys, ["order", "items", "empty"]);
    let Some(V::ArrayValue(items)) = map.values[1].value.as_ref().unwrap().value.clone() else {
        panic!("a list")
    };
    assert_eq!(
        items.values[3].value,
        Some(V::BytesValue(vec![0, 1, 254, 255]))
    );
    let Some(V::KvlistValue(deep)) = items.values[4].value.clone() else {
        panic!("a map")
    };
    assert_eq!(deep.values[0].key, "deep");
    assert_eq!(
        map.values[2].value.as_ref().unwrap().value,
        Some(V::KvlistValue(Default::default()))
    );
}

#[test]
fn exponential_histograms_convert_with_their_buckets() {
    use opentelemetry_api::metrics::MeterProvider as _;
    use opentelemetry_sdk::metrics::{
        Aggregation, InstrumentSelector, ManualReader, ResourceMetrics, SdkMeterProvider, Stream,
        View,
    };
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_view(View::new(
            InstrumentSelector::new().with_name("latency"),
            Stream::new().with_aggregation(Aggregation::default_exponential_histogram()),
        ))
        .build();
    let histogram = provider.meter("m").f64_histogram("latency").build();
    for v in [1.0, 2.0, 4.0, 0.0] {
        histogram.record(v, &[]);
    }
    let mut metrics = ResourceMetrics::default();
    reader.collect(&mut metrics).unwrap();
    let request = ExportMetricsServiceRequest::from_metrics(&metrics);
    let metric = &request.resource_metrics[0].scope_metrics[0].metrics[0];
    let Some(metric::Data::ExponentialHistogram(h)) = &metric.data else {
        panic!("not an exponential histogram: {metric:?}");
    };
    let p = &h.data_points[0];
    assert_eq!(p.count, 4);
    assert_eq!(p.zero_count, 1);
    assert_eq!(p.sum, Some(7.0));
    assert_eq!((p.min, p.max), (Some(0.0), Some(4.0)));
    let positive = p.positive.as_ref().expect("positive buckets");
    assert_eq!(positive.bucket_counts.iter().sum::<u64>(), 3);
    assert_eq!(
        h.aggregation_temporality,
        AggregationTemporality::Cumulative as i32
    );
    // Round trip through the wire format.
    let decoded = ExportMetricsServiceRequest::decode(request.encode_to_vec().as_slice()).unwrap();
    assert_eq!(decoded, request);
}
