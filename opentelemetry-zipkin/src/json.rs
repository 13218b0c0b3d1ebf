//! Zipkin v2 JSON (`ListOfSpans` of zipkin2-api.yaml), written directly from the SDK's spans.

use crate::model::{self, Kind, LocalEndpoint, RemoteEndpoint, TagValue};
use opentelemetry_api::json::write_string as json_string;
use opentelemetry_api::Value;
use opentelemetry_sdk::trace::SpanData;
use std::net::IpAddr;

/// Encodes `spans` as a JSON array into `out`.
pub(crate) fn encode(out: &mut String, spans: &[SpanData], local: &LocalEndpoint) {
    let mut scratch = String::new();
    out.push('[');
    for (i, span) in spans.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode_span(out, &mut scratch, span, local);
    }
    out.push(']');
}

/// Appends lowercase hex digits between quotes.
fn push_hex(out: &mut String, hex: &[u8]) {
    out.push('"');
    // `to_hex` returns ASCII hex digits only.
    out.push_str(std::str::from_utf8(hex).unwrap_or_default());
    out.push('"');
}

fn encode_span(out: &mut String, scratch: &mut String, span: &SpanData, local: &LocalEndpoint) {
    let sc = &span.span_context;
    out.push_str("{\"traceId\":");
    push_hex(out, &sc.trace_id().to_hex());
    out.push_str(",\"id\":");
    push_hex(out, &sc.span_id().to_hex());
    if span.parent_span_id.is_valid() {
        out.push_str(",\"parentId\":");
        push_hex(out, &span.parent_span_id.to_hex());
    }
    if let Some(kind) = Kind::from_otel(&span.span_kind) {
        out.push_str(",\"kind\":\"");
        out.push_str(kind.as_str());
        out.push('"');
    }
    out.push_str(",\"name\":");
    json_string(out, &span.name);
    out.push_str(",\"timestamp\":");
    push_u64(out, model::micros(span.start_time));
    out.push_str(",\"duration\":");
    push_u64(out, model::duration_micros(span));
    out.push_str(",\"localEndpoint\":");
    endpoint(out, Some(local.service_name.as_str()), local.ip, local.port);
    if let Some(RemoteEndpoint {
        service_name,
        ip,
        port,
    }) = model::remote_endpoint(span)
    {
        out.push_str(",\"remoteEndpoint\":");
        endpoint(out, service_name, ip, port);
    }
    if !span.events.events.is_empty() {
        out.push_str(",\"annotations\":[");
        for (i, event) in span.events.events.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"timestamp\":");
            push_u64(out, model::micros(event.timestamp));
            out.push_str(",\"value\":");
            scratch.clear();
            model::write_annotation_value(scratch, event);
            json_string(out, scratch);
            out.push('}');
        }
        out.push(']');
    }
    let mark = out.len();
    out.push_str(",\"tags\":{");
    let mut first = true;
    model::for_each_tag(span, local, |key, value| {
        if !first {
            out.push(',');
        }
        first = false;
        json_string(out, key);
        out.push(':');
        tag_value(out, scratch, value);
    });
    if first {
        // No tags: the specification asks that empty fields be omitted.
        out.truncate(mark);
    } else {
        out.push('}');
    }
    out.push('}');
}

fn tag_value(out: &mut String, scratch: &mut String, value: TagValue<'_>) {
    match value {
        TagValue::Value(Value::String(s)) => json_string(out, s.as_str()),
        TagValue::Str(s) => json_string(out, s),
        TagValue::Value(v @ Value::Array(_)) => {
            scratch.clear();
            model::write_value_text(scratch, v);
            json_string(out, scratch);
        }
        // Booleans and numbers: text without characters JSON escapes.
        _ => {
            out.push('"');
            model::write_tag_text(out, value);
            out.push('"');
        }
    }
}

fn endpoint(out: &mut String, service_name: Option<&str>, ip: Option<IpAddr>, port: Option<u16>) {
    out.push('{');
    let mut first = true;
    let mut field = |out: &mut String, name: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
    };
    if let Some(name) = service_name {
        field(out, "serviceName");
        json_string(out, name);
    }
    match ip {
        Some(IpAddr::V4(ip)) => {
            field(out, "ipv4");
            out.push('"');
            out.push_str(&ip.to_string());
            out.push('"');
        }
        Some(IpAddr::V6(ip)) => {
            field(out, "ipv6");
            out.push('"');
            out.push_str(&ip.to_string());
            out.push('"');
        }
        None => {}
    }
    if let Some(port) = port {
        field(out, "port");
        push_u64(out, u64::from(port));
    }
    out.push('}');
}

/// Appends decimal digits without going through `fmt`.
fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits() {
        for n in [0, 7, 10, 1234567890123, u64::MAX] {
            let mut s = String::new();
            push_u64(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
