//! The direct encoders (`opentelemetry_proto::encode`) against the conversions: for the same
//! SDK data, the protobuf bytes are those prost writes for the converted request (so decoding
//! them gives exactly that request), and the JSON reads as the same JSON value as the
//! request's serde serialization. Fixed data with every field, edge cases, and random data
//! (proptest).
#![cfg(all(feature = "sdk", feature = "with-serde"))]

mod common;

use common::*;
use opentelemetry_api::logs::{LogRecord as _, Severity};
use opentelemetry_api::trace::{
    Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{AnyValue, Array, InstrumentationScope, Key, KeyValue, StringValue, Value};
use opentelemetry_proto::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::encode;
use opentelemetry_sdk::logs::{LogData, LogRecordLimits, SdkLogRecord};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Exemplar, ExponentialBucket, ExponentialHistogram,
    ExponentialHistogramDataPoint, Gauge, GaugeDataPoint, Histogram, HistogramDataPoint, Metric,
    MetricData, ResourceMetrics, ScopeMetrics, Sum, SumDataPoint, Temporality,
};
use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanLinks};
use opentelemetry_sdk::Resource;
use proptest::prelude::*;
use prost::Message;
use serde_json::Value as Json;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Both encodings of `expected` (the converted request) against the direct encoder's.
fn check<M>(expected: &M, direct_pb: &[u8], direct_json: &[u8])
where
    M: Message + Default + PartialEq + serde::Serialize + std::fmt::Debug,
{
    let pb = expected.encode_to_vec();
    assert_eq!(direct_pb, pb.as_slice(), "protobuf bytes differ");
    let decoded = M::decode(direct_pb).expect("the direct encoding decodes");
    if !has_nan(expected) {
        assert_eq!(&decoded, expected);
    }
    // Both JSON texts through one parser (so that doubles are read the same way).
    let serde_text = serde_json::to_vec(expected).unwrap();
    let ours: Json = serde_json::from_slice(direct_json).unwrap_or_else(|e| {
        panic!(
            "direct JSON does not parse ({e}): {}",
            String::from_utf8_lossy(direct_json)
        )
    });
    let theirs: Json = serde_json::from_slice(&serde_text).unwrap();
    assert_eq!(
        ours,
        theirs,
        "JSON differs:\n ours: {}\n serde: {}",
        String::from_utf8_lossy(direct_json),
        String::from_utf8_lossy(&serde_text)
    );
}

/// NaN is not equal to itself: such messages are compared by their bytes only.
fn has_nan<M: serde::Serialize>(message: &M) -> bool {
    serde_json::to_string(message).unwrap().contains("\"NaN\"")
}

fn check_spans(spans: &[SpanData], resource: &Resource) {
    let (mut pb, mut json) = (Vec::new(), Vec::new());
    encode::encode_traces(spans, resource, &mut pb);
    encode::encode_traces_json(spans, resource, &mut json);
    check(
        &ExportTraceServiceRequest::from_spans(spans, resource),
        &pb,
        &json,
    );
}

fn check_metrics(metrics: &ResourceMetrics) {
    let (mut pb, mut json) = (Vec::new(), Vec::new());
    encode::encode_metrics(metrics, &mut pb);
    encode::encode_metrics_json(metrics, &mut json);
    check(
        &ExportMetricsServiceRequest::from_metrics(metrics),
        &pb,
        &json,
    );
}

fn check_logs(logs: &[LogData], resource: &Resource) {
    let (mut pb, mut json) = (Vec::new(), Vec::new());
    encode::encode_logs(logs, resource, &mut pb);
    encode::encode_logs_json(logs, resource, &mut json);
    check(
        &ExportLogsServiceRequest::from_logs(logs, resource),
        &pb,
        &json,
    );
}

#[test]
fn spans_with_every_field_encode_as_the_conversion() {
    check_spans(&spans(), &resource());
}

#[test]
fn metrics_of_every_kind_encode_as_the_conversion() {
    check_metrics(&metrics());
}

#[test]
fn logs_with_every_body_kind_encode_as_the_conversion() {
    check_logs(&logs(), &resource());
}

