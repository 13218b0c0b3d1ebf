//! Where the exporter's OAuth 2.0 access tokens come from.
//!
//! The exporter asks its [`Authorizer`] for a token before each request and sends it as
//! `authorization: Bearer {token}`. Three sources ship with the crate: a fixed token
//! ([`StaticToken`]), a service account's key file ([`ServiceAccountAuthorizer`], a JWT signed
//! with the key and exchanged at Google's token endpoint), and the metadata server of Google's
//! compute platforms ([`MetadataServerAuthorizer`]). The last two cache the token until shortly
//! before it expires.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// The OAuth scope that lets a token write spans.
pub const TRACE_APPEND_SCOPE: &str = "https://www.googleapis.com/auth/trace.append";

/// Google's OAuth 2.0 token endpoint (a key file's `token_uri` takes precedence).
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// The metadata server's address on Google's compute platforms.
pub const DEFAULT_METADATA_HOST: &str = "http://metadata.google.internal";

/// A cached token is renewed this long before it expires.
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(60);

/// The lifetime asked for a signed assertion (Google's maximum).
const ASSERTION_LIFETIME: Duration = Duration::from_secs(3600);

/// Why no token could be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The key file could not be read.
    #[error("cannot read the service account key: {0}")]
    Io(#[from] std::io::Error),
    /// The key file is not a service account key, or its private key is not an RSA key.
    #[error("invalid service account key: {0}")]
    InvalidKey(String),
    /// The assertion could not be signed.
    #[error("cannot sign the token request")]
    Signing,
    /// The token request failed on the way.
    #[error("token request failed: {0}")]
    Http(#[from] HttpError),
    /// The token endpoint answered with an error.
    #[error("token endpoint answered {status}: {body}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The response body (what the endpoint said).
        body: String,
    },
    /// The token endpoint's answer has no usable token.
    #[error("invalid token response: {0}")]
    InvalidResponse(String),
}

/// A source of access tokens for the exporter's requests.
///
/// Implement it to take tokens from elsewhere (another library's credentials, say). The
/// future may run on the exporter's own thread and tokio runtime.
///
/// ```
/// use opentelemetry_stackdriver::{AuthError, Authorizer, BoxFuture};
/// use std::sync::Arc;
///
/// #[derive(Debug)]
/// struct FromEnv;
///
/// impl Authorizer for FromEnv {
///     fn token(&self) -> BoxFuture<'_, Result<Arc<str>, AuthError>> {
///         let token = std::env::var("MY_TOKEN").unwrap_or_default();
///         Box::pin(async move { Ok(Arc::from(token)) })
///     }
/// }
/// ```
pub trait Authorizer: fmt::Debug + Send + Sync + 'static {
    /// A valid access token (without the `Bearer ` prefix).
    fn token(&self) -> BoxFuture<'_, Result<Arc<str>, AuthError>>;
}

/// A fixed access token, for short-lived programs and tests.
///
/// ```
/// use opentelemetry_stackdriver::{Authorizer, StaticToken};
/// let auth = StaticToken::new("ya29.token");
/// assert_eq!(&*futures_executor::block_on(auth.token()).unwrap(), "ya29.token");
/// ```
#[derive(Clone)]
pub struct StaticToken(Arc<str>);

impl StaticToken {
    /// Always hands out `token`.
    pub fn new(token: impl Into<Arc<str>>) -> Self {
        StaticToken(token.into())
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(..)")
    }
}

impl Authorizer for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<Arc<str>, AuthError>> {
        let token = Arc::clone(&self.0);
        Box::pin(async move { Ok(token) })
    }
}

/// A token and when to renew it.
struct Cached {
    token: Arc<str>,
    renew_at: Instant,
}

/// The token cache of the authorizers that fetch tokens.
#[derive(Default)]
struct TokenCache(Mutex<Option<Cached>>);

impl TokenCache {
    fn get(&self) -> Option<Arc<str>> {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|c| Instant::now() < c.renew_at)
            .map(|c| Arc::clone(&c.token))
    }

    fn put(&self, token: Arc<str>, expires_in: Duration) {
        let renew_at = Instant::now() + expires_in.saturating_sub(RENEW_BEFORE_EXPIRY);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Cached { token, renew_at });
    }
}

