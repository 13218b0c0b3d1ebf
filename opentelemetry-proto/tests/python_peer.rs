//! The official OTLP classes (PyPI `opentelemetry-proto`, with `protobuf`) as a real peer:
//! they decode what we encode, as protobuf and as OTLP/JSON, and we decode what they encode.
//!
//! `tests/python/otlp_peer.py` does the Python side; `.ci/run` installs the pinned packages.
//! Without `python3` the tests say so and skip; with `python3` but without the packages they
//! fail.
#![cfg(all(feature = "sdk", feature = "with-serde"))]

mod common;

use common::*;
use opentelemetry_proto::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::common::v1::{
    any_value, AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::metrics::v1::{
    exemplar, exponential_histogram_data_point::Buckets, metric, number_data_point,
    summary_data_point::ValueAtQuantile, Exemplar, ExponentialHistogram,
    ExponentialHistogramDataPoint, Gauge, Histogram, HistogramDataPoint, Metric, NumberDataPoint,
    ResourceMetrics, ScopeMetrics, Sum, Summary, SummaryDataPoint,
};
use opentelemetry_proto::resource::v1::Resource;
use opentelemetry_proto::trace::v1::{span, ResourceSpans, ScopeSpans, Span, Status};
use prost::Message;
use serde_json::{json, Value as Json};
use std::path::PathBuf;
use std::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/otlp_peer.py");

/// Whether python3 runs; when it does not, the test says so and skips.
#[allow(clippy::print_stderr)]
fn have_python() -> bool {
    match Command::new("python3").arg("--version").output() {
        Ok(out) if out.status.success() => true,
        _ => {
            eprintln!("SKIPPED: python3 is missing, so the official OTLP classes cannot be run");
            false
        }
    }
}

fn files(name: &str) -> (PathBuf, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("otlp-python-peer");
    std::fs::create_dir_all(&dir).unwrap();
    let stem = format!("{name}-{}", std::process::id());
    (
        dir.join(format!("{stem}.pb")),
        dir.join(format!("{stem}.json")),
    )
}

fn run_python(args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{SCRIPT} {args:?} failed (are opentelemetry-proto and protobuf installed? `.ci/run` \
         installs them):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Has Python decode `message` from protobuf and from OTLP/JSON; checks that both decodings
/// agree and returns one of them as canonical JSON (set fields only, snake_case, hex bytes).
fn python_decodes<M: Message + serde::Serialize>(signal: &str, message: &M) -> Json {
    let (pb, json_file) = files(signal);
    std::fs::write(&pb, message.encode_to_vec()).unwrap();
    std::fs::write(&json_file, serde_json::to_vec(message).unwrap()).unwrap();
    let out = run_python(&[
        "decode",
        signal,
        pb.to_str().unwrap(),
        json_file.to_str().unwrap(),
    ]);
    let out: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(
        out["pb"], out["json"],
        "protobuf and JSON decode differently"
    );
    out["pb"].clone()
}

/// Compares `actual` with `expected`, naming the path of the first difference.
fn assert_tree(path: &str, actual: &Json, expected: &Json) {
    match (actual, expected) {
        (Json::Object(a), Json::Object(e)) => {
            for key in a.keys().chain(e.keys()) {
                let (x, y) = (a.get(key), e.get(key));
                match (x, y) {
                    (Some(x), Some(y)) => assert_tree(&format!("{path}.{key}"), x, y),
                    _ => panic!("{path}.{key}: got {x:?}, expected {y:?}"),
                }
            }
        }
        (Json::Array(a), Json::Array(e)) => {
            assert_eq!(
                a.len(),
                e.len(),
                "{path}: length differs: {actual} vs {expected}"
            );
            for (i, (x, y)) in a.iter().zip(e).enumerate() {
                assert_tree(&format!("{path}[{i}]"), x, y);
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

fn t(offset: u64) -> Json {
    json!(T0 + offset)
}

fn attr(key: &str, value: Json) -> Json {
    json!({"key": key, "value": value})
}

fn every_attribute_kind_dump() -> Json {
    json!([
        attr("bool", json!({"bool_value": true})),
        attr("int", json!({"int_value": -9_007_199_254_740_993i64})),
        attr("double", json!({"double_value": 2.5})),
        attr("string", json!({"string_value": "héllo"})),
        attr(
            "bools",
            json!({"array_value": {"values": [{"bool_value": true}, {"bool_value": false}]}})
        ),
        attr(
            "ints",
            json!({"array_value": {"values": [{"int_value": 1}, {"int_value": -2}, {"int_value": i64::MAX}]}})
        ),
        attr(
            "doubles",
            json!({"array_value": {"values": [{"double_value": 0.5}, {"double_value": -1.25}]}})
        ),
        attr(
            "strings",
            json!({"array_value": {"values": [{"string_value": "a"}, {"string_value": ""}]}})
        ),
    ])
}

fn resource_dump() -> Json {
    json!({"attributes": [
        attr("service.name", json!({"string_value": "checkout"})),
        attr("host.cpus", json!({"int_value": 8})),
    ]})
}

fn scope_a_dump() -> Json {
    json!({"name": "lib-a", "version": "1.2.3", "attributes": [attr("scope.attr", json!({"string_value": "x"}))]})
}

#[test]
fn python_decodes_our_traces_with_every_field() {
    if !have_python() {
        return;
    }
    let request = ExportTraceServiceRequest::from_spans(&spans(), &resource());
    let decoded = python_decodes("traces", &request);

    let simple = |id: u8, kind: i64| {
        json!({
            "trace_id": hex(&TRACE_ID),
            "span_id": format!("00000000000000{id:02x}"),
            "flags": 0x100,
            "name": format!("span-{id}"),
            "kind": kind,
            "start_time_unix_nano": t(0),
            "end_time_unix_nano": t(1),
        })
    };
    let mut client = simple(2, 3);
    client["status"] = json!({"code": 1});
    let expected = json!({"resource_spans": [{
        "resource": resource_dump(),
        "schema_url": SCHEMA_URL,
        "scope_spans": [
            {
                "scope": scope_a_dump(),
                "schema_url": SCOPE_SCHEMA_URL,
                "spans": [
                    {
                        "trace_id": hex(&TRACE_ID),
                        "span_id": hex(&SPAN_ID),
                        "trace_state": "k1=v1,k2=v2",
                        "parent_span_id": hex(&PARENT_ID),
                        // sampled | random, parent remoteness known, parent remote
                        "flags": 0x03 | 0x100 | 0x200,
                        "name": "GET /cart",
                        "kind": 2,
                        "start_time_unix_nano": t(0),
                        "end_time_unix_nano": t(1_500),
                        "attributes": every_attribute_kind_dump(),
                        "dropped_attributes_count": 3,
                        "events": [
                            {
                                "time_unix_nano": t(10),
                                "name": "cache.miss",
                                "attributes": [attr("cache.key", json!({"string_value": "cart:42"}))],
                                "dropped_attributes_count": 1,
                            },
                            {"time_unix_nano": t(20), "name": "retry"},
                        ],
                        "dropped_events_count": 4,
                        "links": [
                            {
                                "trace_id": hex(&LINK_TRACE_ID),
                                "span_id": hex(&LINK_SPAN_ID),
                                "trace_state": "vendor=opaque",
                                "attributes": [attr("link.kind", json!({"string_value": "follows"}))],
                                "dropped_attributes_count": 2,
                                "flags": 0x01 | 0x100 | 0x200,
                            },
                            {
                                "trace_id": hex(&LINK_TRACE_ID),
                                "span_id": "c000000000000001",
                                "flags": 0x100,
                            },
                        ],
                        "dropped_links_count": 5,
                        "status": {"message": "payment declined", "code": 2},
                    },
                    simple(3, 4),
                ],
            },
            {
                "scope": {"name": "lib-b"},
                "spans": [client, simple(4, 5), simple(5, 1)],
            },
        ],
    }]});
    assert_tree("request", &decoded, &expected);
}

#[test]
fn python_decodes_our_metrics_of_every_point_kind() {
    if !have_python() {
        return;
    }
    let mut request = ExportMetricsServiceRequest::from_metrics(&metrics());
    // The point kinds the SDK does not produce, built directly.
    request.resource_metrics[0].scope_metrics[1]
        .metrics
        .extend(python_metrics()[3..].iter().cloned());
    let decoded = python_decodes("metrics", &request);

    let route = || json!([attr("route", json!({"string_value": "/cart"}))]);
    let exemplar = |value: Json| {
        let mut e = json!({
            "filtered_attributes": [attr("user", json!({"string_value": "ann"}))],
            "time_unix_nano": t(5),
            "span_id": hex(&SPAN_ID),
            "trace_id": hex(&TRACE_ID),
        });
        e.as_object_mut()
            .unwrap()
            .extend(value.as_object().unwrap().clone());
        e
    };
    let metric = |name: &str, data: Json| {
        let mut m = json!({"name": name, "description": "a description", "unit": "ms"});
        m.as_object_mut()
            .unwrap()
            .extend(data.as_object().unwrap().clone());
        m
    };
    let mut expected_b = vec![
        metric(
            "f64.sum",
            json!({"sum": {
                "data_points": [{"start_time_unix_nano": t(50), "time_unix_nano": t(100), "as_double": 1.25}],
                "aggregation_temporality": 1,
                "is_monotonic": true,
            }}),
        ),
        metric(
            "f64.histogram",
            json!({"histogram": {
                "data_points": [{
                    "attributes": route(),
                    "start_time_unix_nano": t(50),
                    "time_unix_nano": t(100),
                    "count": 10,
                    "sum": 40.5,
                    "bucket_counts": [1, 2, 3, 4],
                    "explicit_bounds": [0.0, 5.0, 10.0],
                    "exemplars": [exemplar(json!({"as_double": 12.0}))],
                    "min": -1.5,
                    "max": 12.0,
                }],
                "aggregation_temporality": 1,
            }}),
        ),
        metric(
            "u64.histogram",
            json!({"histogram": {
                "data_points": [{
                    "start_time_unix_nano": t(0),
                    "time_unix_nano": t(100),
                    "count": 3,
                    "sum": 30.0,
                    "bucket_counts": [3, 0],
                    "explicit_bounds": [100.0],
                }],
                "aggregation_temporality": 2,
            }}),
        ),
        metric(
            "i64.histogram",
            json!({"histogram": {
                "data_points": [{
                    "start_time_unix_nano": t(0),
                    "time_unix_nano": t(100),
                    "count": 2,
                    "bucket_counts": [2],
                    "min": -4.0,
                    "max": 0.0,
                }],
                "aggregation_temporality": 2,
            }}),
        ),
    ];
    let python_side = python_decodes_reference("metrics");
    let python_metrics = &python_side["resource_metrics"][0]["scope_metrics"][0]["metrics"];
    for m in python_metrics.as_array().unwrap()[3..].iter() {
        expected_b.push(m.clone());
    }
    let expected = json!({"resource_metrics": [{
        "resource": resource_dump(),
        "schema_url": SCHEMA_URL,
        "scope_metrics": [
            {
                "scope": scope_a_dump(),
                "schema_url": SCOPE_SCHEMA_URL,
                "metrics": [
                    metric("f64.gauge", json!({"gauge": {"data_points": [{
                        "attributes": route(),
                        "start_time_unix_nano": t(0),
                        "time_unix_nano": t(100),
                        "as_double": 2.5,
                        "exemplars": [exemplar(json!({"as_double": 2.5}))],
                    }]}})),
                    metric("i64.gauge", json!({"gauge": {"data_points": [{
                        "time_unix_nano": t(100),
                        "as_int": -7,
                    }]}})),
                    metric("u64.sum", json!({"sum": {
                        "data_points": [{
                            "attributes": route(),
                            "start_time_unix_nano": t(0),
                            "time_unix_nano": t(100),
                            "as_int": 42,
                            "exemplars": [exemplar(json!({"as_int": 42}))],
                        }],
                        "aggregation_temporality": 2,
                        "is_monotonic": true,
                    }})),
                    metric("i64.updown", json!({"sum": {
                        "data_points": [{
                            "start_time_unix_nano": t(50),
                            "time_unix_nano": t(100),
                            "as_int": -3,
                            "exemplars": [exemplar(json!({"as_int": -3}))],
                        }],
                        "aggregation_temporality": 1,
                    }})),
                ],
            },
            {"scope": {"name": "lib-b"}, "metrics": expected_b},
        ],
    }]});
    assert_tree("request", &decoded, &expected);
}

/// Python's own canonical dump of the message it builds, for the point kinds the SDK does
/// not produce: what Python decodes from our encoding of them must equal it.
fn python_decodes_reference(message: &str) -> Json {
    let (pb, json_file) = files(&format!("{message}-reference"));
    run_python(&[
        "encode",
        message,
        pb.to_str().unwrap(),
        json_file.to_str().unwrap(),
    ]);
    let out: Json = serde_json::from_str(&run_python(&[
        "decode",
        message,
        pb.to_str().unwrap(),
        json_file.to_str().unwrap(),
    ]))
    .unwrap();
    out["pb"].clone()
}

fn any_dump(value: &opentelemetry_api::AnyValue) -> Json {
    use opentelemetry_api::AnyValue as V;
    match value {
        V::Int(v) => json!({"int_value": v}),
        V::Double(v) => json!({"double_value": v}),
        V::String(v) => json!({"string_value": v.as_str()}),
        V::Boolean(v) => json!({"bool_value": v}),
        V::Bytes(v) => json!({"bytes_value": hex(v)}),
        V::ListAny(values) => {
            let values: Vec<Json> = values.iter().map(any_dump).collect();
            if values.is_empty() {
                json!({"array_value": {}})
            } else {
                json!({"array_value": {"values": values}})
            }
        }
        V::Map(entries) => {
            let values: Vec<Json> = entries
                .iter()
                .map(|(k, v)| attr(k.as_str(), any_dump(v)))
                .collect();
            if values.is_empty() {
                json!({"kvlist_value": {}})
            } else {
                json!({"kvlist_value": {"values": values}})
            }
        }
        other => panic!("unexpected value {other:?}"),
    }
}

#[test]
fn python_decodes_our_logs_with_every_body_kind() {
    if !have_python() {
        return;
    }
    let request = ExportLogsServiceRequest::from_logs(&logs(), &resource());
    let decoded = python_decodes("logs", &request);

    let bodies: Vec<Json> = bodies().iter().map(any_dump).collect();
    // The dump of the nested body, spelled out once to check `any_dump` itself.
    assert_eq!(
        bodies[0],
        json!({"kvlist_value": {"values": [
            attr("order", json!({"int_value": 42})),
            attr("items", json!({"array_value": {"values": [
                {"string_value": "book"},
                {"double_value": 9.5},
                {"bool_value": false},
                {"bytes_value": "0001feff"},
                {"kvlist_value": {"values": [attr("deep", json!({"int_value": -1}))]}},
            ]}})),
            attr("empty", json!({"kvlist_value": {}})),
        ]}})
    );
    let mut attributes = every_attribute_kind_dump().as_array().unwrap().clone();
    // Log attributes are AnyValues: arrays of any values.
    attributes.push(attr("bytes", json!({"bytes_value": "0708"})));
    let record =
        |i: usize| json!({"observed_time_unix_nano": t(2_000 + i as u64), "body": bodies[i]});
    let mut first = record(0);
    first.as_object_mut().unwrap().extend(
        json!({
            "time_unix_nano": t(1_000),
            "severity_number": 15,
            "severity_text": "WARNING",
            "attributes": attributes,
            "dropped_attributes_count": 2,
            "flags": 1,
            "trace_id": hex(&TRACE_ID),
            "span_id": hex(&SPAN_ID),
            "event_name": "payment.declined",
        })
        .as_object()
        .unwrap()
        .clone(),
    );
    let mut second = record(1);
    second.as_object_mut().unwrap().extend(
        json!({"severity_number": 24, "trace_id": hex(&TRACE_ID), "span_id": hex(&PARENT_ID)})
            .as_object()
            .unwrap()
            .clone(),
    );
    let mut payments_scope = scope_a_dump();
    payments_scope["name"] = json!("shop::payments");
    let expected = json!({"resource_logs": [{
        "resource": resource_dump(),
        "schema_url": SCHEMA_URL,
        "scope_logs": [
            // The first record has a target: its scope is named after it.
            {"scope": payments_scope, "schema_url": SCOPE_SCHEMA_URL, "log_records": [first]},
            {"scope": {"name": "lib-b"}, "log_records": [second, record(3), record(5), record(7), {"severity_number": 1}]},
            {"scope": scope_a_dump(), "schema_url": SCOPE_SCHEMA_URL, "log_records": [record(2), record(4), record(6)]},
        ],
    }]});
    assert_tree("request", &decoded, &expected);
}

// ---------------------------------------------------------------------------------------------
// The reverse: Python encodes, we decode. The values mirror the builders in otlp_peer.py.
// ---------------------------------------------------------------------------------------------

fn python_encodes<M: Message + Default + serde::de::DeserializeOwned>(message: &str) -> (M, M) {
    let (pb, json_file) = files(&format!("{message}-from-python"));
    run_python(&[
        "encode",
        message,
        pb.to_str().unwrap(),
        json_file.to_str().unwrap(),
    ]);
    let from_pb = M::decode(std::fs::read(&pb).unwrap().as_slice()).unwrap();
    let from_json = serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    (from_pb, from_json)
}

fn av(value: any_value::Value) -> Option<AnyValue> {
    Some(AnyValue { value: Some(value) })
}

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: av(value),
        key_strindex: 0,
    }
}

fn s(text: &str) -> any_value::Value {
    any_value::Value::StringValue(text.into())
}

fn py_every_value_kind() -> Vec<KeyValue> {
    use any_value::Value as V;
    vec![
        kv("string", s("héllo")),
        kv("bool", V::BoolValue(true)),
        kv("int", V::IntValue(-9_007_199_254_740_993)),
        kv("double", V::DoubleValue(f64::INFINITY)),
        kv(
            "array",
            V::ArrayValue(ArrayValue {
                values: vec![
                    AnyValue {
                        value: Some(V::IntValue(1)),
                    },
                    AnyValue { value: Some(s("")) },
                    AnyValue { value: None },
                ],
            }),
        ),
        kv(
            "kvlist",
            V::KvlistValue(KeyValueList {
                values: vec![
                    kv("nested", V::DoubleValue(-0.5)),
                    kv("zero", V::IntValue(0)),
                ],
            }),
        ),
        kv("bytes", V::BytesValue(vec![0, 1, 0xfe, 0xff])),
        kv("strindex", V::StringValueStrindex(7)),
        KeyValue {
            key: String::new(),
            value: av(V::BoolValue(false)),
            key_strindex: 3,
        },
    ]
}

fn py_resource() -> Option<Resource> {
    Some(Resource {
        attributes: vec![kv("service.name", s("checkout"))],
        dropped_attributes_count: 1,
        entity_refs: vec![EntityRef {
            schema_url: "https://example.com/entity".into(),
            r#type: "service".into(),
            id_keys: vec!["service.name".into(), "service.namespace".into()],
            description_keys: vec!["service.version".into()],
        }],
    })
}

fn py_scope() -> Option<InstrumentationScope> {
    Some(InstrumentationScope {
        name: "lib-a".into(),
        version: "1.2.3".into(),
        attributes: vec![kv("scope.attr", s("x"))],
        dropped_attributes_count: 2,
    })
}

#[test]
fn we_decode_python_traces() {
    if !have_python() {
        return;
    }
    let (from_pb, from_json) = python_encodes::<ExportTraceServiceRequest>("traces");
    let expected = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: py_resource(),
            scope_spans: vec![ScopeSpans {
                scope: py_scope(),
                spans: vec![Span {
                    trace_id: TRACE_ID.to_vec(),
                    span_id: SPAN_ID.to_vec(),
                    trace_state: "k1=v1,k2=v2".into(),
                    parent_span_id: PARENT_ID.to_vec(),
                    flags: 0x301,
                    name: "GET /cart".into(),
                    kind: span::SpanKind::Server as i32,
                    start_time_unix_nano: T0,
                    end_time_unix_nano: T0 + 1500,
                    attributes: py_every_value_kind(),
                    dropped_attributes_count: 3,
                    events: vec![span::Event {
                        time_unix_nano: T0 + 10,
                        name: "cache.miss".into(),
                        attributes: vec![kv("cache.key", s("cart:42"))],
                        dropped_attributes_count: 1,
                    }],
                    dropped_events_count: 4,
                    links: vec![span::Link {
                        trace_id: LINK_TRACE_ID.to_vec(),
                        span_id: LINK_SPAN_ID.to_vec(),
                        trace_state: "vendor=opaque".into(),
                        attributes: vec![kv("link.kind", s("follows"))],
                        dropped_attributes_count: 2,
                        flags: 0x101,
                    }],
                    dropped_links_count: 5,
                    status: Some(Status {
                        message: "payment declined".into(),
                        code: 2,
                    }),
                }],
                schema_url: "https://example.com/scope".into(),
            }],
            schema_url: SCHEMA_URL.into(),
        }],
    };
    assert_eq!(from_pb, expected);
    assert_eq!(from_json, expected);
}

fn py_exemplar(value: exemplar::Value) -> Exemplar {
    Exemplar {
        filtered_attributes: vec![kv("user", s("ann"))],
        time_unix_nano: T0 + 5,
        value: Some(value),
        span_id: SPAN_ID.to_vec(),
        trace_id: TRACE_ID.to_vec(),
    }
}

fn py_number_point(value: number_data_point::Value) -> NumberDataPoint {
    NumberDataPoint {
        attributes: vec![kv("route", s("/cart"))],
        start_time_unix_nano: T0,
        time_unix_nano: T0 + 100,
        value: Some(value),
        exemplars: vec![
            py_exemplar(exemplar::Value::AsInt(-3)),
            py_exemplar(exemplar::Value::AsDouble(0.0)),
        ],
        flags: 1,
    }
}

fn python_metrics() -> Vec<Metric> {
    let named = |name: &str, data: metric::Data| Metric {
        name: name.into(),
        description: String::new(),
        unit: String::new(),
        data: Some(data),
        metadata: Vec::new(),
    };
    vec![
        Metric {
            name: "gauge".into(),
            description: "d".into(),
            unit: "ms".into(),
            data: Some(metric::Data::Gauge(Gauge {
                data_points: vec![
                    py_number_point(number_data_point::Value::AsDouble(2.5)),
                    py_number_point(number_data_point::Value::AsInt(0)),
                ],
            })),
            metadata: vec![kv("meta", s("m"))],
        },
        named(
            "sum",
            metric::Data::Sum(Sum {
                data_points: vec![py_number_point(number_data_point::Value::AsInt(i64::MIN))],
                aggregation_temporality: 1,
                is_monotonic: true,
            }),
        ),
        named(
            "histogram",
            metric::Data::Histogram(Histogram {
                data_points: vec![HistogramDataPoint {
                    attributes: vec![kv("route", s("/cart"))],
                    start_time_unix_nano: T0,
                    time_unix_nano: T0 + 100,
                    count: u64::MAX,
                    sum: Some(0.0),
                    bucket_counts: vec![1, 2, u64::MAX - 3],
                    explicit_bounds: vec![-1.5, 10.0],
                    exemplars: vec![py_exemplar(exemplar::Value::AsDouble(12.0))],
                    flags: 1,
                    min: Some(-2.0),
                    max: Some(f64::INFINITY),
                }],
                aggregation_temporality: 2,
            }),
        ),
        named(
            "exponential_histogram",
            metric::Data::ExponentialHistogram(ExponentialHistogram {
                data_points: vec![ExponentialHistogramDataPoint {
                    attributes: vec![kv("route", s("/cart"))],
                    start_time_unix_nano: T0,
                    time_unix_nano: T0 + 100,
                    count: 12,
                    sum: Some(33.25),
                    scale: -3,
                    zero_count: 2,
                    positive: Some(Buckets {
                        offset: -2,
                        bucket_counts: vec![1, 0, 4],
                    }),
                    negative: Some(Buckets {
                        offset: 5,
                        bucket_counts: vec![5],
                    }),
                    flags: 1,
                    exemplars: vec![py_exemplar(exemplar::Value::AsInt(7))],
                    min: Some(-40.0),
                    max: Some(20.5),
                    zero_threshold: 1e-9,
                }],
                aggregation_temporality: 1,
            }),
        ),
        named(
            "summary",
            metric::Data::Summary(Summary {
                data_points: vec![SummaryDataPoint {
                    attributes: vec![kv("route", s("/cart"))],
                    start_time_unix_nano: T0,
                    time_unix_nano: T0 + 100,
                    count: 4,
                    sum: 10.5,
                    quantile_values: vec![
                        ValueAtQuantile {
                            quantile: 0.5,
                            value: 2.0,
                        },
                        ValueAtQuantile {
                            quantile: 1.0,
                            value: 4.5,
                        },
                    ],
                    flags: 1,
                }],
            }),
        ),
    ]
}

#[test]
fn we_decode_python_metrics_of_every_point_kind() {
    if !have_python() {
        return;
    }
    let (from_pb, from_json) = python_encodes::<ExportMetricsServiceRequest>("metrics");
    let expected = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: py_resource(),
            scope_metrics: vec![ScopeMetrics {
                scope: py_scope(),
                metrics: python_metrics(),
                schema_url: "https://example.com/scope".into(),
            }],
            schema_url: SCHEMA_URL.into(),
        }],
    };
    assert_eq!(from_pb, expected);
    assert_eq!(from_json, expected);
}

