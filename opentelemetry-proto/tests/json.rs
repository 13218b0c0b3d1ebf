//! The OTLP/JSON mapping: what we write and what we accept.
#![cfg(feature = "with-serde")]

use opentelemetry_proto::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::logs::v1::LogRecord;
use opentelemetry_proto::metrics::v1::{
    exemplar, metric, number_data_point, Exemplar, Gauge, HistogramDataPoint, Metric,
    NumberDataPoint,
};
use opentelemetry_proto::trace::v1::{span, Span, Status};
use serde_json::json;

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

#[test]
fn ids_are_hex_64_bit_integers_strings_enums_integers_names_lower_camel_case() {
    let span = Span {
        trace_id: vec![
            0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f,
            0xc6, 0x0c,
        ],
        span_id: vec![0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74],
        parent_span_id: vec![0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x73],
        name: "I'm a server span".into(),
        kind: span::SpanKind::Server as i32,
        start_time_unix_nano: 1_544_712_660_000_000_000,
        end_time_unix_nano: 1_544_712_661_000_000_000,
        flags: 0x301,
        attributes: vec![KeyValue {
            key: "my.span.attr".into(),
            value: Some(AnyValue {
                value: Some(any_value::Value::StringValue("some value".into())),
            }),
            key_strindex: 0,
        }],
        dropped_links_count: 2,
        status: Some(Status {
            message: String::new(),
            code: 1,
        }),
        ..Default::default()
    };
    assert_eq!(
        to_json(&span),
        json!({
            "traceId": "5b8efff798038103d269b633813fc60c",
            "spanId": "eee19b7ec3c1b174",
            "parentSpanId": "eee19b7ec3c1b173",
            "flags": 769,
            "name": "I'm a server span",
            "kind": 2,
            "startTimeUnixNano": "1544712660000000000",
            "endTimeUnixNano": "1544712661000000000",
            "attributes": [{"key": "my.span.attr", "value": {"stringValue": "some value"}}],
            "droppedLinksCount": 2,
            "status": {"code": 1},
        })
    );
}

#[test]
fn fields_at_their_default_are_left_out_but_set_oneof_members_and_optionals_are_not() {
    assert_eq!(to_json(&Span::default()), json!({}));
    assert_eq!(to_json(&LogRecord::default()), json!({}));
    // A oneof member holding its type's default is still set.
    let zero = AnyValue {
        value: Some(any_value::Value::IntValue(0)),
    };
    assert_eq!(to_json(&zero), json!({"intValue": "0"}));
    let empty = AnyValue {
        value: Some(any_value::Value::StringValue(String::new())),
    };
    assert_eq!(to_json(&empty), json!({"stringValue": ""}));
    assert_eq!(to_json(&AnyValue { value: None }), json!({}));
    // `optional double` fields: absent when None, written when zero.
    let point = HistogramDataPoint {
        sum: Some(0.0),
        min: None,
        ..Default::default()
    };
    assert_eq!(to_json(&point), json!({"sum": 0.0}));
    let point = NumberDataPoint {
        value: Some(number_data_point::Value::AsInt(0)),
        ..Default::default()
    };
    assert_eq!(to_json(&point), json!({"asInt": "0"}));
}

#[test]
fn every_any_value_kind_has_its_member_name() {
    use any_value::Value as V;
    let cases = [
        (V::StringValue("s".into()), json!({"stringValue": "s"})),
        (V::BoolValue(false), json!({"boolValue": false})),
        (
            V::IntValue(-9_007_199_254_740_993),
            json!({"intValue": "-9007199254740993"}),
        ),
        (V::DoubleValue(1.5), json!({"doubleValue": 1.5})),
        (
            V::ArrayValue(opentelemetry_proto::common::v1::ArrayValue {
                values: vec![AnyValue {
                    value: Some(V::BoolValue(true)),
                }],
            }),
            json!({"arrayValue": {"values": [{"boolValue": true}]}}),
        ),
        (
            V::KvlistValue(opentelemetry_proto::common::v1::KeyValueList {
                values: vec![KeyValue {
                    key: "k".into(),
                    value: None,
                    key_strindex: 0,
                }],
            }),
            json!({"kvlistValue": {"values": [{"key": "k"}]}}),
        ),
        (
            V::BytesValue(vec![0, 1, 0xfe, 0xff]),
            json!({"bytesValue": "AAH+/w=="}),
        ),
        (V::StringValueStrindex(4), json!({"stringValueStrindex": 4})),
    ];
    for (value, expected) in cases {
        let any = AnyValue { value: Some(value) };
        assert_eq!(to_json(&any), expected);
        let back: AnyValue = serde_json::from_value(expected).unwrap();
        assert_eq!(back, any);
    }
}

#[test]
fn metric_data_and_point_values_use_the_oneof_member_names() {
    let metric = Metric {
        name: "m".into(),
        data: Some(metric::Data::Gauge(Gauge {
            data_points: vec![NumberDataPoint {
                value: Some(number_data_point::Value::AsDouble(f64::NAN)),
                exemplars: vec![Exemplar {
                    value: Some(exemplar::Value::AsInt(-5)),
                    trace_id: vec![0xab; 16],
                    span_id: vec![0xcd; 8],
                    ..Default::default()
                }],
                ..Default::default()
            }],
        })),
        ..Default::default()
    };
    assert_eq!(
        to_json(&metric),
        json!({"name": "m", "gauge": {"dataPoints": [{
            "asDouble": "NaN",
            "exemplars": [{"asInt": "-5", "spanId": "cdcdcdcdcdcdcdcd", "traceId": "abababababababababababababababab"}],
        }]}})
    );
    let back: Metric = serde_json::from_value(to_json(&metric)).unwrap();
    let Some(metric::Data::Gauge(gauge)) = back.data else {
        panic!("a gauge")
    };
    assert!(
        matches!(gauge.data_points[0].value, Some(number_data_point::Value::AsDouble(v)) if v.is_nan())
    );
    assert_eq!(gauge.data_points[0].exemplars[0].trace_id, vec![0xab; 16]);
}

