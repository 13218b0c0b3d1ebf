//! Spans as Jaeger JSON files, in the format the Jaeger UI loads with "JSON File" upload
//! (the format of the Jaeger query API's `/api/traces` responses).

use opentelemetry_api::trace::{SpanId, SpanKind, Status, TraceId};
use opentelemetry_api::{Array, KeyValue, Value};
use opentelemetry_sdk::resource::Resource;
use opentelemetry_sdk::trace::{BoxFuture, SpanData, SpanExporter};
use opentelemetry_sdk::{Error, Result};
use opentelemetry_semantic_conventions::attribute as semconv;
use serde_json::{json, Map, Value as Json};
use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The process id every span refers to (the exporter has one resource).
const PROCESS_ID: &str = "p1";
/// How an appended file ends: the data array and the object closed, and a newline.
const FILE_END: &[u8] = b"]}\n";

/// Where the spans go.
#[derive(Clone, Debug)]
enum Target {
    /// One new file per export in `dir`, named `{prefix}-{micros}-{n}.json`.
    PerExport { dir: PathBuf, prefix: String },
    /// One file; each export appends its traces to the file's `data` array.
    Append(PathBuf),
}

/// Writes spans to files in the Jaeger JSON format (`{"data": [trace, ...]}`), which the
/// Jaeger UI's "JSON File" upload loads.
///
/// Each export groups its spans by trace: one `data` entry per trace, with the spans'
/// `traceID`, `spanID`, `operationName`, `references` (`CHILD_OF` the parent first, then
/// `FOLLOWS_FROM` each link), `startTime` and `duration` in microseconds, typed `tags`
/// (attributes, `span.kind`, `otel.status_code`, `otel.status_description`, `error`,
/// `otel.scope.*` and dropped counts), `logs` (events, with an `event` field holding the
/// name), `processID` and `warnings`, and a `processes` map whose single process carries the
/// resource (`service.name` as `serviceName`, the other attributes as tags). Arrays become
/// JSON-encoded strings, as the spec's mapping to non-OTLP formats asks.
///
/// With [`new`](Self::new) every export writes a new file; with
/// [`appending_to`](Self::appending_to) all exports go to one file that stays a valid
/// document (each export adds its traces to the `data` array). Spans of one trace exported
/// in different batches then form several `data` entries with the same `traceID`.
///
/// ```
/// use opentelemetry_api::trace::{Tracer, TracerProvider};
/// use opentelemetry_contrib::exporter::JaegerJsonExporter;
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let dir = std::env::temp_dir().join(format!("jaeger-json-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let exporter = JaegerJsonExporter::new(&dir, "trace");
/// let provider = SdkTracerProvider::builder().with_simple_exporter(exporter).build();
/// provider.tracer("doc").in_span("work", |_cx| {});
/// provider.shutdown().unwrap();
/// let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
/// assert_eq!(files.len(), 1);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct JaegerJsonExporter {
    target: Target,
    service_name: Option<String>,
    process: Json,
    sequence: AtomicU64,
    is_shutdown: bool,
}

impl JaegerJsonExporter {
    /// Writes one file per export in `dir` (which must exist), named
    /// `{file_prefix}-{unix time in µs}-{sequence}.json`.
    pub fn new(dir: impl Into<PathBuf>, file_prefix: impl Into<String>) -> Self {
        Self::with_target(Target::PerExport {
            dir: dir.into(),
            prefix: file_prefix.into(),
        })
    }

    /// Appends every export to the file at `path` (created when missing), keeping it one
    /// valid Jaeger JSON document.
    pub fn appending_to(path: impl Into<PathBuf>) -> Self {
        Self::with_target(Target::Append(path.into()))
    }

    fn with_target(target: Target) -> Self {
        JaegerJsonExporter {
            target,
            service_name: None,
            process: process(&Resource::empty(), None),
            sequence: AtomicU64::new(0),
            is_shutdown: false,
        }
    }

    /// The `serviceName` of the process (default: the resource's `service.name`, else
    /// `unknown_service`).
    pub fn with_service_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.process["serviceName"] = Json::String(name.clone());
        self.service_name = Some(name);
        self
    }

    fn write(&self, traces: &[Json]) -> std::io::Result<()> {
        match &self.target {
            Target::PerExport { dir, prefix } => {
                let micros = micros(SystemTime::now());
                let n = self.sequence.fetch_add(1, Ordering::Relaxed);
                let path = dir.join(format!("{prefix}-{micros}-{n}.json"));
                let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
                let mut doc = serde_json::to_vec(&json!({ "data": traces }))?;
                doc.push(b'\n');
                file.write_all(&doc)
            }
            Target::Append(path) => append(path, traces),
        }
    }
}

