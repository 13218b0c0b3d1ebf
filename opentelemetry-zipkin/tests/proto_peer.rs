//! Zipkin v2 protobuf as a local receiver gets it, decoded by the classes `grpcio-tools`'
//! protoc generates from the official zipkin.proto (the peer), and checked field by field.

mod common;

use common::{expected, python, spans, Receiver};
use opentelemetry_sdk::trace::SpanExporter;
use opentelemetry_sdk::Resource;
use opentelemetry_zipkin::{ZipkinEncoding, ZipkinExporter};

#[test]
fn protobuf_export_decodes_with_the_official_zipkin_proto() {
    let receiver = Receiver::start(202);
    let mut exporter = ZipkinExporter::builder()
        .with_collector_endpoint(receiver.url())
        .with_service_address("192.168.0.7:8080".parse().unwrap())
        .with_encoding(ZipkinEncoding::Protobuf)
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
    let batch = spans();
    futures_executor::block_on(exporter.export(&batch)).expect("export");
    let request = receiver.next();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/api/v2/spans");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-protobuf")
    );

    let scratch = std::env::temp_dir().join(format!("zipkin-proto-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let proto_dir = common::peers_dir().join("zipkin-api");
    let decoded = python(
        "decode_proto.py",
        &[proto_dir.to_str().unwrap(), scratch.to_str().unwrap()],
        &request.body,
    );
    let _ = std::fs::remove_dir_all(&scratch);
    let decoded: serde_json::Value = serde_json::from_str(&decoded).unwrap();
    let decoded = decoded.as_array().unwrap();
    assert_eq!(decoded.len(), batch.len());
    for (n, span) in (1..).zip(decoded) {
        assert_eq!(span, &expected(n), "span {n}");
    }
}

#[test]
fn array_tags_decode_as_json_text_that_parses_back_to_the_attribute() {
    let receiver = Receiver::start(202);
    let mut exporter = ZipkinExporter::builder()
        .with_collector_endpoint(receiver.url())
        .with_encoding(ZipkinEncoding::Protobuf)
        .build()
        .unwrap();
    futures_executor::block_on(exporter.export(&[common::span_with_tricky_arrays()]))
        .expect("export");
    let request = receiver.next();
    let scratch = std::env::temp_dir().join(format!("zipkin-proto-arrays-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let proto_dir = common::peers_dir().join("zipkin-api");
    let decoded = python(
        "decode_proto.py",
        &[proto_dir.to_str().unwrap(), scratch.to_str().unwrap()],
        &request.body,
    );
    let _ = std::fs::remove_dir_all(&scratch);
    let decoded: serde_json::Value = serde_json::from_str(&decoded).unwrap();
    common::assert_tricky_tags(&decoded[0]["tags"]);
}
