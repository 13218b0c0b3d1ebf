//! SDK data with every field populated, shared by the conversion and the Python peer tests.
#![allow(dead_code)]

use opentelemetry_api::logs::{LogRecord as _, Severity};
use opentelemetry_api::trace::{
    Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{AnyValue, Array, InstrumentationScope, Key, KeyValue, StringValue};
use opentelemetry_sdk::logs::{LogData, LogRecordLimits, SdkLogRecord};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Exemplar, Gauge, GaugeDataPoint, Histogram, HistogramDataPoint, Metric,
    MetricData, ResourceMetrics, ScopeMetrics, Sum, SumDataPoint, Temporality,
};
use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanLinks};
use opentelemetry_sdk::Resource;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2023-11-14T22:13:20.123456789Z.
pub const T0: u64 = 1_700_000_000_123_456_789;

pub fn at(nanos: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(nanos)
}

pub const TRACE_ID: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
pub const SPAN_ID: [u8; 8] = [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18];
pub const PARENT_ID: [u8; 8] = [0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28];
pub const LINK_TRACE_ID: [u8; 16] = [0xa0; 16];
pub const LINK_SPAN_ID: [u8; 8] = [0xb0, 1, 2, 3, 4, 5, 6, 0xff];
pub const SCHEMA_URL: &str = "https://opentelemetry.io/schemas/1.30.0";
pub const SCOPE_SCHEMA_URL: &str = "https://example.com/schemas/lib-a";

pub fn resource() -> Resource {
    Resource::from_schema_url(
        [
            KeyValue::new("service.name", "checkout"),
            KeyValue::new("host.cpus", 8i64),
        ],
        SCHEMA_URL,
    )
}

pub fn scope_a() -> InstrumentationScope {
    InstrumentationScope::builder("lib-a")
        .with_version("1.2.3")
        .with_schema_url(SCOPE_SCHEMA_URL)
        .with_attributes([KeyValue::new("scope.attr", "x")])
        .build()
}

pub fn scope_b() -> InstrumentationScope {
    InstrumentationScope::builder("lib-b").build()
}

/// One attribute of every value kind.
pub fn every_attribute_kind() -> Vec<KeyValue> {
    vec![
        KeyValue::new("bool", true),
        KeyValue::new("int", -9_007_199_254_740_993i64), // beyond f64's exact integers
        KeyValue::new("double", 2.5),
        KeyValue::new("string", "héllo"),
        KeyValue::new("bools", Array::Bool(vec![true, false])),
        KeyValue::new("ints", Array::I64(vec![1, -2, i64::MAX])),
        KeyValue::new("doubles", Array::F64(vec![0.5, -1.25])),
        KeyValue::new(
            "strings",
            Array::String(vec![StringValue::from("a"), StringValue::from("")]),
        ),
    ]
}

