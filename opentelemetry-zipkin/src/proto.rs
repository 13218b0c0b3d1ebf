//! Zipkin v2 protobuf: the messages of zipkin.proto (package `zipkin.proto3`), written by hand
//! with prost, and their construction from the SDK's spans.

use crate::model::{self, Kind, LocalEndpoint, RemoteEndpoint};
use opentelemetry_sdk::trace::SpanData;
use prost::Message;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// `zipkin.proto3.Span`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Span {
    #[prost(bytes = "vec", tag = "1")]
    pub(crate) trace_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub(crate) parent_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub(crate) id: Vec<u8>,
    /// `Span.Kind`: 0 unspecified, 1 client, 2 server, 3 producer, 4 consumer.
    #[prost(int32, tag = "4")]
    pub(crate) kind: i32,
    #[prost(string, tag = "5")]
    pub(crate) name: String,
    #[prost(fixed64, tag = "6")]
    pub(crate) timestamp: u64,
    #[prost(uint64, tag = "7")]
    pub(crate) duration: u64,
    #[prost(message, optional, tag = "8")]
    pub(crate) local_endpoint: Option<Endpoint>,
    #[prost(message, optional, tag = "9")]
    pub(crate) remote_endpoint: Option<Endpoint>,
    #[prost(message, repeated, tag = "10")]
    pub(crate) annotations: Vec<Annotation>,
    #[prost(btree_map = "string, string", tag = "11")]
    pub(crate) tags: BTreeMap<String, String>,
    #[prost(bool, tag = "12")]
    pub(crate) debug: bool,
    #[prost(bool, tag = "13")]
    pub(crate) shared: bool,
}

/// `zipkin.proto3.Endpoint`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Endpoint {
    #[prost(string, tag = "1")]
    pub(crate) service_name: String,
    #[prost(bytes = "vec", tag = "2")]
    pub(crate) ipv4: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub(crate) ipv6: Vec<u8>,
    #[prost(int32, tag = "4")]
    pub(crate) port: i32,
}

/// `zipkin.proto3.Annotation`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Annotation {
    #[prost(fixed64, tag = "1")]
    pub(crate) timestamp: u64,
    #[prost(string, tag = "2")]
    pub(crate) value: String,
}

/// `zipkin.proto3.ListOfSpans`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ListOfSpans {
    #[prost(message, repeated, tag = "1")]
    pub(crate) spans: Vec<Span>,
}

fn endpoint(service_name: Option<&str>, ip: Option<IpAddr>, port: Option<u16>) -> Endpoint {
    let (ipv4, ipv6) = match ip {
        Some(IpAddr::V4(ip)) => (ip.octets().to_vec(), Vec::new()),
        Some(IpAddr::V6(ip)) => (Vec::new(), ip.octets().to_vec()),
        None => (Vec::new(), Vec::new()),
    };
    Endpoint {
        service_name: service_name.unwrap_or_default().to_owned(),
        ipv4,
        ipv6,
        port: port.map_or(0, i32::from),
    }
}

/// The protobuf form of one span.
pub(crate) fn span(span: &SpanData, local: &LocalEndpoint) -> Span {
    let sc = &span.span_context;
    let mut tags = BTreeMap::new();
    model::for_each_tag(span, local, |key, value| {
        let mut text = String::new();
        model::write_tag_text(&mut text, value);
        tags.insert(key.to_owned(), text);
    });
    Span {
        trace_id: sc.trace_id().to_bytes().to_vec(),
        parent_id: if span.parent_span_id.is_valid() {
            span.parent_span_id.to_bytes().to_vec()
        } else {
            Vec::new()
        },
        id: sc.span_id().to_bytes().to_vec(),
        kind: Kind::from_otel(&span.span_kind).map_or(0, Kind::proto),
        name: span.name.to_string(),
        timestamp: model::micros(span.start_time),
        duration: model::duration_micros(span),
        local_endpoint: Some(endpoint(
            Some(local.service_name.as_str()),
            local.ip,
            local.port,
        )),
        remote_endpoint: model::remote_endpoint(span).map(
            |RemoteEndpoint {
                 service_name,
                 ip,
                 port,
             }| endpoint(service_name, ip, port),
        ),
        annotations: span
            .events
            .events
            .iter()
            .map(|event| {
                let mut value = String::new();
                model::write_annotation_value(&mut value, event);
                Annotation {
                    timestamp: model::micros(event.timestamp),
                    value,
                }
            })
            .collect(),
        tags,
        debug: false,
        shared: false,
    }
}

/// Encodes `spans` as a `ListOfSpans` into `out`.
pub(crate) fn encode(out: &mut Vec<u8>, spans: &[SpanData], local: &LocalEndpoint) {
    let list = ListOfSpans {
        spans: spans.iter().map(|s| span(s, local)).collect(),
    };
    out.reserve(list.encoded_len());
    // Encoding into a Vec cannot run out of space (it grows).
    let _ = list.encode(out);
}
