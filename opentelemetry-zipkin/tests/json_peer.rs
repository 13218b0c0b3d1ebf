//! Zipkin v2 JSON as a local receiver gets it, validated against zipkin2-api.yaml's
//! `ListOfSpans` by PyPI `jsonschema` (the peer), then checked field by field.

mod common;

use common::{expected, normalize_json_span, python, spans, Receiver};
use opentelemetry_sdk::trace::SpanExporter;
use opentelemetry_sdk::Resource;
use opentelemetry_zipkin::ZipkinExporter;

fn exporter(endpoint: String) -> ZipkinExporter {
    let mut exporter = ZipkinExporter::builder()
        .with_collector_endpoint(endpoint)
        .with_service_address("192.168.0.7:8080".parse().unwrap())
        .build()
        .unwrap();
    exporter.set_resource(
        &Resource::builder_empty()
            .with_service_name("checkout")
            .with_attribute(opentelemetry_api::KeyValue::new(
                "service.namespace",
                "shop",
            ))
            .build(),
    );
    exporter
}

#[test]
fn json_export_validates_against_the_zipkin2_schema_and_maps_every_field() {
    let receiver = Receiver::start(202);
    let mut exporter = exporter(receiver.url());
    let batch = spans();
    futures_executor::block_on(exporter.export(&batch)).expect("export");
    let request = receiver.next();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/api/v2/spans");
    assert_eq!(request.header("content-type"), Some("application/json"));

    let schema = common::peers_dir().join("zipkin-api/zipkin2-api.yaml");
    let verdict = python(
        "validate_json.py",
        &[schema.to_str().unwrap()],
        &request.body,
    );
    assert_eq!(verdict.trim(), format!("valid {}", batch.len()));

    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    let spans = body.as_array().unwrap();
    assert_eq!(spans.len(), batch.len());
    for (n, span) in (1..).zip(spans) {
        assert_eq!(normalize_json_span(span), expected(n), "span {n}");
    }
    // Internal spans carry no kind at all; spans without remote endpoint omit the field.
    assert!(spans[0].get("kind").is_none());
    assert!(spans[1].get("remoteEndpoint").is_none());
}

#[test]
fn minimal_spans_omit_empty_fields_and_still_validate() {
    use opentelemetry_api::trace::{SpanId, SpanKind, Status};
    let receiver = Receiver::start(200);
    let mut exporter = exporter(receiver.url());
    let mut span = common::span(9, SpanKind::Internal, vec![]);
    span.parent_span_id = SpanId::INVALID;
    span.events = Default::default();
    span.links = Default::default();
    span.dropped_attributes_count = 0;
    span.status = Status::Ok;
    span.start_time = span.end_time; // zero duration: reported as 1 µs (the schema's minimum)
    futures_executor::block_on(exporter.export(&[span])).expect("export");
    let request = receiver.next();
    let schema = common::peers_dir().join("zipkin-api/zipkin2-api.yaml");
    python(
        "validate_json.py",
        &[schema.to_str().unwrap()],
        &request.body,
    );
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    let span = &body[0];
    assert!(span.get("parentId").is_none());
    assert!(span.get("annotations").is_none());
    assert_eq!(span["duration"], 1);
    assert_eq!(span["tags"]["otel.status_code"], "OK");
    assert!(span["tags"].get("error").is_none());
    assert!(span["tags"].get("otel.dropped_attributes_count").is_none());
}

#[test]
fn array_tags_are_json_text_that_parses_back_to_the_attribute() {
    let receiver = Receiver::start(202);
    let mut exporter = exporter(receiver.url());
    futures_executor::block_on(exporter.export(&[common::span_with_tricky_arrays()]))
        .expect("export");
    let request = receiver.next();
    let schema = common::peers_dir().join("zipkin-api/zipkin2-api.yaml");
    let verdict = python(
        "validate_json.py",
        &[schema.to_str().unwrap()],
        &request.body,
    );
    assert_eq!(verdict.trim(), "valid 1");
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    common::assert_tricky_tags(&body[0]["tags"]);
}

#[test]
fn a_collector_error_status_fails_the_export() {
    let receiver = Receiver::start(500);
    let mut exporter = exporter(receiver.url());
    let err = futures_executor::block_on(exporter.export(&spans())).unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");
    receiver.next();
}

#[test]
fn the_schema_peer_rejects_a_body_that_breaks_the_schema() {
    // The validator itself must catch a bad document (so that its verdict above means something).
    let schema = common::peers_dir().join("zipkin-api/zipkin2-api.yaml");
    let status = std::process::Command::new("python3")
        .arg(common::peers_dir().join("peers/validate_json.py"))
        .arg(schema)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(br#"[{"traceId":"XYZ","id":"1","duration":0}]"#)?;
            child.wait_with_output()
        })
        .expect("python3 must be installed");
    assert!(!status.status.success());
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(out.contains("traceId") && out.contains("duration"), "{out}");
}