#[test]
fn empty_batches_encode_as_the_empty_requests() {
    let (mut pb, mut json) = (Vec::new(), Vec::new());
    encode::encode_traces(&[], &resource(), &mut pb);
    encode::encode_traces_json(&[], &resource(), &mut json);
    assert!(pb.is_empty());
    assert_eq!(json, b"{}");
    check_spans(&[], &Resource::empty());
    check_logs(&[], &resource());
    check_metrics(&ResourceMetrics::default());
    check_metrics(&ResourceMetrics {
        resource: resource(),
        scope_metrics: vec![ScopeMetrics::default()],
    });
}

#[test]
fn output_is_appended() {
    let spans = spans();
    let mut pb = b"prefix".to_vec();
    encode::encode_traces(&spans, &resource(), &mut pb);
    assert_eq!(
        &pb[6..],
        ExportTraceServiceRequest::from_spans(&spans, &resource())
            .encode_to_vec()
            .as_slice()
    );
}

fn leak(scope: InstrumentationScope) -> &'static InstrumentationScope {
    Box::leak(Box::new(scope))
}

fn plain_span(scope: &'static InstrumentationScope) -> SpanData {
    SpanData {
        span_context: SpanContext::new(
            TraceId::INVALID,
            SpanId::INVALID,
            TraceFlags::default(),
            false,
            TraceState::NONE,
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: "".into(),
        start_time: UNIX_EPOCH,
        end_time: UNIX_EPOCH - Duration::from_secs(1),
        attributes: Vec::new(),
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Error {
            description: "".into(),
        },
        instrumentation_scope: scope,
    }
}

#[test]
fn zero_values_empty_strings_and_huge_values() {
    let empty_scope = leak(InstrumentationScope::builder("").build());
    let zero = plain_span(empty_scope);
    // Long strings: lengths whose varints take 2 and 3 bytes (the one-pass encoder moves
    // bodies for these), and every character JSON escapes.
    let long = "x".repeat(300);
    let huge = "y".repeat(70_000);
    let escapes: String = (0u8..0x20)
        .map(char::from)
        .chain("\"\\/é€😀\u{7f}".chars())
        .collect();
    let mut big = plain_span(leak(
        InstrumentationScope::builder(long.clone())
            .with_version(escapes.clone())
            .with_schema_url(huge.clone())
            .build(),
    ));
    big.name = huge.clone().into();
    big.start_time = UNIX_EPOCH + Duration::from_nanos(u64::MAX);
    big.end_time = SystemTime::now();
    big.dropped_attributes_count = u32::MAX;
    big.events.dropped_count = u32::MAX;
    big.links.dropped_count = 1;
    big.span_kind = SpanKind::Consumer;
    big.attributes = vec![
        KeyValue::new("", ""),
        KeyValue::new(escapes.clone(), escapes.clone()),
        KeyValue::new("long", long.clone()),
        KeyValue::new("huge", huge.clone()),
        KeyValue::new("min", i64::MIN),
        KeyValue::new("max", i64::MAX),
        KeyValue::new("zero", 0i64),
        KeyValue::new("neg.zero", -0.0),
        KeyValue::new("f.max", f64::MAX),
        KeyValue::new("f.tiny", f64::MIN_POSITIVE / 3.0),
        KeyValue::new("inf", f64::INFINITY),
        KeyValue::new("-inf", f64::NEG_INFINITY),
        KeyValue::new("false", false),
        KeyValue::new("empty.bools", Array::Bool(Vec::new())),
        KeyValue::new("empty.strings", Array::String(vec![StringValue::from("")])),
        KeyValue::new("many", Array::I64((0..5000).collect())),
    ];
    big.events.events = vec![Event {
        name: "".into(),
        timestamp: UNIX_EPOCH,
        attributes: Vec::new(),
        dropped_attributes_count: 0,
    }];
    big.links.links = vec![Link::new(SpanContext::empty_context(), Vec::new())];
    let resource = Resource::builder_empty()
        .with_attributes([
            KeyValue::new("", ""),
            KeyValue::new(long.clone(), huge.clone()),
        ])
        .build();
    check_spans(std::slice::from_ref(&zero), &Resource::empty());
    check_spans(&[zero, big], &resource);

    let mut record = SdkLogRecord::default();
    record.set_body(AnyValue::from(huge.clone()));
    record.add_attribute("", AnyValue::Bytes(Box::default()));
    record.add_attribute("bytes", AnyValue::Bytes(Box::new((0..=255).collect())));
    record.add_attribute("empty.list", AnyValue::ListAny(Box::default()));
    record.add_attribute(escapes.clone(), AnyValue::Map(Box::default()));
    record.set_severity_number(Severity::Fatal4);
    record.set_trace_context(
        TraceId::INVALID,
        SpanId::INVALID,
        Some(TraceFlags::default()),
    );
    check_logs(
        &[LogData {
            record,
            instrumentation_scope: Arc::new(InstrumentationScope::default()),
        }],
        &Resource::empty(),
    );
}

#[test]
fn non_finite_doubles() {
    let scope = leak(InstrumentationScope::builder("nan").build());
    let mut span = plain_span(scope);
    span.attributes = vec![
        KeyValue::new("nan", f64::NAN),
        KeyValue::new("nans", Array::F64(vec![f64::NAN, f64::INFINITY, -0.0])),
    ];
    check_spans(&[span], &Resource::empty());
    let point = HistogramDataPoint {
        attributes: Vec::new().into(),
        start_time: UNIX_EPOCH,
        time: UNIX_EPOCH,
        count: 0,
        bounds: vec![f64::NAN, f64::NEG_INFINITY, 0.0, f64::INFINITY],
        bucket_counts: vec![0, u64::MAX, 1, 2, 3],
        min: Some(f64::NAN),
        max: Some(-0.0),
        sum: Some(f64::INFINITY),
        exemplars: vec![exemplar_of(f64::NAN)],
    };
    check_metrics(&ResourceMetrics {
        resource: Resource::empty(),
        scope_metrics: vec![ScopeMetrics {
            scope: InstrumentationScope::default(),
            metrics: vec![Metric {
                name: "".into(),
                description: "".into(),
                unit: "".into(),
                data: AggregatedMetrics::F64(MetricData::Histogram(Histogram {
                    data_points: vec![point],
                    temporality: Temporality::Delta,
                })),
            }],
        }],
    });
}

fn exemplar_of<T>(value: T) -> Exemplar<T> {
    Exemplar {
        filtered_attributes: vec![KeyValue::new("k", "v")],
        time: UNIX_EPOCH + Duration::from_nanos(5),
        value,
        trace_id: TraceId::from_bytes([7; 16]),
        span_id: SpanId::INVALID,
    }
}

// ---------------------------------------------------------------------------------------------
// Random data.

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z.]{0,10}",
        2 => "\\PC{0,16}",
        1 => "[\"\\\\\n\t\u{0}\u{1f}é€😀]{0,6}",
        1 => "[a-z]{120,300}",
    ]
}

