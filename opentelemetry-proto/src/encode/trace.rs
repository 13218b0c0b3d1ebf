//! Spans.

use super::common::{attributes, resource, scope};
use super::sink::Sink;
use crate::trace::v1::{span, status, SpanFlags};
use crate::transform::{unix_nanos, ScopeGroups};
use opentelemetry_api::trace::{SpanContext, SpanId, SpanKind, Status};
use opentelemetry_api::InstrumentationScope;
use opentelemetry_sdk::trace::SpanData;

/// As the conversion: the W3C flags, and whether the parent (or linked span) is remote.
#[inline]
fn flags(context: &SpanContext, is_remote: bool) -> u32 {
    let mut flags =
        u32::from(context.trace_flags().to_u8()) | SpanFlags::ContextHasIsRemoteMask as u32;
    if is_remote {
        flags |= SpanFlags::ContextIsRemoteMask as u32;
    }
    flags
}

#[inline]
fn kind(kind: SpanKind) -> i32 {
    (match kind {
        SpanKind::Internal => span::SpanKind::Internal,
        SpanKind::Server => span::SpanKind::Server,
        SpanKind::Client => span::SpanKind::Client,
        SpanKind::Producer => span::SpanKind::Producer,
        SpanKind::Consumer => span::SpanKind::Consumer,
    }) as i32
}

fn span<S: Sink>(s: &mut S, data: &SpanData) {
    let context = &data.span_context;
    s.id(1, "traceId", &context.trace_id().to_bytes());
    s.id(2, "spanId", &context.span_id().to_bytes());
    s.trace_state(3, "traceState", context.trace_state());
    if data.parent_span_id != SpanId::INVALID {
        s.id(4, "parentSpanId", &data.parent_span_id.to_bytes());
    }
    s.string(5, "name", &data.name);
    s.enumeration(6, "kind", kind(data.span_kind));
    s.fixed64(7, "startTimeUnixNano", unix_nanos(data.start_time));
    s.fixed64(8, "endTimeUnixNano", unix_nanos(data.end_time));
    attributes(s, 9, "attributes", &data.attributes);
    s.uint32(10, "droppedAttributesCount", data.dropped_attributes_count);
    s.repeated(11, "events", 1, &data.events.events, |s, event| {
        s.fixed64(1, "timeUnixNano", unix_nanos(event.timestamp));
        s.string(2, "name", &event.name);
        attributes(s, 3, "attributes", &event.attributes);
        s.uint32(4, "droppedAttributesCount", event.dropped_attributes_count);
    });
    s.uint32(12, "droppedEventsCount", data.events.dropped_count);
    s.repeated(13, "links", 1, &data.links.links, |s, link| {
        let context = &link.span_context;
        s.id(1, "traceId", &context.trace_id().to_bytes());
        s.id(2, "spanId", &context.span_id().to_bytes());
        s.trace_state(3, "traceState", context.trace_state());
        attributes(s, 4, "attributes", &link.attributes);
        s.uint32(5, "droppedAttributesCount", link.dropped_attributes_count);
        s.fixed32(6, "flags", flags(context, context.is_remote()));
    });
    s.uint32(14, "droppedLinksCount", data.links.dropped_count);
    match &data.status {
        // The unset status is an absent one.
        Status::Unset => {}
        Status::Ok => s.message(15, "status", 1, |s| {
            s.enumeration(3, "code", status::StatusCode::Ok as i32)
        }),
        Status::Error { description } => s.message(15, "status", 1, |s| {
            s.string(2, "message", description);
            s.enumeration(3, "code", status::StatusCode::Error as i32);
        }),
    }
    s.fixed32(16, "flags", flags(context, data.parent_span_is_remote));
}

fn scope_spans<'a, S: Sink>(
    s: &mut S,
    instrumentation_scope: &InstrumentationScope,
    spans: impl IntoIterator<Item = &'a SpanData>,
) {
    scope(s, instrumentation_scope, instrumentation_scope.name());
    s.repeated(2, "spans", 2, spans, span);
    s.string(
        3,
        "schemaUrl",
        instrumentation_scope.schema_url().unwrap_or_default(),
    );
}

/// The fields of an `ExportTraceServiceRequest`, grouped as
/// `ExportTraceServiceRequest::from_spans` groups them.
pub(super) fn request<S: Sink>(s: &mut S, spans: &[SpanData], res: &opentelemetry_sdk::Resource) {
    let Some(first) = spans.first() else {
        return;
    };
    s.repeated(1, "resourceSpans", 3, [()], |s, ()| {
        resource(s, res);
        // Usually every span of a batch has the same (interned) scope: no grouping needed.
        if spans
            .iter()
            .all(|d| std::ptr::eq(d.instrumentation_scope, first.instrumentation_scope))
        {
            s.repeated(
                2,
                "scopeSpans",
                3,
                [first.instrumentation_scope],
                |s, sc| scope_spans(s, sc, spans),
            );
        } else {
            let mut groups = ScopeGroups::new();
            for data in spans {
                groups.push(data.instrumentation_scope, data, |a, b| {
                    std::ptr::eq(*a, *b)
                });
            }
            s.repeated(
                2,
                "scopeSpans",
                3,
                groups.into_groups(),
                |s, (sc, group)| scope_spans(s, sc, group),
            );
        }
        s.string(3, "schemaUrl", res.schema_url().unwrap_or_default());
    });
}
