//! The detectors against local servers on 127.0.0.1 serving documents shaped like AWS's, a
//! server that never answers, and closed ports.
#![cfg(feature = "detectors")]

mod common;

use common::{closed_url, Reply, Server, Silent};
use opentelemetry_api::{StringValue, Value};
use opentelemetry_aws::detector::{
    BeanstalkResourceDetector, Ec2ResourceDetector, EcsResourceDetector, EksResourceDetector,
};
use opentelemetry_sdk::resource::ResourceDetector;
use opentelemetry_sdk::Resource;
use std::time::{Duration, Instant};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
const TOKEN: &str = "AQAEAFTk2m8R0gVhKZ5E0n5Lf7_x4Q==";

fn data(name: &str) -> String {
    std::fs::read_to_string(format!("{DATA}/{name}")).unwrap()
}

fn get(r: &Resource, key: &'static str) -> Option<Value> {
    r.get(&key.into()).cloned()
}

fn s(v: &str) -> Option<Value> {
    Some(Value::from(v.to_string()))
}

fn list(v: &str) -> Option<Value> {
    Some(Value::from(vec![StringValue::from(v.to_string())]))
}

fn ec2_server() -> Server {
    Server::start(vec![
        (
            "PUT",
            "/latest/api/token".into(),
            Reply::Body(200, TOKEN.into()),
        ),
        (
            "GET",
            "/latest/dynamic/instance-identity/document".into(),
            Reply::Body(200, data("ec2_identity.json")),
        ),
        (
            "GET",
            "/latest/meta-data/hostname".into(),
            Reply::Body(200, "ip-10-158-112-84.us-west-2.compute.internal".into()),
        ),
    ])
}

#[test]
fn ec2_detects_through_imdsv2() {
    let server = ec2_server();
    let r = Ec2ResourceDetector::new()
        .with_endpoint(server.url())
        .detect(Duration::from_secs(5));
    assert_eq!(get(&r, "cloud.provider"), s("aws"));
    assert_eq!(get(&r, "cloud.platform"), s("aws_ec2"));
    assert_eq!(get(&r, "cloud.account.id"), s("123456789012"));
    assert_eq!(get(&r, "cloud.region"), s("us-west-2"));
    assert_eq!(get(&r, "cloud.availability_zone"), s("us-west-2b"));
    assert_eq!(get(&r, "host.id"), s("i-1234567890abcdef0"));
    assert_eq!(get(&r, "host.type"), s("t3.micro"));
    assert_eq!(get(&r, "host.image.id"), s("ami-0123456789abcdef0"));
    assert_eq!(
        get(&r, "host.name"),
        s("ip-10-158-112-84.us-west-2.compute.internal")
    );
    assert_eq!(r.len(), 9);
    assert_eq!(
        r.schema_url(),
        Some(opentelemetry_semantic_conventions::SCHEMA_URL)
    );

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(
        seen[0]
            .headers
            .get("x-aws-ec2-metadata-token-ttl-seconds")
            .map(String::as_str),
        Some("60")
    );
    for req in &seen[1..] {
        assert_eq!(req.method, "GET");
        assert_eq!(
            req.headers
                .get("x-aws-ec2-metadata-token")
                .map(String::as_str),
            Some(TOKEN),
            "{}",
            req.path
        );
    }
}

#[test]
fn ec2_without_hostname_keeps_the_identity() {
    let server = Server::start(vec![
        (
            "PUT",
            "/latest/api/token".into(),
            Reply::Body(200, TOKEN.into()),
        ),
        (
            "GET",
            "/latest/dynamic/instance-identity/document".into(),
            Reply::Body(200, data("ec2_identity.json")),
        ),
    ]);
    let r = Ec2ResourceDetector::new()
        .with_endpoint(server.url())
        .detect(Duration::from_secs(5));
    assert_eq!(get(&r, "host.id"), s("i-1234567890abcdef0"));
    assert_eq!(get(&r, "host.name"), None);
}

