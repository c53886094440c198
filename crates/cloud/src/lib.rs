//! AWS for Flightdeck, through the official SDK: building a client configuration for an
//! environment (profile or keyring credentials, optional local endpoint, timeouts on every
//! call), proving which account an environment reaches, and the local demo world on moto.

mod actions;
mod backups;
mod config;
mod criteria;
mod demo;
mod error;
mod identity;
mod monitoring;
mod moto;
mod notify;
mod profiles;
mod rds_snapshots;
mod team_log;

pub use actions::rollout::{live_traffic, stable_version};
pub use actions::{apply, plan, Change, Failure, Outcome, Plan, Run};
pub use aws_config::SdkConfig;
pub use backups::{BackupStore, RemoteBackup, S3Place, PART_BYTES};
pub use config::{key_pair_json, sdk_config};
pub use criteria::{alarms_in_alarm, evaluate, evaluate_in, judge_series, Rule, QUERIES_PER_CALL};
pub use demo::{seed_demo_world, DemoWorld, DEMO_ACCOUNT};
pub use error::CloudError;
pub use flightdeck_model::{AlarmMark, CriterionResult, Evaluation, Point, Span, Status, Verdict};
pub use identity::{check_connection, CallerIdentity};
pub use monitoring::{monitoring_panels, period_for, Panel, PanelSeries};
pub use moto::MotoServer;
pub use notify::{post_webhook, publish_sns};
pub use profiles::{list_profiles, AwsProfile};
pub use rds_snapshots::{rds_snapshots, RdsSnapshot};
pub use team_log::{dynamodb_calls, Appended, SharedDocument, TeamLog, CHUNK_BYTES, DEFAULT_TABLE};
