//! The OpenTelemetry → Zipkin mapping (specification/trace/sdk_exporters/zipkin.md), shared by
//! the JSON and protobuf encoders: kinds, endpoints, tags, annotations and times.

use opentelemetry_api::json::write_string as json_string;
use opentelemetry_api::trace::{SpanKind, Status};
use opentelemetry_api::Value;
use opentelemetry_sdk::trace::{Event, SpanData};
use opentelemetry_semantic_conventions::attribute as semconv;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Zipkin's span kinds (internal spans have none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Client,
    Server,
    Producer,
    Consumer,
}

impl Kind {
    pub(crate) fn from_otel(kind: &SpanKind) -> Option<Kind> {
        match kind {
            SpanKind::Client => Some(Kind::Client),
            SpanKind::Server => Some(Kind::Server),
            SpanKind::Producer => Some(Kind::Producer),
            SpanKind::Consumer => Some(Kind::Consumer),
            SpanKind::Internal => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Client => "CLIENT",
            Kind::Server => "SERVER",
            Kind::Producer => "PRODUCER",
            Kind::Consumer => "CONSUMER",
        }
    }

    /// The value of zipkin.proto's `Span.Kind`.
    pub(crate) fn proto(self) -> i32 {
        match self {
            Kind::Client => 1,
            Kind::Server => 2,
            Kind::Producer => 3,
            Kind::Consumer => 4,
        }
    }
}

/// The exporter's own endpoint: the service name and, optionally, its address.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LocalEndpoint {
    pub(crate) service_name: String,
    pub(crate) ip: Option<IpAddr>,
    pub(crate) port: Option<u16>,
    /// `service.namespace` of the resource, sent as a tag (never as the service name).
    pub(crate) service_namespace: Option<String>,
}

/// The other side of a client or producer span, found in its attributes.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct RemoteEndpoint<'a> {
    pub(crate) service_name: Option<&'a str>,
    pub(crate) ip: Option<IpAddr>,
    pub(crate) port: Option<u16>,
}

/// How an attribute of the specification's ranking makes the remote endpoint.
#[derive(Clone, Copy)]
enum Remote {
    /// The value is a service name.
    Service,
    /// The value is a host name or an IP address.
    Host,
    /// The value is an IP address (or a host name), with the port in the named attribute.
    Address(&'static str),
}

// Legacy names the specification ranks that the semantic conventions no longer define.
const SERVER_SOCKET_DOMAIN: &str = "server.socket.domain";
const SERVER_SOCKET_ADDRESS: &str = "server.socket.address";
const SERVER_SOCKET_PORT: &str = "server.socket.port";
const PEER_HOSTNAME: &str = "peer.hostname";
const PEER_ADDRESS: &str = "peer.address";

/// The specification's ranking of the attributes that name the remote endpoint, best first.
#[allow(deprecated)] // The ranking names legacy attributes on purpose.
const REMOTE_RANKING: [(&str, Remote); 11] = [
    (semconv::PEER_SERVICE, Remote::Service),
    (semconv::SERVER_ADDRESS, Remote::Host),
    (semconv::NET_PEER_NAME, Remote::Host),
    (
        semconv::NETWORK_PEER_ADDRESS,
        Remote::Address(semconv::NETWORK_PEER_PORT),
    ),
    (SERVER_SOCKET_DOMAIN, Remote::Host),
    (SERVER_SOCKET_ADDRESS, Remote::Address(SERVER_SOCKET_PORT)),
    (semconv::NET_SOCK_PEER_NAME, Remote::Host),
    (
        semconv::NET_SOCK_PEER_ADDR,
        Remote::Address(semconv::NET_SOCK_PEER_PORT),
    ),
    (PEER_HOSTNAME, Remote::Host),
    (PEER_ADDRESS, Remote::Host),
    (semconv::DB_NAME, Remote::Service),
];

/// The remote endpoint of a client or producer span (the specification asks for one so that
/// Zipkin sees the dependency), from the best-ranked attribute present; `None` for other kinds
/// or when no ranked attribute is a string.
pub(crate) fn remote_endpoint(span: &SpanData) -> Option<RemoteEndpoint<'_>> {
    if !matches!(span.span_kind, SpanKind::Client | SpanKind::Producer) {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for kv in &span.attributes {
        let key = kv.key.as_str();
        let Some(rank) = REMOTE_RANKING.iter().position(|(k, _)| *k == key) else {
            continue;
        };
        if best.is_some_and(|(b, _)| b <= rank) {
            continue;
        }
        if let Value::String(s) = &kv.value {
            if !s.as_str().is_empty() {
                best = Some((rank, s.as_str()));
            }
        }
    }
    let (rank, value) = best?;
    let mut endpoint = RemoteEndpoint::default();
    match REMOTE_RANKING[rank].1 {
        Remote::Service => endpoint.service_name = Some(value),
        Remote::Host => match value.parse::<IpAddr>() {
            Ok(ip) => endpoint.ip = Some(ip),
            Err(_) => endpoint.service_name = Some(value),
        },
        Remote::Address(port_key) => {
            match value.parse::<IpAddr>() {
                Ok(ip) => endpoint.ip = Some(ip),
                Err(_) => endpoint.service_name = Some(value),
            }
            endpoint.port = span
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == port_key)
                .and_then(|kv| port(&kv.value));
        }
    }
    Some(endpoint)
}