#[test]
fn ec2_refused_token_or_bad_document_is_empty() {
    let refused = Server::start(vec![(
        "PUT",
        "/latest/api/token".into(),
        Reply::Body(403, "Forbidden".into()),
    )]);
    assert!(Ec2ResourceDetector::new()
        .with_endpoint(refused.url())
        .detect(Duration::from_secs(5))
        .is_empty());
    let garbage = Server::start(vec![
        (
            "PUT",
            "/latest/api/token".into(),
            Reply::Body(200, TOKEN.into()),
        ),
        (
            "GET",
            "/latest/dynamic/instance-identity/document".into(),
            Reply::Body(200, "<html>captive portal</html>".into()),
        ),
    ]);
    assert!(Ec2ResourceDetector::new()
        .with_endpoint(garbage.url())
        .detect(Duration::from_secs(5))
        .is_empty());
}

/// Runs `detect` and checks it returned empty within `limit`: far less than the 10 s the tests
/// allow, so a closed port answers at once and a silent server is cut off at the detector's
/// (or the SDK's) timeout.
fn assert_empty_within(limit: Duration, detect: impl FnOnce() -> Resource) {
    let start = Instant::now();
    let r = detect();
    let took = start.elapsed();
    assert!(r.is_empty(), "{r:?}");
    assert!(took < limit, "took {took:?}");
}

#[test]
fn ec2_silent_server_times_out_quickly() {
    let silent = Silent::start();
    assert_empty_within(Duration::from_secs(3), || {
        Ec2ResourceDetector::new()
            .with_endpoint(silent.url())
            .with_timeout(Duration::from_millis(300))
            .detect(Duration::from_secs(10))
    });
    // The SDK's timeout applies when it is the shorter.
    assert_empty_within(Duration::from_secs(3), || {
        Ec2ResourceDetector::new()
            .with_endpoint(silent.url())
            .with_timeout(Duration::from_secs(10))
            .detect(Duration::from_millis(200))
    });
}

#[test]
fn ec2_closed_port_is_empty_at_once() {
    assert_empty_within(Duration::from_secs(3), || {
        Ec2ResourceDetector::new()
            .with_endpoint(closed_url())
            .with_timeout(Duration::from_secs(10))
            .detect(Duration::from_secs(10))
    });
}

fn ecs_server() -> Server {
    Server::start(vec![
        (
            "GET",
            "/v4/abc".into(),
            Reply::Body(200, data("ecs_container.json")),
        ),
        (
            "GET",
            "/v4/abc/task".into(),
            Reply::Chunked(data("ecs_task.json")),
        ),
    ])
}

#[test]
fn ecs_detects_from_the_task_metadata_endpoint() {
    let server = ecs_server();
    let r = EcsResourceDetector::new()
        .with_metadata_uri(format!("{}/v4/abc", server.url()))
        .detect(Duration::from_secs(5));
    assert_eq!(get(&r, "cloud.provider"), s("aws"));
    assert_eq!(get(&r, "cloud.platform"), s("aws_ecs"));
    assert_eq!(get(&r, "cloud.region"), s("us-west-2"));
    assert_eq!(get(&r, "cloud.account.id"), s("111122223333"));
    assert_eq!(get(&r, "cloud.availability_zone"), s("us-west-2c"));
    let container_arn =
        "arn:aws:ecs:us-west-2:111122223333:container/05966557-f16c-49cb-9352-24b3a0dcd0e1";
    assert_eq!(get(&r, "cloud.resource_id"), s(container_arn));
    assert_eq!(get(&r, "aws.ecs.container.arn"), s(container_arn));
    assert_eq!(
        get(&r, "container.id"),
        s("cd189a933e5849daa93386466019ab50-2495160603")
    );
    assert_eq!(get(&r, "container.name"), s("curl"));
    assert_eq!(
        get(&r, "container.image.name"),
        s("111122223333.dkr.ecr.us-west-2.amazonaws.com/curltest")
    );
    assert_eq!(
        get(&r, "aws.ecs.cluster.arn"),
        s("arn:aws:ecs:us-west-2:111122223333:cluster/default")
    );
    assert_eq!(get(&r, "aws.ecs.launchtype"), s("fargate"));
    assert_eq!(
        get(&r, "aws.ecs.task.arn"),
        s("arn:aws:ecs:us-west-2:111122223333:task/default/cd189a933e5849daa93386466019ab50")
    );
    assert_eq!(get(&r, "aws.ecs.task.family"), s("curltest"));
    assert_eq!(get(&r, "aws.ecs.task.revision"), s("2"));
    assert_eq!(
        get(&r, "aws.ecs.task.id"),
        s("cd189a933e5849daa93386466019ab50")
    );
    assert_eq!(get(&r, "aws.log.group.names"), list("/ecs/containerlogs"));
    assert_eq!(
        get(&r, "aws.log.group.arns"),
        list("arn:aws:logs:us-west-2:111122223333:log-group:/ecs/containerlogs")
    );
    assert_eq!(
        get(&r, "aws.log.stream.names"),
        list("ecs/curl/cd189a933e5849daa93386466019ab50")
    );
    assert_eq!(
        get(&r, "aws.log.stream.arns"),
        list(
            "arn:aws:logs:us-west-2:111122223333:log-group:/ecs/containerlogs:log-stream:ecs/curl/cd189a933e5849daa93386466019ab50"
        )
    );
    assert_eq!(r.len(), 20);
}