#[test]
fn input_accepts_numbers_or_strings_upper_case_hex_and_null_and_ignores_unknown_fields() {
    let span: Span = serde_json::from_value(json!({
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": null,
        "name": null,
        "kind": "3",
        "flags": "256",
        "startTimeUnixNano": 1544712660000000000u64,
        "endTimeUnixNano": "1544712661000000000",
        "droppedAttributesCount": 1e0,
        "attributes": null,
        "status": null,
        "someFieldFromTheFuture": {"nested": [1, 2, 3]},
    }))
    .unwrap();
    assert_eq!(span.trace_id[0], 0x5b);
    assert_eq!(span.trace_id.len(), 16);
    assert!(span.span_id.is_empty());
    assert_eq!(span.name, "");
    assert_eq!(span.kind, 3);
    assert_eq!(span.flags, 256);
    assert_eq!(span.start_time_unix_nano, 1_544_712_660_000_000_000);
    assert_eq!(span.end_time_unix_nano, 1_544_712_661_000_000_000);
    assert_eq!(span.dropped_attributes_count, 1);
    assert_eq!(span.status, None);

    let point: HistogramDataPoint = serde_json::from_value(json!({
        "bucketCounts": ["1", 2],
        "explicitBounds": [1, "Infinity", "-Infinity"],
        "max": "2.5",
        "min": null,
    }))
    .unwrap();
    assert_eq!(point.bucket_counts, [1, 2]);
    assert_eq!(
        point.explicit_bounds,
        [1.0, f64::INFINITY, f64::NEG_INFINITY]
    );
    assert_eq!((point.max, point.min), (Some(2.5), None));

    // Unpadded and URL-safe base64 in bytes values.
    let any: AnyValue = serde_json::from_value(json!({"bytesValue": "AAH-_w"})).unwrap();
    assert_eq!(
        any.value,
        Some(any_value::Value::BytesValue(vec![0, 1, 0xfe, 0xff]))
    );
}

#[test]
fn malformed_input_is_an_error_not_a_guess() {
    let bad = [
        json!({"traceId": "5b8"}),
        json!({"traceId": "zz8efff798038103d269b633813fc60c"}),
        json!({"startTimeUnixNano": "12.5"}),
        json!({"startTimeUnixNano": -1}),
        json!({"kind": "server"}),
        json!({"droppedAttributesCount": 4294967296u64}),
    ];
    for input in bad {
        assert!(
            serde_json::from_value::<Span>(input.clone()).is_err(),
            "{input}"
        );
    }
    assert!(
        serde_json::from_value::<AnyValue>(json!({"intValue": "1", "boolValue": true})).is_err()
    );
    assert!(
        serde_json::from_value::<NumberDataPoint>(json!({"asInt": "1", "asDouble": 1.0})).is_err()
    );
    assert!(serde_json::from_value::<Metric>(json!({"gauge": {}, "sum": {}})).is_err());
    assert!(serde_json::from_value::<AnyValue>(json!({"bytesValue": "!!"})).is_err());
}

#[test]
fn a_request_round_trips() {
    let request: ExportTraceServiceRequest = serde_json::from_value(json!({
        "resourceSpans": [{
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my.service"}}]},
            "scopeSpans": [{
                "scope": {"name": "my.library", "version": "1.0.0"},
                "spans": [{
                    "traceId": "5b8efff798038103d269b633813fc60c",
                    "spanId": "eee19b7ec3c1b174",
                    "name": "I'm a server span",
                    "kind": 2,
                    "startTimeUnixNano": "1544712660000000000",
                    "endTimeUnixNano": "1544712661000000000",
                    "events": [{"timeUnixNano": "1544712660500000000", "name": "e"}],
                    "links": [{"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b173", "flags": 256}],
                    "status": {"message": "m", "code": 2},
                }],
                "schemaUrl": "https://example.com/scope",
            }],
            "schemaUrl": "https://opentelemetry.io/schemas/1.30.0",
        }]
    }))
    .unwrap();
    let again: ExportTraceServiceRequest = serde_json::from_value(to_json(&request)).unwrap();
    assert_eq!(again, request);
    let span = &request.resource_spans[0].scope_spans[0].spans[0];
    assert_eq!(span.events[0].time_unix_nano, 1_544_712_660_500_000_000);
    assert_eq!(span.links[0].flags, 256);
    assert_eq!(span.status.as_ref().unwrap().code, 2);
}

#[test]
fn extreme_64_bit_integers_are_exact_strings() {
    for (value, text) in [
        (i64::MIN, "-9223372036854775808"),
        (i64::MAX, "9223372036854775807"),
        (-1, "-1"),
        (0, "0"),
    ] {
        let any = AnyValue {
            value: Some(any_value::Value::IntValue(value)),
        };
        assert_eq!(to_json(&any), json!({ "intValue": text }));
        assert_eq!(
            serde_json::from_value::<AnyValue>(to_json(&any)).unwrap(),
            any
        );
    }
    let point = HistogramDataPoint {
        count: u64::MAX,
        bucket_counts: vec![u64::MAX, 10, 0],
        ..Default::default()
    };
    assert_eq!(
        to_json(&point),
        json!({"count": "18446744073709551615", "bucketCounts": ["18446744073709551615", "10", "0"]})
    );
    assert_eq!(
        serde_json::from_value::<HistogramDataPoint>(to_json(&point)).unwrap(),
        point
    );
}
