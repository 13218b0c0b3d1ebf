//! Resource detectors for AWS platforms.
//!
//! Each detector implements the SDK's [`ResourceDetector`]: it returns the platform's
//! attributes (semantic conventions: `cloud.*`, `host.*`, `faas.*`, `aws.ecs.*`, `aws.log.*`,
//! `container.*`, `k8s.cluster.name`, `service.*`) when the process runs there, and an empty
//! resource otherwise. Detectors never fail the application: a missing endpoint, a timeout or
//! an unexpected document gives an empty resource and a debug diagnostic
//! (`otel_debug!`). Every endpoint and file path can be changed, for tests and unusual set-ups.
//!
//! | detector | detects from |
//! |---|---|
//! | [`LambdaResourceDetector`] | `AWS_LAMBDA_FUNCTION_NAME` and the other Lambda variables |
//! | [`Ec2ResourceDetector`] | the instance metadata service (IMDSv2: token, identity document, hostname) |
//! | [`EcsResourceDetector`] | the task metadata endpoint v4 (`ECS_CONTAINER_METADATA_URI_V4`) |
//! | [`EksResourceDetector`] | the service account files and the Kubernetes API (`aws-auth`, `cluster-info` ConfigMaps) |
//! | [`BeanstalkResourceDetector`] | `/var/elasticbeanstalk/xray/environment.conf` |
//!
//! ```no_run
//! use opentelemetry_aws::detector::{Ec2ResourceDetector, LambdaResourceDetector};
//! use opentelemetry_sdk::Resource;
//!
//! let resource = Resource::builder()
//!     .with_detectors(&[&LambdaResourceDetector::new(), &Ec2ResourceDetector::new()])
//!     .build();
//! ```

mod beanstalk;
mod ec2;
mod ecs;
mod eks;
pub(crate) mod http;
mod lambda;

pub use beanstalk::BeanstalkResourceDetector;
pub use ec2::Ec2ResourceDetector;
pub use ecs::EcsResourceDetector;
pub use eks::EksResourceDetector;
pub use lambda::LambdaResourceDetector;

#[cfg(doc)]
use opentelemetry_sdk::resource::ResourceDetector;

use opentelemetry_api::KeyValue;
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions as semconv;
use semconv::attribute::{cloud_provider, CLOUD_PLATFORM, CLOUD_PROVIDER};
use std::time::Duration;

/// The default time budget of the detectors that do I/O; the SDK's timeout applies when
/// shorter.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// A resource of AWS `platform` with `attributes`, under the semantic conventions' schema.
pub(crate) fn aws_resource(platform: &'static str, mut attributes: Vec<KeyValue>) -> Resource {
    attributes.insert(0, KeyValue::new(CLOUD_PLATFORM, platform));
    attributes.insert(0, KeyValue::new(CLOUD_PROVIDER, cloud_provider::AWS));
    Resource::from_schema_url(attributes, semconv::SCHEMA_URL)
}

/// Pushes `key = value` when `value` is present and not empty.
pub(crate) fn push_str(
    attributes: &mut Vec<KeyValue>,
    key: &'static str,
    value: Option<impl Into<String>>,
) {
    if let Some(v) = value.map(Into::into).filter(|v: &String| !v.is_empty()) {
        attributes.push(KeyValue::new(key, v));
    }
}

/// The string at `key` of a JSON object.
pub(crate) fn json_str<'a>(doc: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    doc.get(key).and_then(serde_json::Value::as_str)
}