fn double() -> impl Strategy<Value = f64> {
    use proptest::num::f64 as f;
    prop_oneof![
        4 => f::NORMAL | f::SUBNORMAL | f::ZERO | f::POSITIVE | f::NEGATIVE,
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-0.0),
        1 => (-1000i32..1000).prop_map(f64::from),
    ]
}

fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -300i64..300,
        Just(0),
        Just(i64::MIN),
        Just(i64::MAX)
    ]
}

fn time() -> impl Strategy<Value = SystemTime> {
    prop_oneof![
        Just(UNIX_EPOCH),
        Just(UNIX_EPOCH - Duration::from_secs(5)),
        any::<u64>().prop_map(|n| UNIX_EPOCH + Duration::from_nanos(n)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        int().prop_map(Value::I64),
        double().prop_map(Value::F64),
        text().prop_map(|s| Value::String(s.into())),
        prop::collection::vec(any::<bool>(), 0..4).prop_map(|v| Value::Array(Array::Bool(v))),
        prop::collection::vec(int(), 0..4).prop_map(|v| Value::Array(Array::I64(v))),
        prop::collection::vec(double(), 0..4).prop_map(|v| Value::Array(Array::F64(v))),
        prop::collection::vec(text(), 0..4).prop_map(|v| Value::Array(Array::String(
            v.into_iter().map(StringValue::from).collect()
        ))),
    ]
}

fn attributes() -> impl Strategy<Value = Vec<KeyValue>> {
    prop::collection::vec(
        (text(), value()).prop_map(|(k, v)| KeyValue::new(k, v)),
        0..5,
    )
}

/// A few scopes, two of them equal but at different addresses.
fn scopes() -> &'static [&'static InstrumentationScope] {
    static SCOPES: OnceLock<Vec<&'static InstrumentationScope>> = OnceLock::new();
    SCOPES.get_or_init(|| {
        vec![
            leak(scope_a()),
            leak(scope_b()),
            leak(scope_a()),
            leak(InstrumentationScope::default()),
        ]
    })
}