/// A port attribute (an integer, or a string of digits); Zipkin wants none rather than zero.
fn port(value: &Value) -> Option<u16> {
    let port = match value {
        Value::I64(i) => u16::try_from(*i).ok(),
        Value::String(s) => s.as_str().parse::<u16>().ok(),
        _ => None,
    }?;
    (port != 0).then_some(port)
}

/// A tag's value before it is written as text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TagValue<'a> {
    /// An attribute value: written as the specification's string form.
    Value(&'a Value),
    /// Text.
    Str(&'a str),
    /// A count.
    Count(u32),
}

const ERROR: &str = "error";
#[allow(deprecated)] // The specification asks for the deprecated aliases too.
const OTEL_LIBRARY_NAME: &str = semconv::OTEL_LIBRARY_NAME;
#[allow(deprecated)]
const OTEL_LIBRARY_VERSION: &str = semconv::OTEL_LIBRARY_VERSION;
const DROPPED_ATTRIBUTES: &str = "otel.dropped_attributes_count";
const DROPPED_EVENTS: &str = "otel.dropped_events_count";
const DROPPED_LINKS: &str = "otel.dropped_links_count";

/// Calls `f` with every tag of `span`: its attributes, then the tags the mapping adds (status,
/// scope, dropped counts, `service.namespace`). Keys are unique: a tag the mapping adds
/// replaces an attribute of the same key.
pub(crate) fn for_each_tag<'a>(
    span: &'a SpanData,
    local: &'a LocalEndpoint,
    mut f: impl FnMut(&'a str, TagValue<'a>),
) {
    let (status_code, error) = match &span.status {
        Status::Unset => (None, None),
        Status::Ok => (Some("OK"), None),
        Status::Error { description } => (Some("ERROR"), Some(description.as_ref())),
    };
    let scope = span.instrumentation_scope;
    let scope_name = Some(scope.name()).filter(|n| !n.is_empty());
    let scope_version = scope.version().filter(|v| !v.is_empty());
    let nonzero = |n: u32| (n != 0).then_some(n);
    let dropped_attributes = nonzero(span.dropped_attributes_count);
    let dropped_events = nonzero(span.events.dropped_count);
    let dropped_links = nonzero(span.links.dropped_count);

    // Whether the mapping itself writes `key` (then the attribute of that key is skipped).
    let added = |key: &str| -> bool {
        match key {
            semconv::OTEL_STATUS_CODE => status_code.is_some(),
            ERROR => error.is_some(),
            semconv::OTEL_SCOPE_NAME | OTEL_LIBRARY_NAME => scope_name.is_some(),
            semconv::OTEL_SCOPE_VERSION | OTEL_LIBRARY_VERSION => scope_version.is_some(),
            DROPPED_ATTRIBUTES => dropped_attributes.is_some(),
            DROPPED_EVENTS => dropped_events.is_some(),
            DROPPED_LINKS => dropped_links.is_some(),
            _ => false,
        }
    };
    let mut namespace_attribute = false;
    for kv in &span.attributes {
        let key = kv.key.as_str();
        // Only keys of these forms can collide with added tags: skip the match otherwise.
        if (key.starts_with("otel.") || key == ERROR) && added(key) {
            continue;
        }
        // The specification: a boolean `error` of false SHOULD be removed (Zipkin treats any
        // `error` tag as a failure).
        if key == ERROR && is_false(&kv.value) {
            continue;
        }
        namespace_attribute |= key == semconv::SERVICE_NAMESPACE;
        f(key, TagValue::Value(&kv.value));
    }
    if let Some(code) = status_code {
        f(semconv::OTEL_STATUS_CODE, TagValue::Str(code));
    }
    if let Some(description) = error {
        f(ERROR, TagValue::Str(description));
    }
    if let Some(name) = scope_name {
        f(semconv::OTEL_SCOPE_NAME, TagValue::Str(name));
        f(OTEL_LIBRARY_NAME, TagValue::Str(name));
    }
    if let Some(version) = scope_version {
        f(semconv::OTEL_SCOPE_VERSION, TagValue::Str(version));
        f(OTEL_LIBRARY_VERSION, TagValue::Str(version));
    }
    if let Some(n) = dropped_attributes {
        f(DROPPED_ATTRIBUTES, TagValue::Count(n));
    }
    if let Some(n) = dropped_events {
        f(DROPPED_EVENTS, TagValue::Count(n));
    }
    if let Some(n) = dropped_links {
        f(DROPPED_LINKS, TagValue::Count(n));
    }
    if let (Some(namespace), false) = (&local.service_namespace, namespace_attribute) {
        f(semconv::SERVICE_NAMESPACE, TagValue::Str(namespace));
    }
}

