//! OpenTelemetry spans and resources as Jaeger Thrift structs (`jaeger.thrift`), encoded
//! straight from the SDK's data, following the spec's mapping to non-OTLP formats.

use crate::thrift::{Protocol, Ty};
use opentelemetry_api::trace::{SpanKind, Status, TraceFlags, TraceId};
use opentelemetry_api::{Key, KeyValue, Value};
use opentelemetry_sdk::trace::{Event, SpanData};
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions::attribute;
use std::time::{SystemTime, UNIX_EPOCH};

/// The trace-flags bit that carries Jaeger's debug flag through a process (see
/// [`JAEGER_DEBUG_FLAG`](crate::propagator::JAEGER_DEBUG_FLAG)).
const DEBUG: u8 = 0x04;

/// `TagType` values.
const STRING: i32 = 0;
const DOUBLE: i32 = 1;
const BOOL: i32 = 2;
const LONG: i32 = 3;

/// `SpanRefType` values.
const CHILD_OF: i32 = 0;
const FOLLOWS_FROM: i32 = 1;

/// The deprecated aliases of `otel.scope.*` the spec requires too (literals: the semantic
/// conventions crate has them only with its experimental feature).
const OTEL_LIBRARY_NAME: &str = "otel.library.name";
const OTEL_LIBRARY_VERSION: &str = "otel.library.version";

/// The service name used when the resource has none.
const UNKNOWN_SERVICE: &str = "unknown_service";

/// A tag value borrowed from the data being encoded.
#[derive(Clone, Copy)]
enum TagValue<'a> {
    Str(&'a str),
    Bool(bool),
    Long(i64),
}

fn write_tag_value<P: Protocol>(p: &mut P, key: &str, value: TagValue<'_>) {
    p.struct_begin();
    p.str_field(1, key);
    match value {
        TagValue::Str(s) => {
            p.i32_field(2, STRING);
            p.str_field(3, s);
        }
        TagValue::Bool(b) => {
            p.i32_field(2, BOOL);
            p.bool_field(5, b);
        }
        TagValue::Long(v) => {
            p.i32_field(2, LONG);
            p.i64_field(6, v);
        }
    }
    p.struct_end();
}

/// One attribute as a tag; arrays become their JSON text (`[1,2]`, `["a","b"]`), as
/// `opentelemetry_api::json` writes it.
fn write_attribute<P: Protocol>(p: &mut P, key: &Key, value: &Value) {
    match value {
        Value::Bool(b) => write_tag_value(p, key.as_str(), TagValue::Bool(*b)),
        Value::I64(v) => write_tag_value(p, key.as_str(), TagValue::Long(*v)),
        Value::String(s) => write_tag_value(p, key.as_str(), TagValue::Str(s.as_str())),
        Value::F64(v) => {
            p.struct_begin();
            p.str_field(1, key.as_str());
            p.i32_field(2, DOUBLE);
            p.f64_field(4, *v);
            p.struct_end();
        }
        Value::Array(a) => {
            let mut text = String::new();
            a.write_json(&mut text);
            write_tag_value(p, key.as_str(), TagValue::Str(&text));
        }
    }
}

fn micros(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The low and high 64 bits of a trace ID, as Jaeger's signed fields.
pub(crate) fn trace_id_parts(id: TraceId) -> (i64, i64) {
    let v = u128::from_be_bytes(id.to_bytes());
    (v as u64 as i64, (v >> 64) as u64 as i64)
}

fn span_id_i64(bytes: [u8; 8]) -> i64 {
    i64::from_be_bytes(bytes)
}

fn kind_name(kind: &SpanKind) -> &'static str {
    match kind {
        SpanKind::Client => "client",
        SpanKind::Server => "server",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
        SpanKind::Internal => "internal",
    }
}

/// Jaeger's span flags: 1 sampled, 2 debug.
pub(crate) fn jaeger_flags(flags: TraceFlags) -> i32 {
    let mut out = 0;
    if flags.is_sampled() {
        out |= 1;
        if flags.to_u8() & DEBUG != 0 {
            out |= 2;
        }
    }
    out
}

