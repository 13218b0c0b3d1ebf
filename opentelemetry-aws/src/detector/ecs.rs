//! Amazon ECS, through the task metadata endpoint version 4.

use super::http::{request, HttpError};
use super::{aws_resource, json_str, push_str, DEFAULT_TIMEOUT};
use opentelemetry_api::{otel_debug, KeyValue, StringValue};
use opentelemetry_sdk::resource::ResourceDetector;
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions::attribute::{
    cloud_platform, AWS_ECS_CLUSTER_ARN, AWS_ECS_CONTAINER_ARN, AWS_ECS_LAUNCHTYPE,
    AWS_ECS_TASK_ARN, AWS_ECS_TASK_FAMILY, AWS_ECS_TASK_ID, AWS_ECS_TASK_REVISION,
    AWS_LOG_GROUP_ARNS, AWS_LOG_GROUP_NAMES, AWS_LOG_STREAM_ARNS, AWS_LOG_STREAM_NAMES,
    CLOUD_ACCOUNT_ID, CLOUD_AVAILABILITY_ZONE, CLOUD_REGION, CLOUD_RESOURCE_ID, CONTAINER_ID,
    CONTAINER_IMAGE_NAME, CONTAINER_NAME,
};
use std::time::{Duration, Instant};

/// The variable in which ECS gives each container its metadata endpoint.
pub(crate) const ECS_METADATA_ENV: &str = "ECS_CONTAINER_METADATA_URI_V4";

/// Detects an ECS task (EC2 or Fargate launch type) from the task metadata endpoint v4: the
/// container document at `${ECS_CONTAINER_METADATA_URI_V4}` and the task document at
/// `${ECS_CONTAINER_METADATA_URI_V4}/task`. Gives `cloud.provider=aws`,
/// `cloud.platform=aws_ecs`, `cloud.region`, `cloud.account.id` (from the task ARN),
/// `cloud.availability_zone`, `cloud.resource_id`, `container.id`, `container.name`,
/// `container.image.name`, `aws.ecs.container.arn`, `aws.ecs.cluster.arn`,
/// `aws.ecs.launchtype`, `aws.ecs.task.arn`, `aws.ecs.task.family`, `aws.ecs.task.revision`,
/// `aws.ecs.task.id` and, for containers logging with `awslogs`, `aws.log.group.names`,
/// `aws.log.group.arns`, `aws.log.stream.names` and `aws.log.stream.arns`.
///
/// Without the variable (not on ECS) the resource is empty.
///
/// ```
/// use opentelemetry_aws::detector::EcsResourceDetector;
/// use opentelemetry_sdk::resource::ResourceDetector;
/// use std::time::Duration;
///
/// # if std::env::var_os("ECS_CONTAINER_METADATA_URI_V4").is_none() {
/// assert!(EcsResourceDetector::new().detect(Duration::from_secs(1)).is_empty());
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct EcsResourceDetector {
    uri: Option<String>,
    timeout: Duration,
}

impl Default for EcsResourceDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl EcsResourceDetector {
    /// A detector using the endpoint in `ECS_CONTAINER_METADATA_URI_V4` (read at detection), within 1
    /// second.
    pub fn new() -> Self {
        EcsResourceDetector {
            uri: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Uses this metadata endpoint (`http://host[:port]/v4/<id>`) instead of the variable.
    pub fn with_metadata_uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }

    /// The most the whole detection may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl ResourceDetector for EcsResourceDetector {
    fn detect(&self, timeout: Duration) -> Resource {
        let uri = match &self.uri {
            Some(uri) => uri.clone(),
            None => match std::env::var(ECS_METADATA_ENV) {
                Ok(uri) if !uri.trim().is_empty() => uri,
                _ => return Resource::empty(),
            },
        };
        let uri = uri.trim().trim_end_matches('/');
        let deadline = Instant::now() + self.timeout.min(timeout);
        fetch(uri, deadline).unwrap_or_else(|e| {
            otel_debug!(
                "EcsResourceDetector.NotDetected",
                "task metadata at {}: {}",
                uri,
                e
            );
            Resource::empty()
        })
    }
}

fn get_json(url: &str, deadline: Instant) -> Result<serde_json::Value, HttpError> {
    let r = request("GET", url, &[], deadline, None)?;
    match serde_json::from_slice(&r.body) {
        Ok(doc @ serde_json::Value::Object(_)) => Ok(doc),
        _ => Err(HttpError::Malformed),
    }
}

/// The parts of `arn:partition:service:region:account:resource`.
struct Arn<'a> {
    partition: &'a str,
    region: &'a str,
    account: &'a str,
    resource: &'a str,
}

fn parse_arn(arn: &str) -> Option<Arn<'_>> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let _service = parts.next()?;
    Some(Arn {
        partition,
        region: parts.next()?,
        account: parts.next()?,
        resource: parts.next()?,
    })
}

