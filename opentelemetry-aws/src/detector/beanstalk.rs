//! AWS Elastic Beanstalk.

use super::{aws_resource, json_str, push_str};
use opentelemetry_api::otel_debug;
use opentelemetry_sdk::resource::ResourceDetector;
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions::attribute::{
    cloud_platform, SERVICE_INSTANCE_ID, SERVICE_NAMESPACE, SERVICE_VERSION,
};
use std::path::PathBuf;
use std::time::Duration;

/// Where the Elastic Beanstalk X-Ray integration writes the environment's description on
/// Linux platforms.
pub(crate) const DEFAULT_BEANSTALK_CONF: &str = "/var/elasticbeanstalk/xray/environment.conf";

/// Detects an Elastic Beanstalk environment from the JSON file the platform writes
/// (`{"deployment_id": 23, "version_label": "...", "environment_name": "..."}`):
/// `service.namespace` (environment name), `service.instance.id` (deployment id) and
/// `service.version` (version label), with `cloud.provider=aws` and
/// `cloud.platform=aws_elastic_beanstalk`. No file, no resource.
///
/// ```
/// use opentelemetry_aws::detector::BeanstalkResourceDetector;
/// use opentelemetry_sdk::resource::ResourceDetector;
/// use std::time::Duration;
///
/// let detector = BeanstalkResourceDetector::new().with_config_path("/nonexistent/environment.conf");
/// assert!(detector.detect(Duration::from_secs(1)).is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct BeanstalkResourceDetector {
    path: PathBuf,
}

impl Default for BeanstalkResourceDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl BeanstalkResourceDetector {
    /// A detector reading `/var/elasticbeanstalk/xray/environment.conf`.
    pub fn new() -> Self {
        BeanstalkResourceDetector {
            path: PathBuf::from(DEFAULT_BEANSTALK_CONF),
        }
    }

    /// Reads the environment description from `path` instead.
    pub fn with_config_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = path.into();
        self
    }
}

impl ResourceDetector for BeanstalkResourceDetector {
    fn detect(&self, _timeout: Duration) -> Resource {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(e) => {
                otel_debug!(
                    "BeanstalkResourceDetector.NotFound",
                    "{}: {}",
                    self.path.display(),
                    e
                );
                return Resource::empty();
            }
        };
        let doc: serde_json::Value = match serde_json::from_slice(&text) {
            Ok(doc @ serde_json::Value::Object(_)) => doc,
            Ok(_) | Err(_) => {
                otel_debug!(
                    "BeanstalkResourceDetector.InvalidConfig",
                    "{} is not a JSON object",
                    self.path.display()
                );
                return Resource::empty();
            }
        };
        let mut attributes = Vec::new();
        push_str(
            &mut attributes,
            SERVICE_NAMESPACE,
            json_str(&doc, "environment_name"),
        );
        push_str(
            &mut attributes,
            SERVICE_VERSION,
            json_str(&doc, "version_label"),
        );
        let deployment = match doc.get("deployment_id") {
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        push_str(&mut attributes, SERVICE_INSTANCE_ID, deployment);
        aws_resource(cloud_platform::AWS_ELASTIC_BEANSTALK, attributes)
    }
}
