//! Errors of building an exporter.

/// Why a [`DynatraceExporter`](crate::DynatraceExporter) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The endpoint is not an absolute URL.
    #[error("invalid Dynatrace endpoint: {0}")]
    InvalidEndpoint(String),
    /// The API token cannot be sent in an HTTP header.
    #[error("the API token contains characters not allowed in an HTTP header")]
    InvalidToken,
    /// The default transport's thread could not start.
    #[error("the HTTP transport could not start: {0}")]
    Transport(#[source] std::io::Error),
    /// No client was given and neither the `hyper-client` nor the `reqwest-rustls` feature
    /// is on.
    #[error("no HTTP client: enable the `hyper-client` feature or call with_http_client")]
    NoHttpClient,
    /// The endpoint is `https://`, no client was given and the `reqwest-rustls` feature is
    /// off.
    #[error("no HTTPS client: enable the `reqwest-rustls` feature or call with_http_client")]
    NoHttpsClient,
}