/// The default HTTP client of the token requests: reqwest (HTTPS with the `tls` feature) on
/// its own thread, so it works wherever the future is polled.
fn default_http_client() -> Result<Arc<dyn HttpClient>, AuthError> {
    #[cfg(feature = "tls")]
    opentelemetry_http::install_rustls_provider();
    let client = reqwest::Client::builder()
        .build()
        .map_err(|e| AuthError::Http(HttpError::transport(e)))?;
    let client =
        opentelemetry_http::DedicatedThread::new(client)?.with_timeout(Duration::from_secs(10));
    Ok(Arc::new(client))
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Sends `request`, and reads a token response (both token endpoints answer alike).
async fn fetch_token(
    client: &dyn HttpClient,
    request: http::Request<Bytes>,
) -> Result<(Arc<str>, Duration), AuthError> {
    let response = client.send_bytes(request).await?;
    if !response.status().is_success() {
        return Err(AuthError::Rejected {
            status: response.status().as_u16(),
            body: String::from_utf8_lossy(response.body()).into_owned(),
        });
    }
    let parsed: TokenResponse = serde_json::from_slice(response.body())
        .map_err(|e| AuthError::InvalidResponse(e.to_string()))?;
    if parsed.access_token.is_empty() {
        return Err(AuthError::InvalidResponse("empty access_token".into()));
    }
    // Without a lifetime, assume the usual hour.
    let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
    Ok((Arc::from(parsed.access_token), lifetime))
}

#[derive(serde::Deserialize)]
struct KeyFile {
    #[serde(rename = "type", default)]
    kind: String,
    client_email: String,
    private_key: String,
    #[serde(default)]
    private_key_id: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    token_uri: Option<String>,
}

/// The DER bytes of the first PEM block labelled `label`.
fn pem_block(pem: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem[start..].find(&end)?;
    let body: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD.decode(body).ok()
}

/// Tokens for a service account, from its JSON key file: a JWT assertion signed with the
/// account's RSA key (RS256) is exchanged at the token endpoint for an access token, which is
/// cached until a minute before it expires.
///
/// ```no_run
/// use opentelemetry_stackdriver::ServiceAccountAuthorizer;
/// let auth = ServiceAccountAuthorizer::from_file("/secrets/key.json")?;
/// println!("project: {:?}", auth.project_id());
/// # Ok::<(), opentelemetry_stackdriver::AuthError>(())
/// ```
pub struct ServiceAccountAuthorizer {
    client_email: String,
    key_id: Option<String>,
    project_id: Option<String>,
    key: ring::signature::RsaKeyPair,
    token_uri: String,
    scopes: String,
    http: Arc<dyn HttpClient>,
    cache: TokenCache,
}

impl fmt::Debug for ServiceAccountAuthorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountAuthorizer")
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl ServiceAccountAuthorizer {
    /// Reads the key file at `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not a service account key with an RSA key.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, AuthError> {
        Self::from_json(&std::fs::read(path)?)
    }

    /// Takes the key from the key file's JSON text.
    ///
    /// # Errors
    ///
    /// When it is not a service account key with an RSA key.
    pub fn from_json(json: &[u8]) -> Result<Self, AuthError> {
        let key: KeyFile =
            serde_json::from_slice(json).map_err(|e| AuthError::InvalidKey(e.to_string()))?;
        if !key.kind.is_empty() && key.kind != "service_account" {
            return Err(AuthError::InvalidKey(format!(
                "type is {:?}, not \"service_account\"",
                key.kind
            )));
        }
        let pair = if let Some(der) = pem_block(&key.private_key, "PRIVATE KEY") {
            ring::signature::RsaKeyPair::from_pkcs8(&der)
        } else if let Some(der) = pem_block(&key.private_key, "RSA PRIVATE KEY") {
            ring::signature::RsaKeyPair::from_der(&der)
        } else {
            return Err(AuthError::InvalidKey(
                "private_key holds no PEM private key".into(),
            ));
        }
        .map_err(|e| AuthError::InvalidKey(format!("not a usable RSA key: {e}")))?;
        Ok(ServiceAccountAuthorizer {
            client_email: key.client_email,
            key_id: key.private_key_id,
            project_id: key.project_id,
            key: pair,
            token_uri: key
                .token_uri
                .unwrap_or_else(|| DEFAULT_TOKEN_URI.to_owned()),
            scopes: TRACE_APPEND_SCOPE.to_owned(),
            http: default_http_client()?,
            cache: TokenCache::default(),
        })
    }

    /// The project named in the key file.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// Exchanges assertions at `uri` instead of the key file's `token_uri`.
    pub fn with_token_uri(mut self, uri: impl Into<String>) -> Self {
        self.token_uri = uri.into();
        self
    }

    /// Asks for these scopes instead of [`TRACE_APPEND_SCOPE`].
    pub fn with_scopes<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, scopes: I) -> Self {
        let scopes: Vec<String> = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self.scopes = scopes.join(" ");
        self
    }

    /// Sends the token requests with `client`.
    pub fn with_http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http = Arc::new(client);
        self
    }

    /// The signed assertion (`header.claims.signature`, RS256).
    fn assertion(&self, now: SystemTime) -> Result<String, AuthError> {
        let iat = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
        if let Some(kid) = &self.key_id {
            header["kid"] = serde_json::Value::from(kid.as_str());
        }
        let claims = serde_json::json!({
            "iss": self.client_email,
            "scope": self.scopes,
            "aud": self.token_uri,
            "iat": iat,
            "exp": iat + ASSERTION_LIFETIME.as_secs(),
        });
        let mut jwt = URL_SAFE_NO_PAD.encode(header.to_string());
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                jwt.as_bytes(),
                &mut signature,
            )
            .map_err(|_| AuthError::Signing)?;
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(jwt)
    }
}

