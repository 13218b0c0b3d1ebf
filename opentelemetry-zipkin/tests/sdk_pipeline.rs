//! The exporter behind the SDK's batch processor, sending through a user-supplied client.

use opentelemetry_api::trace::{Span, SpanKind, Tracer, TracerProvider};
use opentelemetry_api::KeyValue;
use opentelemetry_http::{BoxFuture, Bytes, HttpClient, HttpError};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use opentelemetry_zipkin::ZipkinExporter;
use std::sync::{Arc, Mutex};

/// Records every request and answers 202.
#[derive(Debug, Default, Clone)]
struct Recorder(Arc<Mutex<Vec<http::Request<Bytes>>>>);

impl HttpClient for Recorder {
    fn send_bytes(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
        self.0.lock().unwrap().push(request);
        Box::pin(async {
            Ok(http::Response::builder()
                .status(202)
                .body(Bytes::new())
                .unwrap())
        })
    }
}

fn export_one(resource: Resource) -> serde_json::Value {
    let recorder = Recorder::default();
    let exporter = ZipkinExporter::builder()
        .with_collector_endpoint("http://collector.invalid:9411/api/v2/spans")
        .with_http_client(recorder.clone())
        .build()
        .unwrap();
    let provider = SdkTracerProvider::builder()
        .with_resource(resource)
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer_with_scope(
        opentelemetry_api::InstrumentationScope::builder("my-lib")
            .with_version("0.9")
            .build(),
    );
    let mut span = tracer
        .span_builder("GET /cart")
        .with_kind(SpanKind::Client)
        .with_attributes([KeyValue::new("peer.service", "cart")])
        .start(&tracer);
    span.add_event("retry", vec![KeyValue::new("attempt", 2)]);
    span.end();
    provider.shutdown().unwrap();
    let requests = recorder.0.lock().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].uri(),
        "http://collector.invalid:9411/api/v2/spans"
    );
    serde_json::from_slice(requests[0].body()).unwrap()
}

#[test]
fn service_name_scope_and_remote_endpoint_through_the_sdk() {
    let body = export_one(
        Resource::builder_empty()
            .with_service_name("cart-frontend")
            .build(),
    );
    let span = &body[0];
    assert_eq!(span["localEndpoint"]["serviceName"], "cart-frontend");
    assert_eq!(span["remoteEndpoint"]["serviceName"], "cart");
    assert_eq!(span["kind"], "CLIENT");
    assert_eq!(span["name"], "GET /cart");
    assert_eq!(span["tags"]["otel.scope.name"], "my-lib");
    assert_eq!(span["tags"]["otel.scope.version"], "0.9");
    assert_eq!(span["annotations"][0]["value"], "\"retry\":{\"attempt\":2}");
}

#[test]
fn without_service_name_the_default_resource_names_the_service() {
    let body = export_one(Resource::builder_empty().build());
    let default = Resource::default();
    let expected = default
        .get(&opentelemetry_api::Key::from_static_str("service.name"))
        .unwrap()
        .as_str()
        .into_owned();
    assert!(expected.starts_with("unknown_service"), "{expected}");
    assert_eq!(body[0]["localEndpoint"]["serviceName"], expected.as_str());
}
