//! Resource promises named by rows of the compliance ledger (`compliance/rust.yaml`) that no
//! other test proves directly. Each test runs in its own process (nextest).

use opentelemetry_api::trace::{Span as _, Tracer, TracerProvider};
use opentelemetry_api::{Key, KeyValue, Value};
use opentelemetry_sdk::resource::ResourceDetector;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use std::time::Duration;

#[test]
fn create_from_attributes_with_or_without_a_schema_url_and_retrieve_them() {
    let r = Resource::new([
        KeyValue::new("service.name", "checkout"),
        KeyValue::new("host.cpus", 8),
        KeyValue::new("feature.on", true),
    ]);
    assert_eq!(r.len(), 3);
    assert_eq!(r.schema_url(), None, "unspecified schema URL is empty");
    assert_eq!(
        r.get(&Key::from("service.name")),
        Some(&Value::from("checkout"))
    );
    assert_eq!(r.get(&Key::from("host.cpus")), Some(&Value::from(8)));
    assert_eq!(r.get(&Key::from("missing")), None);
    let all: Vec<(String, Value)> = r
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
        .collect();
    assert_eq!(
        all,
        [
            ("service.name".to_owned(), Value::from("checkout")),
            ("host.cpus".to_owned(), Value::from(8)),
            ("feature.on".to_owned(), Value::from(true)),
        ]
    );

    let with_url = Resource::from_schema_url(
        [KeyValue::new("a", 1)],
        "https://opentelemetry.io/schemas/1.30.0",
    );
    assert_eq!(
        with_url.schema_url(),
        Some("https://opentelemetry.io/schemas/1.30.0")
    );
    assert_eq!(with_url.get(&Key::from("a")), Some(&Value::from(1)));
}

#[test]
fn the_empty_resource_has_nothing_and_merges_as_identity() {
    let empty = Resource::empty();
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);
    assert_eq!(empty.iter().count(), 0);
    assert_eq!(empty.schema_url(), None);
    let r = Resource::from_schema_url([KeyValue::new("a", 1)], "https://s/1");
    assert_eq!(empty.merge(&r), r);
    assert_eq!(r.merge(&empty), r);
    assert!(Resource::builder_empty().build().is_empty());
}

#[test]
fn default_resource_names_an_unknown_service_after_the_executable() {
    std::env::remove_var("OTEL_SERVICE_NAME");
    std::env::remove_var("OTEL_RESOURCE_ATTRIBUTES");
    let r = Resource::default();
    let name = r
        .get(&Key::from("service.name"))
        .unwrap()
        .as_str()
        .into_owned();
    let exe = std::env::current_exe().unwrap();
    let exe = exe.file_name().unwrap().to_string_lossy();
    assert_eq!(name, format!("unknown_service:{exe}"));
    for key in [
        "telemetry.sdk.name",
        "telemetry.sdk.language",
        "telemetry.sdk.version",
    ] {
        assert!(r.get(&Key::from(key)).is_some(), "{key}");
    }

    // The provider's default resource is that one.
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    assert_eq!(provider.resource(), &r);
    assert_eq!(exporter.resource(), Some(r));
}

/// A detector of a made-up platform.
struct Platform {
    region: Option<&'static str>,
}

impl ResourceDetector for Platform {
    fn detect(&self, _timeout: Duration) -> Resource {
        match self.region {
            Some(region) => Resource::from_schema_url(
                [KeyValue::new("cloud.region", region)],
                "https://opentelemetry.io/schemas/1.30.0",
            ),
            // Finding nothing is not an error: an empty resource.
            None => Resource::empty(),
        }
    }
}

#[test]
fn custom_detectors_plug_into_the_builder_and_later_sources_win() {
    let r = Resource::builder_empty()
        .with_attribute(KeyValue::new("cloud.region", "from code"))
        .with_detectors(&[
            &Platform { region: None },
            &Platform {
                region: Some("eu-west-1"),
            },
        ])
        .build();
    assert_eq!(
        r.get(&Key::from("cloud.region")),
        Some(&Value::from("eu-west-1"))
    );
    assert_eq!(
        r.schema_url(),
        Some("https://opentelemetry.io/schemas/1.30.0")
    );

    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_resource(
            Resource::builder()
                .with_detector(&Platform {
                    region: Some("us-east-2"),
                })
                .build(),
        )
        .with_simple_exporter(exporter.clone())
        .build();
    provider.tracer("t").start("s").end();
    let resource = exporter.resource().unwrap();
    assert_eq!(
        resource.get(&Key::from("cloud.region")),
        Some(&Value::from("us-east-2"))
    );
    assert!(resource.get(&Key::from("service.name")).is_some());
    assert_eq!(exporter.get_finished_spans().len(), 1);
}
