//! Amazon EC2, through the instance metadata service (IMDSv2).

use super::http::{request, HttpError};
use super::{aws_resource, json_str, push_str, DEFAULT_TIMEOUT};
use opentelemetry_api::otel_debug;
use opentelemetry_sdk::resource::ResourceDetector;
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions::attribute::{
    cloud_platform, CLOUD_ACCOUNT_ID, CLOUD_AVAILABILITY_ZONE, CLOUD_REGION, HOST_ID,
    HOST_IMAGE_ID, HOST_NAME, HOST_TYPE,
};
use std::time::{Duration, Instant};

/// The instance metadata service's address.
pub(crate) const DEFAULT_IMDS_ENDPOINT: &str = "http://169.254.169.254";

const TOKEN_PATH: &str = "/latest/api/token";
const IDENTITY_PATH: &str = "/latest/dynamic/instance-identity/document";
const HOSTNAME_PATH: &str = "/latest/meta-data/hostname";
/// How long the session token lives; the detector needs it for a few requests only.
const TOKEN_TTL_SECONDS: &str = "60";

/// Detects an EC2 instance from the instance metadata service, IMDSv2: a `PUT` for a session
/// token, then the instance identity document and the hostname. Gives `cloud.provider=aws`,
/// `cloud.platform=aws_ec2`, `cloud.account.id`, `cloud.region`, `cloud.availability_zone`,
/// `host.id`, `host.type`, `host.image.id` and `host.name`.
///
/// The whole detection takes at most the detector's timeout (1 s by default, or the SDK's if
/// shorter); off EC2 the address does not answer and the resource is empty.
///
/// ```no_run
/// use opentelemetry_aws::detector::Ec2ResourceDetector;
/// use opentelemetry_sdk::Resource;
/// use std::time::Duration;
///
/// let detector = Ec2ResourceDetector::new().with_timeout(Duration::from_millis(500));
/// let resource = Resource::builder().with_detector(&detector).build();
/// ```
#[derive(Clone, Debug)]
pub struct Ec2ResourceDetector {
    endpoint: String,
    timeout: Duration,
}

impl Default for Ec2ResourceDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Ec2ResourceDetector {
    /// A detector asking `http://169.254.169.254`, within 1 second.
    pub fn new() -> Self {
        Ec2ResourceDetector {
            endpoint: DEFAULT_IMDS_ENDPOINT.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Asks the metadata service at `endpoint` (`http://host[:port]`) instead, such as
    /// `http://[fd00:ec2::254]` on IPv6-only instances.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    /// The most the whole detection may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn fetch(&self, deadline: Instant) -> Result<Resource, HttpError> {
        let token = request(
            "PUT",
            &format!("{}{TOKEN_PATH}", self.endpoint),
            &[("X-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS)],
            deadline,
            None,
        )?;
        let token = String::from_utf8(token.body).map_err(|_| HttpError::Malformed)?;
        let token = token.trim();
        if token.is_empty() || token.contains(['\r', '\n']) {
            return Err(HttpError::Malformed);
        }
        let auth = [("X-aws-ec2-metadata-token", token)];
        let identity = request(
            "GET",
            &format!("{}{IDENTITY_PATH}", self.endpoint),
            &auth,
            deadline,
            None,
        )?;
        let doc: serde_json::Value =
            serde_json::from_slice(&identity.body).map_err(|_| HttpError::Malformed)?;
        if !doc.is_object() {
            return Err(HttpError::Malformed);
        }
        // The hostname is optional: an identity document alone is enough.
        let hostname = match request(
            "GET",
            &format!("{}{HOSTNAME_PATH}", self.endpoint),
            &auth,
            deadline,
            None,
        ) {
            Ok(r) => String::from_utf8(r.body).ok().map(|h| h.trim().to_owned()),
            Err(e) => {
                otel_debug!("Ec2ResourceDetector.NoHostname", "hostname: {}", e);
                None
            }
        };
        let mut attributes = Vec::with_capacity(10);
        push_str(
            &mut attributes,
            CLOUD_ACCOUNT_ID,
            json_str(&doc, "accountId"),
        );
        push_str(&mut attributes, CLOUD_REGION, json_str(&doc, "region"));
        push_str(
            &mut attributes,
            CLOUD_AVAILABILITY_ZONE,
            json_str(&doc, "availabilityZone"),
        );
        push_str(&mut attributes, HOST_ID, json_str(&doc, "instanceId"));
        push_str(&mut attributes, HOST_TYPE, json_str(&doc, "instanceType"));
        push_str(&mut attributes, HOST_IMAGE_ID, json_str(&doc, "imageId"));
        push_str(&mut attributes, HOST_NAME, hostname);
        Ok(aws_resource(cloud_platform::AWS_EC2, attributes))
    }
}

impl ResourceDetector for Ec2ResourceDetector {
    fn detect(&self, timeout: Duration) -> Resource {
        let deadline = Instant::now() + self.timeout.min(timeout);
        self.fetch(deadline).unwrap_or_else(|e| {
            otel_debug!(
                "Ec2ResourceDetector.NotDetected",
                "instance metadata at {}: {}",
                self.endpoint,
                e
            );
            Resource::empty()
        })
    }
}
