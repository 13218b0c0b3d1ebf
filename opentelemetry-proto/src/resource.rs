//! `opentelemetry.proto.resource.v1`: the entity producing telemetry.

/// Version 1 of the package.
pub mod v1 {
    use crate::common::v1::{EntityRef, KeyValue};

    /// A resource: the attributes describing the entity that produced the telemetry.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct Resource {
        /// The attributes.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub attributes: Vec<KeyValue>,
        /// Attributes dropped by limits (0: none).
        #[prost(uint32, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub dropped_attributes_count: u32,
        /// The entities the resource describes.
        #[prost(message, repeated, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub entity_refs: Vec<EntityRef>,
    }
}
