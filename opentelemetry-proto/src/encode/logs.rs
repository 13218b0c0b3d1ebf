//! Log records.

use super::common::{any_value, resource, scope};
use super::sink::Sink;
use crate::transform::{unix_nanos, ScopeGroups};
use opentelemetry_api::InstrumentationScope;
use opentelemetry_sdk::logs::{LogData, SdkLogRecord};

fn record<S: Sink>(s: &mut S, record: &SdkLogRecord) {
    let trace = record.trace_context();
    s.fixed64(1, "timeUnixNano", record.timestamp().map_or(0, unix_nanos));
    s.enumeration(
        2,
        "severityNumber",
        record.severity_number().map_or(0, i32::from),
    );
    s.string(
        3,
        "severityText",
        record.severity_text().unwrap_or_default(),
    );
    if let Some(body) = record.body() {
        s.message(5, "body", 1, |s| any_value(s, body));
    }
    s.repeated(6, "attributes", 1, record.attributes_iter(), |s, (k, v)| {
        s.string(1, "key", k.as_str());
        s.message(2, "value", 1, |s| any_value(s, v));
    });
    s.uint32(
        7,
        "droppedAttributesCount",
        record.dropped_attributes_count(),
    );
    if let Some(trace) = trace {
        s.fixed32(
            8,
            "flags",
            trace.trace_flags.map_or(0, |f| u32::from(f.to_u8())),
        );
        s.id(9, "traceId", &trace.trace_id.to_bytes());
        s.id(10, "spanId", &trace.span_id.to_bytes());
    }
    s.fixed64(
        11,
        "observedTimeUnixNano",
        record.observed_timestamp().map_or(0, unix_nanos),
    );
    s.string(12, "eventName", record.event_name().unwrap_or_default());
}

fn scope_logs<'a, S: Sink>(
    s: &mut S,
    instrumentation_scope: &InstrumentationScope,
    target: Option<&str>,
    records: impl IntoIterator<Item = &'a SdkLogRecord>,
) {
    // The target, when there is one, names the scope (as the conversion does).
    scope(
        s,
        instrumentation_scope,
        target.unwrap_or(instrumentation_scope.name()),
    );
    s.repeated(2, "logRecords", 2, records, record);
    s.string(
        3,
        "schemaUrl",
        instrumentation_scope.schema_url().unwrap_or_default(),
    );
}

/// The fields of an `ExportLogsServiceRequest`, grouped as
/// `ExportLogsServiceRequest::from_logs` groups them.
pub(super) fn request<S: Sink>(s: &mut S, logs: &[LogData], res: &opentelemetry_sdk::Resource) {
    let Some(first) = logs.first() else {
        return;
    };
    s.repeated(1, "resourceLogs", 3, [()], |s, ()| {
        resource(s, res);
        let (first_scope, first_target) = (&*first.instrumentation_scope, first.record.target());
        // Usually a batch has one scope and target: no grouping needed.
        if logs.iter().all(|d| {
            std::ptr::eq(&*d.instrumentation_scope, first_scope)
                && d.record.target() == first_target
        }) {
            s.repeated(2, "scopeLogs", 3, [()], |s, ()| {
                scope_logs(s, first_scope, first_target, logs.iter().map(|d| &d.record))
            });
        } else {
            let mut groups = ScopeGroups::new();
            for data in logs {
                groups.push(
                    (&*data.instrumentation_scope, data.record.target()),
                    &data.record,
                    |a, b| std::ptr::eq(a.0, b.0) && a.1 == b.1,
                );
            }
            s.repeated(
                2,
                "scopeLogs",
                3,
                groups.into_groups(),
                |s, ((sc, target), records)| scope_logs(s, sc, target, records),
            );
        }
        s.string(3, "schemaUrl", res.schema_url().unwrap_or_default());
    });
}
