//! The tonic clients and servers: a client talks to a server in memory (the server is the
//! client's transport), through tonic's gRPC framing and the prost codec.
#![cfg(feature = "gen-tonic")]

use opentelemetry_proto::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::sync::{Arc, Mutex};
use tonic::server::NamedService;

#[derive(Default)]
struct Receiver {
    spans: Mutex<Vec<String>>,
    metadata: Mutex<Vec<String>>,
}

/// The receiver as the server sees it; the test keeps another handle.
struct Shared(Arc<Receiver>);

impl TraceService for Shared {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        if let Some(v) = request.metadata().get("x-tenant") {
            self.0
                .metadata
                .lock()
                .unwrap()
                .push(v.to_str().unwrap().to_owned());
        }
        let request = request.into_inner();
        let names = request
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
            .map(|s| s.name.clone());
        self.0.spans.lock().unwrap().extend(names);
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: Some(ExportTracePartialSuccess {
                rejected_spans: 1,
                error_message: "one span was too old".into(),
            }),
        }))
    }
}

struct Rejecting;

impl MetricsService for Rejecting {
    async fn export(
        &self,
        _request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        Err(tonic::Status::resource_exhausted("slow down"))
    }
}

struct Accepting;

impl LogsService for Accepting {
    async fn export(
        &self,
        _request: tonic::Request<ExportLogsServiceRequest>,
    ) -> Result<tonic::Response<ExportLogsServiceResponse>, tonic::Status> {
        Ok(tonic::Response::new(ExportLogsServiceResponse::default()))
    }
}

fn request(names: &[&str]) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: names
                    .iter()
                    .map(|n| Span {
                        name: (*n).into(),
                        trace_id: vec![1; 16],
                        span_id: vec![2; 8],
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[tokio::test]
async fn a_client_exports_to_a_server_and_reads_the_partial_success() {
    let receiver = Arc::new(Receiver::default());
    let server = TraceServiceServer::new(Shared(Arc::clone(&receiver)));
    let mut client = TraceServiceClient::new(server);
    let mut req = tonic::Request::new(request(&["a", "b"]));
    req.metadata_mut()
        .insert("x-tenant", "acme".parse().unwrap());
    let response = client.export(req).await.unwrap().into_inner();
    assert_eq!(
        response.partial_success,
        Some(ExportTracePartialSuccess {
            rejected_spans: 1,
            error_message: "one span was too old".into(),
        })
    );
    client.export(request(&["c"])).await.unwrap();
    assert_eq!(*receiver.spans.lock().unwrap(), ["a", "b", "c"]);
    assert_eq!(*receiver.metadata.lock().unwrap(), ["acme"]);
}

#[tokio::test]
async fn server_errors_reach_the_client_as_statuses() {
    let mut client = MetricsServiceClient::new(MetricsServiceServer::new(Rejecting));
    let status = client
        .export(ExportMetricsServiceRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    assert_eq!(status.message(), "slow down");

    let mut client = LogsServiceClient::new(LogsServiceServer::new(Accepting));
    let response = client
        .export(ExportLogsServiceRequest::default())
        .await
        .unwrap();
    assert_eq!(response.into_inner().partial_success, None);
}

#[tokio::test]
async fn the_server_answers_unknown_methods_with_unimplemented() {
    use tonic::codegen::Service;
    let mut server = TraceServiceServer::new(Shared(Arc::default()));
    let request = tonic::codegen::http::Request::builder()
        .uri("/opentelemetry.proto.collector.trace.v1.TraceService/Missing")
        .header("content-type", "application/grpc")
        .body(tonic::body::Body::empty())
        .unwrap();
    let response = server.call(request).await.unwrap();
    assert_eq!(response.headers()["grpc-status"], "12");
}

#[test]
fn servers_are_named_after_their_protobuf_service() {
    assert_eq!(
        <TraceServiceServer<Shared> as NamedService>::NAME,
        "opentelemetry.proto.collector.trace.v1.TraceService"
    );
    assert_eq!(
        <MetricsServiceServer<Rejecting> as NamedService>::NAME,
        "opentelemetry.proto.collector.metrics.v1.MetricsService"
    );
    assert_eq!(
        <LogsServiceServer<Accepting> as NamedService>::NAME,
        "opentelemetry.proto.collector.logs.v1.LogsService"
    );
}
