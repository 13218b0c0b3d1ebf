//! Jaeger JSON files written by the exporter pass a check that mirrors what the Jaeger UI's
//! "JSON File" upload requires (scripts/jaeger_ui_check.py: field names and types, the
//! reference tree), and the values the UI would show are the spans' values.

use opentelemetry_api::trace::{
    Link, Span, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId,
    TraceState, Tracer, TracerProvider,
};
use opentelemetry_api::{Context, InstrumentationScope, KeyValue, Value};
use opentelemetry_contrib::exporter::JaegerJsonExporter;
use opentelemetry_sdk::resource::Resource;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData, SpanExporter};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::UNIX_EPOCH;

struct TempDir(PathBuf);
impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("jaeger-json-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ui_check(files: &[PathBuf]) -> Vec<Json> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/jaeger_ui_check.py");
    let out = Command::new("python3")
        .arg(script)
        .args(files)
        .output()
        .expect("python3 must be installed (see .ci/run)");
    assert!(
        out.status.success(),
        "the Jaeger UI check rejected the files: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Json>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn hex_trace(id: TraceId) -> String {
    let s = String::from_utf8(id.to_hex().to_vec()).unwrap();
    match s.strip_prefix("0000000000000000") {
        Some(low) => low.to_owned(),
        None => s,
    }
}

fn hex_span(id: SpanId) -> String {
    String::from_utf8(id.to_hex().to_vec()).unwrap()
}

fn micros(t: std::time::SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_micros() as u64
}

fn tag(kv: &KeyValue) -> Json {
    let (t, v) = match &kv.value {
        Value::Bool(b) => ("bool", json!(b)),
        Value::I64(i) => ("int64", json!(i)),
        Value::F64(f) if f.is_finite() => ("float64", json!(f)),
        Value::F64(_) => ("string", json!(kv.value.to_string())),
        Value::String(s) => ("string", json!(s.as_str())),
        Value::Array(_) => ("string", Json::Null),
    };
    json!([kv.key.as_str(), t, v])
}

/// What the UI must show for `span` (arrays are checked separately).
fn expected(span: &SpanData) -> Json {
    let mut refs = Vec::new();
    if span.parent_span_id.is_valid() {
        refs.push(json!([
            "CHILD_OF",
            hex_trace(span.span_context.trace_id()),
            hex_span(span.parent_span_id)
        ]));
    }
    for l in &span.links.links {
        refs.push(json!([
            "FOLLOWS_FROM",
            hex_trace(l.span_context.trace_id()),
            hex_span(l.span_context.span_id())
        ]));
    }
    let mut tags: Vec<Json> = span.attributes.iter().map(tag).collect();
    let kind = match span.span_kind {
        SpanKind::Client => "client",
        SpanKind::Server => "server",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
        _ => "internal",
    };
    tags.push(json!(["span.kind", "string", kind]));
    match &span.status {
        Status::Ok => tags.push(json!(["otel.status_code", "string", "OK"])),
        Status::Error { description } => {
            tags.push(json!(["otel.status_code", "string", "ERROR"]));
            tags.push(json!(["otel.status_description", "string", description]));
            tags.push(json!(["error", "bool", true]));
        }
        _ => {}
    }
    let scope = span.instrumentation_scope;
    tags.push(json!(["otel.scope.name", "string", scope.name()]));
    tags.push(json!(["otel.library.name", "string", scope.name()]));
    if let Some(v) = scope.version() {
        tags.push(json!(["otel.scope.version", "string", v]));
        tags.push(json!(["otel.library.version", "string", v]));
    }
    let logs: Vec<Json> = span
        .events
        .events
        .iter()
        .map(|e| {
            let mut fields = vec![json!(["event", "string", e.name])];
            fields.extend(e.attributes.iter().map(tag));
            json!({ "timestamp": micros(e.timestamp), "fields": fields })
        })
        .collect();
    json!({
        "spanID": hex_span(span.span_context.span_id()),
        "operationName": span.name,
        "references": refs,
        "startTime": micros(span.start_time),
        "duration": micros(span.end_time) - micros(span.start_time),
        "tags": tags,
        "logs": logs,
        "serviceName": "jaeger-json-test",
        "processTags": [["host.name", "string", "h1"]],
    })
}

