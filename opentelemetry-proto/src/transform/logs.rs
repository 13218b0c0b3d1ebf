//! Log records.

use super::{key_value, unix_nanos, ScopeGroups};
use crate::collector::logs::v1::ExportLogsServiceRequest;
use crate::common::v1::{AnyValue, InstrumentationScope};
use crate::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use crate::resource::v1::Resource;
use opentelemetry_sdk::logs::{LogData, SdkLogRecord};

impl From<&SdkLogRecord> for LogRecord {
    fn from(record: &SdkLogRecord) -> Self {
        let trace = record.trace_context();
        LogRecord {
            time_unix_nano: record.timestamp().map_or(0, unix_nanos),
            observed_time_unix_nano: record.observed_timestamp().map_or(0, unix_nanos),
            severity_number: record.severity_number().map_or(0, i32::from),
            severity_text: record.severity_text().unwrap_or_default().to_owned(),
            body: record.body().map(AnyValue::from),
            attributes: record
                .attributes_iter()
                .map(|(k, v)| key_value(k, v))
                .collect(),
            dropped_attributes_count: record.dropped_attributes_count(),
            flags: trace
                .and_then(|t| t.trace_flags)
                .map_or(0, |f| u32::from(f.to_u8())),
            trace_id: trace.map_or_else(Vec::new, |t| t.trace_id.to_bytes().to_vec()),
            span_id: trace.map_or_else(Vec::new, |t| t.span_id.to_bytes().to_vec()),
            event_name: record.event_name().unwrap_or_default().to_owned(),
        }
    }
}

impl ExportLogsServiceRequest {
    /// The export request for a batch of log records of `resource`: the records grouped by
    /// instrumentation scope, each group in its original order.
    ///
    /// A record with a target (the category a logging library logged under, such as a Rust
    /// module path) is sent under a scope named after the target, with the logger scope's
    /// version, schema URL and attributes: bridges use one logger for a whole application,
    /// and the target is what names the component that logged, as the spec's bridge
    /// guidance asks of the scope name.
    ///
    /// ```
    /// use opentelemetry_api::logs::{LogRecord as _, Logger, LoggerProvider, Severity};
    /// use opentelemetry_proto::collector::logs::v1::ExportLogsServiceRequest;
    /// use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
    /// use opentelemetry_sdk::Resource;
    ///
    /// let exporter = InMemoryLogExporter::default();
    /// let provider = SdkLoggerProvider::builder().with_simple_exporter(exporter.clone()).build();
    /// let logger = provider.logger("shop");
    /// let mut record = logger.create_log_record();
    /// record.set_severity_number(Severity::Warn);
    /// record.set_body("card declined".into());
    /// logger.emit(record);
    ///
    /// let resource = Resource::builder().with_service_name("shop").build();
    /// let request = ExportLogsServiceRequest::from_logs(&exporter.get_emitted_logs(), &resource);
    /// let record = &request.resource_logs[0].scope_logs[0].log_records[0];
    /// assert_eq!(record.severity_number, 13);
    /// ```
    pub fn from_logs(logs: &[LogData], resource: &opentelemetry_sdk::Resource) -> Self {
        if logs.is_empty() {
            return ExportLogsServiceRequest::default();
        }
        let mut groups = ScopeGroups::new();
        for data in logs {
            groups.push(
                (&*data.instrumentation_scope, data.record.target()),
                &data.record,
                |a, b| std::ptr::eq(a.0, b.0) && a.1 == b.1,
            );
        }
        let scope_logs = groups
            .into_groups()
            .into_iter()
            .map(|((scope, target), records)| {
                let mut converted = InstrumentationScope::from(scope);
                if let Some(target) = target {
                    converted.name = target.to_owned();
                }
                ScopeLogs {
                    scope: Some(converted),
                    log_records: records.into_iter().map(LogRecord::from).collect(),
                    schema_url: scope.schema_url().unwrap_or_default().to_owned(),
                }
            })
            .collect();
        ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: Some(Resource::from(resource)),
                scope_logs,
                schema_url: resource.schema_url().unwrap_or_default().to_owned(),
            }],
        }
    }
}
