//! Spans.

use super::{attributes, unix_nanos, ScopeGroups};
use crate::collector::trace::v1::ExportTraceServiceRequest;
use crate::common::v1::InstrumentationScope;
use crate::resource::v1::Resource;
use crate::trace::v1::{span, status, ResourceSpans, ScopeSpans, Span, SpanFlags, Status};
use opentelemetry_api::trace::{SpanContext, SpanId, SpanKind};
use opentelemetry_sdk::trace::SpanData;

/// The `flags` of a span or link: the W3C trace flags, and whether the parent (or the linked
/// span) is remote, which the SDK always knows.
#[inline]
fn flags(context: &SpanContext, is_remote: bool) -> u32 {
    let mut flags =
        u32::from(context.trace_flags().to_u8()) | SpanFlags::ContextHasIsRemoteMask as u32;
    if is_remote {
        flags |= SpanFlags::ContextIsRemoteMask as u32;
    }
    flags
}

fn kind(kind: SpanKind) -> span::SpanKind {
    match kind {
        SpanKind::Internal => span::SpanKind::Internal,
        SpanKind::Server => span::SpanKind::Server,
        SpanKind::Client => span::SpanKind::Client,
        SpanKind::Producer => span::SpanKind::Producer,
        SpanKind::Consumer => span::SpanKind::Consumer,
    }
}

fn status(value: &opentelemetry_api::trace::Status) -> Option<Status> {
    use opentelemetry_api::trace::Status as Sdk;
    match value {
        // An absent status is the unset status: nothing to send.
        Sdk::Unset => None,
        Sdk::Ok => Some(Status {
            message: String::new(),
            code: status::StatusCode::Ok as i32,
        }),
        Sdk::Error { description } => Some(Status {
            message: description.to_string(),
            code: status::StatusCode::Error as i32,
        }),
    }
}

impl From<&SpanData> for Span {
    fn from(data: &SpanData) -> Self {
        let context = &data.span_context;
        Span {
            trace_id: context.trace_id().to_bytes().to_vec(),
            span_id: context.span_id().to_bytes().to_vec(),
            trace_state: if context.trace_state().is_empty() {
                String::new()
            } else {
                context.trace_state().header()
            },
            parent_span_id: if data.parent_span_id == SpanId::INVALID {
                Vec::new()
            } else {
                data.parent_span_id.to_bytes().to_vec()
            },
            flags: flags(context, data.parent_span_is_remote),
            name: data.name.to_string(),
            kind: kind(data.span_kind) as i32,
            start_time_unix_nano: unix_nanos(data.start_time),
            end_time_unix_nano: unix_nanos(data.end_time),
            attributes: attributes(&data.attributes),
            dropped_attributes_count: data.dropped_attributes_count,
            events: data
                .events
                .events
                .iter()
                .map(|event| span::Event {
                    time_unix_nano: unix_nanos(event.timestamp),
                    name: event.name.to_string(),
                    attributes: attributes(&event.attributes),
                    dropped_attributes_count: event.dropped_attributes_count,
                })
                .collect(),
            dropped_events_count: data.events.dropped_count,
            links: data
                .links
                .links
                .iter()
                .map(|link| {
                    let context = &link.span_context;
                    span::Link {
                        trace_id: context.trace_id().to_bytes().to_vec(),
                        span_id: context.span_id().to_bytes().to_vec(),
                        trace_state: if context.trace_state().is_empty() {
                            String::new()
                        } else {
                            context.trace_state().header()
                        },
                        attributes: attributes(&link.attributes),
                        dropped_attributes_count: link.dropped_attributes_count,
                        flags: flags(context, context.is_remote()),
                    }
                })
                .collect(),
            dropped_links_count: data.links.dropped_count,
            status: status(&data.status),
        }
    }
}

impl ExportTraceServiceRequest {
    /// The export request for a batch of spans of `resource`: the spans grouped by
    /// instrumentation scope, each group in its original order.
    ///
    /// ```
    /// use opentelemetry_api::trace::{Span as _, Tracer, TracerProvider};
    /// use opentelemetry_proto::collector::trace::v1::ExportTraceServiceRequest;
    /// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
    /// use opentelemetry_sdk::Resource;
    ///
    /// let exporter = InMemorySpanExporter::default();
    /// let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
    /// provider.tracer("shop").in_span("checkout", |_cx| {});
    ///
    /// let resource = Resource::builder().with_service_name("shop").build();
    /// let request = ExportTraceServiceRequest::from_spans(&exporter.get_finished_spans(), &resource);
    /// let scope_spans = &request.resource_spans[0].scope_spans[0];
    /// assert_eq!(scope_spans.scope.as_ref().unwrap().name, "shop");
    /// assert_eq!(scope_spans.spans[0].name, "checkout");
    /// ```
    pub fn from_spans(spans: &[SpanData], resource: &opentelemetry_sdk::Resource) -> Self {
        if spans.is_empty() {
            return ExportTraceServiceRequest::default();
        }
        let mut groups = ScopeGroups::new();
        for data in spans {
            groups.push(data.instrumentation_scope, data, |a, b| {
                std::ptr::eq(*a, *b)
            });
        }
        let scope_spans = groups
            .into_groups()
            .into_iter()
            .map(|(scope, spans)| ScopeSpans {
                scope: Some(InstrumentationScope::from(scope)),
                spans: spans.into_iter().map(Span::from).collect(),
                schema_url: scope.schema_url().unwrap_or_default().to_owned(),
            })
            .collect();
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource::from(resource)),
                scope_spans,
                schema_url: resource.schema_url().unwrap_or_default().to_owned(),
            }],
        }
    }
}
