//! The errors of building and running OTLP exporters.

use std::time::Duration;

/// What went wrong building an exporter or exporting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The endpoint is not a valid URL.
    #[error("invalid OTLP endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint given.
        endpoint: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A header name or value is not valid in HTTP or gRPC metadata.
    #[error("invalid header {0:?}")]
    InvalidHeader(String),
    /// The protocol asked for is not compiled in (see the crate features).
    #[error(
        "protocol {0} is not available in this build (enable the crate feature that provides it)"
    )]
    UnsupportedProtocol(&'static str),
    /// A TLS setting could not be used (unreadable file, bad PEM, TLS feature off).
    #[error("TLS configuration error: {0}")]
    Tls(String),
    /// The exporter's background thread could not start.
    #[error("could not start the exporter's thread: {0}")]
    Thread(#[from] std::io::Error),
    /// The exporter was shut down.
    #[error("the exporter is shut down")]
    Shutdown,
    /// The receiver refused the export with a non-retryable error.
    #[error("the receiver rejected the export: {0}")]
    Rejected(String),
    /// Retryable failures went on until the export's timeout.
    #[error("export failed after {attempts} attempt(s) within {timeout:?}: {last}")]
    RetriesExhausted {
        /// How many attempts were made.
        attempts: u32,
        /// The export timeout.
        timeout: Duration,
        /// The last failure.
        last: String,
    },
    /// The encoded request is larger than the maximum request size: it was not sent.
    #[error(
        "the export request is {size} bytes, over the maximum request size of {limit} bytes: \
         not sent, its data is dropped"
    )]
    RequestTooLarge {
        /// The encoded request's size, in bytes (before compression).
        size: usize,
        /// The maximum request size, in bytes.
        limit: usize,
    },
    /// The receiver's response is larger than the maximum response size: the export failed
    /// (not retried).
    #[error(
        "the receiver's response is over the maximum response size of {limit} bytes: {detail}"
    )]
    ResponseTooLarge {
        /// The maximum response size, in bytes.
        limit: usize,
        /// What was seen (the size declared or reached).
        detail: String,
    },
    /// Every one of the destination's concurrent requests stayed in flight for the whole
    /// export timeout: the batch was not sent (reported and counted as dropped).
    #[error(
        "all {limit} concurrent request(s) still in flight after {waited:?}: the batch is dropped"
    )]
    Busy {
        /// The destination's maximum of concurrent requests.
        limit: usize,
        /// How long the export waited for one of them to finish.
        waited: Duration,
    },
    /// In multi-destination exporting, the destination's queue is full: the batch is
    /// dropped for this destination only (reported and counted).
    #[error(
        "the queue of {capacity} request(s) for {endpoint} is full: the batch is dropped for it"
    )]
    QueueFull {
        /// The destination.
        endpoint: String,
        /// Its queue's capacity, in requests.
        capacity: usize,
    },
    /// Requests still unacknowledged when a flush or a shutdown stopped waiting for them
    /// (at shutdown, they are then cancelled: reported and counted as dropped).
    #[error("{requests} request(s) to {endpoint} still unacknowledged after waiting {waited:?}")]
    Unacknowledged {
        /// How many.
        requests: usize,
        /// The destination.
        endpoint: String,
        /// How long the flush or shutdown waited.
        waited: Duration,
    },
    /// Encoding the request failed.
    #[error("could not encode the request: {0}")]
    Encode(String),
    /// The OTLP file exporter could not open its file (for appending, created if missing).
    #[error("cannot open {path:?} for appending OTLP/JSON lines: {source}")]
    OpenFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The OTLP file exporter could not write (or flush) its output.
    #[error("cannot write OTLP/JSON lines: {0}")]
    Write(#[source] std::io::Error),
}

impl From<Error> for opentelemetry_sdk::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Shutdown => opentelemetry_sdk::Error::AlreadyShutdown,
            other => opentelemetry_sdk::Error::ExportFailed(other.to_string()),
        }
    }
}
