//! From the SDK's spans to Cloud Trace spans, following Google's mapping for OpenTelemetry.
//!
//! | OpenTelemetry | Cloud Trace |
//! | --- | --- |
//! | trace and span ID | `name` = `projects/{project}/traces/{trace_id}/spans/{span_id}` (lowercase hex), `span_id` |
//! | parent span ID | `parent_span_id` (empty for a root span) |
//! | parent is remote | `same_process_as_parent_span` = not remote (unset for a root span) |
//! | name | `display_name` (at most 128 bytes) |
//! | start and end time | `start_time`, `end_time` |
//! | kind | `span_kind` (INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER) |
//! | attributes | `attributes`, keys renamed by the table below (at most 128 bytes), string values at most 256 bytes |
//! | events named `message` / `rpc.message` with a `message.type` / `rpc.message.type` of `SENT` or `RECEIVED` | `MessageEvent` time events (id, uncompressed and compressed size from `[rpc.]message.id`, `[rpc.]message.uncompressed_size`, `[rpc.]message.compressed_size`) |
//! | other events | `Annotation` time events: description = the event's name (at most 256 bytes), at most 4 attributes |
//! | links | `links` of type `TYPE_UNSPECIFIED` with their attributes |
//! | status Unset / Ok / Error | no status / code 0 (OK) / code 2 (UNKNOWN) with the description as message |
//! | resource | `g.co/r/{monitored resource type}/{label}` labels (see below), `service.name` as `g.co/gae/app/module`, `service.namespace` and `service.instance.id` as themselves |
//! | instrumentation scope | `otel.scope.name`, `otel.scope.version` |
//! | (the exporter) | `g.co/agent` = `opentelemetry-rust {version}; google-cloud-trace-exporter {version}` |
//!
//! Attribute keys renamed to the labels of Google's agents (the older semantic conventions'
//! names map to the same labels as the current ones):
//!
//! | attribute | label |
//! | --- | --- |
//! | `http.request.method`, `http.method` | `/http/method` |
//! | `http.response.status_code`, `http.status_code` | `/http/status_code` |
//! | `url.full`, `http.url` | `/http/url` |
//! | `url.path`, `http.target` | `/http/path` |
//! | `http.host` | `/http/host` |
//! | `http.route` | `/http/route` |
//! | `user_agent.original`, `http.user_agent` | `/http/user_agent` |
//! | `http.request.body.size`, `http.request_content_length` | `/http/request/size` |
//! | `http.response.body.size`, `http.response_content_length` | `/http/response/size` |
//! | `service.name` | `g.co/gae/app/module` |
//!
//! Monitored resource labels, from the resource's `cloud.platform` (as Google's resource
//! mapping does): `gcp_compute_engine` → `gce_instance` (`zone`, `instance_id`);
//! `gcp_kubernetes_engine` → `k8s_container`, `k8s_pod`, `k8s_node` or `k8s_cluster` by the
//! most specific `k8s.*` attributes present (`location`, `cluster_name`, `namespace_name`,
//! `pod_name`, `container_name`, `node_name`); `aws_ec2` → `aws_ec2_instance` (`instance_id`,
//! `region`, `aws_account`); anything else → `generic_task` (`location`, `namespace`, `job`,
//! `task_id`) when `service.name` and `service.instance.id` are set, else `generic_node`
//! (`location`, `namespace`, `node_id`) when `service.namespace`, `host.id` or `host.name` is
//! set. The location is the availability zone, else the
//! region, else `global`.
//!
//! Limits (Google's): 32 attributes per span (the exporter's own labels come first; what does
//! not fit is counted in `dropped_attributes_count` with the SDK's own drops), 4 per annotation,
//! 32 annotations and 128 message events per span, 128 links. Strings are cut on a UTF-8
//! character boundary and `truncated_byte_count` says how many bytes were cut.

