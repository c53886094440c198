//! Executable steps: a ```` ```flightdeck ```` block of TOML declares actions that Flightdeck
//! plans, previews, applies, records and can undo, instead of shell snippets pasted by hand.
//!
//! ```toml
//! rollback_roles = ["Technical Lead", "Product Owner", "Client Stakeholder"]
//!
//! [[action]]
//! id = "scale-ledger"
//! kind = "ecs.scale"
//! cluster = "harbour-prod"
//! service = "ledger-api"
//! desired_count = 4
//! ```
//!
//! String values may hold `${env.name}`, `${env.region}`, `${env.account}` and
//! `${steps.STEP.OUTPUT}` (an output of an earlier step's last successful run).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::role::Role;
use crate::rollout::{parse_rollout, Rollout};

/// One CloudWatch alarm an action puts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmSpec {
    pub name: String,
    pub namespace: String,
    pub metric: String,
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// Average, Sum, Maximum, Minimum or SampleCount.
    #[serde(default = "average")]
    pub stat: String,
    #[serde(default = "five_minutes")]
    pub period: u32,
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    pub threshold: f64,
    /// GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold,
    /// LessThanOrEqualToThreshold.
    pub comparison: String,
    #[serde(default)]
    pub description: Option<String>,
    /// SNS topics notified in ALARM.
    #[serde(default)]
    pub alarm_actions: Vec<String>,
}

fn average() -> String {
    "Average".into()
}
fn five_minutes() -> u32 {
    300
}
fn one() -> u32 {
    1
}
fn cpu_policy() -> String {
    "cpu-target-tracking".into()
}
fn password_field() -> String {
    "password".into()
}

/// One URL a smoke check requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeCheck {
    pub url: String,
    /// Accepted status codes (200, 401, 403...).
    #[serde(default = "ok_status")]
    pub expect: Vec<u16>,
    /// The slowest acceptable answer, in milliseconds.
    #[serde(default = "two_seconds")]
    pub max_ms: u32,
}

fn yes() -> bool {
    true
}

fn ok_status() -> Vec<u16> {
    vec![200]
}
fn two_seconds() -> u32 {
    2000
}

/// One container of a task definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    #[serde(default)]
    pub port: Option<i32>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Variable name to `valueFrom` (a Secrets Manager ARN, optionally `:json-key::`).
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// awslogs log group; the stream prefix is the container's name.
    #[serde(default)]
    pub log_group: Option<String>,
    /// Health check command run with CMD-SHELL, e.g. "curl -f http://localhost/health".
    #[serde(default)]
    pub health_check: Option<String>,
    /// Volume name to the path it is mounted at.
    #[serde(default)]
    pub mounts: BTreeMap<String, String>,
}

/// An EFS volume of a task definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EfsVolume {
    pub name: String,
    pub file_system_id: String,
    #[serde(default)]
    pub root_directory: Option<String>,
}