/// The tags the exporter adds to a span's attributes, in order.
fn extra_tags(span: &SpanData) -> [Option<(&'static str, TagValue<'_>)>; 10] {
    let scope = span.instrumentation_scope;
    let name = (!scope.name().is_empty()).then_some(TagValue::Str(scope.name()));
    let version = scope.version().map(TagValue::Str);
    let (code, description, error) = match &span.status {
        Status::Unset => (None, None, None),
        Status::Ok => (Some(TagValue::Str("OK")), None, None),
        Status::Error { description } => (
            Some(TagValue::Str("ERROR")),
            (!description.is_empty()).then_some(TagValue::Str(description)),
            Some(TagValue::Bool(true)),
        ),
    };
    let count = |n: u32| (n > 0).then_some(TagValue::Long(i64::from(n)));
    let tags = [
        Some(("span.kind", TagValue::Str(kind_name(&span.span_kind)))),
        name.map(|v| (attribute::OTEL_SCOPE_NAME, v)),
        version.map(|v| (attribute::OTEL_SCOPE_VERSION, v)),
        name.map(|v| (OTEL_LIBRARY_NAME, v)),
        version.map(|v| (OTEL_LIBRARY_VERSION, v)),
        code.map(|v| (attribute::OTEL_STATUS_CODE, v)),
        description.map(|v| (attribute::OTEL_STATUS_DESCRIPTION, v)),
        error.map(|v| ("error", v)),
        count(span.dropped_attributes_count).map(|v| ("otel.dropped_attributes_count", v)),
        count(span.events.dropped_count).map(|v| ("otel.dropped_events_count", v)),
    ];
    tags
}

fn write_log<P: Protocol>(p: &mut P, event: &Event) {
    p.struct_begin();
    p.i64_field(1, micros(event.timestamp));
    let dropped = event.dropped_attributes_count;
    let n = 1 + event.attributes.len() + usize::from(dropped > 0);
    p.field(Ty::List, 2);
    p.list(Ty::Struct, n);
    write_tag_value(p, "event", TagValue::Str(&event.name));
    for kv in &event.attributes {
        write_attribute(p, &kv.key, &kv.value);
    }
    if dropped > 0 {
        write_tag_value(
            p,
            "otel.dropped_attributes_count",
            TagValue::Long(i64::from(dropped)),
        );
    }
    p.struct_end();
}

fn write_ref<P: Protocol>(p: &mut P, kind: i32, trace_id: TraceId, span_id: i64) {
    let (low, high) = trace_id_parts(trace_id);
    p.struct_begin();
    p.i32_field(1, kind);
    p.i64_field(2, low);
    p.i64_field(3, high);
    p.i64_field(4, span_id);
    p.struct_end();
}

/// Writes one `Span` struct.
pub(crate) fn write_span<P: Protocol>(p: &mut P, span: &SpanData) {
    let sc = &span.span_context;
    let (low, high) = trace_id_parts(sc.trace_id());
    let parent = span_id_i64(span.parent_span_id.to_bytes());
    p.struct_begin();
    p.i64_field(1, low);
    p.i64_field(2, high);
    p.i64_field(3, span_id_i64(sc.span_id().to_bytes()));
    p.i64_field(4, parent);
    p.str_field(5, &span.name);

    let links = &span.links.links;
    let refs = usize::from(parent != 0) + links.len();
    if refs > 0 {
        p.field(Ty::List, 6);
        p.list(Ty::Struct, refs);
        if parent != 0 {
            write_ref(p, CHILD_OF, sc.trace_id(), parent);
        }
        for link in links {
            let lsc = &link.span_context;
            write_ref(
                p,
                FOLLOWS_FROM,
                lsc.trace_id(),
                span_id_i64(lsc.span_id().to_bytes()),
            );
        }
    }
    p.i32_field(7, jaeger_flags(sc.trace_flags()));
    let start = micros(span.start_time);
    p.i64_field(8, start);
    p.i64_field(9, micros(span.end_time).saturating_sub(start).max(0));

    let extras = extra_tags(span);
    let dropped_links = span.links.dropped_count;
    let scope = span.instrumentation_scope;
    // The spec: scope attributes go where the format has room, here among the span's tags.
    let n = span.attributes.len()
        + scope.attributes().count()
        + extras.iter().flatten().count()
        + usize::from(dropped_links > 0);
    p.field(Ty::List, 10);
    p.list(Ty::Struct, n);
    for kv in span.attributes.iter().chain(scope.attributes()) {
        write_attribute(p, &kv.key, &kv.value);
    }
    for (key, value) in extras.into_iter().flatten() {
        write_tag_value(p, key, value);
    }
    if dropped_links > 0 {
        write_tag_value(
            p,
            "otel.dropped_links_count",
            TagValue::Long(i64::from(dropped_links)),
        );
    }

    if !span.events.events.is_empty() {
        p.field(Ty::List, 11);
        p.list(Ty::Struct, span.events.events.len());
        for event in &span.events.events {
            write_log(p, event);
        }
    }
    p.struct_end();
}

