//! The RDS snapshots of an environment (instances and Aurora clusters, manual and automated),
//! for the Backups view beside the logical backups.

use flightdeck_model::Environment;
use flightdeck_vault::Vault;
use serde::Serialize;
use ts_rs::TS;

use crate::identity::classify;
use crate::{sdk_config, CloudError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RdsSnapshot {
    pub id: String,
    /// The instance or cluster it was taken of.
    pub of: String,
    pub cluster: bool,
    /// `manual` or `automated`.
    pub kind: String,
    pub status: String,
    pub created: Option<String>,
    pub engine: Option<String>,
    pub size_gb: Option<i32>,
}

/// Every snapshot of instances and clusters in the environment's region, newest first.
pub async fn rds_snapshots(
    env: &Environment,
    vault: &Vault,
) -> Result<Vec<RdsSnapshot>, CloudError> {
    let client = aws_sdk_rds::Client::new(&sdk_config(env, vault).await?);
    let mut found = Vec::new();
    let mut pages = client.describe_db_snapshots().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify(env, "rds:DescribeDBSnapshots", e))?;
        found.extend(page.db_snapshots().iter().map(|s| RdsSnapshot {
            id: s.db_snapshot_identifier().unwrap_or_default().to_string(),
            of: s.db_instance_identifier().unwrap_or_default().to_string(),
            cluster: false,
            kind: s.snapshot_type().unwrap_or("manual").to_string(),
            status: s.status().unwrap_or("unknown").to_string(),
            created: s.snapshot_create_time().map(|t| t.to_string()),
            engine: s.engine().map(str::to_string),
            size_gb: s.allocated_storage(),
        }));
    }
    let mut pages = client
        .describe_db_cluster_snapshots()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify(env, "rds:DescribeDBClusterSnapshots", e))?;
        found.extend(page.db_cluster_snapshots().iter().map(|s| {
            RdsSnapshot {
                id: s
                    .db_cluster_snapshot_identifier()
                    .unwrap_or_default()
                    .to_string(),
                of: s.db_cluster_identifier().unwrap_or_default().to_string(),
                cluster: true,
                kind: s.snapshot_type().unwrap_or("manual").to_string(),
                status: s.status().unwrap_or("unknown").to_string(),
                created: s.snapshot_create_time().map(|t| t.to_string()),
                engine: s.engine().map(str::to_string),
                size_gb: s.allocated_storage(),
            }
        }));
    }
    found.sort_by(|a, b| b.created.cmp(&a.created).then(a.id.cmp(&b.id)));
    Ok(found)
}
