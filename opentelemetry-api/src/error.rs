//! The API's error type and its diagnostics.

use std::borrow::Cow;

/// An error from the API: invalid input given to a constructor or a parser.
///
/// ```
/// use opentelemetry_api::trace::TraceState;
/// let err = TraceState::from_key_value([("UPPER", "v")]).unwrap_err();
/// assert!(err.to_string().contains("trace state"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A trace state key, value or header did not follow the W3C rules.
    #[error("invalid trace state: {0}")]
    InvalidTraceState(Cow<'static, str>),
    /// A baggage entry or header did not follow the W3C rules or exceeded a limit.
    #[error("invalid baggage: {0}")]
    InvalidBaggage(Cow<'static, str>),
    /// An instrument or callback registration was refused.
    #[error("metrics: {0}")]
    Metrics(Cow<'static, str>),
    /// A provider, processor or exporter operation failed.
    #[error("{0}")]
    Other(Cow<'static, str>),
}

/// A `Result` with the API's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