/// Spans: the first with every field, then one of each other kind and status; the scopes
/// alternate (A, B, A) and the third span's scope is an equal but separate `Arc`.
pub fn spans() -> Vec<SpanData> {
    // SpanData holds interned scopes (`&'static`); a test leaks its few.
    let scope_a: &'static InstrumentationScope = Box::leak(Box::new(scope_a()));
    let trace_state = TraceState::from_key_value([("k1", "v1"), ("k2", "v2")]).unwrap();
    let full = SpanData {
        span_context: SpanContext::new(
            TraceId::from_bytes(TRACE_ID),
            SpanId::from_bytes(SPAN_ID),
            TraceFlags::SAMPLED | TraceFlags::RANDOM,
            false,
            trace_state.clone(),
        ),
        parent_span_id: SpanId::from_bytes(PARENT_ID),
        parent_span_is_remote: true,
        span_kind: SpanKind::Server,
        name: Cow::Borrowed("GET /cart"),
        start_time: at(T0),
        end_time: at(T0 + 1_500),
        attributes: every_attribute_kind(),
        dropped_attributes_count: 3,
        events: SpanEvents {
            events: vec![
                Event {
                    name: Cow::Borrowed("cache.miss"),
                    timestamp: at(T0 + 10),
                    attributes: vec![KeyValue::new("cache.key", "cart:42")],
                    dropped_attributes_count: 1,
                },
                Event {
                    name: Cow::Borrowed("retry"),
                    timestamp: at(T0 + 20),
                    attributes: Vec::new(),
                    dropped_attributes_count: 0,
                },
            ],
            dropped_count: 4,
        },
        links: SpanLinks {
            links: vec![
                Link {
                    span_context: SpanContext::new(
                        TraceId::from_bytes(LINK_TRACE_ID),
                        SpanId::from_bytes(LINK_SPAN_ID),
                        TraceFlags::SAMPLED,
                        true,
                        TraceState::from_key_value([("vendor", "opaque")]).unwrap(),
                    ),
                    attributes: vec![KeyValue::new("link.kind", "follows")],
                    dropped_attributes_count: 2,
                },
                Link::with_context(SpanContext::new(
                    TraceId::from_bytes(LINK_TRACE_ID),
                    SpanId::from_bytes([0xc0, 0, 0, 0, 0, 0, 0, 1]),
                    TraceFlags::NOT_SAMPLED,
                    false,
                    TraceState::NONE,
                )),
            ],
            dropped_count: 5,
        },
        status: Status::error("payment declined"),
        instrumentation_scope: scope_a,
    };
    let simple =
        |span_id: u8, kind: SpanKind, status: Status, scope: InstrumentationScope| SpanData {
            span_context: SpanContext::new(
                TraceId::from_bytes(TRACE_ID),
                SpanId::from_bytes([0, 0, 0, 0, 0, 0, 0, span_id]),
                TraceFlags::NOT_SAMPLED,
                false,
                TraceState::NONE,
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: kind,
            name: Cow::Owned(format!("span-{span_id}")),
            start_time: at(T0),
            end_time: at(T0 + 1),
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status,
            instrumentation_scope: Box::leak(Box::new(scope)),
        };
    vec![
        full,
        simple(2, SpanKind::Client, Status::Ok, scope_b()),
        simple(3, SpanKind::Producer, Status::Unset, self::scope_a()),
        simple(4, SpanKind::Consumer, Status::Unset, scope_b()),
        simple(5, SpanKind::Internal, Status::Unset, scope_b()),
    ]
}

fn exemplar<T>(value: T) -> Exemplar<T> {
    Exemplar {
        filtered_attributes: vec![KeyValue::new("user", "ann")],
        time: at(T0 + 5),
        value,
        trace_id: TraceId::from_bytes(TRACE_ID),
        span_id: SpanId::from_bytes(SPAN_ID),
    }
}

fn metric(name: &'static str, data: AggregatedMetrics) -> Metric {
    Metric {
        name: Cow::Borrowed(name),
        description: Cow::Borrowed("a description"),
        unit: Cow::Borrowed("ms"),
        data,
    }
}

fn attrs() -> Vec<KeyValue> {
    vec![KeyValue::new("route", "/cart")]
}

/// One metric of every data kind and number type, both temporalities, both monotonicities.
pub fn metrics() -> ResourceMetrics {
    ResourceMetrics {
        resource: resource(),
        scope_metrics: vec![
            ScopeMetrics {
                scope: scope_a(),
                metrics: vec![
                    metric(
                        "f64.gauge",
                        AggregatedMetrics::F64(MetricData::Gauge(Gauge {
                            data_points: vec![GaugeDataPoint {
                                attributes: attrs().into(),
                                start_time: Some(at(T0)),
                                time: at(T0 + 100),
                                value: 2.5,
                                exemplars: vec![exemplar(2.5)],
                            }],
                        })),
                    ),
                    metric(
                        "i64.gauge",
                        AggregatedMetrics::I64(MetricData::Gauge(Gauge {
                            data_points: vec![GaugeDataPoint {
                                attributes: Default::default(),
                                start_time: None,
                                time: at(T0 + 100),
                                value: -7,
                                exemplars: Vec::new(),
                            }],
                        })),
                    ),
                    metric(
                        "u64.sum",
                        AggregatedMetrics::U64(MetricData::Sum(Sum {
                            data_points: vec![SumDataPoint {
                                attributes: attrs().into(),
                                start_time: at(T0),
                                time: at(T0 + 100),
                                value: 42,
                                exemplars: vec![exemplar(42)],
                            }],
                            temporality: Temporality::Cumulative,
                            is_monotonic: true,
                        })),
                    ),
                    metric(
                        "i64.updown",
                        AggregatedMetrics::I64(MetricData::Sum(Sum {
                            data_points: vec![SumDataPoint {
                                attributes: Default::default(),
                                start_time: at(T0 + 50),
                                time: at(T0 + 100),
                                value: -3,
                                exemplars: vec![exemplar(-3)],
                            }],
                            temporality: Temporality::Delta,
                            is_monotonic: false,
                        })),
                    ),
                ],
            },
            ScopeMetrics {
                scope: scope_b(),
                metrics: vec![
                    metric(
                        "f64.sum",
                        AggregatedMetrics::F64(MetricData::Sum(Sum {
                            data_points: vec![SumDataPoint {
                                attributes: Default::default(),
                                start_time: at(T0 + 50),
                                time: at(T0 + 100),
                                value: 1.25,
                                exemplars: Vec::new(),
                            }],
                            temporality: Temporality::Delta,
                            is_monotonic: true,
                        })),
                    ),
                    metric(
                        "f64.histogram",
                        AggregatedMetrics::F64(MetricData::Histogram(Histogram {
                            data_points: vec![HistogramDataPoint {
                                attributes: attrs().into(),
                                start_time: at(T0 + 50),
                                time: at(T0 + 100),
                                count: 10,
                                bounds: vec![0.0, 5.0, 10.0],
                                bucket_counts: vec![1, 2, 3, 4],
                                min: Some(-1.5),
                                max: Some(12.0),
                                sum: Some(40.5),
                                exemplars: vec![exemplar(12.0)],
                            }],
                            temporality: Temporality::Delta,
                        })),
                    ),
                    metric(
                        "u64.histogram",
                        AggregatedMetrics::U64(MetricData::Histogram(Histogram {
                            data_points: vec![HistogramDataPoint {
                                attributes: Default::default(),
                                start_time: at(T0),
                                time: at(T0 + 100),
                                count: 3,
                                bounds: vec![100.0],
                                bucket_counts: vec![3, 0],
                                min: None,
                                max: None,
                                sum: Some(30),
                                exemplars: Vec::new(),
                            }],
                            temporality: Temporality::Cumulative,
                        })),
                    ),
                    metric(
                        "i64.histogram",
                        AggregatedMetrics::I64(MetricData::Histogram(Histogram {
                            data_points: vec![HistogramDataPoint {
                                attributes: Default::default(),
                                start_time: at(T0),
                                time: at(T0 + 100),
                                count: 2,
                                bounds: Vec::new(),
                                bucket_counts: vec![2],
                                min: Some(-4),
                                max: Some(0),
                                sum: None,
                                exemplars: Vec::new(),
                            }],
                            temporality: Temporality::Cumulative,
                        })),
                    ),
                ],
            },
        ],
    }
}

/// A log body of every kind, nested lists and maps included.
pub fn bodies() -> Vec<AnyValue> {
    vec![
        AnyValue::Map(Box::new(vec![
            (Key::from("order"), AnyValue::Int(42)),
            (
                Key::from("items"),
                AnyValue::ListAny(Box::new(vec![
                    AnyValue::from("book"),
                    AnyValue::Double(9.5),
                    AnyValue::Boolean(false),
                    AnyValue::Bytes(Box::new(vec![0, 1, 254, 255])),
                    AnyValue::Map(Box::new(vec![(Key::from("deep"), AnyValue::Int(-1))])),
                ])),
            ),
            (Key::from("empty"), AnyValue::Map(Box::default())),
        ])),
        AnyValue::Int(-17),
        AnyValue::Double(0.25),
        AnyValue::from("plain text"),
        AnyValue::Boolean(true),
        AnyValue::Bytes(Box::new(b"\x00raw\xff".to_vec())),
        AnyValue::ListAny(Box::new(vec![AnyValue::Int(1), AnyValue::from("two")])),
        AnyValue::from(""),
    ]
}

/// Log records: the first with every field (and two attributes over its limit), then one
/// per other body kind, and one without a body, across scopes and targets.
pub fn logs() -> Vec<LogData> {
    let scope_a = Arc::new(scope_a());
    let scope_b = Arc::new(scope_b());
    let mut out = Vec::new();
    for (i, body) in bodies().into_iter().enumerate() {
        let mut record = SdkLogRecord::new(LogRecordLimits {
            attribute_count_limit: 9,
            attribute_value_length_limit: None,
        });
        record.set_body(body);
        record.set_observed_timestamp(at(T0 + 2_000 + i as u64));
        if i == 0 {
            record.set_timestamp(at(T0 + 1_000));
            record.set_severity_number(Severity::Warn3);
            record.set_severity_text("WARNING");
            record.set_event_name("payment.declined");
            record.set_target("shop::payments");
            record.set_trace_context(
                TraceId::from_bytes(TRACE_ID),
                SpanId::from_bytes(SPAN_ID),
                Some(TraceFlags::SAMPLED),
            );
            for kv in every_attribute_kind() {
                record.add_attribute(kv.key, AnyValue::from(kv.value));
            }
            record.add_attribute("bytes", AnyValue::Bytes(Box::new(vec![7, 8])));
            record.add_attribute("over.limit.1", 1i64);
            record.add_attribute("over.limit.2", 2i64);
        } else if i == 1 {
            // Trace context without flags.
            record.set_severity_number(Severity::Fatal4);
            record.set_trace_context(
                TraceId::from_bytes(TRACE_ID),
                SpanId::from_bytes(PARENT_ID),
                None,
            );
        }
        let scope = if i % 2 == 0 { &scope_a } else { &scope_b };
        out.push(LogData {
            record,
            instrumentation_scope: Arc::clone(scope),
        });
    }
    let mut record = SdkLogRecord::default();
    record.set_severity_number(Severity::Trace);
    out.push(LogData {
        record,
        instrumentation_scope: Arc::new(self::scope_b()),
    });
    out
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