fn is_false(value: &Value) -> bool {
    match value {
        Value::Bool(b) => !b,
        Value::String(s) => s.as_str().eq_ignore_ascii_case("false"),
        _ => false,
    }
}

/// Appends the specification's string form of an attribute value: strings as they are,
/// other primitives as `Value`'s `Display` writes them (booleans `true`/`false`, numbers in
/// the invariant JSON form, `NaN`/`Infinity`/`-Infinity`), arrays as a JSON list.
pub(crate) fn write_value_text(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => out.push_str(s.as_str()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Array(a) => a.write_json(out),
        // Writing into a String cannot fail.
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// Appends a tag value's text.
pub(crate) fn write_tag_text(out: &mut String, value: TagValue<'_>) {
    match value {
        TagValue::Value(v) => write_value_text(out, v),
        TagValue::Str(s) => out.push_str(s),
        // Writing into a String cannot fail.
        TagValue::Count(n) => {
            let _ = write!(out, "{n}");
        }
    }
}

/// An annotation's value for an event: its name, followed by its attributes as a JSON object
/// when it has any (`"name":{"key":"value"}`, the specification's form).
pub(crate) fn write_annotation_value(out: &mut String, event: &Event) {
    if event.attributes.is_empty() {
        out.push_str(&event.name);
        return;
    }
    json_string(out, &event.name);
    out.push_str(":{");
    for (i, kv) in event.attributes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(out, kv.key.as_str());
        out.push(':');
        kv.value.write_json(out);
    }
    out.push('}');
}

/// Microseconds since the Unix epoch (zero before it).
pub(crate) fn micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// A span's duration in whole microseconds (truncated, as the specification's example), at
/// least 1: Zipkin rounds shorter durations up and its schema's minimum is 1.
pub(crate) fn duration_micros(span: &SpanData) -> u64 {
    let micros = span
        .end_time
        .duration_since(span.start_time)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    micros.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::{KeyValue, StringValue};

    fn text(v: impl Into<Value>) -> String {
        let mut s = String::new();
        write_value_text(&mut s, &v.into());
        s
    }

    #[test]
    fn values_become_the_specified_strings() {
        assert_eq!(text(true), "true");
        assert_eq!(text(false), "false");
        assert_eq!(text(-42i64), "-42");
        assert_eq!(text(1.5), "1.5");
        assert_eq!(text(2.0), "2");
        assert_eq!(text(f64::NAN), "NaN");
        assert_eq!(text("a\"b"), "a\"b");
        assert_eq!(text(vec![true, false]), "[true,false]");
        assert_eq!(text(vec![1i64, -2]), "[1,-2]");
        assert_eq!(text(vec![0.5, f64::INFINITY]), "[0.5,\"Infinity\"]");
        assert_eq!(
            text(vec![
                StringValue::from("x"),
                StringValue::from("q\"\n\u{1}")
            ]),
            r#"["x","q\"\n\u0001"]"#
        );
    }

    #[test]
    fn annotation_values_carry_attributes_as_json() {
        let event = Event {
            name: "my-event-name".into(),
            timestamp: UNIX_EPOCH,
            attributes: vec![KeyValue::new("key1", "value1"), KeyValue::new("n", 2)],
            dropped_attributes_count: 0,
        };
        let mut s = String::new();
        write_annotation_value(&mut s, &event);
        assert_eq!(s, r#""my-event-name":{"key1":"value1","n":2}"#);
        let bare = Event {
            attributes: vec![],
            ..event
        };
        s.clear();
        write_annotation_value(&mut s, &bare);
        assert_eq!(s, "my-event-name");
    }

    fn span(kind: SpanKind, attributes: Vec<KeyValue>, status: Status) -> SpanData {
        use opentelemetry_api::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
        use opentelemetry_api::InstrumentationScope;
        static SCOPE: std::sync::OnceLock<InstrumentationScope> = std::sync::OnceLock::new();
        SpanData {
            span_context: SpanContext::new(
                TraceId::from_bytes([1; 16]),
                SpanId::from_bytes([2; 8]),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: kind,
            name: "s".into(),
            start_time: UNIX_EPOCH,
            end_time: UNIX_EPOCH,
            attributes,
            dropped_attributes_count: 0,
            events: Default::default(),
            links: Default::default(),
            status,
            instrumentation_scope: SCOPE.get_or_init(|| InstrumentationScope::builder("").build()),
        }
    }

    fn tags(span: &SpanData) -> Vec<(String, String)> {
        let local = LocalEndpoint::default();
        let mut out = Vec::new();
        for_each_tag(span, &local, |k, v| {
            let mut text = String::new();
            write_tag_text(&mut text, v);
            out.push((k.to_owned(), text));
        });
        out
    }

    #[test]
    fn remote_endpoint_follows_the_ranking() {
        let ranked = [
            ("peer.service", "svc"),
            ("server.address", "srv.example"),
            ("net.peer.name", "netpeer.example"),
            ("network.peer.address", "10.0.0.4"),
            ("server.socket.domain", "sock.example"),
            ("server.socket.address", "10.0.0.6"),
            ("net.sock.peer.name", "socknet.example"),
            ("net.sock.peer.addr", "10.0.0.8"),
            ("peer.hostname", "peerhost.example"),
            ("peer.address", "10.0.0.10"),
            ("db.name", "orders"),
        ];
        // With ranks i.. present (in reverse order), rank i wins.
        for i in 0..ranked.len() {
            let mut attrs: Vec<KeyValue> = ranked[i..]
                .iter()
                .rev()
                .map(|(k, v)| KeyValue::new(*k, *v))
                .collect();
            attrs.extend([
                KeyValue::new("network.peer.port", 4004),
                KeyValue::new("server.socket.port", "6006"),
                KeyValue::new("net.sock.peer.port", 0),
            ]);
            let s = span(SpanKind::Client, attrs, Status::Unset);
            let remote = remote_endpoint(&s).unwrap();
            let (key, value) = ranked[i];
            match value.parse::<IpAddr>() {
                Ok(ip) => assert_eq!(remote.ip, Some(ip), "{key}"),
                Err(_) => assert_eq!(remote.service_name, Some(value), "{key}"),
            }
            let port = match key {
                "network.peer.address" => Some(4004),
                "server.socket.address" => Some(6006),
                _ => None, // zero ports are dropped; other ranks carry no port
            };
            assert_eq!(remote.port, port, "{key}");
        }
        // Only client and producer spans get one.
        for kind in [SpanKind::Server, SpanKind::Consumer, SpanKind::Internal] {
            let s = span(
                kind,
                vec![KeyValue::new("peer.service", "x")],
                Status::Unset,
            );
            assert!(remote_endpoint(&s).is_none());
        }
        let s = span(
            SpanKind::Producer,
            vec![KeyValue::new("x", "y")],
            Status::Unset,
        );
        assert!(remote_endpoint(&s).is_none());
    }

    #[test]
    fn status_and_error_tags() {
        let unset = span(
            SpanKind::Internal,
            vec![KeyValue::new("error", false)],
            Status::Unset,
        );
        assert!(
            tags(&unset).is_empty(),
            "unset status: no tags; error=false removed"
        );
        let ok = span(
            SpanKind::Internal,
            vec![
                KeyValue::new("error", "false"),
                KeyValue::new("otel.status_code", "mine"),
            ],
            Status::Ok,
        );
        assert_eq!(tags(&ok), [("otel.status_code".into(), "OK".into())]);
        let error = span(
            SpanKind::Internal,
            vec![KeyValue::new("error", true)],
            Status::error(""),
        );
        assert_eq!(
            tags(&error),
            [
                ("otel.status_code".into(), "ERROR".into()),
                ("error".into(), String::new())
            ]
        );
        // A true `error` attribute without an error status is kept.
        let kept = span(
            SpanKind::Internal,
            vec![KeyValue::new("error", true)],
            Status::Unset,
        );
        assert_eq!(tags(&kept), [("error".into(), "true".into())]);
    }

    #[test]
    fn kinds_map_to_zipkin_kinds() {
        assert_eq!(Kind::from_otel(&SpanKind::Internal), None);
        for (otel, name, proto) in [
            (SpanKind::Client, "CLIENT", 1),
            (SpanKind::Server, "SERVER", 2),
            (SpanKind::Producer, "PRODUCER", 3),
            (SpanKind::Consumer, "CONSUMER", 4),
        ] {
            let kind = Kind::from_otel(&otel).unwrap();
            assert_eq!((kind.as_str(), kind.proto()), (name, proto));
        }
    }

    #[test]
    fn times_are_whole_microseconds() {
        let mut s = span(SpanKind::Internal, vec![], Status::Unset);
        s.start_time = UNIX_EPOCH + std::time::Duration::from_nanos(1_502_787_600_000_000_999);
        s.end_time = s.start_time + std::time::Duration::from_nanos(1234);
        assert_eq!(micros(s.start_time), 1_502_787_600_000_000);
        assert_eq!(duration_micros(&s), 1);
        s.end_time = s.start_time + std::time::Duration::from_millis(150);
        assert_eq!(duration_micros(&s), 150_000);
    }
}