#[test]
fn we_decode_python_logs() {
    if !have_python() {
        return;
    }
    use any_value::Value as V;
    let (from_pb, from_json) = python_encodes::<ExportLogsServiceRequest>("logs");
    let record = LogRecord {
        time_unix_nano: T0 + 1000,
        observed_time_unix_nano: T0 + 2000,
        severity_number: 15,
        severity_text: "WARNING".into(),
        body: av(V::KvlistValue(KeyValueList {
            values: vec![
                kv("order", V::IntValue(42)),
                kv(
                    "items",
                    V::ArrayValue(ArrayValue {
                        values: vec![
                            AnyValue {
                                value: Some(s("book")),
                            },
                            AnyValue {
                                value: Some(V::BytesValue(vec![0xff])),
                            },
                        ],
                    }),
                ),
            ],
        })),
        attributes: py_every_value_kind(),
        dropped_attributes_count: 2,
        flags: 1,
        trace_id: TRACE_ID.to_vec(),
        span_id: SPAN_ID.to_vec(),
        event_name: "payment.declined".into(),
    };
    let expected = ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: py_resource(),
            scope_logs: vec![ScopeLogs {
                scope: py_scope(),
                log_records: vec![record, LogRecord::default()],
                schema_url: "https://example.com/scope".into(),
            }],
            schema_url: SCHEMA_URL.into(),
        }],
    };
    assert_eq!(from_pb, expected);
    assert_eq!(from_json, expected);
}

