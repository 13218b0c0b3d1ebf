//! The Lambda detector reading the real process environment.
#![cfg(feature = "detectors")]

use opentelemetry_api::Value;
use opentelemetry_aws::detector::LambdaResourceDetector;
use opentelemetry_sdk::resource::ResourceDetector;
use std::time::Duration;

#[test]
fn lambda_detects_from_the_process_environment() {
    assert!(LambdaResourceDetector::new()
        .detect(Duration::from_secs(1))
        .is_empty());
    // Safe: nextest runs each test in its own process, and this one has no other threads.
    unsafe {
        std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "orders");
        std::env::set_var("AWS_REGION", "ap-south-1");
        std::env::set_var("AWS_LAMBDA_FUNCTION_VERSION", "7");
        std::env::set_var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
    }
    let r = LambdaResourceDetector::new().detect(Duration::from_secs(1));
    assert_eq!(r.get(&"faas.name".into()), Some(&Value::from("orders")));
    assert_eq!(
        r.get(&"cloud.region".into()),
        Some(&Value::from("ap-south-1"))
    );
    assert_eq!(r.get(&"faas.version".into()), Some(&Value::from("7")));
    assert_eq!(
        r.get(&"faas.max_memory".into()),
        Some(&Value::from(1024 * 1024 * 1024))
    );
    assert_eq!(
        r.get(&"cloud.platform".into()),
        Some(&Value::from("aws_lambda"))
    );
}