#[test]
fn a_server_holding_the_connection_open_is_read_by_its_framing() {
    // Both documents come with Content-Length, and the connections then stay open for 5 s
    // although the detector asked for `Connection: close`.
    let server = Server::start(vec![
        (
            "GET",
            "/v4/abc".into(),
            Reply::HeldOpen(data("ecs_container.json")),
        ),
        (
            "GET",
            "/v4/abc/task".into(),
            Reply::HeldOpen(data("ecs_task.json")),
        ),
    ]);
    let start = Instant::now();
    let r = EcsResourceDetector::new()
        .with_metadata_uri(format!("{}/v4/abc", server.url()))
        .with_timeout(Duration::from_secs(10))
        .detect(Duration::from_secs(10));
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(get(&r, "aws.ecs.task.family"), s("curltest"));
    assert_eq!(get(&r, "container.name"), s("curl"));
}

#[test]
fn ecs_short_cluster_names_become_arns() {
    let task = data("ecs_task.json").replace(
        "\"arn:aws:ecs:us-west-2:111122223333:cluster/default\"",
        "\"default\"",
    );
    let task = task.replace("FARGATE", "EC2");
    let server = Server::start(vec![
        (
            "GET",
            "/v4/x".into(),
            Reply::Body(200, data("ecs_container.json")),
        ),
        ("GET", "/v4/x/task".into(), Reply::Body(200, task)),
    ]);
    let r = EcsResourceDetector::new()
        .with_metadata_uri(format!("{}/v4/x/", server.url()))
        .detect(Duration::from_secs(5));
    assert_eq!(
        get(&r, "aws.ecs.cluster.arn"),
        s("arn:aws:ecs:us-west-2:111122223333:cluster/default")
    );
    assert_eq!(get(&r, "aws.ecs.launchtype"), s("ec2"));
}

#[test]
fn ecs_missing_task_document_is_empty() {
    let server = Server::start(vec![(
        "GET",
        "/v4/abc".into(),
        Reply::Body(200, data("ecs_container.json")),
    )]);
    assert!(EcsResourceDetector::new()
        .with_metadata_uri(format!("{}/v4/abc", server.url()))
        .detect(Duration::from_secs(5))
        .is_empty());
}

#[test]
fn ecs_silent_and_absent_endpoints_are_empty_quickly() {
    let silent = Silent::start();
    assert_empty_within(Duration::from_secs(3), || {
        EcsResourceDetector::new()
            .with_metadata_uri(format!("{}/v4/abc", silent.url()))
            .with_timeout(Duration::from_millis(300))
            .detect(Duration::from_secs(10))
    });
    assert_empty_within(Duration::from_secs(3), || {
        EcsResourceDetector::new()
            .with_metadata_uri(format!("{}/v4/abc", closed_url()))
            .with_timeout(Duration::from_secs(10))
            .detect(Duration::from_secs(10))
    });
}

#[test]
fn ecs_from_the_environment_variable() {
    let server = ecs_server();
    // Safe: nextest runs each test in its own process, and this one starts no other thread
    // that reads the environment.
    unsafe {
        std::env::set_var(
            "ECS_CONTAINER_METADATA_URI_V4",
            format!("{}/v4/abc", server.url()),
        )
    };
    let r = EcsResourceDetector::new().detect(Duration::from_secs(5));
    assert_eq!(get(&r, "aws.ecs.task.family"), s("curltest"));
    unsafe { std::env::remove_var("ECS_CONTAINER_METADATA_URI_V4") };
    assert!(EcsResourceDetector::new()
        .detect(Duration::from_secs(5))
        .is_empty());
}