fn trace_state() -> impl Strategy<Value = TraceState> {
    prop::collection::vec(
        ("[a-z][a-z0-9_]{0,5}", "[a-zA-Z0-9 !\"\\\\]{0,5}[a-z]"),
        0..3,
    )
    .prop_map(|entries| TraceState::from_key_value(entries).unwrap_or_default())
}

fn context() -> impl Strategy<Value = SpanContext> {
    (
        any::<u128>(),
        any::<u64>(),
        any::<u8>(),
        any::<bool>(),
        trace_state(),
    )
        .prop_map(|(t, s, f, remote, ts)| {
            SpanContext::new(
                TraceId::from_bytes(t.to_be_bytes()),
                SpanId::from_bytes(s.to_be_bytes()),
                TraceFlags::new(f),
                remote,
                ts,
            )
        })
}

fn span() -> impl Strategy<Value = SpanData> {
    let events = prop::collection::vec(
        (text(), time(), attributes(), any::<u32>()).prop_map(
            |(name, timestamp, attributes, d)| Event {
                name: name.into(),
                timestamp,
                attributes,
                dropped_attributes_count: d % 3,
            },
        ),
        0..3,
    );
    let links = prop::collection::vec(
        (context(), attributes(), 0u32..3).prop_map(|(c, a, d)| {
            let mut link = Link::new(c, a);
            link.dropped_attributes_count = d;
            link
        }),
        0..3,
    );
    let status = prop_oneof![
        Just(Status::Unset),
        Just(Status::Ok),
        text().prop_map(|d| Status::Error {
            description: d.into()
        }),
    ];
    let kind = prop_oneof![
        Just(SpanKind::Internal),
        Just(SpanKind::Server),
        Just(SpanKind::Client),
        Just(SpanKind::Producer),
        Just(SpanKind::Consumer),
    ];
    (
        (
            context(),
            prop_oneof![Just(0u64), any::<u64>()],
            any::<bool>(),
            kind,
            text(),
        ),
        (time(), time(), attributes(), 0u32..3),
        (events, 0u32..3, links, 0u32..3, status, 0..scopes().len()),
    )
        .prop_map(
            |(
                (span_context, parent, parent_span_is_remote, span_kind, name),
                (start_time, end_time, attributes, dropped_attributes_count),
                (events, dropped_events, links, dropped_links, status, scope),
            )| SpanData {
                span_context,
                parent_span_id: SpanId::from_bytes(parent.to_be_bytes()),
                parent_span_is_remote,
                span_kind,
                name: name.into(),
                start_time,
                end_time,
                attributes,
                dropped_attributes_count,
                events: SpanEvents {
                    events,
                    dropped_count: dropped_events,
                },
                links: SpanLinks {
                    links,
                    dropped_count: dropped_links,
                },
                status,
                instrumentation_scope: scopes()[scope],
            },
        )
}

fn resource_strategy() -> impl Strategy<Value = Resource> {
    (attributes(), prop::option::of(text())).prop_map(|(attrs, schema)| match schema {
        Some(url) => Resource::from_schema_url(attrs, url),
        None => Resource::builder_empty().with_attributes(attrs).build(),
    })
}

fn log_value() -> impl Strategy<Value = AnyValue> {
    let leaf = prop_oneof![
        int().prop_map(AnyValue::Int),
        double().prop_map(AnyValue::Double),
        text().prop_map(AnyValue::from),
        any::<bool>().prop_map(AnyValue::Boolean),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(|b| AnyValue::Bytes(Box::new(b))),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| AnyValue::ListAny(Box::new(v))),
            prop::collection::vec((text(), inner), 0..4).prop_map(|v| AnyValue::Map(Box::new(
                v.into_iter().map(|(k, v)| (Key::from(k), v)).collect()
            ))),
        ]
    })
}

