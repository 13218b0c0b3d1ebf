//! How an OpenTelemetry span becomes a Datadog span: the fields that do not depend on the
//! wire format.

use crate::dd_state;
use opentelemetry_api::trace::{SpanKind, Status};
use opentelemetry_api::{Array, Value};
use opentelemetry_sdk::trace::SpanData;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Computes a Datadog field (the span's name or resource) from a span.
///
/// Return `Cow::Borrowed` of something in the span (its name, an attribute) whenever
/// possible: borrowed strings are encoded without copying.
pub type FieldMappingFn = dyn for<'a> Fn(&'a SpanData) -> Cow<'a, str> + Send + Sync;

/// The span attribute that sets the Datadog span type (`web`, `db`, `http`, ...).
pub(crate) const SPAN_TYPE_ATTRIBUTE: &str = "span.type";
/// The metric that carries the sampling priority.
pub(crate) const SAMPLING_PRIORITY_KEY: &str = "_sampling_priority_v1";
/// The meta tag with the high 64 bits of a 128-bit trace ID, as 16 hex digits.
pub(crate) const TRACE_ID_HIGH_KEY: &str = "_dd.p.tid";
/// The meta tag with the trace's origin (`synthetics`, `rum`, ...).
pub(crate) const ORIGIN_KEY: &str = "_dd.origin";

/// Per-exporter settings of the mapping.
#[derive(Clone, Default)]
pub(crate) struct ModelConfig {
    /// The Datadog service of every span.
    pub(crate) service: String,
    /// The `env` tag, if any.
    pub(crate) env: Option<String>,
    /// The `version` tag, if any.
    pub(crate) version: Option<String>,
    /// Replaces the default operation name.
    pub(crate) name_mapping: Option<Arc<FieldMappingFn>>,
    /// Replaces the default resource (the span's name).
    pub(crate) resource_mapping: Option<Arc<FieldMappingFn>>,
}

impl fmt::Debug for ModelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelConfig")
            .field("service", &self.service)
            .field("env", &self.env)
            .field("version", &self.version)
            .field("name_mapping", &self.name_mapping.is_some())
            .field("resource_mapping", &self.resource_mapping.is_some())
            .finish()
    }
}

/// The lower-case name of a kind, as Datadog's `span.kind` tag and default names spell it.
pub(crate) fn kind_str(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Server => "server",
        SpanKind::Client => "client",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
        SpanKind::Internal => "internal",
    }
}

/// The default operation name: `<instrumentation scope name>.<span kind>`, with
/// `opentelemetry` for a scope without a name (the Datadog agent's convention for OTLP spans
/// before its "v2" names), e.g. `opentelemetry.server` or `my_library.client`.
pub(crate) fn default_name(span: &SpanData) -> String {
    let scope = span.instrumentation_scope.name();
    let scope = if scope.is_empty() {
        "opentelemetry"
    } else {
        scope
    };
    format!("{scope}.{}", kind_str(span.span_kind))
}

/// The Datadog span type: the `span.type` attribute when set, else derived from the kind and
/// attributes: `web` for a server, `db`/`sql`/`cache` for a database client, `http` for other
/// clients, `custom` otherwise (what Datadog's OTLP ingestion does).
pub(crate) fn span_type(span: &SpanData) -> &str {
    let mut db_system: Option<&str> = None;
    for kv in &span.attributes {
        match kv.key.as_str() {
            SPAN_TYPE_ATTRIBUTE => {
                if let Value::String(s) = &kv.value {
                    return s.as_str();
                }
            }
            // `db.system` is the name before semantic conventions 1.26.
            opentelemetry_semantic_conventions::attribute::DB_SYSTEM_NAME | "db.system" => {
                if let Value::String(s) = &kv.value {
                    db_system = Some(s.as_str());
                }
            }
            _ => {}
        }
    }
    match span.span_kind {
        SpanKind::Server => "web",
        SpanKind::Client => match db_system {
            Some("redis" | "memcached") => "cache",
            Some(
                "postgresql"
                | "mysql"
                | "mariadb"
                | "mssql"
                | "microsoft.sql_server"
                | "oracle"
                | "oracle.db"
                | "sqlite"
                | "db2"
                | "ibm.db2"
                | "cockroachdb"
                | "h2"
                | "derby",
            ) => "sql",
            Some(_) => "db",
            None => "http",
        },
        _ => "custom",
    }
}

