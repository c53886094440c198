use thiserror::Error;

/// What went wrong reaching AWS, phrased as what to fix. Messages never hold secret values.
#[derive(Debug, Error)]
pub enum CloudError {
    #[error("AWS profile '{profile}' is not in your AWS config; known profiles: {known}")]
    UnknownProfile { profile: String, known: String },
    #[error("the AWS SSO session for profile '{profile}' has expired or was never started; run: aws sso login --profile {profile}")]
    SsoExpired { profile: String },
    #[error("cannot reach {endpoint}: {detail}; check the endpoint URL and your network")]
    Unreachable { endpoint: String, detail: String },
    #[error(
        "{endpoint} did not answer within {seconds} s; check the endpoint URL and your network"
    )]
    Timeout { endpoint: String, seconds: u64 },
    #[error("AWS rejected the credentials of environment '{env}' ({code}); check the access key id and secret stored for it, or the profile")]
    BadCredentials { env: String, code: String },
    #[error("no usable credentials for environment '{env}': {detail}")]
    NoCredentials { env: String, detail: String },
    #[error(
        "the keys stored for environment '{env}' are not an access key pair; store them again"
    )]
    MalformedKeys { env: String },
    #[error(transparent)]
    Vault(#[from] flightdeck_vault::VaultError),
    #[error("could not start the local AWS emulator: {0}")]
    Emulator(String),
    #[error("AWS call {call} failed: {detail}")]
    Aws { call: &'static str, detail: String },
    #[error("AWS kept throttling {call} after {attempts} attempts with backoff; wait a minute and run it again")]
    Throttled { call: &'static str, attempts: u32 },
    #[error("{0}")]
    Invalid(String),
    #[error("cancelled before the next AWS call")]
    Cancelled,
    #[error("ECS service {service} was not stable after {seconds} s: {running} of {desired} tasks running")]
    NotStable {
        service: String,
        seconds: u32,
        running: i32,
        desired: i32,
    },
    #[error("{what} was still '{status}' after {seconds} s; AWS goes on with it, so plan again to see where it is")]
    NotReady {
        what: String,
        status: String,
        seconds: u32,
    },
    #[error("{failed} of {total} smoke checks failed: {detail}")]
    SmokeFailed {
        failed: usize,
        total: usize,
        detail: String,
    },
}

impl CloudError {
    pub fn code(&self) -> &'static str {
        match self {
            CloudError::UnknownProfile { .. } => "unknown_profile",
            CloudError::SsoExpired { .. } => "sso_expired",
            CloudError::Unreachable { .. } => "endpoint_unreachable",
            CloudError::Timeout { .. } => "endpoint_timeout",
            CloudError::BadCredentials { .. } => "bad_credentials",
            CloudError::NoCredentials { .. } => "no_credentials",
            CloudError::MalformedKeys { .. } => "malformed_keys",
            CloudError::Vault(e) => e.code(),
            CloudError::Emulator(_) => "emulator",
            CloudError::Aws { .. } => "aws",
            CloudError::Throttled { .. } => "throttled",
            CloudError::Invalid(_) => "invalid_action",
            CloudError::Cancelled => "cancelled",
            CloudError::NotStable { .. } => "not_stable",
            CloudError::NotReady { .. } => "not_ready",
            CloudError::SmokeFailed { .. } => "smoke_failed",
        }
    }
}