struct EksFiles {
    dir: std::path::PathBuf,
}

impl EksFiles {
    fn new(name: &str) -> EksFiles {
        let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("eks-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("token"), format!("{TOKEN}\n")).unwrap();
        std::fs::write(
            dir.join("ca.crt"),
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("cgroup"),
            "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1c2d.slice/\
             cri-containerd-8e0c1aca0c5d4b45f5d2b5b2e4d6c07d3c4f8e1f5a9b7c6d2e3f4a5b6c7d8e9f.scope\n",
        )
        .unwrap();
        EksFiles { dir }
    }

    fn detector(&self, api: String) -> EksResourceDetector {
        EksResourceDetector::new()
            .with_api_endpoint(api)
            .with_token_path(self.dir.join("token"))
            .with_ca_path(self.dir.join("ca.crt"))
            .with_cgroup_path(self.dir.join("cgroup"))
    }
}

impl Drop for EksFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn eks_detects_through_the_kubernetes_api() {
    let files = EksFiles::new("ok");
    let server = Server::start(vec![
        (
            "GET",
            "/api/v1/namespaces/kube-system/configmaps/aws-auth".into(),
            Reply::Body(200, data("eks_aws_auth.json")),
        ),
        (
            "GET",
            "/api/v1/namespaces/amazon-cloudwatch/configmaps/cluster-info".into(),
            Reply::Chunked(data("eks_cluster_info.json")),
        ),
    ]);
    let r = files.detector(server.url()).detect(Duration::from_secs(5));
    assert_eq!(get(&r, "cloud.provider"), s("aws"));
    assert_eq!(get(&r, "cloud.platform"), s("aws_eks"));
    assert_eq!(get(&r, "k8s.cluster.name"), s("prod-eks"));
    assert_eq!(
        get(&r, "container.id"),
        s("8e0c1aca0c5d4b45f5d2b5b2e4d6c07d3c4f8e1f5a9b7c6d2e3f4a5b6c7d8e9f")
    );
    assert_eq!(r.len(), 4);
    for req in server.seen() {
        assert_eq!(
            req.headers.get("authorization").map(String::as_str),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

#[test]
fn eks_without_cluster_info_still_detects_eks() {
    let files = EksFiles::new("nocluster");
    let server = Server::start(vec![(
        "GET",
        "/api/v1/namespaces/kube-system/configmaps/aws-auth".into(),
        Reply::Body(200, data("eks_aws_auth.json")),
    )]);
    let r = files.detector(server.url()).detect(Duration::from_secs(5));
    assert_eq!(get(&r, "cloud.platform"), s("aws_eks"));
    assert_eq!(get(&r, "k8s.cluster.name"), None);
}

#[test]
fn eks_not_eks_or_not_kubernetes_is_empty() {
    let files = EksFiles::new("other");
    // A Kubernetes cluster without aws-auth is not EKS.
    let server = Server::start(vec![]);
    assert!(files
        .detector(server.url())
        .detect(Duration::from_secs(5))
        .is_empty());
    // No service account files: not in a pod; the API is never asked.
    let r = EksResourceDetector::new()
        .with_api_endpoint(server.url())
        .with_token_path(files.dir.join("absent-token"))
        .detect(Duration::from_secs(5));
    assert!(r.is_empty());
    assert_eq!(server.seen().len(), 1, "only the first detector asked");
    // HTTPS with an unusable CA file: nothing, no error.
    assert!(files
        .detector("https://127.0.0.1:1".into())
        .detect(Duration::from_secs(5))
        .is_empty());
}

#[test]
fn eks_silent_and_absent_api_are_empty_quickly() {
    let files = EksFiles::new("silent");
    let silent = Silent::start();
    assert_empty_within(Duration::from_secs(3), || {
        files
            .detector(silent.url())
            .with_timeout(Duration::from_millis(300))
            .detect(Duration::from_secs(10))
    });
    assert_empty_within(Duration::from_secs(3), || {
        files
            .detector(closed_url())
            .with_timeout(Duration::from_secs(10))
            .detect(Duration::from_secs(10))
    });
}

#[test]
fn beanstalk_detects_from_its_config_file() {
    let r = BeanstalkResourceDetector::new()
        .with_config_path(format!("{DATA}/beanstalk_environment.conf"))
        .detect(Duration::from_secs(5));
    assert_eq!(get(&r, "cloud.provider"), s("aws"));
    assert_eq!(get(&r, "cloud.platform"), s("aws_elastic_beanstalk"));
    assert_eq!(get(&r, "service.namespace"), s("checkout-prod"));
    assert_eq!(get(&r, "service.version"), s("app-7a1b-240304_101112"));
    assert_eq!(get(&r, "service.instance.id"), s("23"));
    assert_eq!(r.len(), 5);
}

#[test]
fn beanstalk_absent_or_invalid_file_is_empty() {
    assert!(BeanstalkResourceDetector::new()
        .with_config_path(format!("{DATA}/absent.conf"))
        .detect(Duration::from_secs(5))
        .is_empty());
    assert!(BeanstalkResourceDetector::new()
        .with_config_path(
            format!("{DATA}/ecs_task.json").replace("ecs_task.json", "../detectors.rs")
        )
        .detect(Duration::from_secs(5))
        .is_empty());
}

#[test]
fn detectors_compose_in_the_sdk_builder() {
    let server = ec2_server();
    let ec2 = Ec2ResourceDetector::new().with_endpoint(server.url());
    let beanstalk = BeanstalkResourceDetector::new()
        .with_config_path(format!("{DATA}/beanstalk_environment.conf"));
    let r = Resource::builder_empty()
        .with_detectors(&[&ec2, &beanstalk])
        .build();
    // The later detector wins cloud.platform; both contribute their own attributes.
    assert_eq!(get(&r, "cloud.platform"), s("aws_elastic_beanstalk"));
    assert_eq!(get(&r, "host.id"), s("i-1234567890abcdef0"));
    assert_eq!(get(&r, "service.namespace"), s("checkout-prod"));
}

/// A TLS server on 127.0.0.1 with a certificate for that address from a fresh CA; returns the
/// server's URL and the CA in PEM.
fn tls_server(
    routes: Vec<(&'static str, String, Reply)>,
) -> (String, String, std::thread::JoinHandle<Vec<common::Seen>>) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    use std::sync::{Arc, Mutex};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let seen = Mutex::new(Vec::new());
        // One connection per route the detector asks for.
        for _ in 0..routes.len() {
            let (tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            common::serve_stream(&mut tls, &routes, &seen);
            tls.conn.send_close_notify();
            let _ = tls.conn.complete_io(&mut tls.sock);
        }
        seen.into_inner().unwrap()
    });
    (url, ca.pem(), handle)
}

#[test]
fn eks_detects_over_https_with_the_service_account_ca() {
    let files = EksFiles::new("tls");
    let (url, ca_pem, server) = tls_server(vec![
        (
            "GET",
            "/api/v1/namespaces/kube-system/configmaps/aws-auth".into(),
            Reply::Body(200, data("eks_aws_auth.json")),
        ),
        (
            "GET",
            "/api/v1/namespaces/amazon-cloudwatch/configmaps/cluster-info".into(),
            Reply::Body(200, data("eks_cluster_info.json")),
        ),
    ]);
    std::fs::write(files.dir.join("ca.crt"), ca_pem).unwrap();
    let r = files.detector(url).detect(Duration::from_secs(5));
    assert_eq!(get(&r, "cloud.platform"), s("aws_eks"));
    assert_eq!(get(&r, "k8s.cluster.name"), s("prod-eks"));
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen
        .iter()
        .all(|req| req.headers.get("authorization").map(String::as_str)
            == Some(format!("Bearer {TOKEN}").as_str())));
}

#[test]
fn eks_rejects_a_server_the_ca_did_not_sign() {
    let files = EksFiles::new("tls-other-ca");
    let (url, _ca_pem, _server) = tls_server(vec![(
        "GET",
        "/api/v1/namespaces/kube-system/configmaps/aws-auth".into(),
        Reply::Body(200, data("eks_aws_auth.json")),
    )]);
    // A CA of its own, not the server's.
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    std::fs::write(files.dir.join("ca.crt"), other.cert.pem()).unwrap();
    assert_empty_within(Duration::from_secs(3), || {
        files.detector(url).detect(Duration::from_secs(10))
    });
}