/// The Jaeger process of a resource: the service name and the other attributes as tags.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Process {
    pub(crate) service_name: String,
    pub(crate) tags: Vec<KeyValue>,
}

impl Process {
    pub(crate) fn from_resource(resource: &Resource) -> Self {
        let mut service_name = None;
        let mut tags = Vec::with_capacity(resource.len());
        for (key, value) in resource.iter() {
            if key.as_str() == attribute::SERVICE_NAME {
                service_name = Some(value.as_str().into_owned());
            } else {
                tags.push(KeyValue::new(key.clone(), value.clone()));
            }
        }
        Process {
            service_name: service_name.unwrap_or_else(|| UNKNOWN_SERVICE.to_owned()),
            tags,
        }
    }

    /// Writes the `Process` struct.
    pub(crate) fn write<P: Protocol>(&self, p: &mut P) {
        p.struct_begin();
        p.str_field(1, &self.service_name);
        if !self.tags.is_empty() {
            p.field(Ty::List, 2);
            p.list(Ty::Struct, self.tags.len());
            for kv in &self.tags {
                write_attribute(p, &kv.key, &kv.value);
            }
        }
        p.struct_end();
    }
}

/// Writes a complete `Batch` struct: process, spans, and optionally the sequence number and
/// the client statistics (`tooLargeDroppedSpans`).
pub(crate) fn write_batch<P: Protocol>(
    p: &mut P,
    process: &[u8],
    spans: &[u8],
    count: usize,
    seq_no: Option<i64>,
    too_large_dropped: Option<i64>,
) {
    p.struct_begin();
    p.field(Ty::Struct, 1);
    p.buf().extend_from_slice(process);
    p.field(Ty::List, 2);
    p.list(Ty::Struct, count);
    p.buf().extend_from_slice(spans);
    if let Some(seq) = seq_no {
        p.i64_field(3, seq);
    }
    if let Some(dropped) = too_large_dropped {
        p.field(Ty::Struct, 4);
        p.struct_begin();
        p.i64_field(1, 0);
        p.i64_field(2, dropped);
        p.i64_field(3, 0);
        p.struct_end();
    }
    p.struct_end();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_split_into_high_and_low() {
        let id = TraceId::from_bytes([
            0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        ]);
        assert_eq!(trace_id_parts(id), (-2, 1));
    }

    #[test]
    fn debug_flag_needs_sampled() {
        assert_eq!(jaeger_flags(TraceFlags::new(0x05)), 3);
        assert_eq!(jaeger_flags(TraceFlags::new(0x04)), 0);
        assert_eq!(jaeger_flags(TraceFlags::SAMPLED), 1);
        // W3C's random flag (0x02) is not Jaeger's debug flag.
        assert_eq!(jaeger_flags(TraceFlags::new(0x03)), 1);
    }

    #[test]
    fn process_takes_the_service_name_out_of_the_tags() {
        let r = Resource::builder_empty()
            .with_service_name("svc")
            .with_attribute(KeyValue::new("host.name", "h"))
            .build();
        let p = Process::from_resource(&r);
        assert_eq!(p.service_name, "svc");
        assert_eq!(p.tags, [KeyValue::new("host.name", "h")]);
        assert_eq!(
            Process::from_resource(&Resource::empty()).service_name,
            UNKNOWN_SERVICE
        );
    }
}
