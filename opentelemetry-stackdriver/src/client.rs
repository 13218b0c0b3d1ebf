//! The `BatchWriteSpans` gRPC client, driven on its own thread and tokio runtime.

use crate::auth::{percent_encode, Authorizer};
use crate::error::Error;
use crate::proto::{BatchWriteSpansRequest, Empty};
use opentelemetry_http::RuntimeThread;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::codegen::GrpcMethod;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};

const SERVICE: &str = "google.devtools.cloudtrace.v2.TraceService";
const METHOD: &str = "BatchWriteSpans";
const PATH: &str = "/google.devtools.cloudtrace.v2.TraceService/BatchWriteSpans";

/// What every request carries besides the spans.
struct Headers {
    authorizer: Option<Arc<dyn Authorizer>>,
    /// `x-goog-request-params`: routes the call by the project.
    request_params: MetadataValue<tonic::metadata::Ascii>,
    /// `x-goog-user-project`: the project billed for the quota.
    user_project: Option<MetadataValue<tonic::metadata::Ascii>>,
}

/// Sends requests on its own runtime thread, which owns the channel's connection.
pub(crate) struct TraceClient {
    thread: RuntimeThread,
    grpc: tonic::client::Grpc<Channel>,
    headers: Arc<Headers>,
    timeout: Duration,
}

impl fmt::Debug for TraceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceClient")
            .field("thread", &self.thread)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

pub(crate) struct ClientConfig {
    pub(crate) endpoint: String,
    pub(crate) timeout: Duration,
    pub(crate) project_id: String,
    pub(crate) quota_project: Option<String>,
    pub(crate) authorizer: Option<Arc<dyn Authorizer>>,
}

impl TraceClient {
    /// Starts the thread (`otel-stackdriver`); the connection is made on the first request.
    pub(crate) fn start(config: ClientConfig) -> Result<Self, Error> {
        let ClientConfig {
            endpoint,
            timeout,
            project_id,
            quota_project,
            authorizer,
        } = config;
        let invalid = |what: &str| Error::InvalidConfig(what.to_owned());
        let request_params = format!("name={}", percent_encode(&format!("projects/{project_id}")))
            .parse()
            .map_err(|_| invalid("the project ID is not valid in a header"))?;
        let user_project = quota_project
            .map(|p| p.parse())
            .transpose()
            .map_err(|_| invalid("the quota project is not valid in a header"))?;
        let headers = Arc::new(Headers {
            authorizer,
            request_params,
            user_project,
        });
        let endpoint = Self::endpoint(&endpoint, timeout)?;

        let thread = RuntimeThread::start("otel-stackdriver").map_err(Error::Thread)?;
        let grpc = {
            // The lazy channel's background task is spawned on the thread's runtime.
            let _inside = thread.handle().enter();
            tonic::client::Grpc::new(endpoint.connect_lazy())
        };
        Ok(TraceClient {
            thread,
            grpc,
            headers,
            timeout,
        })
    }

    fn endpoint(uri: &str, timeout: Duration) -> Result<Endpoint, Error> {
        let endpoint = Endpoint::from_shared(uri.to_owned())
            .map_err(|e| Error::InvalidConfig(format!("invalid endpoint {uri:?}: {e}")))?
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!(
                "opentelemetry-stackdriver-rust/",
                env!("CARGO_PKG_VERSION")
            ))
            .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        if uri.starts_with("https://") {
            #[cfg(feature = "tls")]
            {
                opentelemetry_http::install_rustls_provider();
                let tls = tonic::transport::ClientTlsConfig::new().with_native_roots();
                return endpoint
                    .tls_config(tls)
                    .map_err(|e| Error::InvalidConfig(e.to_string()));
            }
            #[cfg(not(feature = "tls"))]
            return Err(Error::InvalidConfig(
                "an https:// endpoint needs the `tls` feature".into(),
            ));
        }
        Ok(endpoint)
    }

    /// Sends `request` and waits for the answer; works from any executor.
    pub(crate) async fn send(&self, request: BatchWriteSpansRequest) -> Result<(), Error> {
        let (grpc, headers, timeout) = (self.grpc.clone(), Arc::clone(&self.headers), self.timeout);
        self.thread
            .run(async move {
                tokio::time::timeout(timeout, send(grpc, &headers, request))
                    .await
                    .unwrap_or(Err(Error::Timeout(timeout)))
            })
            .await
            .unwrap_or(Err(Error::Stopped))
    }
}

async fn send(
    mut grpc: tonic::client::Grpc<Channel>,
    headers: &Headers,
    request: BatchWriteSpansRequest,
) -> Result<(), Error> {
    let mut request = tonic::Request::new(request);
    let metadata = request.metadata_mut();
    if let Some(authorizer) = &headers.authorizer {
        let token = authorizer.token().await?;
        let value = format!("Bearer {token}").parse().map_err(|_| {
            Error::InvalidConfig("the access token is not valid in a header".into())
        })?;
        metadata.insert("authorization", value);
    }
    metadata.insert("x-goog-request-params", headers.request_params.clone());
    if let Some(project) = &headers.user_project {
        metadata.insert("x-goog-user-project", project.clone());
    }
    request
        .extensions_mut()
        .insert(GrpcMethod::new(SERVICE, METHOD));
    grpc.ready()
        .await
        .map_err(|e| Error::Grpc(Box::new(tonic::Status::unavailable(e.to_string()))))?;
    let codec = tonic_prost::ProstCodec::<BatchWriteSpansRequest, Empty>::default();
    grpc.unary(request, PathAndQuery::from_static(PATH), codec)
        .await
        .map(|_| ())
        .map_err(|status| Error::Grpc(Box::new(status)))
}