use crate::proto::span::time_event::{message_event, Annotation, MessageEvent, Value as Event};
use crate::proto::span::{link, Attributes, Link, Links, SpanKind, TimeEvent, TimeEvents};
use crate::proto::{
    attribute_value, AttributeEntry, AttributeValue, BatchWriteSpansRequest, BoolValue, Span,
    Status, Timestamp, TruncatableString,
};
use bytes::Bytes;
use opentelemetry_api::trace::{SpanId, SpanKind as OtelKind, Status as OtelStatus};
use opentelemetry_api::{InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::resource::Resource;
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_semantic_conventions::attribute as semconv;
use std::time::{SystemTime, UNIX_EPOCH};

/// Display names: at most 128 bytes.
const MAX_DISPLAY_NAME_BYTES: usize = 128;
/// Attribute keys: at most 128 bytes.
const MAX_KEY_BYTES: usize = 128;
/// String attribute values: at most 256 bytes.
const MAX_VALUE_BYTES: usize = 256;
/// Annotation descriptions: at most 256 bytes.
const MAX_DESCRIPTION_BYTES: usize = 256;
/// Attributes per span (and per link).
const MAX_ATTRIBUTES: usize = 32;
/// Attributes per annotation.
const MAX_ANNOTATION_ATTRIBUTES: usize = 4;
/// Annotations per span.
const MAX_ANNOTATIONS: usize = 32;
/// Message events per span.
const MAX_MESSAGE_EVENTS: usize = 128;
/// Links per span.
const MAX_LINKS: usize = 128;

/// The `g.co/agent` label.
const AGENT_LABEL: &str = "g.co/agent";
const AGENT: &str = concat!(
    "opentelemetry-rust ",
    env!("CARGO_PKG_VERSION"),
    "; google-cloud-trace-exporter ",
    env!("CARGO_PKG_VERSION")
);

/// The Cloud Trace label an attribute key is written as.
// The deprecated names are what older instrumentations still send.
#[allow(deprecated)]
fn label_for(key: &str) -> &str {
    match key {
        semconv::HTTP_REQUEST_METHOD | semconv::HTTP_METHOD => "/http/method",
        semconv::HTTP_RESPONSE_STATUS_CODE | semconv::HTTP_STATUS_CODE => "/http/status_code",
        semconv::URL_FULL | semconv::HTTP_URL => "/http/url",
        semconv::URL_PATH | semconv::HTTP_TARGET => "/http/path",
        semconv::HTTP_HOST => "/http/host",
        semconv::HTTP_ROUTE => "/http/route",
        semconv::USER_AGENT_ORIGINAL | semconv::HTTP_USER_AGENT => "/http/user_agent",
        semconv::HTTP_REQUEST_BODY_SIZE | semconv::HTTP_REQUEST_CONTENT_LENGTH => {
            "/http/request/size"
        }
        semconv::HTTP_RESPONSE_BODY_SIZE | semconv::HTTP_RESPONSE_CONTENT_LENGTH => {
            "/http/response/size"
        }
        semconv::SERVICE_NAME => "g.co/gae/app/module",
        other => other,
    }
}

/// `s` cut to at most `limit` bytes on a character boundary, with the number of bytes cut.
pub(crate) fn truncate(s: &str, limit: usize) -> TruncatableString {
    if s.len() <= limit {
        return TruncatableString {
            value: s.to_owned(),
            truncated_byte_count: 0,
        };
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    TruncatableString {
        value: s[..end].to_owned(),
        truncated_byte_count: i32::try_from(s.len() - end).unwrap_or(i32::MAX),
    }
}

/// `s` cut to at most `limit` bytes on a character boundary.
fn cut(s: &str, limit: usize) -> &str {
    if s.len() <= limit {
        return s;
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn string_value(s: &str) -> AttributeValue {
    AttributeValue {
        value: Some(attribute_value::Value::StringValue(truncate(
            s,
            MAX_VALUE_BYTES,
        ))),
    }
}

fn attribute_value(value: &Value) -> AttributeValue {
    let value = match value {
        Value::Bool(b) => attribute_value::Value::BoolValue(*b),
        Value::I64(i) => attribute_value::Value::IntValue(*i),
        Value::String(s) => return string_value(s.as_str()),
        // Cloud Trace has no doubles nor arrays: they are written as the specification's text,
        // floats as JSON numbers (`NaN`, `Infinity`, `-Infinity` bare), arrays as JSON.
        Value::F64(_) => return string_value(&value.to_string()),
        Value::Array(a) => {
            let mut text = String::new();
            a.write_json(&mut text);
            return string_value(&text);
        }
    };
    AttributeValue { value: Some(value) }
}

fn entry(key: &str, value: AttributeValue) -> AttributeEntry {
    AttributeEntry {
        key: cut(key, MAX_KEY_BYTES).to_owned(),
        value: Some(value),
    }
}

/// Appends `attributes` (renamed) to `into` up to `limit` entries; returns how many were
/// dropped. A label already present (in `into` or among `taken`) is not written twice (the
/// first one wins).
fn push_attributes<'a>(
    into: &mut Vec<AttributeEntry>,
    taken: &[String],
    attributes: impl IntoIterator<Item = &'a KeyValue>,
    limit: usize,
) -> u32 {
    let mut dropped = 0u32;
    for kv in attributes {
        let key = cut(label_for(kv.key.as_str()), MAX_KEY_BYTES);
        if into.iter().any(|e| e.key == key) || taken.iter().any(|k| k == key) {
            dropped += 1;
            continue;
        }
        if into.len() >= limit {
            dropped += 1;
            continue;
        }
        into.push(AttributeEntry {
            key: key.to_owned(),
            value: Some(attribute_value(&kv.value)),
        });
    }
    dropped
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn timestamp(time: SystemTime) -> Timestamp {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => Timestamp {
            seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            // Below 1e9: always fits.
            nanos: d.subsec_nanos() as i32,
        },
        Err(_) => Timestamp::default(),
    }
}

fn span_kind(kind: &OtelKind) -> SpanKind {
    match kind {
        OtelKind::Internal => SpanKind::Internal,
        OtelKind::Server => SpanKind::Server,
        OtelKind::Client => SpanKind::Client,
        OtelKind::Producer => SpanKind::Producer,
        OtelKind::Consumer => SpanKind::Consumer,
    }
}

fn status(status: &OtelStatus) -> Option<Status> {
    match status {
        OtelStatus::Unset => None,
        OtelStatus::Ok => Some(Status::default()),
        OtelStatus::Error { description } => Some(Status {
            // google.rpc.Code.UNKNOWN
            code: 2,
            message: description.to_string(),
            details: Vec::new(),
        }),
    }
}

fn hex_str(bytes: &[u8]) -> &str {
    // Lowercase hex digits are ASCII.
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// The value of `key` among `attributes`, if any.
fn find<'a>(attributes: &'a [KeyValue], keys: &[&str]) -> Option<&'a Value> {
    keys.iter()
        .find_map(|k| attributes.iter().find(|kv| kv.key.as_str() == *k))
        .map(|kv| &kv.value)
}

fn as_i64(value: Option<&Value>) -> i64 {
    match value {
        Some(Value::I64(i)) => *i,
        Some(Value::String(s)) => s.as_str().parse().unwrap_or(0),
        _ => 0,
    }
}

/// A message event, when the event follows the RPC conventions for one.
#[allow(deprecated)] // `message.type` is the older conventions' name.
fn message_event(event: &opentelemetry_sdk::trace::Event) -> Option<MessageEvent> {
    if event.name != "message" && event.name != "rpc.message" {
        return None;
    }
    let kind = match find(
        &event.attributes,
        &["rpc.message.type", semconv::MESSAGE_TYPE],
    )? {
        Value::String(s) if s.as_str() == "SENT" => message_event::Type::Sent,
        Value::String(s) if s.as_str() == "RECEIVED" => message_event::Type::Received,
        _ => return None,
    };
    Some(MessageEvent {
        r#type: kind as i32,
        id: as_i64(find(&event.attributes, &["rpc.message.id", "message.id"])),
        uncompressed_size_bytes: as_i64(find(
            &event.attributes,
            &["rpc.message.uncompressed_size", "message.uncompressed_size"],
        )),
        compressed_size_bytes: as_i64(find(
            &event.attributes,
            &["rpc.message.compressed_size", "message.compressed_size"],
        )),
    })
}

fn str_attr<'a>(resource: &'a Resource, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    resource
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v.as_str())
}

