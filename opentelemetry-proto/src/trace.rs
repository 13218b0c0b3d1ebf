//! `opentelemetry.proto.trace.v1`: spans, grouped by resource and scope.

/// Version 1 of the package.
pub mod v1 {
    use crate::common::v1::{InstrumentationScope, KeyValue};
    use crate::resource::v1::Resource;

    /// Spans, grouped by resource and scope: the payload of a trace export, and the format of
    /// OTLP trace files.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct TracesData {
        /// The spans of each resource.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub resource_spans: Vec<ResourceSpans>,
    }

    /// The spans of one resource.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ResourceSpans {
        /// The resource (absent: unknown).
        #[prost(message, optional, tag = "1")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub resource: Option<Resource>,
        /// The spans, by instrumentation scope.
        #[prost(message, repeated, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub scope_spans: Vec<ScopeSpans>,
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

    /// The spans of one instrumentation scope.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ScopeSpans {
        /// The scope (absent: unknown).
        #[prost(message, optional, tag = "1")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub scope: Option<InstrumentationScope>,
        /// The spans.
        #[prost(message, repeated, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub spans: Vec<Span>,
        /// The schema URL of the scope's attributes and of the spans' data.
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

    /// One span: an operation within a trace.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct Span {
        /// The trace ID (16 bytes).
        #[prost(bytes = "vec", tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::hex_id", skip_serializing_if = "Vec::is_empty")
        )]
        pub trace_id: Vec<u8>,
        /// The span ID (8 bytes).
        #[prost(bytes = "vec", tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::hex_id", skip_serializing_if = "Vec::is_empty")
        )]
        pub span_id: Vec<u8>,
        /// The W3C trace state.
        #[prost(string, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub trace_state: String,
        /// The parent's span ID (empty for a root span).
        #[prost(bytes = "vec", tag = "4")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::hex_id", skip_serializing_if = "Vec::is_empty")
        )]
        pub parent_span_id: Vec<u8>,
        /// The W3C trace flags (bits 0-7) and the parent's remoteness (bits 8-9, see [`SpanFlags`]).
        #[prost(fixed32, tag = "16")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub flags: u32,
        /// The name.
        #[prost(string, tag = "5")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub name: String,
        /// The kind ([`span::SpanKind`]).
        #[prost(enumeration = "span::SpanKind", tag = "6")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::int32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub kind: i32,
        /// The start, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "7")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub start_time_unix_nano: u64,
        /// The end, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "8")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub end_time_unix_nano: u64,
        /// The attributes.
        #[prost(message, repeated, tag = "9")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub attributes: Vec<KeyValue>,
        /// Attributes dropped by limits.
        #[prost(uint32, tag = "10")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub dropped_attributes_count: u32,
        /// The events.
        #[prost(message, repeated, tag = "11")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub events: Vec<span::Event>,
        /// Events dropped by limits.
        #[prost(uint32, tag = "12")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub dropped_events_count: u32,
        /// The links.
        #[prost(message, repeated, tag = "13")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub links: Vec<span::Link>,
        /// Links dropped by limits.
        #[prost(uint32, tag = "14")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub dropped_links_count: u32,
        /// The status (absent: unset).
        #[prost(message, optional, tag = "15")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub status: Option<Status>,
    }

    /// The nested types of [`Span`].
    pub mod span {
        use crate::common::v1::KeyValue;

        /// The span's role in the trace.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
        #[repr(i32)]
        pub enum SpanKind {
            /// Not given (receivers treat it as internal).
            Unspecified = 0,
            /// An internal operation.
            Internal = 1,
            /// The server side of a synchronous remote call.
            Server = 2,
            /// The client side of a synchronous remote call.
            Client = 3,
            /// The sender of an asynchronous message.
            Producer = 4,
            /// The receiver of an asynchronous message.
            Consumer = 5,
        }

        /// Something that happened during the span.
        #[derive(Clone, PartialEq, prost::Message)]
        #[cfg_attr(
            feature = "with-serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(rename_all = "camelCase", default)
        )]
        pub struct Event {
            /// When it happened, in nanoseconds since the Unix epoch.
            #[prost(fixed64, tag = "1")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::uint64",
                    skip_serializing_if = "crate::json::is_default"
                )
            )]
            pub time_unix_nano: u64,
            /// The name.
            #[prost(string, tag = "2")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    deserialize_with = "crate::json::null_default",
                    skip_serializing_if = "String::is_empty"
                )
            )]
            pub name: String,
            /// The attributes.
            #[prost(message, repeated, tag = "3")]
            #[cfg_attr(
                feature = "with-serde",
                serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
            )]
            pub attributes: Vec<KeyValue>,
            /// Attributes dropped by limits.
            #[prost(uint32, tag = "4")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::uint32",
                    skip_serializing_if = "crate::json::is_default"
                )
            )]
            pub dropped_attributes_count: u32,
        }

        /// A pointer to another span.
        #[derive(Clone, PartialEq, prost::Message)]
        #[cfg_attr(
            feature = "with-serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(rename_all = "camelCase", default)
        )]
        pub struct Link {
            /// The linked span's trace ID.
            #[prost(bytes = "vec", tag = "1")]
            #[cfg_attr(
                feature = "with-serde",
                serde(with = "crate::json::hex_id", skip_serializing_if = "Vec::is_empty")
            )]
            pub trace_id: Vec<u8>,
            /// The linked span's ID.
            #[prost(bytes = "vec", tag = "2")]
            #[cfg_attr(
                feature = "with-serde",
                serde(with = "crate::json::hex_id", skip_serializing_if = "Vec::is_empty")
            )]
            pub span_id: Vec<u8>,
            /// The linked span's trace state.
            #[prost(string, tag = "3")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    deserialize_with = "crate::json::null_default",
                    skip_serializing_if = "String::is_empty"
                )
            )]
            pub trace_state: String,
            /// The link's attributes.
            #[prost(message, repeated, tag = "4")]
            #[cfg_attr(
                feature = "with-serde",
                serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
            )]
            pub attributes: Vec<KeyValue>,
            /// Attributes dropped by limits.
            #[prost(uint32, tag = "5")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::uint32",
                    skip_serializing_if = "crate::json::is_default"
                )
            )]
            pub dropped_attributes_count: u32,
            /// The linked span's trace flags and remoteness (see [`SpanFlags`](super::SpanFlags)).
            #[prost(fixed32, tag = "6")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::uint32",
                    skip_serializing_if = "crate::json::is_default"
                )
            )]
            pub flags: u32,
        }
    }

    /// The outcome of a span.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct Status {
        /// A developer-facing message (for errors).
        #[prost(string, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub message: String,
        /// The code ([`status::StatusCode`]).
        #[prost(enumeration = "status::StatusCode", tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::int32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub code: i32,
    }

    /// The nested types of [`Status`].
    pub mod status {
        /// A span's status code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
        #[repr(i32)]
        pub enum StatusCode {
            /// Not set.
            Unset = 0,
            /// Validated as successful.
            Ok = 1,
            /// Failed.
            Error = 2,
        }
    }

    /// The bits of [`Span::flags`] and [`span::Link::flags`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum SpanFlags {
        /// Not a flag: the value 0 has no meaning of its own.
        DoNotUse = 0,
        /// The W3C trace flags (bits 0-7).
        TraceFlagsMask = 0x0000_00FF,
        /// Set when the next bit is meaningful (the sender knew whether the parent, or the
        /// linked span, was remote).
        ContextHasIsRemoteMask = 0x0000_0100,
        /// Set when the parent (or the linked span) is remote.
        ContextIsRemoteMask = 0x0000_0200,
    }
}
