//! Amazon EKS, through the pod's service account and the Kubernetes API.

use super::http::{request, tls_config, HttpError};
use super::{aws_resource, push_str, DEFAULT_TIMEOUT};
use opentelemetry_api::otel_debug;
use opentelemetry_sdk::resource::ResourceDetector;
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions::attribute::{
    cloud_platform, CONTAINER_ID, K8S_CLUSTER_NAME,
};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where Kubernetes mounts the pod's service account token.
pub(crate) const DEFAULT_TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/// Where Kubernetes mounts the cluster's CA certificate.
pub(crate) const DEFAULT_CA_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
/// The process's cgroup file, which names its container.
pub(crate) const DEFAULT_CGROUP_PATH: &str = "/proc/self/cgroup";

const AWS_AUTH_PATH: &str = "/api/v1/namespaces/kube-system/configmaps/aws-auth";
const CLUSTER_INFO_PATH: &str = "/api/v1/namespaces/amazon-cloudwatch/configmaps/cluster-info";

/// Detects a pod on Amazon EKS: the service account's token and CA files are present, and the
/// Kubernetes API serves the `kube-system/aws-auth` ConfigMap that EKS creates. Gives
/// `cloud.provider=aws`, `cloud.platform=aws_eks`, `k8s.cluster.name` (from the
/// `amazon-cloudwatch/cluster-info` ConfigMap's `cluster.name`, which the CloudWatch agent
/// add-on creates, when readable) and `container.id` (from the process's cgroup file).
///
/// The API is `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` (else
/// `https://kubernetes.default.svc`), verified against the service account's CA only, with the
/// token as bearer. The pod's service account needs `get` on those two ConfigMaps; without it,
/// nothing is detected.
///
/// ```
/// use opentelemetry_aws::detector::EksResourceDetector;
/// use opentelemetry_sdk::resource::ResourceDetector;
/// use std::time::Duration;
///
/// let detector = EksResourceDetector::new().with_token_path("/nonexistent/token");
/// assert!(detector.detect(Duration::from_secs(1)).is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct EksResourceDetector {
    api: Option<String>,
    token_path: PathBuf,
    ca_path: PathBuf,
    cgroup_path: PathBuf,
    timeout: Duration,
}

impl Default for EksResourceDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl EksResourceDetector {
    /// A detector with the standard paths and the in-cluster API address, within 1 second.
    pub fn new() -> Self {
        EksResourceDetector {
            api: None,
            token_path: DEFAULT_TOKEN_PATH.into(),
            ca_path: DEFAULT_CA_PATH.into(),
            cgroup_path: DEFAULT_CGROUP_PATH.into(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Uses this Kubernetes API address (`https://host[:port]`, or `http://` for a local
    /// proxy) instead of the in-cluster one.
    pub fn with_api_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.api = Some(endpoint.into().trim_end_matches('/').to_owned());
        self
    }

    /// Reads the service account token from `path`.
    pub fn with_token_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_path = path.into();
        self
    }

    /// Reads the cluster CA (PEM) from `path`.
    pub fn with_ca_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_path = path.into();
        self
    }

    /// Reads the process's cgroups from `path`.
    pub fn with_cgroup_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.cgroup_path = path.into();
        self
    }

