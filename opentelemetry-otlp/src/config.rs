//! Export settings: what the builders collect, and how they combine with the
//! `OTEL_EXPORTER_OTLP_*` variables (builder settings win; invalid variables are reported and
//! their default used).

use crate::error::Error;
use opentelemetry_api::otel_warn;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The default export timeout (the spec's `OTEL_EXPORTER_OTLP_TIMEOUT` default).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(10_000);
/// The default OTLP/gRPC endpoint.
pub const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";
/// The default OTLP/HTTP endpoint (before the signal's path is appended).
pub const DEFAULT_HTTP_ENDPOINT: &str = "http://localhost:4318";
/// The default largest request an exporter sends, in bytes, measured before compression
/// (64 MiB, the OTLP specification's recommendation).
pub const DEFAULT_MAX_REQUEST_SIZE: usize = 64 * 1024 * 1024;
/// The default largest response an exporter accepts, in bytes, measured after decompression
/// (4 MiB, the OTLP specification's recommendation).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 4 * 1024 * 1024;

/// The transport protocol of an OTLP exporter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// OTLP/gRPC (`grpc`).
    Grpc,
    /// OTLP/HTTP with binary protobuf bodies (`http/protobuf`, the spec's default).
    HttpBinary,
    /// OTLP/HTTP with JSON bodies (`http/json`).
    HttpJson,
}

impl Protocol {
    /// The name the `OTEL_EXPORTER_OTLP_PROTOCOL` variable uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::HttpBinary => "http/protobuf",
            Protocol::HttpJson => "http/json",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "grpc" => Ok(Protocol::Grpc),
            "http/protobuf" => Ok(Protocol::HttpBinary),
            "http/json" => Ok(Protocol::HttpJson),
            other => Err(format!("{other:?} is not grpc, http/protobuf or http/json")),
        }
    }
}

/// Compression of export requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// gzip.
    Gzip,
}

impl FromStr for Compression {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "gzip" => Ok(Compression::Gzip),
            other => Err(format!("{other:?} is not gzip or none")),
        }
    }
}

/// The telemetry signal an exporter sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    Traces,
    Metrics,
    Logs,
}

impl Signal {
    /// The signal's part of the per-signal variable names (`TRACES`, ...).
    pub(crate) fn env_name(self) -> &'static str {
        match self {
            Signal::Traces => "TRACES",
            Signal::Metrics => "METRICS",
            Signal::Logs => "LOGS",
        }
    }

    /// The path appended to the generic OTLP/HTTP endpoint.
    pub(crate) fn http_path(self) -> &'static str {
        match self {
            Signal::Traces => "v1/traces",
            Signal::Metrics => "v1/metrics",
            Signal::Logs => "v1/logs",
        }
    }
}

/// Settings common to every transport, as set on a builder.
#[derive(Clone, Debug, Default)]
pub struct ExportConfig {
    /// The endpoint URL; for OTLP/HTTP the full URL, signal path included.
    pub endpoint: Option<String>,
    /// The protocol (HTTP builders: binary or JSON).
    pub protocol: Option<Protocol>,
    /// The timeout of one export, retries included.
    pub timeout: Option<Duration>,
}

/// Everything a builder collected.
#[derive(Clone, Debug, Default)]
#[doc(hidden)]
pub struct Settings {
    pub(crate) export: ExportConfig,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) compression: Option<Option<Compression>>,
    pub(crate) retry: Option<crate::retry::RetryPolicy>,
    pub(crate) max_request_size: Option<usize>,
    pub(crate) max_response_size: Option<usize>,
    pub(crate) max_concurrent_requests: Option<usize>,
    pub(crate) max_queued_requests: Option<usize>,
    pub(crate) wait_on_shutdown: Option<bool>,
    /// Further destinations of the same signal: each one's builder state and settings.
    pub(crate) additional: Vec<(crate::builder::State, Settings)>,
    #[cfg(feature = "grpc-tonic")]
    pub(crate) insecure: Option<bool>,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<tonic::transport::ClientTlsConfig>,
    pub(crate) http_client: Option<std::sync::Arc<dyn opentelemetry_http::HttpClient>>,
    /// The meter of the self-observability metrics, when they are on.
    pub(crate) self_observability: Option<opentelemetry_api::metrics::Meter>,
}

/// The value of an environment variable; unset and empty are the same.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The per-signal variable's value if set, else the generic one's, with the name read.
pub(crate) fn signal_var(signal: Signal, suffix: &str) -> Option<(String, String)> {
    let specific = format!("OTEL_EXPORTER_OTLP_{}_{suffix}", signal.env_name());
    if let Some(v) = var(&specific) {
        return Some((specific, v));
    }
    let generic = format!("OTEL_EXPORTER_OTLP_{suffix}");
    var(&generic).map(|v| (generic, v))
}

