//! The action engine: `plan` reads the current state and says exactly what will change and how
//! to undo it; `apply` does it with progress lines, honours cancel between calls, and returns the
//! outputs and AWS request ids. Applying an action whose plan changes nothing does nothing.
//!
//! Transient AWS errors and throttling are retried by the SDK's standard retry mode (exponential
//! backoff with jitter, four attempts for actions) rather than by a loop of our own.

mod alarms;
mod autoscaling;
mod ecs;
mod ecs_provision;
mod observability;
mod rds;
pub(crate) mod rollout;
mod route53;
mod route53_records;
mod secret_refs;
mod secrets;
mod smoke;
mod traffic;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_config::retry::RetryConfig;
use aws_config::SdkConfig;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use flightdeck_model::Environment;
use flightdeck_runbook::Action;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::identity::classify;
use crate::CloudError;

/// Attempts per AWS call an action makes, retries included.
const ACTION_ATTEMPTS: u32 = 4;

/// One thing that will change: a field of a resource, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Change {
    pub resource: String,
    pub field: String,
    /// None when the resource does not exist yet.
    pub before: Option<String>,
    /// None when the resource will be removed.
    pub after: Option<String>,
}

/// What applying an action would do, read from AWS now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Plan {
    pub kind: String,
    /// One sentence a person can check.
    pub summary: String,
    pub changes: Vec<Change>,
    /// The action that puts things back; None when nothing would change or nothing can be undone.
    #[ts(type = "Record<string, unknown> | null")]
    pub undo: Option<Action>,
    /// Nothing would change.
    pub noop: bool,
    /// What else a person should know before confirming (criteria, alarms already firing).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Plan {
    /// A plan that changes one field of one resource (`change`), or nothing when it is None.
    fn single(kind: &str, summary: String, change: Option<Change>, undo: Option<Action>) -> Plan {
        let noop = change.is_none();
        Plan {
            kind: kind.into(),
            summary,
            changes: change.into_iter().collect(),
            undo: if noop { None } else { undo },
            noop,
            notes: Vec::new(),
        }
    }
}

/// What applying did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Outcome {
    pub changed: bool,
    /// Values later steps may use as `${steps.STEP.NAME}`; never secret values.
    pub outputs: BTreeMap<String, String>,
    pub request_ids: Vec<String>,
    #[ts(type = "Record<string, unknown> | null")]
    pub undo: Option<Action>,
    pub log: Vec<String>,
}

/// An apply that stopped: the error, and what had been done before it.
#[derive(Debug)]
pub struct Failure {
    pub error: CloudError,
    pub done: Vec<String>,
    pub request_ids: Vec<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)?;
        if self.done.is_empty() {
            write!(f, "; nothing was changed")
        } else {
            write!(f, "; done before it stopped: {}", self.done.join("; "))
        }
    }
}

impl From<CloudError> for Failure {
    fn from(error: CloudError) -> Failure {
        Failure {
            error,
            done: Vec::new(),
            request_ids: Vec::new(),
        }
    }
}

/// Where an action runs, and how it reports.
pub struct Run<'a> {
    pub config: SdkConfig,
    pub env: &'a Environment,
    pub progress: &'a (dyn Fn(&str) + Send + Sync),
    pub cancel: &'a AtomicBool,
}

