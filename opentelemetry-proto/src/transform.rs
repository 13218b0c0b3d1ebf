//! Conversions from the SDK's data to OTLP messages (feature `sdk`, on by default).
//!
//! The export requests are built with
//! [`ExportTraceServiceRequest::from_spans`](crate::collector::trace::v1::ExportTraceServiceRequest::from_spans),
//! [`ExportMetricsServiceRequest::from_metrics`](crate::collector::metrics::v1::ExportMetricsServiceRequest::from_metrics)
//! and
//! [`ExportLogsServiceRequest::from_logs`](crate::collector::logs::v1::ExportLogsServiceRequest::from_logs):
//! one `Resource*` entry for the resource, one `Scope*` entry per instrumentation scope (in
//! the order the scopes first appear), the items of each scope in their original order, and
//! the schema URLs of the resource and of each scope.
//!
//! The pieces convert on their own too, with `From`: attributes ([`KeyValue`]), attribute
//! values and log values ([`AnyValue`]), scopes, resources and spans.
//!
//! Times before the Unix epoch, which OTLP cannot carry, become 0 (unknown).
//!
//! [`KeyValue`]: crate::common::v1::KeyValue
//! [`AnyValue`]: crate::common::v1::AnyValue

mod logs;
mod metrics;
mod trace;