/// The protocol from the environment (per signal, then generic), if valid.
pub(crate) fn env_protocol(signal: Signal) -> Option<Protocol> {
    let (name, value) = signal_var(signal, "PROTOCOL")?;
    match value.parse() {
        Ok(p) => Some(p),
        Err(e) => {
            otel_warn!("Otlp.InvalidProtocol", "{name}: {e}; the default is used");
            None
        }
    }
}

/// The export timeout: the builder's, else the environment's, else 10 s.
pub(crate) fn resolve_timeout(settings: &Settings, signal: Signal) -> Duration {
    if let Some(t) = settings.export.timeout {
        return t;
    }
    match signal_var(signal, "TIMEOUT") {
        Some((name, value)) => match value.parse::<u64>() {
            Ok(ms) => Duration::from_millis(ms),
            Err(_) => {
                otel_warn!(
                    "Otlp.InvalidTimeout",
                    "{name}={value:?} is not a number of milliseconds; using 10000"
                );
                DEFAULT_TIMEOUT
            }
        },
        None => DEFAULT_TIMEOUT,
    }
}

/// The compression: the builder's, else the environment's (`gzip` or `none`), else none.
pub(crate) fn resolve_compression(settings: &Settings, signal: Signal) -> Option<Compression> {
    if let Some(c) = settings.compression {
        return c;
    }
    let (name, value) = signal_var(signal, "COMPRESSION")?;
    if value == "none" {
        return None;
    }
    match value.parse() {
        Ok(c) => Some(c),
        Err(e) => {
            otel_warn!(
                "Otlp.InvalidCompression",
                "{name}: {e}; no compression is used"
            );
            None
        }
    }
}

/// Headers: the environment's (per-signal variable, else the generic one), then the
/// builder's, which replace environment headers of the same name.
pub(crate) fn resolve_headers(settings: &Settings, signal: Signal) -> Vec<(String, String)> {
    let mut headers = match signal_var(signal, "HEADERS") {
        Some((name, value)) => parse_headers(&name, &value),
        None => Vec::new(),
    };
    for (k, v) in &settings.headers {
        let key = k.to_ascii_lowercase();
        headers.retain(|(existing, _)| *existing != key);
        headers.push((key, v.clone()));
    }
    headers
}

/// Parses `key1=value1,key2=value2` (W3C Baggage-like: values percent-decoded, whitespace
/// around keys and values trimmed); bad entries are reported and skipped.
pub(crate) fn parse_headers(name: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for entry in value.split(',') {
        if entry.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = entry.split_once('=') else {
            otel_warn!(
                "Otlp.InvalidHeader",
                "{name}: {entry:?} is not key=value; skipped"
            );
            continue;
        };
        let key = percent_decode(k.trim()).map(|k| k.to_ascii_lowercase());
        let val = percent_decode(v.trim());
        match (key, val) {
            (Some(k), Some(v))
                if !k.is_empty()
                    && http::HeaderName::from_bytes(k.as_bytes()).is_ok()
                    && http::HeaderValue::from_str(&v).is_ok() =>
            {
                out.retain(|(existing, _)| *existing != k);
                out.push((k, v));
            }
            _ => otel_warn!(
                "Otlp.InvalidHeader",
                "{name}: {entry:?} is not a valid header; skipped"
            ),
        }
    }
    out
}

/// Decodes `%XX` escapes (UTF-8); `None` for a malformed escape or invalid UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Checks that `endpoint` is an absolute http(s) URL.
pub(crate) fn check_url(endpoint: &str) -> Result<http::Uri, Error> {
    let uri: http::Uri =
        endpoint
            .parse()
            .map_err(|e: http::uri::InvalidUri| Error::InvalidEndpoint {
                endpoint: endpoint.to_owned(),
                reason: e.to_string(),
            })?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) => Ok(uri),
        _ => Err(Error::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            reason: "not an absolute http:// or https:// URL".to_owned(),
        }),
    }
}