impl Run<'_> {
    /// The SDK config with the retry mode actions use.
    fn sdk(&self) -> SdkConfig {
        self.config
            .to_builder()
            .retry_config(RetryConfig::standard().with_max_attempts(ACTION_ATTEMPTS))
            .build()
    }

    fn say(&self, line: &str) {
        (self.progress)(line);
    }

    fn cancelled(&self) -> Result<(), CloudError> {
        if self.cancel.load(Ordering::SeqCst) {
            Err(CloudError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Maps an SDK error of `call` to the thing to fix (credentials, reachability, throttling).
    fn fail<E>(&self, call: &'static str) -> impl FnOnce(SdkError<E>) -> CloudError + '_
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        move |err| {
            if let SdkError::ServiceError(s) = &err {
                if let Some(
                    "Throttling"
                    | "ThrottlingException"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded",
                ) = s.err().code()
                {
                    return CloudError::Throttled {
                        call,
                        attempts: ACTION_ATTEMPTS,
                    };
                }
                if let Some(
                    code @ ("ResourceNotFoundException"
                    | "ServiceNotFoundException"
                    | "ClusterNotFoundException"
                    | "ClientException"
                    | "InvalidParameterException"
                    | "ValidationError"
                    | "InvalidRequestException"),
                ) = s.err().code()
                {
                    return CloudError::Aws {
                        call,
                        detail: format!("{code}: {}", s.err().message().unwrap_or("no message")),
                    };
                }
            }
            match classify(self.env, call, err) {
                CloudError::Aws { detail, .. } => CloudError::Aws { call, detail },
                other => other,
            }
        }
    }
}

/// The request id AWS gave a call, for the audit trail.
fn request_id<T: aws_types::request_id::RequestId>(out: &T) -> Option<String> {
    out.request_id().map(str::to_string)
}

/// Reads the current state and says what `action` would change. Secret references are checked
/// and shown as written, never read into the plan.
pub async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    secret_refs::check(run, action).await?;
    match action {
        Action::SecretCreate { .. } | Action::SecretDelete { .. } => {
            secrets::plan(run, action).await
        }
        Action::EcsScale { .. } | Action::EcsDeploy { .. } => ecs::plan(run, action).await,
        Action::EcsRegister { .. }
        | Action::EcsDeregister { .. }
        | Action::EcsCreateService { .. }
        | Action::EcsDeleteService { .. } => ecs_provision::plan(run, action).await,
        Action::AutoScaling { .. } | Action::AutoScalingRemove { .. } => {
            autoscaling::plan(run, action).await
        }
        Action::Alarms { alarms, delete } => alarms::plan(run, alarms, delete).await,
        Action::LambdaAlias { .. } | Action::AlbWeights { .. } => traffic::plan(run, action).await,
        Action::Route53Weights { .. } => route53::plan(run, action).await,
        Action::Route53Ttl { .. } | Action::Route53Records { .. } => {
            route53_records::plan(run, action).await
        }
        Action::Rollout(r) => rollout::plan(run, r).await,
        Action::Dashboard { .. } | Action::LogRetention { .. } => {
            observability::plan(run, action).await
        }
        Action::HttpSmoke { checks } => Ok(smoke::plan(checks)),
        Action::RdsSnapshot { .. }
        | Action::RdsClusterSnapshot { .. }
        | Action::RdsDeleteSnapshot { .. }
        | Action::RdsRestore { .. }
        | Action::RdsRestoreCluster { .. }
        | Action::RdsDelete { .. } => rds::plan(run, action).await,
    }
}

/// Applies `action` when its plan changes something; returns what it did.
pub async fn apply(run: &Run<'_>, action: &Action) -> Result<Outcome, Failure> {
    run.cancelled()?;
    let plan = plan(run, action).await?;
    if plan.noop {
        run.say("already in the planned state; nothing to do");
        return Ok(Outcome {
            changed: false,
            outputs: BTreeMap::new(),
            request_ids: Vec::new(),
            undo: None,
            log: vec!["already in the planned state; nothing to do".into()],
        });
    }
    let (filled, secrets) = secret_refs::fill(run, action).await?;
    let action = &filled;
    let scrubbed = |line: &str| (run.progress)(&secret_refs::scrub(line, &secrets));
    let inner = Run {
        config: run.config.clone(),
        env: run.env,
        progress: &scrubbed,
        cancel: run.cancel,
    };
    let run = &inner;
    let result: Result<Outcome, Failure> = async {
        Ok(match action {
            Action::SecretCreate { .. } | Action::SecretDelete { .. } => {
                secrets::apply(run, action).await?
            }
            Action::EcsScale { .. } | Action::EcsDeploy { .. } => {
                ecs::apply(run, action, &plan).await?
            }
            Action::EcsRegister { .. }
            | Action::EcsDeregister { .. }
            | Action::EcsCreateService { .. }
            | Action::EcsDeleteService { .. } => ecs_provision::apply(run, action, &plan).await?,
            Action::AutoScaling { .. } | Action::AutoScalingRemove { .. } => {
                autoscaling::apply(run, action).await?
            }
            Action::Alarms { alarms, delete } => alarms::apply(run, alarms, delete).await?,
            Action::LambdaAlias { .. } | Action::AlbWeights { .. } => {
                traffic::apply(run, action, &plan).await?
            }
            Action::Route53Weights { .. } => route53::apply(run, action, &plan).await?,
            Action::Route53Ttl { .. } | Action::Route53Records { .. } => {
                route53_records::apply(run, action, &plan).await?
            }
            Action::Rollout(_) => {
                return Err(CloudError::Invalid(rollout::NOT_AN_APPLY.into()).into())
            }
            Action::Dashboard { .. } | Action::LogRetention { .. } => {
                observability::apply(run, action, &plan).await?
            }
            Action::HttpSmoke { checks } => smoke::apply(run, checks).await?,
            Action::RdsSnapshot { .. }
            | Action::RdsClusterSnapshot { .. }
            | Action::RdsDeleteSnapshot { .. }
            | Action::RdsRestore { .. }
            | Action::RdsRestoreCluster { .. }
            | Action::RdsDelete { .. } => rds::apply(run, action, &plan).await?,
        })
    }
    .await;
    let scrub = |t: &str| secret_refs::scrub(t, &secrets);
    let mut outcome = match result {
        Ok(outcome) => outcome,
        Err(mut failure) => {
            failure.done = failure.done.iter().map(|l| scrub(l)).collect();
            if let CloudError::Aws { call, detail } = failure.error {
                failure.error = CloudError::Aws {
                    call,
                    detail: scrub(&detail),
                };
            }
            return Err(failure);
        }
    };
    outcome.log = outcome.log.iter().map(|l| scrub(l)).collect();
    for value in outcome.outputs.values_mut() {
        *value = scrub(value);
    }
    // An undo known only after the change (a new revision's ARN) comes from the apply itself.
    outcome.undo = outcome.undo.or(plan.undo);
    Ok(outcome)
}