/// Adds `traces` to the `data` array of the document at `path` (creating it when missing or
/// empty) by rewriting only its closing `]}`.
fn append(path: &Path, traces: &[Json]) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let len = file.metadata()?.len();
    let mut out = Vec::new();
    if len == 0 {
        out.extend_from_slice(b"{\"data\":[");
    } else {
        let tail_len = FILE_END.len() as u64;
        if len < tail_len + 9 {
            return Err(not_ours(path));
        }
        file.seek(SeekFrom::Start(len - tail_len))?;
        let mut tail = [0u8; 3];
        file.read_exact(&mut tail)?;
        if tail != FILE_END {
            return Err(not_ours(path));
        }
        // Is the array empty? Then it ends with `[` before the tail.
        file.seek(SeekFrom::Start(len - tail_len - 1))?;
        let mut before = [0u8; 1];
        file.read_exact(&mut before)?;
        file.seek(SeekFrom::Start(len - tail_len))?;
        if before[0] != b'[' && !traces.is_empty() {
            out.push(b',');
        }
    }
    for (i, trace) in traces.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, trace)?;
    }
    out.extend_from_slice(FILE_END);
    file.write_all(&out)?;
    file.flush()
}

fn not_ours(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "{} does not end like a Jaeger JSON file this exporter wrote",
            path.display()
        ),
    )
}

fn micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A trace ID as Jaeger writes it: 16 hex digits when the high half is zero, else 32.
fn trace_id_hex(id: TraceId) -> String {
    let hex = id.to_hex();
    // `to_hex` is ASCII hex, so both slices are valid UTF-8.
    let s = std::str::from_utf8(&hex).unwrap_or_default();
    s.strip_prefix("0000000000000000").unwrap_or(s).to_owned()
}

fn span_id_hex(id: SpanId) -> String {
    let hex = id.to_hex();
    std::str::from_utf8(&hex).unwrap_or_default().to_owned()
}

fn tag(key: &str, value: &Value) -> Json {
    let (kind, value) = match value {
        Value::Bool(b) => ("bool", Json::Bool(*b)),
        Value::I64(i) => ("int64", Json::from(*i)),
        Value::F64(f) if f.is_finite() => ("float64", Json::from(*f)),
        // JSON has no NaN or infinity: the specification's names as text.
        Value::F64(_) => ("string", Json::String(value.to_string())),
        Value::String(s) => ("string", Json::String(s.as_str().to_owned())),
        Value::Array(a) => ("string", Json::String(array_json(a))),
    };
    json!({ "key": key, "type": kind, "value": value })
}

/// The array's JSON text (`opentelemetry_api::json`), which Jaeger shows as a string tag.
fn array_json(a: &Array) -> String {
    let mut text = String::new();
    a.write_json(&mut text);
    text
}

fn str_tag(key: &str, value: &str) -> Json {
    json!({ "key": key, "type": "string", "value": value })
}

fn int_tag(key: &str, value: u32) -> Json {
    json!({ "key": key, "type": "int64", "value": value })
}

fn tags(attributes: &[KeyValue]) -> Vec<Json> {
    attributes
        .iter()
        .map(|kv| tag(kv.key.as_str(), &kv.value))
        .collect()
}