/// What an action does. Undo actions are actions too. It crosses to the UI as its TOML fields
/// (`{ kind, ... }`), shown as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", deny_unknown_fields)]
pub enum Action {
    /// A Secrets Manager secret holding JSON `fields` plus a generated 32-character password.
    #[serde(rename = "secret.create")]
    SecretCreate {
        name: String,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        kms_key_id: Option<String>,
        #[serde(default)]
        fields: BTreeMap<String, String>,
        #[serde(default = "password_field")]
        password_field: String,
    },
    /// Deletes a secret (with the default recovery window); the undo of `secret.create`.
    #[serde(rename = "secret.delete")]
    SecretDelete { name: String },
    /// An ECS service's desired count, optionally waiting until it is stable.
    #[serde(rename = "ecs.scale")]
    EcsScale {
        cluster: String,
        service: String,
        desired_count: i32,
        #[serde(default)]
        wait_seconds: u32,
    },
    /// An ECS service on a task definition: `family:revision`, an ARN, or "previous" (the
    /// revision before the one the service runs).
    #[serde(rename = "ecs.deploy")]
    EcsDeploy {
        cluster: String,
        service: String,
        task_definition: String,
        #[serde(default)]
        wait_seconds: u32,
    },
    /// Registers a Fargate task definition revision when it differs from the family's latest.
    #[serde(rename = "ecs.register_task_definition")]
    EcsRegister {
        family: String,
        cpu: String,
        memory: String,
        #[serde(default)]
        execution_role_arn: Option<String>,
        #[serde(default)]
        task_role_arn: Option<String>,
        containers: Vec<ContainerSpec>,
        #[serde(default)]
        efs_volumes: Vec<EfsVolume>,
    },
    /// Deregisters a task-definition revision; the undo of a registration.
    #[serde(rename = "ecs.deregister_task_definition")]
    EcsDeregister { task_definition: String },
    /// Creates a Fargate service unless it exists.
    #[serde(rename = "ecs.create_service")]
    EcsCreateService {
        cluster: String,
        service: String,
        task_definition: String,
        desired_count: i32,
        #[serde(default)]
        subnets: Vec<String>,
        #[serde(default)]
        security_groups: Vec<String>,
        #[serde(default)]
        assign_public_ip: bool,
        #[serde(default)]
        target_group_arn: Option<String>,
        #[serde(default)]
        container_name: Option<String>,
        #[serde(default)]
        container_port: Option<i32>,
    },
    /// Scales a service to 0 and deletes it; the undo of a creation.
    #[serde(rename = "ecs.delete_service")]
    EcsDeleteService { cluster: String, service: String },
    /// Application Auto Scaling for an ECS service: its bounds and a target-tracking CPU policy.
    #[serde(rename = "autoscaling.ecs_service")]
    AutoScaling {
        cluster: String,
        service: String,
        min: i32,
        max: i32,
        cpu_target: f64,
        #[serde(default = "cpu_policy")]
        policy_name: String,
    },
    /// Removes an ECS service's scalable target and its policies; the undo of a new one.
    #[serde(rename = "autoscaling.remove")]
    AutoScalingRemove { cluster: String, service: String },
    /// Points a Lambda alias at a version ("previous": the one before its current), with an
    /// optional weighted share for other versions (traffic shifting).
    #[serde(rename = "lambda.alias")]
    LambdaAlias {
        function: String,
        alias: String,
        version: String,
        /// Other version to the share of traffic it gets, 0.0 to 1.0.
        #[serde(default)]
        weights: BTreeMap<String, f64>,
    },
    /// The weights of an ALB listener's forward action, by target group ARN (blue/green shifts).
    #[serde(rename = "alb.weights")]
    AlbWeights {
        listener_arn: String,
        weights: BTreeMap<String, i32>,
    },
    /// The weights of a name's Route53 weighted records, by set identifier; each record keeps
    /// its values and TTL. Waits until the change is INSYNC.
    #[serde(rename = "route53.weights")]
    Route53Weights {
        zone_id: String,
        name: String,
        #[serde(rename = "type")]
        record_type: String,
        weights: BTreeMap<String, i64>,
    },
    /// A record's TTL, lowered ahead of a DNS cutover; after the change is INSYNC it waits the
    /// old TTL out (`wait_out`), so no resolver still holds the old, longer one.
    #[serde(rename = "route53.ttl")]
    Route53Ttl {
        zone_id: String,
        name: String,
        #[serde(rename = "type")]
        record_type: String,
        ttl: i64,
        /// The record among weighted or other routed records of the name.
        #[serde(default)]
        set_identifier: Option<String>,
        #[serde(default = "yes")]
        wait_out: bool,
    },
    /// A record's values (UPSERT), the previous values as its undo; no values deletes it.
    /// Waits until the change is INSYNC.
    #[serde(rename = "route53.records")]
    Route53Records {
        zone_id: String,
        name: String,
        #[serde(rename = "type")]
        record_type: String,
        values: Vec<String>,
        /// Kept as it is when not given (300 s for a new record).
        #[serde(default)]
        ttl: Option<i64>,
        #[serde(default)]
        set_identifier: Option<String>,
    },
    /// Traffic shifted to a new version step by step, each step judged before the next;
    /// run unattended by the rollout engine (see [`Rollout`]).
    #[serde(rename = "rollout")]
    Rollout(Box<Rollout>),
    /// A CloudWatch dashboard from its JSON body; `delete` removes it.
    #[serde(rename = "cloudwatch.dashboard")]
    Dashboard {
        name: String,
        #[serde(default)]
        body: String,
        #[serde(default)]
        delete: bool,
    },
    /// A log group's retention in days; none keeps events forever.
    #[serde(rename = "logs.retention")]
    LogRetention {
        log_group: String,
        #[serde(default)]
        days: Option<i32>,
    },
    /// Puts CloudWatch alarms; `delete` removes alarms (the undo of new ones).
    #[serde(rename = "cloudwatch.alarms")]
    Alarms {
        #[serde(default)]
        alarms: Vec<AlarmSpec>,
        #[serde(default)]
        delete: Vec<String>,
    },
    /// Requests each URL and checks its status and latency.
    #[serde(rename = "http.smoke")]
    HttpSmoke { checks: Vec<SmokeCheck> },
    /// A manual snapshot of an RDS instance, waited for until available.
    #[serde(rename = "rds.snapshot")]
    RdsSnapshot {
        instance: String,
        snapshot: String,
        #[serde(default)]
        wait_seconds: u32,
    },
    /// A manual snapshot of an Aurora cluster, waited for until available.
    #[serde(rename = "rds.cluster_snapshot")]
    RdsClusterSnapshot {
        cluster: String,
        snapshot: String,
        #[serde(default)]
        wait_seconds: u32,
    },
    /// Deletes a manual snapshot (of an instance, or of a cluster); the undo of taking one.
    #[serde(rename = "rds.delete_snapshot")]
    RdsDeleteSnapshot {
        snapshot: String,
        #[serde(default)]
        cluster: bool,
    },
    /// A new RDS instance restored from a snapshot, or from another instance at a point in
    /// time (`restore_time`, RFC 3339, or `latest`).
    #[serde(rename = "rds.restore")]
    RdsRestore {
        instance: String,
        /// Restore this snapshot...
        #[serde(default)]
        from_snapshot: Option<String>,
        /// ...or this source at `restore_time` (RFC 3339) or its `latest` restorable time.
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        restore_time: Option<String>,
        #[serde(default)]
        latest: bool,
        #[serde(default)]
        instance_class: Option<String>,
        #[serde(default)]
        wait_seconds: u32,
    },
    /// A new Aurora cluster restored from a cluster snapshot or to a point in time.
    #[serde(rename = "rds.restore_cluster")]
    RdsRestoreCluster {
        cluster: String,
        /// Restore this snapshot...
        #[serde(default)]
        from_snapshot: Option<String>,
        /// ...or this source at `restore_time` (RFC 3339) or its `latest` restorable time.
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        restore_time: Option<String>,
        #[serde(default)]
        latest: bool,
        /// The engine, needed to restore a cluster snapshot (e.g. aurora-mysql).
        #[serde(default)]
        engine: Option<String>,
        #[serde(default)]
        wait_seconds: u32,
    },
    /// Deletes an instance or cluster, keeping a final snapshot; the undo of a restore.
    #[serde(rename = "rds.delete")]
    RdsDelete {
        #[serde(default)]
        instance: Option<String>,
        #[serde(default)]
        cluster: Option<String>,
        final_snapshot: String,
    },
}