#[test]
fn responses_with_partial_success_both_ways() {
    if !have_python() {
        return;
    }
    let (pb, json) = python_encodes::<ExportTraceServiceResponse>("trace_response");
    let expected = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess {
            rejected_spans: -5_000_000_000,
            error_message: "too old".into(),
        }),
    };
    assert_eq!((&pb, &json), (&expected, &expected));
    let decoded = python_decodes("trace_response", &expected);
    assert_eq!(
        decoded,
        json!({"partial_success": {"rejected_spans": -5_000_000_000i64, "error_message": "too old"}})
    );

    let (pb, json) = python_encodes::<ExportMetricsServiceResponse>("metrics_response");
    let expected = ExportMetricsServiceResponse {
        partial_success: Some(ExportMetricsPartialSuccess {
            rejected_data_points: 3,
            error_message: "bad unit".into(),
        }),
    };
    assert_eq!((&pb, &json), (&expected, &expected));
    let decoded = python_decodes("metrics_response", &expected);
    assert_eq!(
        decoded,
        json!({"partial_success": {"rejected_data_points": 3, "error_message": "bad unit"}})
    );

    let (pb, json) = python_encodes::<ExportLogsServiceResponse>("logs_response");
    let expected = ExportLogsServiceResponse {
        partial_success: Some(ExportLogsPartialSuccess {
            rejected_log_records: 0,
            error_message: "warning only".into(),
        }),
    };
    assert_eq!((&pb, &json), (&expected, &expected));
    let decoded = python_decodes("logs_response", &expected);
    assert_eq!(
        decoded,
        json!({"partial_success": {"error_message": "warning only"}})
    );
}