fn process(resource: &Resource, service_name: Option<&str>) -> Json {
    let mut name = service_name.map(str::to_owned);
    let mut tags = Vec::new();
    for (k, v) in resource.iter() {
        if k.as_str() == semconv::SERVICE_NAME {
            if name.is_none() {
                name = Some(v.as_str().into_owned());
            }
        } else {
            tags.push(tag(k.as_str(), v));
        }
    }
    json!({
        "serviceName": name.unwrap_or_else(|| "unknown_service".to_owned()),
        "tags": tags,
    })
}

fn span_json(span: &SpanData) -> Json {
    let sc = &span.span_context;
    let trace_id = trace_id_hex(sc.trace_id());
    let mut references = Vec::with_capacity(1 + span.links.links.len());
    if span.parent_span_id.is_valid() {
        references.push(json!({
            "refType": "CHILD_OF",
            "traceID": trace_id,
            "spanID": span_id_hex(span.parent_span_id),
        }));
    }
    for link in &span.links.links {
        references.push(json!({
            "refType": "FOLLOWS_FROM",
            "traceID": trace_id_hex(link.span_context.trace_id()),
            "spanID": span_id_hex(link.span_context.span_id()),
        }));
    }
    let mut tags = tags(&span.attributes);
    let kind = match span.span_kind {
        SpanKind::Client => Some("client"),
        SpanKind::Server => Some("server"),
        SpanKind::Producer => Some("producer"),
        SpanKind::Consumer => Some("consumer"),
        SpanKind::Internal => Some("internal"),
        #[allow(unreachable_patterns)]
        _ => None,
    };
    if let Some(kind) = kind {
        tags.push(str_tag("span.kind", kind));
    }
    match &span.status {
        Status::Ok => tags.push(str_tag(semconv::OTEL_STATUS_CODE, "OK")),
        Status::Error { description } => {
            tags.push(str_tag(semconv::OTEL_STATUS_CODE, "ERROR"));
            if !description.is_empty() {
                tags.push(str_tag(semconv::OTEL_STATUS_DESCRIPTION, description));
            }
            tags.push(json!({ "key": "error", "type": "bool", "value": true }));
        }
        _ => {}
    }
    let scope = span.instrumentation_scope;
    if !scope.name().is_empty() {
        tags.push(str_tag(semconv::OTEL_SCOPE_NAME, scope.name()));
        tags.push(str_tag("otel.library.name", scope.name()));
    }
    if let Some(version) = scope.version() {
        tags.push(str_tag(semconv::OTEL_SCOPE_VERSION, version));
        tags.push(str_tag("otel.library.version", version));
    }
    for (key, count) in [
        (
            "otel.dropped_attributes_count",
            span.dropped_attributes_count,
        ),
        ("otel.dropped_events_count", span.events.dropped_count),
        ("otel.dropped_links_count", span.links.dropped_count),
    ] {
        if count > 0 {
            tags.push(int_tag(key, count));
        }
    }
    let logs: Vec<Json> = span
        .events
        .events
        .iter()
        .map(|event| {
            let mut fields = vec![str_tag("event", &event.name)];
            fields.extend(tags_of(&event.attributes));
            if event.dropped_attributes_count > 0 {
                fields.push(int_tag(
                    "otel.dropped_attributes_count",
                    event.dropped_attributes_count,
                ));
            }
            json!({ "timestamp": micros(event.timestamp), "fields": fields })
        })
        .collect();
    let start = micros(span.start_time);
    let duration = micros(span.end_time).saturating_sub(start);
    json!({
        "traceID": trace_id,
        "spanID": span_id_hex(sc.span_id()),
        "flags": sc.trace_flags().to_u8(),
        "operationName": span.name,
        "references": references,
        "startTime": start,
        "duration": duration,
        "tags": tags,
        "logs": logs,
        "processID": PROCESS_ID,
        "warnings": Json::Null,
    })
}