impl Authorizer for ServiceAccountAuthorizer {
    fn token(&self) -> BoxFuture<'_, Result<Arc<str>, AuthError>> {
        Box::pin(async move {
            if let Some(token) = self.cache.get() {
                return Ok(token);
            }
            let assertion = self.assertion(SystemTime::now())?;
            // The assertion is base64url and dots: nothing to escape.
            let body = format!(
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
            );
            let request = http::Request::post(&self.token_uri)
                .header(
                    http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Bytes::from(body))
                .map_err(|e| AuthError::Http(HttpError::InvalidRequest(e.to_string())))?;
            let (token, lifetime) = fetch_token(&*self.http, request).await?;
            self.cache.put(Arc::clone(&token), lifetime);
            Ok(token)
        })
    }
}

/// Tokens of the default service account of a Compute Engine, GKE, Cloud Run or App Engine
/// workload, from the metadata server; cached until a minute before they expire.
///
/// The server's address is [`DEFAULT_METADATA_HOST`], or `http://$GCE_METADATA_HOST` when that
/// variable is set, or what [`with_host`](Self::with_host) says.
///
/// ```
/// use opentelemetry_stackdriver::MetadataServerAuthorizer;
/// let auth = MetadataServerAuthorizer::new()?.with_host("http://127.0.0.1:8080");
/// # Ok::<(), opentelemetry_stackdriver::AuthError>(())
/// ```
pub struct MetadataServerAuthorizer {
    host: String,
    scopes: Option<String>,
    http: Arc<dyn HttpClient>,
    cache: TokenCache,
}

impl fmt::Debug for MetadataServerAuthorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataServerAuthorizer")
            .field("host", &self.host)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl MetadataServerAuthorizer {
    /// An authorizer asking the metadata server.
    ///
    /// # Errors
    ///
    /// When the HTTP client's thread cannot be started.
    pub fn new() -> Result<Self, AuthError> {
        let host = match std::env::var("GCE_METADATA_HOST") {
            Ok(host) if !host.is_empty() => format!("http://{host}"),
            _ => DEFAULT_METADATA_HOST.to_owned(),
        };
        Ok(MetadataServerAuthorizer {
            host,
            scopes: None,
            http: default_http_client()?,
            cache: TokenCache::default(),
        })
    }

    /// Asks the server at `host` (`http://address:port`).
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into().trim_end_matches('/').to_owned();
        self
    }

    /// Asks for tokens with these scopes (the server's default scopes otherwise).
    pub fn with_scopes<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, scopes: I) -> Self {
        let scopes: Vec<String> = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self.scopes = Some(scopes.join(","));
        self
    }

    /// Sends the requests with `client`.
    pub fn with_http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http = Arc::new(client);
        self
    }
}

impl Authorizer for MetadataServerAuthorizer {
    fn token(&self) -> BoxFuture<'_, Result<Arc<str>, AuthError>> {
        Box::pin(async move {
            if let Some(token) = self.cache.get() {
                return Ok(token);
            }
            let mut uri = format!(
                "{}/computeMetadata/v1/instance/service-accounts/default/token",
                self.host
            );
            if let Some(scopes) = &self.scopes {
                uri.push_str("?scopes=");
                uri.push_str(&percent_encode(scopes));
            }
            let request = http::Request::get(uri)
                .header("Metadata-Flavor", "Google")
                .body(Bytes::new())
                .map_err(|e| AuthError::Http(HttpError::InvalidRequest(e.to_string())))?;
            let (token, lifetime) = fetch_token(&*self.http, request).await?;
            self.cache.put(Arc::clone(&token), lifetime);
            Ok(token)
        })
    }
}

/// Percent-encodes everything but unreserved characters, `/` and `,`.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
