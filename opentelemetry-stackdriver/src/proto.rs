//! The Cloud Trace API v2 messages the exporter sends, written by hand with `prost` derives.
//!
//! Field numbers follow Google's published definitions (`google/devtools/cloudtrace/v2/
//! trace.proto` and `tracing.proto`, `google/rpc/status.proto`, the `google.protobuf`
//! well-known types); the tests have Google's own Python classes decode what we encode. Only
//! what the exporter writes is here: the stack trace message exists but the exporter leaves
//! it unset.
//!
//! One deliberate change: `Span.Attributes.attribute_map` (a `map<string, AttributeValue>`)
//! is a `Vec` of [`AttributeEntry`]. A map is encoded exactly as a repeated message with the
//! key in field 1 and the value in field 2, so the bytes are the same, and a `Vec` keeps the
//! exporter's order and needs no hashing.
#![allow(missing_docs)] // Field docs would only repeat the names; the types say what they are.

/// `google.protobuf.Timestamp`.
#[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `google.protobuf.BoolValue`.
#[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
pub struct BoolValue {
    #[prost(bool, tag = "1")]
    pub value: bool,
}

/// `google.protobuf.Int32Value`.
#[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
pub struct Int32Value {
    #[prost(int32, tag = "1")]
    pub value: i32,
}

/// `google.protobuf.Empty`: the response of `BatchWriteSpans`.
#[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
pub struct Empty {}

/// `google.protobuf.Any` (the details of a `google.rpc.Status`; the exporter sends none).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Any {
    #[prost(string, tag = "1")]
    pub type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `google.rpc.Status`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Status {
    #[prost(int32, tag = "1")]
    pub code: i32,
    #[prost(string, tag = "2")]
    pub message: String,
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<Any>,
}

/// `google.devtools.cloudtrace.v2.TruncatableString`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct TruncatableString {
    #[prost(string, tag = "1")]
    pub value: String,
    #[prost(int32, tag = "2")]
    pub truncated_byte_count: i32,
}

/// `google.devtools.cloudtrace.v2.AttributeValue`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct AttributeValue {
    #[prost(oneof = "attribute_value::Value", tags = "1, 2, 3")]
    pub value: Option<attribute_value::Value>,
}

/// The oneof of [`AttributeValue`].
pub mod attribute_value {
    /// `AttributeValue.value`.
    #[derive(Clone, PartialEq, Eq, ::prost::Oneof)]
    pub enum Value {
        #[prost(message, tag = "1")]
        StringValue(super::TruncatableString),
        #[prost(int64, tag = "2")]
        IntValue(i64),
        #[prost(bool, tag = "3")]
        BoolValue(bool),
    }
}

/// `google.devtools.cloudtrace.v2.Module`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Module {
    #[prost(message, optional, tag = "1")]
    pub module: Option<TruncatableString>,
    #[prost(message, optional, tag = "2")]
    pub build_id: Option<TruncatableString>,
}

/// `google.devtools.cloudtrace.v2.StackTrace`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct StackTrace {
    #[prost(message, optional, tag = "1")]
    pub stack_frames: Option<stack_trace::StackFrames>,
    #[prost(int64, tag = "2")]
    pub stack_trace_hash_id: i64,
}

/// The nested messages of [`StackTrace`].
pub mod stack_trace {
    use super::{Module, TruncatableString};

    /// `StackTrace.StackFrame`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct StackFrame {
        #[prost(message, optional, tag = "1")]
        pub function_name: Option<TruncatableString>,
        #[prost(message, optional, tag = "2")]
        pub original_function_name: Option<TruncatableString>,
        #[prost(message, optional, tag = "3")]
        pub file_name: Option<TruncatableString>,
        #[prost(int64, tag = "4")]
        pub line_number: i64,
        #[prost(int64, tag = "5")]
        pub column_number: i64,
        #[prost(message, optional, tag = "6")]
        pub load_module: Option<Module>,
        #[prost(message, optional, tag = "7")]
        pub source_version: Option<TruncatableString>,
    }

    /// `StackTrace.StackFrames`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct StackFrames {
        #[prost(message, repeated, tag = "1")]
        pub frame: Vec<StackFrame>,
        #[prost(int32, tag = "2")]
        pub dropped_frames_count: i32,
    }
}

/// One entry of `Span.Attributes.attribute_map` (wire-identical to the map's entry).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct AttributeEntry {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(message, optional, tag = "2")]
    pub value: Option<AttributeValue>,
}

/// `google.devtools.cloudtrace.v2.Span`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Span {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub span_id: String,
    #[prost(string, tag = "3")]
    pub parent_span_id: String,
    #[prost(message, optional, tag = "4")]
    pub display_name: Option<TruncatableString>,
    #[prost(message, optional, tag = "5")]
    pub start_time: Option<Timestamp>,
    #[prost(message, optional, tag = "6")]
    pub end_time: Option<Timestamp>,
    #[prost(message, optional, tag = "7")]
    pub attributes: Option<span::Attributes>,
    #[prost(message, optional, tag = "8")]
    pub stack_trace: Option<StackTrace>,
    #[prost(message, optional, tag = "9")]
    pub time_events: Option<span::TimeEvents>,
    #[prost(message, optional, tag = "10")]
    pub links: Option<span::Links>,
    #[prost(message, optional, tag = "11")]
    pub status: Option<Status>,
    #[prost(message, optional, tag = "12")]
    pub same_process_as_parent_span: Option<BoolValue>,
    #[prost(message, optional, tag = "13")]
    pub child_span_count: Option<Int32Value>,
    #[prost(enumeration = "span::SpanKind", tag = "14")]
    pub span_kind: i32,
}