impl Action {
    /// The kind as written in a runbook.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::SecretCreate { .. } => "secret.create",
            Action::SecretDelete { .. } => "secret.delete",
            Action::EcsScale { .. } => "ecs.scale",
            Action::EcsDeploy { .. } => "ecs.deploy",
            Action::EcsRegister { .. } => "ecs.register_task_definition",
            Action::EcsDeregister { .. } => "ecs.deregister_task_definition",
            Action::EcsCreateService { .. } => "ecs.create_service",
            Action::EcsDeleteService { .. } => "ecs.delete_service",
            Action::AutoScaling { .. } => "autoscaling.ecs_service",
            Action::AutoScalingRemove { .. } => "autoscaling.remove",
            Action::Alarms { .. } => "cloudwatch.alarms",
            Action::LambdaAlias { .. } => "lambda.alias",
            Action::AlbWeights { .. } => "alb.weights",
            Action::Route53Weights { .. } => "route53.weights",
            Action::Route53Ttl { .. } => "route53.ttl",
            Action::Route53Records { .. } => "route53.records",
            Action::Rollout(_) => "rollout",
            Action::Dashboard { .. } => "cloudwatch.dashboard",
            Action::LogRetention { .. } => "logs.retention",
            Action::HttpSmoke { .. } => "http.smoke",
            Action::RdsSnapshot { .. } => "rds.snapshot",
            Action::RdsClusterSnapshot { .. } => "rds.cluster_snapshot",
            Action::RdsDeleteSnapshot { .. } => "rds.delete_snapshot",
            Action::RdsRestore { .. } => "rds.restore",
            Action::RdsRestoreCluster { .. } => "rds.restore_cluster",
            Action::RdsDelete { .. } => "rds.delete",
        }
    }

    /// Whether running it changes anything (a smoke check only reads).
    pub fn mutates(&self) -> bool {
        !matches!(self, Action::HttpSmoke { .. })
    }
}