fn record_spans(provider: &SdkTracerProvider) {
    let tracer = provider.tracer_with_scope(
        InstrumentationScope::builder("jaeger-json-test")
            .with_version("1.2.3")
            .build(),
    );
    let linked = SpanContext::new(
        TraceId::from_bytes(0xabc_u128.to_be_bytes()),
        SpanId::from_bytes(0xdef_u64.to_be_bytes()),
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    );
    let mut root = tracer
        .span_builder("GET /orders")
        .with_kind(SpanKind::Server)
        .with_attributes([
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("http.response.status_code", 200),
            KeyValue::new("ratio", 0.25),
            KeyValue::new("cached", false),
            KeyValue::new("nan", f64::NAN),
            KeyValue::new("quote\"key", "v\u{e9}\n\"x\""),
        ])
        .start(&tracer);
    root.set_attribute(KeyValue::new(
        "tags",
        Value::Array(opentelemetry_api::Array::String(vec![
            "a".into(),
            "b\"".into(),
        ])),
    ));
    let cx = Context::new().with_span(root);
    let mut child = tracer
        .span_builder("SELECT orders")
        .with_kind(SpanKind::Client)
        .with_links(vec![Link::new(linked, vec![KeyValue::new("why", "batch")])])
        .start_with_context(&tracer, &cx);
    child.add_event("retry", vec![KeyValue::new("attempt", 2)]);
    child.set_status(Status::error("timeout"));
    child.end();
    cx.span().set_status(Status::Ok);
    cx.span().end();
    let mut other = tracer
        .span_builder("background")
        .with_kind(SpanKind::Consumer)
        .start(&tracer);
    other.add_event("tick", vec![]);
    other.end();
}

fn resource() -> Resource {
    Resource::builder_empty()
        .with_service_name("jaeger-json-test")
        .with_attributes([KeyValue::new("host.name", "h1")])
        .build()
}

fn compare(shown: &Json, span: &SpanData) {
    let mut shown = shown.clone();
    let obj = shown.as_object_mut().unwrap();
    obj.remove("parent");
    obj.remove("depth");
    // Array attributes are JSON-encoded strings: decode them to compare.
    for t in obj.get_mut("tags").unwrap().as_array_mut().unwrap() {
        if t[0] == "tags" {
            assert_eq!(t[1], "string");
            let decoded: Json = serde_json::from_str(t[2].as_str().unwrap()).unwrap();
            assert_eq!(decoded, json!(["a", "b\""]));
            t[2] = Json::Null;
        }
    }
    assert_eq!(shown, expected(span));
}

#[test]
fn files_load_as_the_jaeger_ui_reads_them() {
    let dir = TempDir::new("files");
    let per_export = dir.0.join("per-export");
    std::fs::create_dir_all(&per_export).unwrap();
    let appended = dir.0.join("all.json");
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_resource(resource())
        .with_simple_exporter(memory.clone())
        .with_simple_exporter(JaegerJsonExporter::new(&per_export, "trace"))
        .with_simple_exporter(JaegerJsonExporter::appending_to(&appended))
        .build();
    record_spans(&provider);
    provider.shutdown().unwrap();
    let spans = memory.get_finished_spans();
    assert_eq!(spans.len(), 3);

    // One file per export (the simple processor exports each span alone).
    let mut files: Vec<PathBuf> = std::fs::read_dir(&per_export)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3);
    for (file, span) in files.iter().zip(&spans) {
        let traces = ui_check(std::slice::from_ref(file));
        assert_eq!(traces.len(), 1);
        assert_eq!(
            traces[0]["traceID"],
            json!(hex_trace(span.span_context.trace_id()))
        );
    }
    // One appended file holding every export.
    let traces = ui_check(&[appended]);
    assert_eq!(traces.len(), 3);
    for (trace, span) in traces.iter().zip(&spans) {
        compare(&trace["spans"][0], span);
    }
}