/// Has Python decode the direct encoders' protobuf and JSON (`opentelemetry_proto::encode`);
/// both decodings must agree with each other and with its decoding of `message`, the
/// converted request.
fn python_decodes_direct<M: Message + serde::Serialize>(
    signal: &str,
    message: &M,
    pb_bytes: &[u8],
    json_bytes: &[u8],
) {
    let expected = python_decodes(signal, message);
    let (pb, json_file) = files(&format!("{signal}-direct"));
    std::fs::write(&pb, pb_bytes).unwrap();
    std::fs::write(&json_file, json_bytes).unwrap();
    let out: Json = serde_json::from_str(&run_python(&[
        "decode",
        signal,
        pb.to_str().unwrap(),
        json_file.to_str().unwrap(),
    ]))
    .unwrap();
    assert_tree("direct protobuf", &out["pb"], &expected);
    assert_tree("direct json", &out["json"], &expected);
}

#[test]
fn python_decodes_the_direct_encoders_output() {
    use opentelemetry_proto::encode;
    if !have_python() {
        return;
    }
    let (spans, metrics, logs, resource) = (spans(), metrics(), logs(), resource());
    let (mut pb, mut json) = (Vec::new(), Vec::new());
    encode::encode_traces(&spans, &resource, &mut pb);
    encode::encode_traces_json(&spans, &resource, &mut json);
    python_decodes_direct(
        "traces",
        &ExportTraceServiceRequest::from_spans(&spans, &resource),
        &pb,
        &json,
    );
    let (mut pb, mut json) = (Vec::new(), Vec::new());
    encode::encode_metrics(&metrics, &mut pb);
    encode::encode_metrics_json(&metrics, &mut json);
    python_decodes_direct(
        "metrics",
        &ExportMetricsServiceRequest::from_metrics(&metrics),
        &pb,
        &json,
    );
    let (mut pb, mut json) = (Vec::new(), Vec::new());
    encode::encode_logs(&logs, &resource, &mut pb);
    encode::encode_logs_json(&logs, &resource, &mut json);
    python_decodes_direct(
        "logs",
        &ExportLogsServiceRequest::from_logs(&logs, &resource),
        &pb,
        &json,
    );
}