use crate::common::v1::{
    any_value, AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList,
};
use crate::resource::v1::Resource;
use opentelemetry_api::{otel_debug, Array, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since the Unix epoch; 0 for earlier times (and after the year 2554, which
/// does not fit).
#[inline]
pub(crate) fn unix_nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

impl From<&Value> for AnyValue {
    fn from(value: &Value) -> Self {
        AnyValue {
            value: Some(match value {
                Value::Bool(v) => any_value::Value::BoolValue(*v),
                Value::I64(v) => any_value::Value::IntValue(*v),
                Value::F64(v) => any_value::Value::DoubleValue(*v),
                Value::String(v) => any_value::Value::StringValue(v.as_str().to_owned()),
                Value::Array(array) => any_value::Value::ArrayValue(ArrayValue {
                    values: match array {
                        Array::Bool(v) => v
                            .iter()
                            .map(|v| AnyValue {
                                value: Some(any_value::Value::BoolValue(*v)),
                            })
                            .collect(),
                        Array::I64(v) => v
                            .iter()
                            .map(|v| AnyValue {
                                value: Some(any_value::Value::IntValue(*v)),
                            })
                            .collect(),
                        Array::F64(v) => v
                            .iter()
                            .map(|v| AnyValue {
                                value: Some(any_value::Value::DoubleValue(*v)),
                            })
                            .collect(),
                        Array::String(v) => v
                            .iter()
                            .map(|v| AnyValue {
                                value: Some(any_value::Value::StringValue(v.as_str().to_owned())),
                            })
                            .collect(),
                    },
                }),
            }),
        }
    }
}

impl From<&opentelemetry_api::KeyValue> for KeyValue {
    #[inline]
    fn from(kv: &opentelemetry_api::KeyValue) -> Self {
        KeyValue {
            key: kv.key.as_str().to_owned(),
            value: Some(AnyValue::from(&kv.value)),
            key_strindex: 0,
        }
    }
}

impl From<&opentelemetry_api::AnyValue> for AnyValue {
    fn from(value: &opentelemetry_api::AnyValue) -> Self {
        use opentelemetry_api::AnyValue as Sdk;
        AnyValue {
            value: match value {
                Sdk::Int(v) => Some(any_value::Value::IntValue(*v)),
                Sdk::Double(v) => Some(any_value::Value::DoubleValue(*v)),
                Sdk::String(v) => Some(any_value::Value::StringValue(v.as_str().to_owned())),
                Sdk::Boolean(v) => Some(any_value::Value::BoolValue(*v)),
                Sdk::Bytes(v) => Some(any_value::Value::BytesValue(v.to_vec())),
                Sdk::ListAny(values) => Some(any_value::Value::ArrayValue(ArrayValue {
                    values: values.iter().map(AnyValue::from).collect(),
                })),
                Sdk::Map(entries) => Some(any_value::Value::KvlistValue(KeyValueList {
                    values: entries.iter().map(|(k, v)| key_value(k, v)).collect(),
                })),
                other => {
                    // `AnyValue` may gain kinds; until this crate knows one, it is sent as the
                    // empty value rather than dropped with its key.
                    otel_debug!(
                        "OtlpProto.UnknownValueKind",
                        "a value of a kind this version cannot encode is sent as the empty value: {other:?}"
                    );
                    None
                }
            },
        }
    }
}

/// An attribute from an SDK key and log value.
#[inline]
pub(crate) fn key_value(
    key: &opentelemetry_api::Key,
    value: &opentelemetry_api::AnyValue,
) -> KeyValue {
    KeyValue {
        key: key.as_str().to_owned(),
        value: Some(AnyValue::from(value)),
        key_strindex: 0,
    }
}

pub(crate) fn attributes(attributes: &[opentelemetry_api::KeyValue]) -> Vec<KeyValue> {
    attributes.iter().map(KeyValue::from).collect()
}

impl From<&opentelemetry_api::InstrumentationScope> for InstrumentationScope {
    fn from(scope: &opentelemetry_api::InstrumentationScope) -> Self {
        InstrumentationScope {
            name: scope.name().to_owned(),
            version: scope.version().unwrap_or_default().to_owned(),
            attributes: scope.attributes().map(KeyValue::from).collect(),
            dropped_attributes_count: 0,
        }
    }
}

impl From<&opentelemetry_sdk::Resource> for Resource {
    fn from(resource: &opentelemetry_sdk::Resource) -> Self {
        Resource {
            attributes: resource
                .iter()
                .map(|(k, v)| KeyValue {
                    key: k.as_str().to_owned(),
                    value: Some(AnyValue::from(v)),
                    key_strindex: 0,
                })
                .collect(),
            dropped_attributes_count: 0,
            entity_refs: Vec::new(),
        }
    }
}

/// Groups items by instrumentation scope, keeping the order in which scopes first appear and
/// the order of the items within each scope. Items of one scope usually come in runs, so the
/// last scope is tried first; a map takes over when there are many scopes.
pub(crate) struct ScopeGroups<K, T> {
    groups: Vec<(K, Vec<T>)>,
    last: usize,
    index: Option<std::collections::HashMap<K, usize>>,
}

/// Past this many scopes, a hash map finds a scope's group.
const LINEAR_SCOPES: usize = 16;

impl<K: Eq + std::hash::Hash + Copy, T> ScopeGroups<K, T> {
    pub(crate) fn new() -> Self {
        ScopeGroups {
            groups: Vec::new(),
            last: 0,
            index: None,
        }
    }

    /// Adds `item` to the group of `key`; `same` tells whether two keys are the same scope
    /// cheaply (pointer equality) before the full comparison.
    #[inline]
    pub(crate) fn push(&mut self, key: K, item: T, same: impl Fn(&K, &K) -> bool) {
        if let Some((k, items)) = self.groups.get_mut(self.last) {
            if same(k, &key) || *k == key {
                items.push(item);
                return;
            }
        }
        let found = match &self.index {
            Some(index) => index.get(&key).copied(),
            None => self
                .groups
                .iter()
                .position(|(k, _)| same(k, &key) || *k == key),
        };
        let i = match found {
            Some(i) => i,
            None => {
                self.groups.push((key, Vec::new()));
                let i = self.groups.len() - 1;
                if let Some(index) = &mut self.index {
                    index.insert(key, i);
                } else if self.groups.len() > LINEAR_SCOPES {
                    self.index = Some(
                        self.groups
                            .iter()
                            .enumerate()
                            .map(|(i, (k, _))| (*k, i))
                            .collect(),
                    );
                }
                i
            }
        };
        self.last = i;
        self.groups[i].1.push(item);
    }

    pub(crate) fn into_groups(self) -> Vec<(K, Vec<T>)> {
        self.groups
    }
}