#[test]
fn one_batch_groups_spans_by_trace_and_the_ui_builds_the_tree() {
    let dir = TempDir::new("batch");
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_resource(resource())
        .with_simple_exporter(memory.clone())
        .build();
    record_spans(&provider);
    provider.shutdown().unwrap();
    let spans = memory.get_finished_spans();

    let mut exporter = JaegerJsonExporter::new(&dir.0, "batch");
    exporter.set_resource(&resource());
    futures_executor::block_on(exporter.export(&spans)).unwrap();
    let files: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let traces = ui_check(&files);
    // Two traces: the request (two spans) and the background span.
    assert_eq!(traces.len(), 2);
    let request = &traces[0]["spans"];
    assert_eq!(request.as_array().unwrap().len(), 2);
    let child = &request[0];
    let root = &request[1];
    assert_eq!(child["operationName"], "SELECT orders");
    assert_eq!(child["parent"], root["spanID"]);
    assert_eq!(
        (child["depth"].as_u64(), root["depth"].as_u64()),
        (Some(1), Some(0))
    );
    for span in &spans {
        let id = hex_span(span.span_context.span_id());
        let shown = traces
            .iter()
            .flat_map(|t| t["spans"].as_array().unwrap())
            .find(|s| s["spanID"] == json!(id))
            .unwrap();
        compare(shown, span);
    }
    // Exporting after shutdown fails.
    exporter.shutdown().unwrap();
    assert!(futures_executor::block_on(exporter.export(&spans)).is_err());
}

#[test]
fn array_tags_are_json_text_that_parses_back_to_the_attribute() {
    // A quote, a backslash, control characters (escaped), DEL and non-ASCII text (verbatim).
    let strings = ["say \"hi\"", "ctl\u{1}\n\u{1f}\u{7f}", "é😀", "back\\slash"];
    let dir = TempDir::new("arrays");
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
            KeyValue::new("floats", Value::from(vec![2.0, f64::NAN, 1e-7])),
        ])
        .start(&tracer)
        .end();
    provider.shutdown().unwrap();
    let mut exporter = JaegerJsonExporter::new(&dir.0, "arrays");
    futures_executor::block_on(exporter.export(&memory.get_finished_spans())).unwrap();
    let files: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let traces = ui_check(&files);
    let tags = traces[0]["spans"][0]["tags"].as_array().unwrap().clone();
    let tag = |key: &str| {
        tags.iter()
            .find(|t| t[0] == key)
            .unwrap_or_else(|| panic!("no tag {key}"))
            .clone()
    };
    let names = tag("names");
    assert_eq!(names[1], "string");
    let text = names[2].as_str().unwrap();
    let parsed: Vec<String> = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("not a JSON array of strings ({e}): {text}"));
    assert_eq!(parsed, strings);
    // The same number text as every other exporter (serde_json alone wrote `2.0`, `null`).
    assert_eq!(tag("floats")[2], r#"[2,"NaN",1e-7]"#);
}

#[test]
fn a_file_not_written_by_the_exporter_is_not_appended_to() {
    let dir = TempDir::new("foreign");
    let path: &Path = &dir.0.join("foreign.json");
    std::fs::write(path, "{\"something\": \"else\"}").unwrap();
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(memory.clone())
        .build();
    record_spans(&provider);
    let mut exporter = JaegerJsonExporter::appending_to(path);
    let err = futures_executor::block_on(exporter.export(&memory.get_finished_spans()))
        .expect_err("foreign file");
    assert!(err.to_string().contains("does not end like"), "{err}");
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        "{\"something\": \"else\"}"
    );
}