    /// The most the whole detection may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn api(&self) -> String {
        if let Some(api) = &self.api {
            return api.clone();
        }
        match (
            std::env::var("KUBERNETES_SERVICE_HOST"),
            std::env::var("KUBERNETES_SERVICE_PORT"),
        ) {
            (Ok(host), Ok(port)) if !host.is_empty() && !port.is_empty() => {
                if host.contains(':') {
                    format!("https://[{host}]:{port}")
                } else {
                    format!("https://{host}:{port}")
                }
            }
            _ => "https://kubernetes.default.svc".to_owned(),
        }
    }

    fn fetch(&self, token: &str, deadline: Instant) -> Result<Resource, HttpError> {
        let api = self.api();
        let tls = if api.starts_with("https://") {
            Some(tls_config(&self.ca_path)?)
        } else {
            None
        };
        let bearer = format!("Bearer {token}");
        let headers = [("Authorization", bearer.as_str())];
        // EKS creates aws-auth in every cluster; other Kubernetes distributions do not.
        request(
            "GET",
            &format!("{api}{AWS_AUTH_PATH}"),
            &headers,
            deadline,
            tls.as_ref(),
        )?;
        let cluster = match request(
            "GET",
            &format!("{api}{CLUSTER_INFO_PATH}"),
            &headers,
            deadline,
            tls.as_ref(),
        ) {
            Ok(r) => serde_json::from_slice::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|doc| {
                    doc.get("data")?
                        .get("cluster.name")?
                        .as_str()
                        .map(str::to_owned)
                }),
            Err(e) => {
                otel_debug!("EksResourceDetector.NoClusterName", "cluster-info: {}", e);
                None
            }
        };
        let mut attributes = Vec::with_capacity(4);
        push_str(&mut attributes, K8S_CLUSTER_NAME, cluster);
        push_str(&mut attributes, CONTAINER_ID, self.container_id());
        Ok(aws_resource(cloud_platform::AWS_EKS, attributes))
    }

    fn container_id(&self) -> Option<String> {
        let text = std::fs::read_to_string(&self.cgroup_path).ok()?;
        text.lines().find_map(container_id_from_cgroup_line)
    }
}

/// The 64-hex-digit container ID at the end of a cgroup line, such as
/// `…/docker-<id>.scope` or `…/cri-containerd-<id>.scope` or `…/<id>`.
fn container_id_from_cgroup_line(line: &str) -> Option<String> {
    let last = line.trim().rsplit('/').next()?;
    let last = last.strip_suffix(".scope").unwrap_or(last);
    let id = last.get(last.len().checked_sub(64)?..)?;
    let prefix_ok = last.len() == 64 || last[..last.len() - 64].ends_with(['-', ':']);
    (prefix_ok && id.bytes().all(|c| c.is_ascii_hexdigit())).then(|| id.to_ascii_lowercase())
}

impl ResourceDetector for EksResourceDetector {
    fn detect(&self, timeout: Duration) -> Resource {
        let token = match std::fs::read_to_string(&self.token_path) {
            Ok(token) if !token.trim().is_empty() => token.trim().to_owned(),
            _ => return Resource::empty(), // not in a Kubernetes pod
        };
        if !self.ca_path.is_file() {
            return Resource::empty();
        }
        if token.contains(['\r', '\n']) {
            otel_debug!(
                "EksResourceDetector.InvalidToken",
                "token spans several lines"
            );
            return Resource::empty();
        }
        let deadline = Instant::now() + self.timeout.min(timeout);
        self.fetch(&token, deadline).unwrap_or_else(|e| {
            otel_debug!("EksResourceDetector.NotDetected", "Kubernetes API: {}", e);
            Resource::empty()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_ids_from_cgroup_lines() {
        let id = "8e0c1aca0c5d4b45f5d2b5b2e4d6c07d3c4f8e1f5a9b7c6d2e3f4a5b6c7d8e9f";
        for line in [
            format!("12:pids:/kubepods/besteffort/pod5f1c/{id}"),
            format!("0::/system.slice/docker-{id}.scope"),
            format!("1:name=systemd:/kubepods.slice/cri-containerd-{id}.scope"),
            format!("0::/kubepods/burstable/podx/cri-containerd:{id}"),
        ] {
            assert_eq!(
                container_id_from_cgroup_line(&line).as_deref(),
                Some(id),
                "{line}"
            );
        }
        for line in [
            "0::/",
            "0::/user.slice",
            "0::/x/abc",
            &format!("0::/x/z{id}"),
        ] {
            assert_eq!(container_id_from_cgroup_line(line), None, "{line}");
        }
    }
}
