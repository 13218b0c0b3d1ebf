//! The exporter's errors.

use crate::auth::AuthError;
use std::time::Duration;

/// Why the exporter could not be built or a batch not be sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The builder's settings are unusable (a bad endpoint, say).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The client's thread or runtime could not be started.
    #[error("cannot start the exporter's thread: {0}")]
    Thread(std::io::Error),
    /// No access token.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The call failed: the server's status, or a transport failure as `UNAVAILABLE`.
    #[error("BatchWriteSpans failed: {0}")]
    Grpc(Box<tonic::Status>),
    /// No answer within the timeout.
    #[error("BatchWriteSpans timed out after {0:?}")]
    Timeout(Duration),
    /// The client's thread has stopped (the exporter was shut down).
    #[error("the exporter's client has stopped")]
    Stopped,
}