/// The monitored resource labels (`g.co/r/{type}/{label}`) for `resource`.
fn monitored_resource_labels(resource: &Resource) -> Vec<(String, String)> {
    let get = |key: &str| str_attr(resource, key).map(|v| v.into_owned());
    let location = || {
        get(semconv::CLOUD_AVAILABILITY_ZONE)
            .or_else(|| get(semconv::CLOUD_REGION))
            .unwrap_or_else(|| "global".to_owned())
    };
    let platform = get(semconv::CLOUD_PLATFORM).unwrap_or_default();
    let mut labels: Vec<(&str, Option<String>)> = Vec::new();
    let kind = match platform.as_str() {
        "gcp_compute_engine" => {
            labels.push(("zone", get(semconv::CLOUD_AVAILABILITY_ZONE)));
            labels.push(("instance_id", get(semconv::HOST_ID)));
            "gce_instance"
        }
        "gcp_kubernetes_engine" => {
            labels.push(("location", Some(location())));
            labels.push(("cluster_name", get(semconv::K8S_CLUSTER_NAME)));
            let namespace = get(semconv::K8S_NAMESPACE_NAME);
            let pod = get(semconv::K8S_POD_NAME);
            let container = get(semconv::K8S_CONTAINER_NAME);
            let node = get(semconv::K8S_NODE_NAME);
            if namespace.is_some() && pod.is_some() && container.is_some() {
                labels.push(("namespace_name", namespace));
                labels.push(("pod_name", pod));
                labels.push(("container_name", container));
                "k8s_container"
            } else if namespace.is_some() && pod.is_some() {
                labels.push(("namespace_name", namespace));
                labels.push(("pod_name", pod));
                "k8s_pod"
            } else if node.is_some() {
                labels.push(("node_name", node));
                "k8s_node"
            } else {
                "k8s_cluster"
            }
        }
        "aws_ec2" => {
            labels.push(("instance_id", get(semconv::HOST_ID)));
            labels.push(("region", Some(format!("aws:{}", location()))));
            labels.push(("aws_account", get(semconv::CLOUD_ACCOUNT_ID)));
            "aws_ec2_instance"
        }
        _ => {
            let job = get(semconv::SERVICE_NAME);
            let task = get(semconv::SERVICE_INSTANCE_ID);
            labels.push(("location", Some(location())));
            labels.push(("namespace", get(semconv::SERVICE_NAMESPACE)));
            if job.is_some() && task.is_some() {
                labels.push(("job", job));
                labels.push(("task_id", task));
                "generic_task"
            } else {
                let node = get(semconv::HOST_ID).or_else(|| get(semconv::HOST_NAME));
                if node.is_none() && labels[1].1.is_none() {
                    // Nothing identifies the node: a bare location would say nothing.
                    return Vec::new();
                }
                labels.push(("node_id", node));
                "generic_node"
            }
        }
    };
    labels
        .into_iter()
        .filter_map(|(label, value)| Some((format!("g.co/r/{kind}/{label}"), value?)))
        .collect()
}