/// The nested messages and enums of [`Span`].
pub mod span {
    use super::{AttributeEntry, Timestamp, TruncatableString};

    /// `Span.Attributes`.
    ///
    /// `encoded_entries` holds entries already encoded (field 1, as `attribute_map`'s): the
    /// labels every span of an exporter carries are encoded once and shared, instead of being
    /// copied into every span. They are written before `attribute_map`; decoding puts every
    /// entry in `attribute_map`.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct Attributes {
        pub encoded_entries: bytes::Bytes,
        pub attribute_map: Vec<AttributeEntry>,
        pub dropped_attributes_count: i32,
    }

    impl ::prost::Message for Attributes {
        fn encode_raw(&self, buf: &mut impl bytes::BufMut) {
            buf.put_slice(&self.encoded_entries);
            for entry in &self.attribute_map {
                ::prost::encoding::message::encode(1, entry, buf);
            }
            if self.dropped_attributes_count != 0 {
                ::prost::encoding::int32::encode(2, &self.dropped_attributes_count, buf);
            }
        }

        fn merge_field(
            &mut self,
            tag: u32,
            wire_type: ::prost::encoding::WireType,
            buf: &mut impl bytes::Buf,
            ctx: ::prost::encoding::DecodeContext,
        ) -> Result<(), ::prost::DecodeError> {
            match tag {
                1 => ::prost::encoding::message::merge_repeated(
                    wire_type,
                    &mut self.attribute_map,
                    buf,
                    ctx,
                ),
                2 => ::prost::encoding::int32::merge(
                    wire_type,
                    &mut self.dropped_attributes_count,
                    buf,
                    ctx,
                ),
                _ => ::prost::encoding::skip_field(wire_type, tag, buf, ctx),
            }
        }

        fn encoded_len(&self) -> usize {
            let dropped = if self.dropped_attributes_count != 0 {
                ::prost::encoding::int32::encoded_len(2, &self.dropped_attributes_count)
            } else {
                0
            };
            self.encoded_entries.len()
                + ::prost::encoding::message::encoded_len_repeated(1, &self.attribute_map)
                + dropped
        }

        fn clear(&mut self) {
            *self = Attributes::default();
        }
    }

    /// `Span.TimeEvent`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct TimeEvent {
        #[prost(message, optional, tag = "1")]
        pub time: Option<Timestamp>,
        #[prost(oneof = "time_event::Value", tags = "2, 3")]
        pub value: Option<time_event::Value>,
    }

    /// The nested messages of [`TimeEvent`].
    pub mod time_event {
        use super::{Attributes, TruncatableString};

        /// `Span.TimeEvent.value`.
        #[derive(Clone, PartialEq, Eq, ::prost::Oneof)]
        pub enum Value {
            #[prost(message, tag = "2")]
            Annotation(Annotation),
            #[prost(message, tag = "3")]
            MessageEvent(MessageEvent),
        }

        /// `Span.TimeEvent.Annotation`.
        #[derive(Clone, PartialEq, Eq, ::prost::Message)]
        pub struct Annotation {
            #[prost(message, optional, tag = "1")]
            pub description: Option<TruncatableString>,
            #[prost(message, optional, tag = "2")]
            pub attributes: Option<Attributes>,
        }

        /// `Span.TimeEvent.MessageEvent`.
        #[derive(Clone, PartialEq, Eq, ::prost::Message)]
        pub struct MessageEvent {
            #[prost(enumeration = "message_event::Type", tag = "1")]
            pub r#type: i32,
            #[prost(int64, tag = "2")]
            pub id: i64,
            #[prost(int64, tag = "3")]
            pub uncompressed_size_bytes: i64,
            #[prost(int64, tag = "4")]
            pub compressed_size_bytes: i64,
        }

        /// The enum of [`MessageEvent`].
        pub mod message_event {
            /// `Span.TimeEvent.MessageEvent.Type`.
            #[derive(
                Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration,
            )]
            #[repr(i32)]
            pub enum Type {
                Unspecified = 0,
                Sent = 1,
                Received = 2,
            }
        }
    }

    /// `Span.TimeEvents`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct TimeEvents {
        #[prost(message, repeated, tag = "1")]
        pub time_event: Vec<TimeEvent>,
        #[prost(int32, tag = "2")]
        pub dropped_annotations_count: i32,
        #[prost(int32, tag = "3")]
        pub dropped_message_events_count: i32,
    }

    /// `Span.Link`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Link {
        #[prost(string, tag = "1")]
        pub trace_id: String,
        #[prost(string, tag = "2")]
        pub span_id: String,
        #[prost(enumeration = "link::Type", tag = "3")]
        pub r#type: i32,
        #[prost(message, optional, tag = "4")]
        pub attributes: Option<Attributes>,
    }

    /// The enum of [`Link`].
    pub mod link {
        /// `Span.Link.Type`.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration,
        )]
        #[repr(i32)]
        pub enum Type {
            Unspecified = 0,
            ChildLinkedSpan = 1,
            ParentLinkedSpan = 2,
        }
    }

    /// `Span.Links`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Links {
        #[prost(message, repeated, tag = "1")]
        pub link: Vec<Link>,
        #[prost(int32, tag = "2")]
        pub dropped_links_count: i32,
    }

    /// `Span.SpanKind`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration)]
    #[repr(i32)]
    pub enum SpanKind {
        Unspecified = 0,
        Internal = 1,
        Server = 2,
        Client = 3,
        Producer = 4,
        Consumer = 5,
    }
}

/// `google.devtools.cloudtrace.v2.BatchWriteSpansRequest`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct BatchWriteSpansRequest {
    /// `projects/{project_id}`.
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, repeated, tag = "2")]
    pub spans: Vec<Span>,
}
