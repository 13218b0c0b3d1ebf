//! The exporter against a Python trace intake on 127.0.0.1 (PyPI `msgpack` decodes the
//! payloads), with every field checked, and the payloads compared with the ones `ddtrace`'s
//! own v0.4 and v0.5 encoders produce for the same spans.

mod common;

use common::{run, Peer};
use opentelemetry_api::propagation::TextMapPropagator;
use opentelemetry_api::trace::Span as _;
use opentelemetry_api::trace::{SpanKind, Status, TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry_api::{Context, KeyValue};
use opentelemetry_datadog::{ApiVersion, DatadogExporter, DatadogPropagator};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const T0_NS: u64 = 1_700_000_000_123_456_789;

fn t(offset_ns: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(T0_NS + offset_ns)
}

/// Three spans: a server span under a remote Datadog parent (priority 2, origin, 128-bit
/// trace ID), its failing database client child, and an unrelated root span.
fn spans() -> Vec<SpanData> {
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(memory.clone())
        .build();
    let headers = HashMap::from([
        (
            "x-datadog-trace-id".to_string(),
            "1234567890123".to_string(),
        ),
        ("x-datadog-parent-id".to_string(), "5678".to_string()),
        ("x-datadog-sampling-priority".to_string(), "2".to_string()),
        ("x-datadog-origin".to_string(), "synthetics".to_string()),
        (
            "x-datadog-tags".to_string(),
            "_dd.p.tid=640cfd8d00000000".to_string(),
        ),
    ]);
    let remote = DatadogPropagator::new().extract(&headers);
    let shop = provider.tracer("shop");
    let mut server = shop
        .span_builder("GET /items")
        .with_kind(SpanKind::Server)
        .with_start_time(t(0))
        .with_attributes([
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("http.response.status_code", 200i64),
            KeyValue::new("flag", true),
            KeyValue::new("ratio", 0.25),
            KeyValue::new(
                "tags",
                opentelemetry_api::Value::from(vec![
                    opentelemetry_api::StringValue::from("a"),
                    opentelemetry_api::StringValue::from("b"),
                ]),
            ),
        ])
        .start_with_context(&shop, &remote);
    let cx = Context::new().with_remote_span_context(server.span_context().clone());
    let mut client = shop
        .span_builder("SELECT items")
        .with_kind(SpanKind::Client)
        .with_start_time(t(100_000))
        .with_attributes([KeyValue::new("db.system.name", "postgresql")])
        .start_with_context(&shop, &cx);
    client.add_event(
        "exception",
        vec![
            KeyValue::new("exception.type", "ValueError"),
            KeyValue::new(
                "exception.message",
                "not used: the status has a description",
            ),
            KeyValue::new("exception.stacktrace", "at line 1"),
        ],
    );
    client.set_status(Status::error("boom"));
    client.end_with_timestamp(t(900_000));
    server.end_with_timestamp(t(1_500_000));

    let anonymous = provider.tracer("");
    let mut job = anonymous
        .span_builder("nightly job")
        .with_start_time(t(10))
        .with_attributes([KeyValue::new("span.type", "worker")])
        .start(&anonymous);
    job.end_with_timestamp(t(20));
    provider.shutdown().unwrap();
    memory.get_finished_spans()
}

fn resource() -> Resource {
    Resource::builder_empty()
        .with_service_name("checkout")
        .with_attributes([
            KeyValue::new("deployment.environment.name", "staging"),
            KeyValue::new("service.version", "1.2.3"),
        ])
        .build()
}

fn ids(span: &SpanData) -> (u64, u64, u64, u128) {
    let trace = u128::from(span.span_context.trace_id());
    (
        trace as u64,
        u64::from(span.span_context.span_id()),
        u64::from(span.parent_span_id),
        trace >> 64,
    )
}

/// What the intake must receive for `spans()`, as decoded JSON.
fn expected(spans: &[SpanData]) -> (Json, Json) {
    let client = spans.iter().find(|s| s.name == "SELECT items").unwrap();
    let server = spans.iter().find(|s| s.name == "GET /items").unwrap();
    let job = spans.iter().find(|s| s.name == "nightly job").unwrap();
    let (trace_low, client_id, client_parent, high) = ids(client);
    let (_, server_id, server_parent, _) = ids(server);
    assert_eq!(trace_low, 1_234_567_890_123);
    assert_eq!(high, 0x640cfd8d00000000);
    assert_eq!(server_parent, 5678);
    assert_eq!(client_parent, server_id);
    let common_meta = json!({
        "env": "staging", "version": "1.2.3",
        "_dd.origin": "synthetics", "_dd.p.tid": "640cfd8d00000000",
    });
    let with = |extra: Json| {
        let mut m = common_meta.clone();
        m.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        m
    };
    let trace = json!([
        {
            "service": "checkout", "name": "shop.client", "resource": "SELECT items",
            "trace_id": trace_low, "span_id": client_id, "parent_id": server_id,
            "start": T0_NS + 100_000, "duration": 800_000, "error": 1, "type": "sql",
            "meta": with(json!({
                "db.system.name": "postgresql", "span.kind": "client",
                "error.message": "boom", "error.type": "ValueError", "error.stack": "at line 1",
            })),
            "metrics": {"_sampling_priority_v1": 2.0},
        },
        {
            "service": "checkout", "name": "shop.server", "resource": "GET /items",
            "trace_id": trace_low, "span_id": server_id, "parent_id": 5678,
            "start": T0_NS, "duration": 1_500_000, "error": 0, "type": "web",
            "meta": with(json!({
                "http.request.method": "GET", "flag": "true", "tags": "[\"a\",\"b\"]",
                "span.kind": "server",
            })),
            "metrics": {
                "http.response.status_code": 200.0, "ratio": 0.25,
                "_sampling_priority_v1": 2.0,
            },
        },
    ]);
    let (job_low, job_id, job_parent, job_high) = ids(job);
    assert_eq!(job_parent, 0);
    let mut job_meta = json!({"span.kind": "internal", "env": "staging", "version": "1.2.3"});
    if job_high != 0 {
        job_meta["_dd.p.tid"] = json!(format!("{job_high:016x}"));
    }
    let job = json!([{
        "service": "checkout", "name": "opentelemetry.internal", "resource": "nightly job",
        "trace_id": job_low, "span_id": job_id, "parent_id": 0,
        "start": T0_NS + 10, "duration": 10, "error": 0, "type": "worker",
        "meta": job_meta, "metrics": {"_sampling_priority_v1": 1.0},
    }]);
    (trace, job)
}

/// Finds the trace whose spans have `trace_id`.
fn trace_with(traces: &Json, trace_id: &Json) -> Json {
    traces
        .as_array()
        .unwrap()
        .iter()
        .find(|t| &t[0]["trace_id"] == trace_id)
        .unwrap_or_else(|| panic!("no trace {trace_id} in {traces}"))
        .clone()
}

fn check(version: ApiVersion, path: &str, dd_version: &str) {
    let mut intake = Peer::start(&["intake"], &[]);
    let port = intake.line();
    let mut exporter = DatadogExporter::builder()
        .with_agent_endpoint(format!("http://127.0.0.1:{port}"))
        .with_api_version(version)
        .build()
        .unwrap();
    exporter.set_resource(&resource());
    let batch = spans();
    assert_eq!(batch.len(), 3);
    futures_executor::block_on(exporter.export(&batch)).unwrap();

    let record = intake.json();
    assert_eq!(record.get("error"), None, "the intake rejected the payload");
    assert_eq!(record["path"], path);
    let headers = &record["headers"];
    assert_eq!(headers["content-type"], "application/msgpack");
    assert_eq!(headers["datadog-meta-lang"], "rust");
    assert_eq!(
        headers["datadog-meta-tracer-version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(headers["x-datadog-trace-count"], "2");

    let traces = &record["traces"];
    assert_eq!(traces.as_array().unwrap().len(), 2);
    let (mut trace, mut job) = expected(&batch);
    if version == ApiVersion::Version04 {
        // v0.4 leaves out a zero `error` and `parent_id`.
        for span in trace
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .chain(job.as_array_mut().unwrap())
        {
            let span = span.as_object_mut().unwrap();
            for field in ["error", "parent_id"] {
                if span[field] == 0 {
                    span.remove(field);
                }
            }
        }
    }
    assert_eq!(trace_with(traces, &trace[0]["trace_id"]), trace);
    assert_eq!(trace_with(traces, &job[0]["trace_id"]), job);

    // ddtrace's own encoder, given the same spans, produces the same payload.
    let theirs = run(&["ddtrace-encode", dd_version], &traces.to_string());
    assert_eq!(theirs["trace_count"], 2);
    assert_eq!(&theirs["traces"], traces);
}

#[test]
fn v05_payload_decodes_to_every_field_and_matches_ddtrace() {
    check(ApiVersion::Version05, "/v0.5/traces", "0.5");
}

#[test]
fn v04_payload_decodes_to_every_field_and_matches_ddtrace() {
    check(ApiVersion::Version04, "/v0.4/traces", "0.4");
}

#[test]
fn array_attributes_reach_meta_as_json_text_that_parses_back() {
    // A quote, a backslash, control characters (escaped), DEL and non-ASCII text (verbatim).
    let strings = ["say \"hi\"", "ctl\u{1}\n\u{1f}\u{7f}", "é😀", "back\\slash"];
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(memory.clone())
        .build();
    let tracer = provider.tracer("arrays");
    tracer
        .span_builder("arrays")
        .with_attributes([
            KeyValue::new(
                "names",
                opentelemetry_api::Array::String(
                    strings
                        .iter()
                        .map(|s| opentelemetry_api::StringValue::from(*s))
                        .collect(),
                ),
            ),
            KeyValue::new(
                "floats",
                opentelemetry_api::Value::from(vec![0.5, f64::NAN, f64::NEG_INFINITY]),
            ),
        ])
        .start(&tracer)
        .end();
    provider.shutdown().unwrap();
    let batch = memory.get_finished_spans();
    for version in [ApiVersion::Version05, ApiVersion::Version04] {
        let mut intake = Peer::start(&["intake"], &[]);
        let port = intake.line();
        let mut exporter = DatadogExporter::builder()
            .with_agent_endpoint(format!("http://127.0.0.1:{port}"))
            .with_api_version(version)
            .build()
            .unwrap();
        futures_executor::block_on(exporter.export(&batch)).unwrap();
        let record = intake.json();
        assert_eq!(record.get("error"), None, "the intake rejected the payload");
        let meta = &record["traces"][0][0]["meta"];
        let names = meta["names"].as_str().expect("names in meta");
        let parsed: Vec<String> = serde_json::from_str(names)
            .unwrap_or_else(|e| panic!("not a JSON array of strings ({e}): {names}"));
        assert_eq!(parsed, strings, "{version:?}");
        assert_eq!(meta["floats"], r#"[0.5,"NaN","-Infinity"]"#);
        let floats: Json = serde_json::from_str(meta["floats"].as_str().unwrap()).unwrap();
        assert_eq!(floats, json!([0.5, "NaN", "-Infinity"]));
    }
}

#[test]
fn agent_errors_fail_the_export() {
    let mut intake = Peer::start(&["intake"], &[]);
    let port = intake.line();
    // The intake answers 400 to a path it does not know.
    let mut exporter = DatadogExporter::builder()
        .with_agent_endpoint(format!("http://127.0.0.1:{port}/unknown"))
        .build()
        .unwrap();
    let err = futures_executor::block_on(exporter.export(&spans())).unwrap_err();
    assert!(err.to_string().contains("400"), "{err}");
    assert!(intake.json()["error"]
        .as_str()
        .unwrap()
        .contains("unknown path"));
    exporter.shutdown().unwrap();
    assert!(futures_executor::block_on(exporter.export(&spans())).is_err());
}
