//! The gRPC clients and servers of the collector services, with tonic (feature `gen-tonic`).
//!
//! Each service has one unary method, `Export`. The client works over any tonic transport
//! (`tonic::transport::Channel`, or any `GrpcService`); the server is a `tower` service that a
//! tonic server routes to by its [`NamedService::NAME`](tonic::server::NamedService::NAME).

macro_rules! service {
    (
        $service_name:literal,
        $client_mod:ident,
        $client:ident,
        $server_mod:ident,
        $server:ident,
        $trait_name:ident,
        $request:ident,
        $response:ident,
        $what:literal
    ) => {
        #[doc = concat!("The gRPC client of `", $service_name, "`.")]
        pub mod $client_mod {
            use super::{$request, $response};
            use tonic::codegen::{http, Body, Bytes, CompressionEncoding, GrpcMethod, StdError};

            #[doc = concat!("A client of `", $service_name, "`: sends ", $what, " to a receiver.")]
            ///
            /// `T` is the transport: a `tonic::transport::Channel` (tonic's `channel` feature),
            /// or any `GrpcService`.
            #[derive(Debug, Clone)]
            pub struct $client<T> {
                inner: tonic::client::Grpc<T>,
            }

            impl<T> $client<T>
            where
                T: tonic::client::GrpcService<tonic::body::Body>,
                T::Error: Into<StdError>,
                T::ResponseBody: Body<Data = Bytes> + Send + 'static,
                <T::ResponseBody as Body>::Error: Into<StdError> + Send,
            {
                /// A client sending through `transport`.
                pub fn new(transport: T) -> Self {
                    $client {
                        inner: tonic::client::Grpc::new(transport),
                    }
                }

                /// A client sending through `transport`, with requests addressed to `origin`.
                pub fn with_origin(transport: T, origin: http::Uri) -> Self {
                    $client {
                        inner: tonic::client::Grpc::with_origin(transport, origin),
                    }
                }

                /// Compresses requests with `encoding` (the server must accept it).
                pub fn send_compressed(mut self, encoding: CompressionEncoding) -> Self {
                    self.inner = self.inner.send_compressed(encoding);
                    self
                }

                /// Accepts responses compressed with `encoding`.
                pub fn accept_compressed(mut self, encoding: CompressionEncoding) -> Self {
                    self.inner = self.inner.accept_compressed(encoding);
                    self
                }

                /// The largest response accepted, in bytes (tonic's default: 4 MiB).
                pub fn max_decoding_message_size(mut self, limit: usize) -> Self {
                    self.inner = self.inner.max_decoding_message_size(limit);
                    self
                }

                /// The largest request sent, in bytes (tonic's default: unlimited).
                pub fn max_encoding_message_size(mut self, limit: usize) -> Self {
                    self.inner = self.inner.max_encoding_message_size(limit);
                    self
                }

                /// Sends one export request.
                pub async fn export(
                    &mut self,
                    request: impl tonic::IntoRequest<$request>,
                ) -> Result<tonic::Response<$response>, tonic::Status> {
                    self.inner.ready().await.map_err(|e| {
                        tonic::Status::unavailable(format!("the transport is not ready: {}", e.into()))
                    })?;
                    let codec = tonic_prost::ProstCodec::<$request, $response>::default();
                    let path = http::uri::PathAndQuery::from_static(concat!("/", $service_name, "/Export"));
                    let mut request = request.into_request();
                    request
                        .extensions_mut()
                        .insert(GrpcMethod::new($service_name, "Export"));
                    self.inner.unary(request, path, codec).await
                }
            }
        }

        #[doc = concat!("The gRPC server side of `", $service_name, "`.")]
        pub mod $server_mod {
            use super::{$request, $response};
            use std::future::Future;
            use std::sync::Arc;
            use std::task::{Context, Poll};
            use tonic::codegen::{
                http, Body, BoxFuture, CompressionEncoding, EnabledCompressionEncodings, Service,
                StdError,
            };

            #[doc = concat!("What a receiver of `", $service_name, "` implements.")]
            pub trait $trait_name: Send + Sync + 'static {
                #[doc = concat!("Handles one export of ", $what, ".")]
                fn export(
                    &self,
                    request: tonic::Request<$request>,
                ) -> impl Future<Output = Result<tonic::Response<$response>, tonic::Status>> + Send;
            }

            #[doc = concat!("Serves `", $service_name, "` with a [`", stringify!($trait_name), "`].")]
            #[derive(Debug)]
            pub struct $server<T> {
                inner: Arc<T>,
                accept_compression: EnabledCompressionEncodings,
                send_compression: EnabledCompressionEncodings,
                max_decoding_message_size: Option<usize>,
                max_encoding_message_size: Option<usize>,
            }

            impl<T> $server<T> {
                /// Serves with `inner`.
                pub fn new(inner: T) -> Self {
                    Self::from_arc(Arc::new(inner))
                }

                /// Serves with a shared `inner`.
                pub fn from_arc(inner: Arc<T>) -> Self {
                    $server {
                        inner,
                        accept_compression: EnabledCompressionEncodings::default(),
                        send_compression: EnabledCompressionEncodings::default(),
                        max_decoding_message_size: None,
                        max_encoding_message_size: None,
                    }
                }

                /// Accepts requests compressed with `encoding`.
                pub fn accept_compressed(mut self, encoding: CompressionEncoding) -> Self {
                    self.accept_compression.enable(encoding);
                    self
                }

                /// Compresses responses with `encoding` when the client accepts it.
                pub fn send_compressed(mut self, encoding: CompressionEncoding) -> Self {
                    self.send_compression.enable(encoding);
                    self
                }

                /// The largest request accepted, in bytes (tonic's default: 4 MiB).
                pub fn max_decoding_message_size(mut self, limit: usize) -> Self {
                    self.max_decoding_message_size = Some(limit);
                    self
                }

                /// The largest response sent, in bytes (tonic's default: unlimited).
                pub fn max_encoding_message_size(mut self, limit: usize) -> Self {
                    self.max_encoding_message_size = Some(limit);
                    self
                }
            }

            impl<T> Clone for $server<T> {
                fn clone(&self) -> Self {
                    $server {
                        inner: Arc::clone(&self.inner),
                        accept_compression: self.accept_compression,
                        send_compression: self.send_compression,
                        max_decoding_message_size: self.max_decoding_message_size,
                        max_encoding_message_size: self.max_encoding_message_size,
                    }
                }
            }

            /// The `Export` method as a tonic unary service.
            struct Export<T>(Arc<T>);

            impl<T: $trait_name> tonic::server::UnaryService<$request> for Export<T> {
                type Response = $response;
                type Future = BoxFuture<tonic::Response<$response>, tonic::Status>;

                fn call(&mut self, request: tonic::Request<$request>) -> Self::Future {
                    let inner = Arc::clone(&self.0);
                    Box::pin(async move { inner.export(request).await })
                }
            }

            impl<T, B> Service<http::Request<B>> for $server<T>
            where
                T: $trait_name,
                B: Body + Send + 'static,
                B::Error: Into<StdError> + Send + 'static,
            {
                type Response = http::Response<tonic::body::Body>;
                type Error = std::convert::Infallible;
                type Future = BoxFuture<Self::Response, Self::Error>;

                fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
                    Poll::Ready(Ok(()))
                }

                fn call(&mut self, request: http::Request<B>) -> Self::Future {
                    if request.uri().path() != concat!("/", $service_name, "/Export") {
                        let status = tonic::Status::unimplemented(format!(
                            "{} has no method at {}",
                            $service_name,
                            request.uri().path()
                        ));
                        return Box::pin(std::future::ready(Ok(status.into_http())));
                    }
                    let method = Export(Arc::clone(&self.inner));
                    let (accept, send) = (self.accept_compression, self.send_compression);
                    let (max_decoding, max_encoding) =
                        (self.max_decoding_message_size, self.max_encoding_message_size);
                    Box::pin(async move {
                        let codec = tonic_prost::ProstCodec::<$response, $request>::default();
                        let mut grpc = tonic::server::Grpc::new(codec)
                            .apply_compression_config(accept, send)
                            .apply_max_message_size_config(max_decoding, max_encoding);
                        Ok(grpc.unary(method, request).await)
                    })
                }
            }

            impl<T> tonic::server::NamedService for $server<T> {
                const NAME: &'static str = $service_name;
            }
        }
    };
}

pub(crate) use service;