/// The labels of the spans of one scope: the transformer's and the scope's.
struct ScopeLabels {
    scope: &'static InstrumentationScope,
    encoded: Bytes,
    keys: Vec<String>,
}

/// Turns the SDK's spans into Cloud Trace requests for one project and resource.
///
/// The exporter uses it for every batch; it is public so that the mapping can be inspected
/// (and measured) without a server.
///
/// ```
/// use opentelemetry_sdk::resource::Resource;
/// use opentelemetry_stackdriver::Transformer;
///
/// let transformer = Transformer::new("my-project", &Resource::new([
///     opentelemetry_api::KeyValue::new("service.name", "checkout"),
/// ]));
/// let request = transformer.request(&[]);
/// assert_eq!(request.name, "projects/my-project");
/// assert!(request.spans.is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct Transformer {
    project_id: String,
    /// `projects/{project}/traces/`: the start of every span's name.
    name_prefix: String,
    /// The labels every span carries (the agent and the resource's), encoded once.
    encoded_labels: Bytes,
    /// Their keys, so that a span's attribute does not repeat one.
    label_keys: Vec<String>,
}

impl Transformer {
    /// A transformer for spans of `project_id`, produced under `resource`.
    pub fn new(project_id: impl Into<String>, resource: &Resource) -> Self {
        let project_id = project_id.into();
        let mut labels = vec![entry(AGENT_LABEL, string_value(AGENT))];
        for key in [
            semconv::SERVICE_NAME,
            semconv::SERVICE_NAMESPACE,
            semconv::SERVICE_INSTANCE_ID,
        ] {
            if let Some((k, v)) = resource.iter().find(|(k, _)| k.as_str() == key) {
                labels.push(entry(label_for(k.as_str()), attribute_value(v)));
            }
        }
        for (key, value) in monitored_resource_labels(resource) {
            labels.push(entry(&key, string_value(&value)));
        }
        labels.truncate(MAX_ATTRIBUTES);
        let mut encoded = Vec::new();
        for label in &labels {
            prost::encoding::message::encode(1, label, &mut encoded);
        }
        Transformer {
            name_prefix: format!("projects/{project_id}/traces/"),
            project_id,
            encoded_labels: Bytes::from(encoded),
            label_keys: labels.into_iter().map(|l| l.key).collect(),
        }
    }

