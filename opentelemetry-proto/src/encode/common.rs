//! Attributes, values, scopes and resources.

use super::sink::Sink;
use opentelemetry_api::{otel_debug, AnyValue, Array, InstrumentationScope, KeyValue, Value};

/// The member of an `AnyValue` for an attribute value.
pub(super) fn value<S: Sink>(s: &mut S, value: &Value) {
    match value {
        Value::Bool(v) => s.bool_always(2, "boolValue", *v),
        Value::I64(v) => s.int64_always(3, "intValue", *v),
        Value::F64(v) => s.double_always(4, "doubleValue", *v),
        Value::String(v) => s.string_always(1, "stringValue", v.as_str()),
        Value::Array(array) => s.message(5, "arrayValue", 1, |s| match array {
            Array::Bool(v) => {
                s.repeated(1, "values", 1, v, |s, v| s.bool_always(2, "boolValue", *v))
            }
            Array::I64(v) => {
                s.repeated(1, "values", 1, v, |s, v| s.int64_always(3, "intValue", *v))
            }
            Array::F64(v) => s.repeated(1, "values", 1, v, |s, v| {
                s.double_always(4, "doubleValue", *v)
            }),
            Array::String(v) => s.repeated(1, "values", 1, v, |s, v| {
                s.string_always(1, "stringValue", v.as_str())
            }),
        }),
    }
}

/// The member of an `AnyValue` for a log value (nothing: the empty value, for a kind this
/// version does not know, as the conversion does).
pub(super) fn any_value<S: Sink>(s: &mut S, value: &AnyValue) {
    match value {
        AnyValue::Int(v) => s.int64_always(3, "intValue", *v),
        AnyValue::Double(v) => s.double_always(4, "doubleValue", *v),
        AnyValue::String(v) => s.string_always(1, "stringValue", v.as_str()),
        AnyValue::Boolean(v) => s.bool_always(2, "boolValue", *v),
        AnyValue::Bytes(v) => s.bytes_always(7, "bytesValue", v),
        AnyValue::ListAny(values) => s.message(5, "arrayValue", 1, |s| {
            s.repeated(1, "values", 1, values.iter(), any_value)
        }),
        AnyValue::Map(entries) => s.message(6, "kvlistValue", 1, |s| {
            s.repeated(1, "values", 1, entries.iter(), |s, (k, v)| {
                s.string(1, "key", k.as_str());
                s.message(2, "value", 1, |s| any_value(s, v));
            })
        }),
        other => otel_debug!(
            "OtlpProto.UnknownValueKind",
            "a value of a kind this version cannot encode is sent as the empty value: {other:?}"
        ),
    }
}

/// A repeated `KeyValue` field of attributes.
#[inline]
pub(super) fn attributes<'a, S: Sink>(
    s: &mut S,
    tag: u32,
    name: &'static str,
    attributes: impl IntoIterator<Item = &'a KeyValue>,
) {
    s.repeated(tag, name, 1, attributes, |s, kv| {
        s.string(1, "key", kv.key.as_str());
        s.message(2, "value", 1, |s| value(s, &kv.value));
    });
}

/// The `scope` field (tag 1 of every `Scope*` message); `name` replaces the scope's name.
pub(super) fn scope<S: Sink>(s: &mut S, scope: &InstrumentationScope, name: &str) {
    s.message(1, "scope", 1, |s| {
        s.string(1, "name", name);
        s.string(2, "version", scope.version().unwrap_or_default());
        attributes(s, 3, "attributes", scope.attributes());
    });
}

/// The `resource` field (tag 1 of every `Resource*` message).
pub(super) fn resource<S: Sink>(s: &mut S, resource: &opentelemetry_sdk::Resource) {
    s.message(1, "resource", 2, |s| {
        s.repeated(1, "attributes", 1, resource.iter(), |s, (k, v)| {
            s.string(1, "key", k.as_str());
            s.message(2, "value", 1, |s| value(s, v));
        });
    });
}
