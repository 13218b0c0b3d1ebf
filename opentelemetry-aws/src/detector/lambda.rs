//! AWS Lambda.

use super::{aws_resource, push_str};
use opentelemetry_api::{KeyValue, StringValue};
use opentelemetry_sdk::resource::ResourceDetector;
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions::attribute::{
    cloud_platform, AWS_LOG_GROUP_NAMES, CLOUD_REGION, FAAS_INSTANCE, FAAS_MAX_MEMORY, FAAS_NAME,
    FAAS_VERSION,
};
use std::time::Duration;

/// Detects an AWS Lambda function from the variables the Lambda runtime sets:
/// `AWS_LAMBDA_FUNCTION_NAME` (`faas.name`; without it nothing is detected), `AWS_REGION`
/// (`cloud.region`), `AWS_LAMBDA_FUNCTION_VERSION` (`faas.version`),
/// `AWS_LAMBDA_LOG_STREAM_NAME` (`faas.instance`), `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` in MiB
/// (`faas.max_memory`, in bytes) and `AWS_LAMBDA_LOG_GROUP_NAME` (`aws.log.group.names`), with
/// `cloud.provider=aws` and `cloud.platform=aws_lambda`.
///
/// ```
/// use opentelemetry_aws::detector::LambdaResourceDetector;
/// use opentelemetry_sdk::resource::ResourceDetector;
/// use std::time::Duration;
///
/// // Outside Lambda the variables are absent, and so is the resource.
/// # if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_none() {
/// assert!(LambdaResourceDetector::new().detect(Duration::from_secs(1)).is_empty());
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct LambdaResourceDetector {
    _private: (),
}

impl LambdaResourceDetector {
    /// Creates the detector.
    pub const fn new() -> Self {
        LambdaResourceDetector { _private: () }
    }
}

impl ResourceDetector for LambdaResourceDetector {
    fn detect(&self, _timeout: Duration) -> Resource {
        detect_from(|name| std::env::var(name).ok())
    }
}

pub(crate) fn detect_from(var: impl Fn(&str) -> Option<String>) -> Resource {
    let Some(name) = var("AWS_LAMBDA_FUNCTION_NAME").filter(|n| !n.is_empty()) else {
        return Resource::empty();
    };
    let mut attributes = vec![KeyValue::new(FAAS_NAME, name)];
    push_str(&mut attributes, CLOUD_REGION, var("AWS_REGION"));
    push_str(
        &mut attributes,
        FAAS_VERSION,
        var("AWS_LAMBDA_FUNCTION_VERSION"),
    );
    push_str(
        &mut attributes,
        FAAS_INSTANCE,
        var("AWS_LAMBDA_LOG_STREAM_NAME"),
    );
    if let Some(memory) = var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") {
        match memory.trim().parse::<i64>() {
            Ok(mib) if mib > 0 => {
                attributes.push(KeyValue::new(FAAS_MAX_MEMORY, mib.saturating_mul(1 << 20)))
            }
            _ => opentelemetry_api::otel_debug!(
                "LambdaResourceDetector.InvalidMemorySize",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE {:?} ignored",
                memory
            ),
        }
    }
    if let Some(group) = var("AWS_LAMBDA_LOG_GROUP_NAME").filter(|g| !g.is_empty()) {
        attributes.push(KeyValue::new(
            AWS_LOG_GROUP_NAMES,
            vec![StringValue::from(group)],
        ));
    }
    aws_resource(cloud_platform::AWS_LAMBDA, attributes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::Value;
    use std::collections::HashMap;

    #[test]
    fn detects_from_the_runtime_variables() {
        let env = HashMap::from([
            ("AWS_LAMBDA_FUNCTION_NAME", "checkout"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            (
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "2024/05/01/[$LATEST]2f1e4b2a8c3d4e5f9a0b1c2d3e4f5a6b",
            ),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/checkout"),
        ]);
        let r = detect_from(|k| env.get(k).map(|v| v.to_string()));
        let get = |k: &'static str| r.get(&k.into()).cloned();
        assert_eq!(get("cloud.provider"), Some(Value::from("aws")));
        assert_eq!(get("cloud.platform"), Some(Value::from("aws_lambda")));
        assert_eq!(get("cloud.region"), Some(Value::from("eu-west-1")));
        assert_eq!(get("faas.name"), Some(Value::from("checkout")));
        assert_eq!(get("faas.version"), Some(Value::from("$LATEST")));
        assert_eq!(
            get("faas.instance"),
            Some(Value::from(
                "2024/05/01/[$LATEST]2f1e4b2a8c3d4e5f9a0b1c2d3e4f5a6b"
            ))
        );
        assert_eq!(get("faas.max_memory"), Some(Value::from(134_217_728)));
        assert_eq!(
            get("aws.log.group.names"),
            Some(Value::from(vec![StringValue::from("/aws/lambda/checkout")]))
        );
        assert_eq!(r.len(), 8);
        assert!(r.schema_url().is_some());
    }

    #[test]
    fn nothing_without_a_function_name() {
        let env = HashMap::from([("AWS_REGION", "eu-west-1")]);
        assert!(detect_from(|k| env.get(k).map(|v| v.to_string())).is_empty());
    }

    #[test]
    fn a_bad_memory_size_is_skipped() {
        let env = HashMap::from([
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "lots"),
        ]);
        let r = detect_from(|k| env.get(k).map(|v| v.to_string()));
        assert_eq!(r.len(), 3);
        assert!(r.get(&"faas.max_memory".into()).is_none());
    }
}