    /// The project the spans are written to.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The `BatchWriteSpans` request for `spans`.
    pub fn request(&self, spans: &[SpanData]) -> BatchWriteSpansRequest {
        // The labels of each scope in the batch, encoded once (scopes are interned: spans of
        // one scope share its address, and a batch holds few).
        let mut scopes: Vec<ScopeLabels> = Vec::new();
        let mut out = Vec::with_capacity(spans.len());
        for span in spans {
            let index = match scopes
                .iter()
                .position(|s| std::ptr::eq(s.scope, span.instrumentation_scope))
            {
                Some(index) => index,
                None => {
                    scopes.push(self.scope_labels(span.instrumentation_scope));
                    scopes.len() - 1
                }
            };
            out.push(self.span_with(span, &scopes[index]));
        }
        BatchWriteSpansRequest {
            name: format!("projects/{}", self.project_id),
            spans: out,
        }
    }

    /// One Cloud Trace span.
    pub fn span(&self, span: &SpanData) -> Span {
        self.span_with(span, &self.scope_labels(span.instrumentation_scope))
    }

    /// The transformer's labels and the scope's, encoded.
    fn scope_labels(&self, scope: &'static InstrumentationScope) -> ScopeLabels {
        let mut encoded = self.encoded_labels.to_vec();
        let mut keys = self.label_keys.clone();
        let version = scope.version().unwrap_or_default();
        for (key, value) in [
            ("otel.scope.name", scope.name()),
            ("otel.scope.version", version),
        ] {
            if !value.is_empty() && keys.len() < MAX_ATTRIBUTES {
                prost::encoding::message::encode(1, &entry(key, string_value(value)), &mut encoded);
                keys.push(key.to_owned());
            }
        }
        ScopeLabels {
            scope,
            encoded: Bytes::from(encoded),
            keys,
        }
    }