fn log() -> impl Strategy<Value = LogData> {
    let severity = prop_oneof![
        Just(None),
        Just(Some(Severity::Info)),
        Just(Some(Severity::Fatal4))
    ];
    (
        (prop::option::of(time()), prop::option::of(time()), severity),
        (
            prop::option::of(prop_oneof![Just("INFO"), Just(""), Just("WARN")]),
            prop::option::of(log_value()),
            prop::collection::vec((text(), log_value()), 0..4),
        ),
        (
            prop::option::of((any::<u128>(), any::<u64>(), prop::option::of(any::<u8>()))),
            prop::option::of(prop_oneof![Just("ev"), Just("")]),
            prop::option::of(prop_oneof![Just("a::b"), Just("c")]),
            0..scopes().len(),
        ),
    )
        .prop_map(
            |((ts, observed, severity), (text, body, attrs), (trace, event, target, scope))| {
                let mut record = SdkLogRecord::new(LogRecordLimits {
                    attribute_count_limit: 3,
                    attribute_value_length_limit: None,
                });
                if let Some(t) = ts {
                    record.set_timestamp(t);
                }
                if let Some(t) = observed {
                    record.set_observed_timestamp(t);
                }
                if let Some(s) = severity {
                    record.set_severity_number(s);
                }
                if let Some(s) = text {
                    record.set_severity_text(s);
                }
                if let Some(b) = body {
                    record.set_body(b);
                }
                for (k, v) in attrs {
                    record.add_attribute(k, v);
                }
                if let Some((t, s, f)) = trace {
                    record.set_trace_context(
                        TraceId::from_bytes(t.to_be_bytes()),
                        SpanId::from_bytes(s.to_be_bytes()),
                        f.map(TraceFlags::new),
                    );
                }
                if let Some(e) = event {
                    record.set_event_name(e);
                }
                if let Some(t) = target {
                    record.set_target(t);
                }
                LogData {
                    record,
                    instrumentation_scope: Arc::new(scopes()[scope].clone()),
                }
            },
        )
}

/// Numbers of one type of metric data.
trait Num: Clone + std::fmt::Debug + 'static {
    fn strategy() -> BoxedStrategy<Self>;
}
impl Num for f64 {
    fn strategy() -> BoxedStrategy<Self> {
        double().boxed()
    }
}
impl Num for i64 {
    fn strategy() -> BoxedStrategy<Self> {
        int().boxed()
    }
}
impl Num for u64 {
    fn strategy() -> BoxedStrategy<Self> {
        prop_oneof![any::<u64>(), 0u64..100, Just(u64::MAX)].boxed()
    }
}

fn exemplars<T: Num>() -> impl Strategy<Value = Vec<Exemplar<T>>> {
    prop::collection::vec(
        (
            attributes(),
            time(),
            T::strategy(),
            prop_oneof![Just(0u128), any::<u128>()],
            prop_oneof![Just(0u64), any::<u64>()],
        )
            .prop_map(|(filtered_attributes, time, value, t, s)| Exemplar {
                filtered_attributes,
                time,
                value,
                trace_id: TraceId::from_bytes(t.to_be_bytes()),
                span_id: SpanId::from_bytes(s.to_be_bytes()),
            }),
        0..3,
    )
}

fn temporality() -> impl Strategy<Value = Temporality> {
    prop_oneof![Just(Temporality::Cumulative), Just(Temporality::Delta)]
}

fn bucket() -> impl Strategy<Value = ExponentialBucket> {
    (any::<i32>(), prop::collection::vec(any::<u64>(), 0..6)).prop_map(|(offset, bucket_counts)| {
        ExponentialBucket {
            offset,
            bucket_counts,
        }
    })
}