/// The OTLP/HTTP URL: the builder's endpoint as-is; else the per-signal variable as-is; else
/// the generic variable with the signal's path appended; else `http://localhost:4318/v1/...`.
pub(crate) fn resolve_http_endpoint(settings: &Settings, signal: Signal) -> Result<String, Error> {
    if let Some(e) = &settings.export.endpoint {
        check_url(e)?;
        return Ok(e.clone());
    }
    let specific = format!("OTEL_EXPORTER_OTLP_{}_ENDPOINT", signal.env_name());
    if let Some(e) = var(&specific) {
        match check_url(&e) {
            Ok(_) => return Ok(e),
            Err(err) => otel_warn!("Otlp.InvalidEndpoint", "{specific}: {err}; ignored"),
        }
    }
    if let Some(e) = var("OTEL_EXPORTER_OTLP_ENDPOINT") {
        let joined = append_signal_path(&e, signal);
        match check_url(&joined) {
            Ok(_) => return Ok(joined),
            Err(err) => {
                otel_warn!(
                    "Otlp.InvalidEndpoint",
                    "OTEL_EXPORTER_OTLP_ENDPOINT: {err}; ignored"
                )
            }
        }
    }
    Ok(append_signal_path(DEFAULT_HTTP_ENDPOINT, signal))
}

/// `base` + `/v1/<signal>` (one slash between them).
pub(crate) fn append_signal_path(base: &str, signal: Signal) -> String {
    if base.ends_with('/') {
        format!("{base}{}", signal.http_path())
    } else {
        format!("{base}/{}", signal.http_path())
    }
}

/// The OTLP/gRPC endpoint: the builder's, else the per-signal variable, else the generic
/// one (both as-is), else `http://localhost:4317`. An endpoint without a scheme gets
/// `https://`, or `http://` when the `INSECURE` variable (or the builder) says so.
#[cfg(feature = "grpc-tonic")]
pub(crate) fn resolve_grpc_endpoint(settings: &Settings, signal: Signal) -> Result<String, Error> {
    let insecure = || -> bool {
        if let Some(i) = settings.insecure {
            return i;
        }
        match signal_var(signal, "INSECURE") {
            Some((_, v)) if v.eq_ignore_ascii_case("true") => true,
            Some((_, v)) if v.eq_ignore_ascii_case("false") => false,
            Some((name, v)) => {
                otel_warn!(
                    "Otlp.InvalidBoolean",
                    "{name}={v:?} is not true or false; using false"
                );
                false
            }
            None => false,
        }
    };
    let with_scheme = |e: &str| -> String {
        if e.contains("://") {
            e.to_owned()
        } else if insecure() {
            format!("http://{e}")
        } else {
            format!("https://{e}")
        }
    };
    if let Some(e) = &settings.export.endpoint {
        let e = with_scheme(e);
        check_url(&e)?;
        return Ok(e);
    }
    for name in [
        format!("OTEL_EXPORTER_OTLP_{}_ENDPOINT", signal.env_name()),
        "OTEL_EXPORTER_OTLP_ENDPOINT".to_owned(),
    ] {
        if let Some(e) = var(&name) {
            let e = with_scheme(&e);
            match check_url(&e) {
                Ok(_) => return Ok(e),
                Err(err) => otel_warn!("Otlp.InvalidEndpoint", "{name}: {err}; ignored"),
            }
        }
    }
    Ok(DEFAULT_GRPC_ENDPOINT.to_owned())
}

#[cfg(any(feature = "tls", feature = "reqwest-rustls"))]
/// Reads a file named by a TLS variable; unreadable files are reported and ignored.
pub(crate) fn tls_file(signal: Signal, suffix: &str) -> Option<Vec<u8>> {
    let (name, path) = signal_var(signal, suffix)?;
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            otel_warn!(
                "Otlp.InvalidTlsFile",
                "{name}={path:?} cannot be read ({e}); ignored"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_percent_decoded_and_trimmed() {
        let h = parse_headers("X", " api-key = a%20b%2Cc ,Other=1,bad,=x, ");
        assert_eq!(
            h,
            vec![
                ("api-key".to_owned(), "a b,c".to_owned()),
                ("other".to_owned(), "1".to_owned())
            ]
        );
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%E2%9C%93"), Some("✓".to_owned()));
    }

    #[test]
    fn signal_paths_join_with_one_slash() {
        assert_eq!(
            append_signal_path("http://h:1", Signal::Traces),
            "http://h:1/v1/traces"
        );
        assert_eq!(
            append_signal_path("http://h:1/base/", Signal::Logs),
            "http://h:1/base/v1/logs"
        );
    }

    #[test]
    fn protocols_parse() {
        assert_eq!("grpc".parse(), Ok(Protocol::Grpc));
        assert_eq!("http/protobuf".parse(), Ok(Protocol::HttpBinary));
        assert_eq!("http/json".parse(), Ok(Protocol::HttpJson));
        assert!("http".parse::<Protocol>().is_err());
        assert!(check_url("localhost:4318").is_err());
        assert!(check_url("https://h/v1/traces").is_ok());
    }
}