    fn span_with(&self, span: &SpanData, labels: &ScopeLabels) -> Span {
        let context = &span.span_context;
        let trace_hex = context.trace_id().to_hex();
        let span_hex = context.span_id().to_hex();
        let span_id = hex_str(&span_hex);
        let mut name = String::with_capacity(self.name_prefix.len() + 32 + 7 + 16);
        name.push_str(&self.name_prefix);
        name.push_str(hex_str(&trace_hex));
        name.push_str("/spans/");
        name.push_str(span_id);

        let is_root = span.parent_span_id == SpanId::INVALID;
        let parent_hex = span.parent_span_id.to_hex();

        let room = MAX_ATTRIBUTES - labels.keys.len();
        let mut entries = Vec::with_capacity(span.attributes.len().min(room));
        let dropped = push_attributes(&mut entries, &labels.keys, &span.attributes, room);

        Span {
            name,
            span_id: span_id.to_owned(),
            parent_span_id: if is_root {
                String::new()
            } else {
                hex_str(&parent_hex).to_owned()
            },
            display_name: Some(truncate(&span.name, MAX_DISPLAY_NAME_BYTES)),
            start_time: Some(timestamp(span.start_time)),
            end_time: Some(timestamp(span.end_time)),
            attributes: Some(Attributes {
                encoded_entries: labels.encoded.clone(),
                attribute_map: entries,
                dropped_attributes_count: count(span.dropped_attributes_count + dropped),
            }),
            stack_trace: None,
            time_events: time_events(span),
            links: links(span),
            status: status(&span.status),
            same_process_as_parent_span: (!is_root).then_some(BoolValue {
                value: !span.parent_span_is_remote,
            }),
            // The SDK does not count a span's children.
            child_span_count: None,
            span_kind: span_kind(&span.span_kind) as i32,
        }
    }
}

fn time_events(span: &SpanData) -> Option<TimeEvents> {
    if span.events.events.is_empty() && span.events.dropped_count == 0 {
        return None;
    }
    let mut out = TimeEvents {
        time_event: Vec::with_capacity(span.events.events.len()),
        dropped_annotations_count: count(span.events.dropped_count),
        dropped_message_events_count: 0,
    };
    let (mut annotations, mut messages) = (0usize, 0usize);
    for event in &span.events.events {
        let value = if let Some(message) = message_event(event) {
            if messages == MAX_MESSAGE_EVENTS {
                out.dropped_message_events_count += 1;
                continue;
            }
            messages += 1;
            Event::MessageEvent(message)
        } else {
            if annotations == MAX_ANNOTATIONS {
                out.dropped_annotations_count += 1;
                continue;
            }
            annotations += 1;
            let mut entries =
                Vec::with_capacity(event.attributes.len().min(MAX_ANNOTATION_ATTRIBUTES));
            let dropped = push_attributes(
                &mut entries,
                &[],
                &event.attributes,
                MAX_ANNOTATION_ATTRIBUTES,
            );
            let dropped = event.dropped_attributes_count + dropped;
            Event::Annotation(Annotation {
                description: Some(truncate(&event.name, MAX_DESCRIPTION_BYTES)),
                attributes: (!entries.is_empty() || dropped > 0).then(|| Attributes {
                    encoded_entries: Bytes::new(),
                    attribute_map: entries,
                    dropped_attributes_count: count(dropped),
                }),
            })
        };
        out.time_event.push(TimeEvent {
            time: Some(timestamp(event.timestamp)),
            value: Some(value),
        });
    }
    Some(out)
}

