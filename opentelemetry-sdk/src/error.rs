//! The SDK's error type.

use std::time::Duration;

/// What went wrong in a provider, processor or exporter operation.
///
/// ```
/// use opentelemetry_sdk::Error;
/// let err = Error::Timeout(std::time::Duration::from_secs(5));
/// assert_eq!(err.to_string(), "operation timed out after 5s");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider, processor or exporter was already shut down.
    #[error("already shut down")]
    AlreadyShutdown,
    /// The operation did not complete within its timeout.
    #[error("operation timed out after {0:?}")]
    Timeout(Duration),
    /// An export failed; the batch was dropped.
    #[error("export failed: {0}")]
    ExportFailed(String),
    /// Any other failure, with a message saying what happened.
    #[error("{0}")]
    InternalFailure(String),
}

/// A `Result` with the SDK's [`Error`].
pub type Result<T = ()> = std::result::Result<T, Error>;

/// Combines the results of several components: the first error wins, all are still run.
pub(crate) fn first_error(results: impl IntoIterator<Item = Result>) -> Result {
    let mut out = Ok(());
    for r in results {
        if out.is_ok() {
            out = r;
        }
    }
    out
}
