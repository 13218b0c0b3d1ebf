//! `opentelemetry.proto.common.v1`: values, attributes and the instrumentation scope.

/// Version 1 of the package.
pub mod v1 {
    /// A value of any kind: a string, bool, int, double, array, key-value list or bytes.
    ///
    /// An `AnyValue` whose `value` is `None` is the empty value.
    ///
    /// ```
    /// use opentelemetry_proto::common::v1::{any_value::Value, AnyValue};
    /// use prost::Message;
    ///
    /// let value = AnyValue { value: Some(Value::IntValue(42)) };
    /// let bytes = value.encode_to_vec();
    /// assert_eq!(AnyValue::decode(bytes.as_slice()).unwrap(), value);
    /// ```
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AnyValue {
        /// The value, one of the kinds; `None` for the empty value.
        #[prost(oneof = "any_value::Value", tags = "1, 2, 3, 4, 5, 6, 7, 8")]
        pub value: Option<any_value::Value>,
    }

    /// The oneof of [`AnyValue`].
    pub mod any_value {
        /// The kinds of value.
        #[derive(Clone, PartialEq, prost::Oneof)]
        pub enum Value {
            /// A string.
            #[prost(string, tag = "1")]
            StringValue(String),
            /// A boolean.
            #[prost(bool, tag = "2")]
            BoolValue(bool),
            /// A signed 64-bit integer.
            #[prost(int64, tag = "3")]
            IntValue(i64),
            /// A double.
            #[prost(double, tag = "4")]
            DoubleValue(f64),
            /// A list of values.
            #[prost(message, tag = "5")]
            ArrayValue(super::ArrayValue),
            /// A list of key-value pairs.
            #[prost(message, tag = "6")]
            KvlistValue(super::KeyValueList),
            /// Raw bytes.
            #[prost(bytes = "vec", tag = "7")]
            BytesValue(Vec<u8>),
            /// An index into the profiles dictionary's string table (profiles only).
            #[prost(int32, tag = "8")]
            StringValueStrindex(i32),
        }
    }

    /// A list of values.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ArrayValue {
        /// The values (may be empty).
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub values: Vec<AnyValue>,
    }

    /// A list of key-value pairs (a map, as a list: keys should be unique).
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct KeyValueList {
        /// The pairs (may be empty).
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub values: Vec<KeyValue>,
    }

    /// A key-value pair: one attribute.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct KeyValue {
        /// The key.
        #[prost(string, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub key: String,
        /// The value.
        #[prost(message, optional, tag = "2")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub value: Option<AnyValue>,
        /// An index into the profiles dictionary's string table for the key (profiles only).
        #[prost(int32, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::int32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub key_strindex: i32,
    }

    /// The library that produced the telemetry.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct InstrumentationScope {
        /// The scope's name (empty: unknown).
        #[prost(string, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub name: String,
        /// The scope's version (empty: unknown).
        #[prost(string, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub version: String,
        /// The scope's attributes.
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

    /// A reference to an entity described by some of a resource's attributes.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct EntityRef {
        /// The schema URL of the entity's type.
        #[prost(string, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub schema_url: String,
        /// The entity's type.
        #[prost(string, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub r#type: String,
        /// The keys of the resource attributes that identify the entity.
        #[prost(string, repeated, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub id_keys: Vec<String>,
        /// The keys of the resource attributes that describe the entity.
        #[prost(string, repeated, tag = "4")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub description_keys: Vec<String>,
    }

    #[cfg(feature = "with-serde")]
    mod any_value_json {
        use super::any_value::Value;
        use super::AnyValue;
        use crate::json;
        use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
        use serde::ser::{Serialize, SerializeMap, Serializer};
        use std::fmt;

        impl Serialize for AnyValue {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let Some(value) = &self.value else {
                    return serializer.serialize_map(Some(0))?.end();
                };
                // A oneof member is written even when it holds its default value.
                let mut map = serializer.serialize_map(Some(1))?;
                match value {
                    Value::StringValue(v) => map.serialize_entry("stringValue", v)?,
                    Value::BoolValue(v) => map.serialize_entry("boolValue", v)?,
                    Value::IntValue(v) => {
                        map.serialize_entry("intValue", &json::int64::Value(*v))?
                    }
                    Value::DoubleValue(v) => {
                        map.serialize_entry("doubleValue", &json::double::Value(*v))?
                    }
                    Value::ArrayValue(v) => map.serialize_entry("arrayValue", v)?,
                    Value::KvlistValue(v) => map.serialize_entry("kvlistValue", v)?,
                    Value::BytesValue(v) => {
                        map.serialize_entry("bytesValue", &json::base64::encode(v))?
                    }
                    Value::StringValueStrindex(v) => {
                        map.serialize_entry("stringValueStrindex", &json::int32::Value(*v))?
                    }
                }
                map.end()
            }
        }

        impl<'de> Deserialize<'de> for AnyValue {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = AnyValue;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an AnyValue object")
                    }
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<AnyValue, A::Error> {
                        let mut value = None;
                        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                            let v = match &*key {
                                "stringValue" => {
                                    map.next_value::<Option<String>>()?.map(Value::StringValue)
                                }
                                "boolValue" => {
                                    map.next_value::<Option<bool>>()?.map(Value::BoolValue)
                                }
                                "intValue" => map
                                    .next_value::<Option<json::int64::Value>>()?
                                    .map(|v| Value::IntValue(v.0)),
                                "doubleValue" => map
                                    .next_value::<Option<json::double::Value>>()?
                                    .map(|v| Value::DoubleValue(v.0)),
                                "arrayValue" => {
                                    map.next_value::<Option<_>>()?.map(Value::ArrayValue)
                                }
                                "kvlistValue" => {
                                    map.next_value::<Option<_>>()?.map(Value::KvlistValue)
                                }
                                "bytesValue" => match map.next_value::<Option<String>>()? {
                                    None => None,
                                    Some(text) => Some(Value::BytesValue(
                                        json::base64::decode(&text).ok_or_else(|| {
                                            de::Error::custom("bytesValue is not base64")
                                        })?,
                                    )),
                                },
                                "stringValueStrindex" => map
                                    .next_value::<Option<json::int32::Value>>()?
                                    .map(|v| Value::StringValueStrindex(v.0)),
                                _ => {
                                    map.next_value::<IgnoredAny>()?;
                                    continue;
                                }
                            };
                            if v.is_some() {
                                if value.is_some() {
                                    return Err(de::Error::custom(
                                        "an AnyValue holds more than one value",
                                    ));
                                }
                                value = v;
                            }
                        }
                        Ok(AnyValue { value })
                    }
                }
                deserializer.deserialize_map(V)
            }
        }
    }
}