fn links(span: &SpanData) -> Option<Links> {
    if span.links.links.is_empty() && span.links.dropped_count == 0 {
        return None;
    }
    let kept = span.links.links.len().min(MAX_LINKS);
    let overflow = span.links.links.len() - kept;
    let link = span.links.links[..kept]
        .iter()
        .map(|l| {
            let mut entries = Vec::with_capacity(l.attributes.len().min(MAX_ATTRIBUTES));
            let dropped = push_attributes(&mut entries, &[], &l.attributes, MAX_ATTRIBUTES);
            let dropped = l.dropped_attributes_count + dropped;
            Link {
                trace_id: hex_str(&l.span_context.trace_id().to_hex()).to_owned(),
                span_id: hex_str(&l.span_context.span_id().to_hex()).to_owned(),
                r#type: link::Type::Unspecified as i32,
                attributes: (!entries.is_empty() || dropped > 0).then(|| Attributes {
                    encoded_entries: Bytes::new(),
                    attribute_map: entries,
                    dropped_attributes_count: count(dropped),
                }),
            }
        })
        .collect();
    Some(Links {
        link,
        dropped_links_count: count(span.links.dropped_count)
            .saturating_add(i32::try_from(overflow).unwrap_or(i32::MAX)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        let t = truncate("héllo", 2);
        assert_eq!(t.value, "h");
        assert_eq!(t.truncated_byte_count, 5);
        let t = truncate("héllo", 3);
        assert_eq!(t.value, "hé");
        assert_eq!(t.truncated_byte_count, 3);
        let t = truncate("abc", 3);
        assert_eq!((t.value.as_str(), t.truncated_byte_count), ("abc", 0));
    }

    #[test]
    fn http_attributes_get_google_labels() {
        assert_eq!(label_for("http.request.method"), "/http/method");
        assert_eq!(label_for("http.method"), "/http/method");
        assert_eq!(label_for("http.response.status_code"), "/http/status_code");
        assert_eq!(label_for("url.full"), "/http/url");
        assert_eq!(label_for("user_agent.original"), "/http/user_agent");
        assert_eq!(label_for("service.name"), "g.co/gae/app/module");
        assert_eq!(label_for("custom"), "custom");
    }

    #[test]
    fn monitored_resources_follow_the_platform() {
        let gce = Resource::new([
            KeyValue::new("cloud.platform", "gcp_compute_engine"),
            KeyValue::new("cloud.availability_zone", "us-central1-a"),
            KeyValue::new("host.id", "1234"),
        ]);
        assert_eq!(
            monitored_resource_labels(&gce),
            vec![
                ("g.co/r/gce_instance/zone".into(), "us-central1-a".into()),
                ("g.co/r/gce_instance/instance_id".into(), "1234".into()),
            ]
        );
        let gke = Resource::new([
            KeyValue::new("cloud.platform", "gcp_kubernetes_engine"),
            KeyValue::new("cloud.region", "europe-west1"),
            KeyValue::new("k8s.cluster.name", "c"),
            KeyValue::new("k8s.namespace.name", "ns"),
            KeyValue::new("k8s.pod.name", "p"),
        ]);
        let labels = monitored_resource_labels(&gke);
        assert_eq!(
            labels,
            vec![
                ("g.co/r/k8s_pod/location".into(), "europe-west1".into()),
                ("g.co/r/k8s_pod/cluster_name".into(), "c".into()),
                ("g.co/r/k8s_pod/namespace_name".into(), "ns".into()),
                ("g.co/r/k8s_pod/pod_name".into(), "p".into()),
            ]
        );
        assert!(monitored_resource_labels(&Resource::empty()).is_empty());
        let generic = Resource::new([KeyValue::new("host.name", "box")]);
        assert_eq!(
            monitored_resource_labels(&generic),
            vec![
                ("g.co/r/generic_node/location".into(), "global".into()),
                ("g.co/r/generic_node/node_id".into(), "box".into()),
            ]
        );
    }
}