/// The text of an attribute written to `meta`.
pub(crate) enum AttrValue<'a> {
    /// Written as it is.
    Str(&'a str),
    /// A value formatted as text (arrays).
    Formatted(String),
}

/// The `meta` text of an attribute (`None` for numbers, which go to `metrics`, and for
/// `span.type`, which is not a tag).
#[inline]
pub(crate) fn attr_value<'a>(key: &str, value: &'a Value) -> Option<AttrValue<'a>> {
    if key == SPAN_TYPE_ATTRIBUTE {
        return None;
    }
    Some(match value {
        Value::String(s) => AttrValue::Str(s.as_str()),
        Value::Bool(true) => AttrValue::Str("true"),
        Value::Bool(false) => AttrValue::Str("false"),
        Value::I64(_) | Value::F64(_) => return None,
        Value::Array(a) => AttrValue::Formatted(format_array(a)),
    })
}

/// Whether an attribute goes to `meta` (`Some(true)`), `metrics` (`Some(false)`) or nowhere.
#[inline]
pub(crate) fn attr_is_meta(key: &str, value: &Value) -> Option<bool> {
    if key == SPAN_TYPE_ATTRIBUTE {
        return None;
    }
    Some(!matches!(value, Value::I64(_) | Value::F64(_)))
}

/// The number of a numeric attribute (`None` for other attributes).
#[inline]
pub(crate) fn attr_number(key: &str, value: &Value) -> Option<f64> {
    match value {
        Value::I64(i) if key != SPAN_TYPE_ATTRIBUTE => Some(*i as f64),
        Value::F64(f) if key != SPAN_TYPE_ATTRIBUTE => Some(*f),
        _ => None,
    }
}

/// The array's JSON text (`opentelemetry_api::json`).
fn format_array(a: &Array) -> String {
    let mut text = String::new();
    a.write_json(&mut text);
    text
}

/// The error fields of a span: `error.message`, `error.type` and `error.stack`, from its
/// status and its `exception` event.
#[derive(Default)]
pub(crate) struct ErrorInfo<'a> {
    pub(crate) is_error: bool,
    pub(crate) message: Option<&'a str>,
    pub(crate) kind: Option<&'a str>,
    pub(crate) stack: Option<&'a str>,
}

impl<'a> ErrorInfo<'a> {
    pub(crate) fn of(span: &'a SpanData) -> ErrorInfo<'a> {
        let Status::Error { description } = &span.status else {
            return ErrorInfo::default();
        };
        let mut info = ErrorInfo {
            is_error: true,
            message: (!description.is_empty()).then_some(description.as_ref()),
            ..ErrorInfo::default()
        };
        use opentelemetry_semantic_conventions::attribute as semconv;
        if let Some(event) = span
            .events
            .events
            .iter()
            .rev()
            .find(|e| e.name == "exception")
        {
            for kv in &event.attributes {
                let Value::String(s) = &kv.value else {
                    continue;
                };
                match kv.key.as_str() {
                    semconv::EXCEPTION_MESSAGE if info.message.is_none() => {
                        info.message = Some(s.as_str())
                    }
                    semconv::EXCEPTION_TYPE => info.kind = Some(s.as_str()),
                    semconv::EXCEPTION_STACKTRACE => info.stack = Some(s.as_str()),
                    _ => {}
                }
            }
        }
        info
    }

    pub(crate) fn meta_count(&self) -> u32 {
        self.message.is_some() as u32 + self.kind.is_some() as u32 + self.stack.is_some() as u32
    }
}

/// The sampling priority and origin a span's trace state carries, with the priority derived
/// from the sampled flag when none is recorded (1, "auto keep", or 0, "auto reject").
pub(crate) fn priority_and_origin(span: &SpanData) -> (i32, Option<&str>) {
    let sc = &span.span_context;
    let (priority, origin) = match sc.trace_state().get(dd_state::DD_KEY) {
        Some(v) => dd_state::priority_and_origin(v),
        None => (None, None),
    };
    (
        priority.unwrap_or(if sc.is_sampled() { 1 } else { 0 }),
        origin,
    )
}

/// Nanoseconds since the Unix epoch (0 for times before it, saturated far after it).
pub(crate) fn unix_nanos(t: std::time::SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