fn metric_data<T: Num>() -> impl Strategy<Value = MetricData<T>> {
    let gauge = prop::collection::vec(
        (
            attributes(),
            prop::option::of(time()),
            time(),
            T::strategy(),
            exemplars::<T>(),
        )
            .prop_map(
                |(attributes, start_time, time, value, exemplars)| GaugeDataPoint {
                    attributes: attributes.into(),
                    start_time,
                    time,
                    value,
                    exemplars,
                },
            ),
        0..3,
    )
    .prop_map(|data_points| MetricData::Gauge(Gauge { data_points }));
    let sum = (
        prop::collection::vec(
            (
                attributes(),
                time(),
                time(),
                T::strategy(),
                exemplars::<T>(),
            )
                .prop_map(|(attributes, start_time, time, value, exemplars)| {
                    SumDataPoint {
                        attributes: attributes.into(),
                        start_time,
                        time,
                        value,
                        exemplars,
                    }
                }),
            0..3,
        ),
        temporality(),
        any::<bool>(),
    )
        .prop_map(|(data_points, temporality, is_monotonic)| {
            MetricData::Sum(Sum {
                data_points,
                temporality,
                is_monotonic,
            })
        });
    let histogram = (
        prop::collection::vec(
            (
                (attributes(), time(), time(), any::<u64>()),
                (
                    prop::collection::vec(double(), 0..5),
                    prop::collection::vec(any::<u64>(), 0..6),
                ),
                (
                    prop::option::of(T::strategy()),
                    prop::option::of(T::strategy()),
                    prop::option::of(T::strategy()),
                    exemplars::<T>(),
                ),
            )
                .prop_map(
                    |(
                        (attributes, start_time, time, count),
                        (bounds, bucket_counts),
                        (min, max, sum, exemplars),
                    )| HistogramDataPoint {
                        attributes: attributes.into(),
                        start_time,
                        time,
                        count,
                        bounds,
                        bucket_counts,
                        min,
                        max,
                        sum,
                        exemplars,
                    },
                ),
            0..3,
        ),
        temporality(),
    )
        .prop_map(|(data_points, temporality)| {
            MetricData::Histogram(Histogram {
                data_points,
                temporality,
            })
        });
    let exponential = (
        prop::collection::vec(
            (
                (attributes(), time(), time(), any::<u64>()),
                (
                    prop::option::of(T::strategy()),
                    prop::option::of(T::strategy()),
                    prop::option::of(T::strategy()),
                    any::<i8>(),
                ),
                (any::<u64>(), double(), bucket(), bucket(), exemplars::<T>()),
            )
                .prop_map(
                    |(
                        (attributes, start_time, time, count),
                        (min, max, sum, scale),
                        (zero_count, zero_threshold, positive_bucket, negative_bucket, exemplars),
                    )| ExponentialHistogramDataPoint {
                        attributes: attributes.into(),
                        start_time,
                        time,
                        count,
                        min,
                        max,
                        sum,
                        scale,
                        zero_count,
                        zero_threshold,
                        positive_bucket,
                        negative_bucket,
                        exemplars,
                    },
                ),
            0..3,
        ),
        temporality(),
    )
        .prop_map(|(data_points, temporality)| {
            MetricData::ExponentialHistogram(ExponentialHistogram {
                data_points,
                temporality,
            })
        });
    prop_oneof![gauge, sum, histogram, exponential]
}

fn metric() -> impl Strategy<Value = Metric> {
    (
        text(),
        text(),
        prop_oneof![Just(""), Just("ms")],
        prop_oneof![
            metric_data::<f64>().prop_map(AggregatedMetrics::F64),
            metric_data::<u64>().prop_map(AggregatedMetrics::U64),
            metric_data::<i64>().prop_map(AggregatedMetrics::I64),
        ],
    )
        .prop_map(|(name, description, unit, data)| Metric {
            name: name.into(),
            description: description.into(),
            unit: unit.into(),
            data,
        })
}

fn resource_metrics() -> impl Strategy<Value = ResourceMetrics> {
    (
        resource_strategy(),
        prop::collection::vec(
            (0..scopes().len(), prop::collection::vec(metric(), 0..4)).prop_map(
                |(scope, metrics)| ScopeMetrics {
                    scope: scopes()[scope].clone(),
                    metrics,
                },
            ),
            0..3,
        ),
    )
        .prop_map(|(resource, scope_metrics)| ResourceMetrics {
            resource,
            scope_metrics,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_spans_encode_as_the_conversion(
        spans in prop::collection::vec(span(), 0..6),
        resource in resource_strategy(),
    ) {
        check_spans(&spans, &resource);
    }

    #[test]
    fn random_metrics_encode_as_the_conversion(metrics in resource_metrics()) {
        check_metrics(&metrics);
    }

    #[test]
    fn random_logs_encode_as_the_conversion(
        logs in prop::collection::vec(log(), 0..6),
        resource in resource_strategy(),
    ) {
        check_logs(&logs, &resource);
    }
}
