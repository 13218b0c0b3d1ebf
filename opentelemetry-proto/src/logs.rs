//! `opentelemetry.proto.logs.v1`: log records, grouped by resource and scope.

/// Version 1 of the package.
pub mod v1 {
    use crate::common::v1::{AnyValue, InstrumentationScope, KeyValue};
    use crate::resource::v1::Resource;

    /// Log records, grouped by resource and scope: the payload of a logs export, and the
    /// format of OTLP log files.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct LogsData {
        /// The records of each resource.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub resource_logs: Vec<ResourceLogs>,
    }

    /// The log records of one resource.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ResourceLogs {
        /// The resource (absent: unknown).
        #[prost(message, optional, tag = "1")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub resource: Option<Resource>,
        /// The records, by instrumentation scope.
        #[prost(message, repeated, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub scope_logs: Vec<ScopeLogs>,
        /// The schema URL of the resource's attributes.
        #[prost(string, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub schema_url: String,
    }

    /// The log records of one instrumentation scope.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ScopeLogs {
        /// The scope (absent: unknown).
        #[prost(message, optional, tag = "1")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub scope: Option<InstrumentationScope>,
        /// The records.
        #[prost(message, repeated, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub log_records: Vec<LogRecord>,
        /// The schema URL of the scope's attributes and of the records' data.
        #[prost(string, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub schema_url: String,
    }

    /// The severity of a log record, from the logs data model.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum SeverityNumber {
        /// Not given.
        Unspecified = 0,
        /// TRACE.
        Trace = 1,
        /// TRACE2.
        Trace2 = 2,
        /// TRACE3.
        Trace3 = 3,
        /// TRACE4.
        Trace4 = 4,
        /// DEBUG.
        Debug = 5,
        /// DEBUG2.
        Debug2 = 6,
        /// DEBUG3.
        Debug3 = 7,
        /// DEBUG4.
        Debug4 = 8,
        /// INFO.
        Info = 9,
        /// INFO2.
        Info2 = 10,
        /// INFO3.
        Info3 = 11,
        /// INFO4.
        Info4 = 12,
        /// WARN.
        Warn = 13,
        /// WARN2.
        Warn2 = 14,
        /// WARN3.
        Warn3 = 15,
        /// WARN4.
        Warn4 = 16,
        /// ERROR.
        Error = 17,
        /// ERROR2.
        Error2 = 18,
        /// ERROR3.
        Error3 = 19,
        /// ERROR4.
        Error4 = 20,
        /// FATAL.
        Fatal = 21,
        /// FATAL2.
        Fatal2 = 22,
        /// FATAL3.
        Fatal3 = 23,
        /// FATAL4.
        Fatal4 = 24,
    }

    /// The bits of [`LogRecord::flags`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum LogRecordFlags {
        /// Not a flag: the value 0 has no meaning of its own.
        DoNotUse = 0,
        /// The W3C trace flags (bits 0-7).
        TraceFlagsMask = 0x0000_00FF,
    }

    /// One log record.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct LogRecord {
        /// When the event occurred, in nanoseconds since the Unix epoch (0: unknown).
        #[prost(fixed64, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub time_unix_nano: u64,
        /// When it was observed, in nanoseconds since the Unix epoch (0: unknown).
        #[prost(fixed64, tag = "11")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub observed_time_unix_nano: u64,
        /// The severity ([`SeverityNumber`]).
        #[prost(enumeration = "SeverityNumber", tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::int32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub severity_number: i32,
        /// The source's name for the severity.
        #[prost(string, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub severity_text: String,
        /// The body.
        #[prost(message, optional, tag = "5")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub body: Option<AnyValue>,
        /// The attributes.
        #[prost(message, repeated, tag = "6")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub attributes: Vec<KeyValue>,
        /// Attributes dropped by limits.
        #[prost(uint32, tag = "7")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub dropped_attributes_count: u32,
        /// The W3C trace flags of the span the record belongs to (bits 0-7).
        #[prost(fixed32, tag = "8")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub flags: u32,
        /// The trace ID of the span the record belongs to (empty: none).
        #[prost(bytes = "vec", tag = "9")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::hex_id", skip_serializing_if = "Vec::is_empty")
        )]
        pub trace_id: Vec<u8>,
        /// The ID of the span the record belongs to (empty: none).
        #[prost(bytes = "vec", tag = "10")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::hex_id", skip_serializing_if = "Vec::is_empty")
        )]
        pub span_id: Vec<u8>,
        /// The event name, which makes the record an event (empty: not an event).
        #[prost(string, tag = "12")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub event_name: String,
    }
}