fn fetch(uri: &str, deadline: Instant) -> Result<Resource, HttpError> {
    let container = get_json(uri, deadline)?;
    let task = get_json(&format!("{uri}/task"), deadline)?;

    let task_arn = json_str(&task, "TaskARN");
    let arn = task_arn.and_then(parse_arn);
    let mut attributes = Vec::with_capacity(20);
    if let Some(arn) = &arn {
        push_str(&mut attributes, CLOUD_REGION, Some(arn.region));
        push_str(&mut attributes, CLOUD_ACCOUNT_ID, Some(arn.account));
    }
    push_str(
        &mut attributes,
        CLOUD_AVAILABILITY_ZONE,
        json_str(&task, "AvailabilityZone"),
    );
    let container_arn = json_str(&container, "ContainerARN");
    push_str(&mut attributes, CLOUD_RESOURCE_ID, container_arn);
    push_str(
        &mut attributes,
        CONTAINER_ID,
        json_str(&container, "DockerId"),
    );
    push_str(
        &mut attributes,
        CONTAINER_NAME,
        json_str(&container, "Name"),
    );
    push_str(
        &mut attributes,
        CONTAINER_IMAGE_NAME,
        json_str(&container, "Image").map(image_name),
    );
    push_str(&mut attributes, AWS_ECS_CONTAINER_ARN, container_arn);
    // `Cluster` is an ARN, or on older agents a short name to qualify with the task's ARN.
    let cluster = json_str(&task, "Cluster").map(|c| match (&arn, c.starts_with("arn:")) {
        (Some(a), false) => format!(
            "arn:{}:ecs:{}:{}:cluster/{c}",
            a.partition, a.region, a.account
        ),
        _ => c.to_owned(),
    });
    push_str(&mut attributes, AWS_ECS_CLUSTER_ARN, cluster);
    push_str(
        &mut attributes,
        AWS_ECS_LAUNCHTYPE,
        json_str(&task, "LaunchType").map(str::to_ascii_lowercase),
    );
    push_str(&mut attributes, AWS_ECS_TASK_ARN, task_arn);
    push_str(
        &mut attributes,
        AWS_ECS_TASK_FAMILY,
        json_str(&task, "Family"),
    );
    push_str(
        &mut attributes,
        AWS_ECS_TASK_REVISION,
        json_str(&task, "Revision"),
    );
    push_str(
        &mut attributes,
        AWS_ECS_TASK_ID,
        arn.as_ref().and_then(|a| a.resource.rsplit('/').next()),
    );

    if json_str(&container, "LogDriver") == Some("awslogs") {
        if let Some(options) = container.get("LogOptions") {
            let group = json_str(options, "awslogs-group");
            let stream = json_str(options, "awslogs-stream");
            let log_region = json_str(options, "awslogs-region")
                .or(arn.as_ref().map(|a| a.region))
                .unwrap_or_default();
            let (partition, account) = arn
                .as_ref()
                .map_or(("aws", ""), |a| (a.partition, a.account));
            if let Some(group) = group {
                attributes.push(KeyValue::new(
                    AWS_LOG_GROUP_NAMES,
                    vec![StringValue::from(group.to_owned())],
                ));
                if !account.is_empty() {
                    attributes.push(KeyValue::new(
                        AWS_LOG_GROUP_ARNS,
                        vec![StringValue::from(format!(
                            "arn:{partition}:logs:{log_region}:{account}:log-group:{group}"
                        ))],
                    ));
                }
                if let Some(stream) = stream {
                    attributes.push(KeyValue::new(
                        AWS_LOG_STREAM_NAMES,
                        vec![StringValue::from(stream.to_owned())],
                    ));
                    if !account.is_empty() {
                        attributes.push(KeyValue::new(
                            AWS_LOG_STREAM_ARNS,
                            vec![StringValue::from(format!(
                                "arn:{partition}:logs:{log_region}:{account}:log-group:{group}:log-stream:{stream}"
                            ))],
                        ));
                    }
                }
            }
        }
    }
    Ok(aws_resource(cloud_platform::AWS_ECS, attributes))
}

/// An image reference without its tag or digest: `repo/name:tag` → `repo/name`.
fn image_name(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    // A `:` after the last `/` starts the tag (one before it belongs to a registry port).
    match without_digest.rfind(':') {
        Some(i) if !without_digest[i..].contains('/') => without_digest[..i].to_owned(),
        _ => without_digest.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_drop_tags_and_digests() {
        assert_eq!(image_name("nginx:1.25"), "nginx");
        assert_eq!(
            image_name("111122223333.dkr.ecr.us-west-2.amazonaws.com/app:v1"),
            "111122223333.dkr.ecr.us-west-2.amazonaws.com/app"
        );
        assert_eq!(image_name("registry:5000/app"), "registry:5000/app");
        assert_eq!(image_name("app@sha256:abcd"), "app");
    }

    #[test]
    fn arns() {
        let a = parse_arn(
            "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c",
        )
        .unwrap();
        assert_eq!(
            (a.partition, a.region, a.account, a.resource),
            (
                "aws",
                "us-west-2",
                "111122223333",
                "task/default/158d1c8083dd49d6b527399fd6414f5c"
            )
        );
        assert!(parse_arn("not-an-arn").is_none());
    }
}