fn tags_of(attributes: &[KeyValue]) -> Vec<Json> {
    tags(attributes)
}

/// One `data` entry per trace, in the order the traces first appear in the batch.
fn traces_json(batch: &[SpanData], process: &Json) -> Vec<Json> {
    let mut order: Vec<(TraceId, Vec<Json>)> = Vec::new();
    let mut index: HashMap<TraceId, usize> = HashMap::new();
    for span in batch {
        let id = span.span_context.trace_id();
        let i = *index.entry(id).or_insert_with(|| {
            order.push((id, Vec::new()));
            order.len() - 1
        });
        order[i].1.push(span_json(span));
    }
    order
        .into_iter()
        .map(|(id, spans)| {
            let mut processes = Map::new();
            processes.insert(PROCESS_ID.to_owned(), process.clone());
            json!({
                "traceID": trace_id_hex(id),
                "spans": spans,
                "processes": processes,
                "warnings": Json::Null,
            })
        })
        .collect()
}

impl SpanExporter for JaegerJsonExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, Result> {
        let result = if self.is_shutdown {
            Err(Error::AlreadyShutdown)
        } else if batch.is_empty() {
            Ok(())
        } else {
            let traces = traces_json(batch, &self.process);
            self.write(&traces).map_err(|e| {
                opentelemetry_api::otel_error!(
                    "JaegerJsonExporter.WriteFailed",
                    "could not write {} spans: {}",
                    batch.len(),
                    e
                );
                Error::ExportFailed(e.to_string())
            })
        };
        Box::pin(std::future::ready(result))
    }

    fn shutdown(&mut self) -> Result {
        if self.is_shutdown {
            return Err(Error::AlreadyShutdown);
        }
        self.is_shutdown = true;
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.process = process(resource, self.service_name.as_deref());
    }
}

/// Reads a file this exporter wrote (for tests and tools): the parsed document.
#[cfg(test)]
pub(crate) fn read_document(path: &Path) -> Json {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_as_jaeger_writes_them() {
        assert_eq!(
            trace_id_hex(TraceId::from_bytes(0xabc_u128.to_be_bytes())),
            "0000000000000abc"
        );
        assert_eq!(
            trace_id_hex(TraceId::from_bytes(
                0x1000000000000000abc_u128.to_be_bytes()
            )),
            "00000000000001000000000000000abc"
        );
    }

    #[test]
    fn tag_types() {
        assert_eq!(
            tag("a", &Value::from(vec![1i64, 2])),
            json!({"key": "a", "type": "string", "value": "[1,2]"})
        );
        assert_eq!(
            tag("f", &Value::F64(f64::NAN)),
            json!({"key": "f", "type": "string", "value": "NaN"})
        );
        assert_eq!(
            tag("f", &Value::F64(f64::NEG_INFINITY)),
            json!({"key": "f", "type": "string", "value": "-Infinity"})
        );
        assert_eq!(
            tag("a", &Value::from(vec![1.0, f64::INFINITY])),
            json!({"key": "a", "type": "string", "value": "[1,\"Infinity\"]"})
        );
        assert_eq!(
            tag("b", &Value::Bool(true)),
            json!({"key": "b", "type": "bool", "value": true})
        );
    }

    #[test]
    fn appending_keeps_one_valid_document() {
        let path = std::env::temp_dir().join(format!("jaeger-append-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&path);
        append(&path, &[json!({"traceID": "1"})]).unwrap();
        append(&path, &[]).unwrap();
        append(&path, &[json!({"traceID": "2"}), json!({"traceID": "3"})]).unwrap();
        let doc = read_document(&path);
        assert_eq!(
            doc,
            json!({"data": [{"traceID": "1"}, {"traceID": "2"}, {"traceID": "3"}]})
        );
        std::fs::write(&path, b"{\"other\": 1}").unwrap();
        assert!(append(&path, &[json!({})]).is_err());
        std::fs::remove_file(&path).unwrap();
    }
}