/// An action as declared in a runbook, with where it is and who may roll it back in PROD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionStep {
    /// The id given in the block, unique in the runbook.
    pub id: String,
    pub phase: String,
    /// The task the block sits in, if any.
    pub task: Option<String>,
    pub title: Option<String>,
    pub line: u32,
    #[ts(type = "Record<string, unknown>")]
    pub action: Action,
    /// Roles that may undo it in an environment that asks for the typed confirmation (PROD).
    pub rollback_roles: Vec<Role>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Block {
    #[serde(default)]
    rollback_roles: Vec<String>,
    action: Vec<toml::Table>,
}

/// An action read from a block, before it is placed in its phase and task.
pub struct ParsedAction {
    pub id: String,
    pub title: Option<String>,
    pub line: u32,
    pub action: Action,
    pub rollback_roles: Vec<Role>,
}

/// Where a block is wrong, and why.
pub struct ActionBlockError {
    pub line: u32,
    pub reason: String,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Parses one ```` ```flightdeck ```` block; errors give the line in the runbook and the reason.
pub fn parse_action_block(
    code: &str,
    first_line: u32,
) -> Result<Vec<ParsedAction>, ActionBlockError> {
    let line_at = |offset: usize| first_line + 1 + code[..offset].matches('\n').count() as u32;
    let block: Block = toml::from_str(code).map_err(|e| ActionBlockError {
        line: e.span().map(|s| line_at(s.start)).unwrap_or(first_line),
        reason: e.message().to_string(),
    })?;
    let rollback_roles = block
        .rollback_roles
        .iter()
        .map(|r| r.parse::<Role>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ActionBlockError {
            line: line_at(code.find("rollback_roles").unwrap_or(0)),
            reason: e.to_string(),
        })?;
    let mut out = Vec::new();
    for mut table in block.action {
        let id = match table.remove("id") {
            Some(toml::Value::String(id)) if valid_id(&id) => id,
            Some(other) => {
                return Err(ActionBlockError {
                    line: line_at(code.find("id").unwrap_or(0)),
                    reason: format!("action id {other} must be letters, digits, - or _"),
                })
            }
            None => {
                return Err(ActionBlockError {
                    line: first_line + 1,
                    reason: "every [[action]] needs an id (e.g. id = \"scale-ledger\")".into(),
                })
            }
        };
        let line = line_at(code.find(&format!("\"{id}\"")).unwrap_or(0));
        let title = match table.remove("title") {
            Some(toml::Value::String(t)) => Some(t),
            _ => None,
        };
        let action: Action = if table.get("kind").and_then(toml::Value::as_str) == Some("rollout") {
            table.remove("kind");
            parse_rollout(&id, table)
                .map(|r| Action::Rollout(Box::new(r)))
                .map_err(|why| ActionBlockError {
                    line,
                    reason: format!("rollout '{id}': {why}"),
                })?
        } else {
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| ActionBlockError {
                    line,
                    reason: format!("action '{id}': {}", e.message()),
                })?
        };
        out.push(ParsedAction {
            id,
            title,
            line,
            action,
            rollback_roles: rollback_roles.clone(),
        });
    }
    Ok(out)
}

/// Replaces every `${NAME}` in the action's strings with its value; names no value is known for
/// are refused, all of them named.
pub fn resolve_vars(action: &Action, vars: &BTreeMap<String, String>) -> Result<Action, String> {
    static VAR: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\$\{([^}]+)\}").expect("a valid pattern"));
    fn walk(v: &mut serde_json::Value, vars: &BTreeMap<String, String>, missing: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if s.contains("${") => {
                *s = VAR
                    .replace_all(s, |c: &regex::Captures<'_>| match vars.get(c[1].trim()) {
                        Some(value) => value.clone(),
                        // Secret references are read by the engine at apply time, never here.
                        None if c[1].starts_with("secret:") => c[0].to_string(),
                        None => {
                            missing.push(c[1].trim().to_string());
                            c[0].to_string()
                        }
                    })
                    .into_owned();
            }
            serde_json::Value::Array(items) => {
                items.iter_mut().for_each(|i| walk(i, vars, missing))
            }
            serde_json::Value::Object(map) => map.values_mut().for_each(|i| walk(i, vars, missing)),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(action).map_err(|e| e.to_string())?;
    let mut missing = Vec::new();
    walk(&mut value, vars, &mut missing);
    if !missing.is_empty() {
        missing.dedup();
        return Err(format!(
            "no value for {}",
            missing
                .iter()
                .map(|m| format!("${{{m}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_resolve_or_are_named() {
        let action = Action::EcsDeploy {
            cluster: "${env.name}-cluster".into(),
            service: "ledger-api".into(),
            task_definition: "${steps.register.arn}".into(),
            wait_seconds: 0,
        };
        let vars: BTreeMap<String, String> = [
            ("env.name".to_string(), "prod".to_string()),
            (
                "steps.register.arn".to_string(),
                "arn:td/ledger-api:9".to_string(),
            ),
        ]
        .into();
        match resolve_vars(&action, &vars).unwrap() {
            Action::EcsDeploy {
                cluster,
                task_definition,
                ..
            } => {
                assert_eq!(
                    (cluster.as_str(), task_definition.as_str()),
                    ("prod-cluster", "arn:td/ledger-api:9")
                );
            }
            other => panic!("{other:?}"),
        }
        let err = resolve_vars(&action, &BTreeMap::new()).unwrap_err();
        assert_eq!(err, "no value for ${env.name}, ${steps.register.arn}");
    }

    #[test]
    fn kinds_and_defaults() {
        let block = "rollback_roles = [\"Technical Lead\"]\n\n[[action]]\nid = \"scale\"\nkind = \"ecs.scale\"\ncluster = \"c\"\nservice = \"s\"\ndesired_count = 4\n\n[[action]]\nid = \"smoke\"\nkind = \"http.smoke\"\nchecks = [{ url = \"https://x/health\" }, { url = \"https://x/admin\", expect = [401, 403], max_ms = 800 }]\n";
        let parsed = parse_action_block(block, 10).unwrap_or_else(|e| panic!("{}", e.reason));
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].line, 14);
        assert_eq!(parsed[0].rollback_roles, vec![Role::TechnicalLead]);
        match &parsed[1].action {
            Action::HttpSmoke { checks } => {
                assert_eq!(
                    (checks[0].expect.clone(), checks[0].max_ms),
                    (vec![200], 2000)
                );
                assert_eq!(checks[1].expect, vec![401, 403]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mistakes_name_the_line() {
        let unknown = "[[action]]\nid = \"x\"\nkind = \"ecs.scale\"\ncluster = \"c\"\nservice = \"s\"\ndesired_cont = 4\n";
        let e = parse_action_block(unknown, 0).err().unwrap();
        assert!(e.reason.contains("action 'x'"), "{}", e.reason);
        assert_eq!(e.line, 2);
        let kind = "[[action]]\nid = \"x\"\nkind = \"ecs.teleport\"\n";
        let e = parse_action_block(kind, 0).err().unwrap();
        assert!(e.reason.contains("ecs.teleport"), "{}", e.reason);
    }
}
