//! RDS: manual snapshots of instances and Aurora clusters, restores into a new instance or
//! cluster from a snapshot or to a point in time, and deleting one (keeping a final snapshot)
//! as the undo of a restore. Waits poll every two seconds until "available" or the time is up;
//! what AWS goes on doing after a timeout is said in the error.

use std::time::{Duration, Instant};

use aws_sdk_rds::Client;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use flightdeck_runbook::Action;

use super::{request_id, Change, Outcome, Plan, Run};
use crate::CloudError;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Instance,
    Cluster,
}

impl Target {
    fn noun(self) -> &'static str {
        match self {
            Target::Instance => "instance",
            Target::Cluster => "cluster",
        }
    }
}

fn not_found(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "DBInstanceNotFound"
                | "DBInstanceNotFoundFault"
                | "DBClusterNotFoundFault"
                | "DBSnapshotNotFound"
                | "DBSnapshotNotFoundFault"
                | "DBClusterSnapshotNotFoundFault"
        )
    )
}

/// The status of an instance or cluster, None when there is none by that name.
async fn db_status(
    run: &Run<'_>,
    client: &Client,
    target: Target,
    id: &str,
) -> Result<Option<String>, CloudError> {
    use aws_sdk_rds::error::ProvideErrorMetadata;
    match target {
        Target::Instance => match client
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .db_instances()
                .first()
                .map(|d| d.db_instance_status().unwrap_or("unknown").to_string())),
            Err(e) if not_found(e.code()) => Ok(None),
            Err(e) => Err(run.fail("rds:DescribeDBInstances")(e)),
        },
        Target::Cluster => match client
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .db_clusters()
                .first()
                .map(|d| d.status().unwrap_or("unknown").to_string())),
            Err(e) if not_found(e.code()) => Ok(None),
            Err(e) => Err(run.fail("rds:DescribeDBClusters")(e)),
        },
    }
}

/// The latest time a source can be restored to.
async fn latest_restorable(
    run: &Run<'_>,
    client: &Client,
    target: Target,
    id: &str,
) -> Result<Option<DateTime>, CloudError> {
    Ok(match target {
        Target::Instance => client
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(run.fail("rds:DescribeDBInstances"))?
            .db_instances()
            .first()
            .and_then(|d| d.latest_restorable_time().cloned()),
        Target::Cluster => client
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
            .map_err(run.fail("rds:DescribeDBClusters"))?
            .db_clusters()
            .first()
            .and_then(|d| d.latest_restorable_time().cloned()),
    })
}

/// The status of a manual snapshot, None when there is none by that name.
async fn snapshot_status(
    run: &Run<'_>,
    client: &Client,
    target: Target,
    id: &str,
) -> Result<Option<String>, CloudError> {
    use aws_sdk_rds::error::ProvideErrorMetadata;
    match target {
        Target::Instance => match client
            .describe_db_snapshots()
            .db_snapshot_identifier(id)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .db_snapshots()
                .first()
                .map(|s| s.status().unwrap_or("unknown").to_string())),
            Err(e) if not_found(e.code()) => Ok(None),
            Err(e) => Err(run.fail("rds:DescribeDBSnapshots")(e)),
        },
        Target::Cluster => match client
            .describe_db_cluster_snapshots()
            .db_cluster_snapshot_identifier(id)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .db_cluster_snapshots()
                .first()
                .map(|s| s.status().unwrap_or("unknown").to_string())),
            Err(e) if not_found(e.code()) => Ok(None),
            Err(e) => Err(run.fail("rds:DescribeDBClusterSnapshots")(e)),
        },
    }
}

/// Where a restore comes from, checked: a snapshot, or a source at a time.
enum Source {
    Snapshot(String),
    PointInTime {
        from: String,
        time: Option<DateTime>,
    },
}

fn source(
    what: &str,
    from_snapshot: &Option<String>,
    from: &Option<String>,
    restore_time: &Option<String>,
    latest: bool,
) -> Result<Source, CloudError> {
    match (from_snapshot, from, restore_time, latest) {
        (Some(snapshot), None, None, false) => Ok(Source::Snapshot(snapshot.clone())),
        (None, Some(from), Some(time), false) => {
            let parsed = DateTime::from_str(time, Format::DateTime).map_err(|_| {
                CloudError::Invalid(format!(
                    "{what}: restore_time {time:?} is not an RFC 3339 time like 2026-11-23T18:30:00Z"
                ))
            })?;
            Ok(Source::PointInTime {
                from: from.clone(),
                time: Some(parsed),
            })
        }
        (None, Some(from), None, true) => Ok(Source::PointInTime {
            from: from.clone(),
            time: None,
        }),
        _ => Err(CloudError::Invalid(format!(
            "{what}: give either from_snapshot, or from with restore_time or latest = true"
        ))),
    }
}

fn time_text(t: &DateTime) -> String {
    t.fmt(Format::DateTime)
        .unwrap_or_else(|_| t.secs().to_string())
}

/// Plans a restore into `id` of `target` kind.
async fn plan_restore(
    run: &Run<'_>,
    client: &Client,
    action: &Action,
    target: Target,
    id: &str,
    source: Source,
) -> Result<Plan, CloudError> {
    let kind = action.kind();
    let noun = target.noun();
    if let Some(status) = db_status(run, client, target, id).await? {
        return Ok(Plan::single(
            kind,
            format!("{noun} {id} already exists ({status}); nothing to do"),
            None,
            None,
        ));
    }
    let after = match &source {
        Source::Snapshot(snapshot) => match snapshot_status(run, client, target, snapshot).await? {
            None => {
                return Err(CloudError::Invalid(format!(
                    "snapshot {snapshot} does not exist"
                )))
            }
            Some(status) if status != "available" => {
                return Err(CloudError::Invalid(format!(
                    "snapshot {snapshot} is {status}, not available yet"
                )))
            }
            Some(_) => format!("snapshot {snapshot}"),
        },
        Source::PointInTime { from, time } => {
            if db_status(run, client, target, from).await?.is_none() {
                return Err(CloudError::Invalid(format!("{noun} {from} does not exist")));
            }
            let latest = latest_restorable(run, client, target, from).await?;
            match (time, latest) {
                (Some(t), Some(latest)) if t.secs() > latest.secs() => {
                    return Err(CloudError::Invalid(format!(
                        "{noun} {from} can be restored up to {} only, not {}",
                        time_text(&latest),
                        time_text(t)
                    )))
                }
                (Some(t), _) => format!("{noun} {from} as it was at {}", time_text(t)),
                (None, Some(latest)) => format!(
                    "{noun} {from} at its latest restorable time (now {})",
                    time_text(&latest)
                ),
                (None, None) => format!("{noun} {from} at its latest restorable time"),
            }
        }
    };
    let undo = match target {
        Target::Instance => Action::RdsDelete {
            instance: Some(id.to_string()),
            cluster: None,
            final_snapshot: format!("{id}-final"),
        },
        Target::Cluster => Action::RdsDelete {
            instance: None,
            cluster: Some(id.to_string()),
            final_snapshot: format!("{id}-final"),
        },
    };
    Ok(Plan::single(
        kind,
        format!("restore a new {noun} {id} from {after}"),
        Some(Change {
            resource: format!("{noun} {id}"),
            field: "restored from".into(),
            before: None,
            after: Some(after),
        }),
        Some(undo),
    ))
}

pub(super) async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    let client = Client::new(&run.sdk());
    let kind = action.kind();
    match action {
        Action::RdsSnapshot {
            instance: of,
            snapshot,
            ..
        }
        | Action::RdsClusterSnapshot {
            cluster: of,
            snapshot,
            ..
        } => {
            let target = if matches!(action, Action::RdsSnapshot { .. }) {
                Target::Instance
            } else {
                Target::Cluster
            };
            let noun = target.noun();
            if let Some(status) = snapshot_status(run, &client, target, snapshot).await? {
                return Ok(Plan::single(
                    kind,
                    format!("snapshot {snapshot} already exists ({status}); nothing to do"),
                    None,
                    None,
                ));
            }
            let Some(status) = db_status(run, &client, target, of).await? else {
                return Err(CloudError::Invalid(format!("{noun} {of} does not exist")));
            };
            Ok(Plan::single(
                kind,
                format!("take snapshot {snapshot} of {noun} {of}"),
                Some(Change {
                    resource: format!("snapshot {snapshot}"),
                    field: "of".into(),
                    before: None,
                    after: Some(format!("{noun} {of} ({status})")),
                }),
                Some(Action::RdsDeleteSnapshot {
                    snapshot: snapshot.clone(),
                    cluster: target == Target::Cluster,
                }),
            ))
        }
        Action::RdsDeleteSnapshot { snapshot, cluster } => {
            let target = if *cluster {
                Target::Cluster
            } else {
                Target::Instance
            };
            let status = snapshot_status(run, &client, target, snapshot).await?;
            Ok(Plan::single(
                kind,
                match &status {
                    None => format!("snapshot {snapshot} does not exist; nothing to do"),
                    Some(_) => format!("delete snapshot {snapshot}"),
                },
                status.map(|s| Change {
                    resource: format!("snapshot {snapshot}"),
                    field: "state".into(),
                    before: Some(s),
                    after: None,
                }),
                None,
            ))
        }
        Action::RdsRestore {
            instance,
            from_snapshot,
            from,
            restore_time,
            latest,
            ..
        } => {
            let source = source(kind, from_snapshot, from, restore_time, *latest)?;
            plan_restore(run, &client, action, Target::Instance, instance, source).await
        }
        Action::RdsRestoreCluster {
            cluster,
            from_snapshot,
            from,
            restore_time,
            latest,
            engine,
            ..
        } => {
            let source = source(kind, from_snapshot, from, restore_time, *latest)?;
            if matches!(source, Source::Snapshot(_)) && engine.is_none() {
                return Err(CloudError::Invalid(format!(
                    "{kind}: restoring a cluster snapshot needs its engine, e.g. engine = \"aurora-mysql\""
                )));
            }
            plan_restore(run, &client, action, Target::Cluster, cluster, source).await
        }
        Action::RdsDelete {
            instance,
            cluster,
            final_snapshot,
        } => {
            let (target, id) = match (instance, cluster) {
                (Some(i), None) => (Target::Instance, i),
                (None, Some(c)) => (Target::Cluster, c),
                _ => {
                    return Err(CloudError::Invalid(format!(
                        "{kind}: give either instance or cluster"
                    )))
                }
            };
            let noun = target.noun();
            let status = db_status(run, &client, target, id).await?;
            Ok(Plan::single(
                kind,
                match &status {
                    None => format!("{noun} {id} does not exist; nothing to do"),
                    Some(_) => {
                        format!("delete {noun} {id}, keeping final snapshot {final_snapshot}")
                    }
                },
                status.map(|s| Change {
                    resource: format!("{noun} {id}"),
                    field: "state".into(),
                    before: Some(s),
                    after: None,
                }),
                None,
            ))
        }
        _ => unreachable!("rds::plan is only called for RDS actions"),
    }
}

/// Waits until a snapshot or database is available, saying how it goes.
async fn wait_available(
    run: &Run<'_>,
    client: &Client,
    what: &str,
    seconds: u32,
    snapshot: Option<Target>,
    database: Option<Target>,
    id: &str,
) -> Result<(), CloudError> {
    if seconds == 0 {
        return Ok(());
    }
    let deadline = Instant::now() + Duration::from_secs(seconds.into());
    loop {
        run.cancelled()?;
        let status = match (snapshot, database) {
            (Some(t), _) => snapshot_status(run, client, t, id).await?,
            (_, Some(t)) => db_status(run, client, t, id).await?,
            (None, None) => None,
        }
        .unwrap_or_else(|| "missing".into());
        run.say(&format!("{what}: {status}"));
        if status == "available" {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(CloudError::NotReady {
                what: what.to_string(),
                status,
                seconds,
            });
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

pub(super) async fn apply(
    run: &Run<'_>,
    action: &Action,
    plan: &Plan,
) -> Result<Outcome, super::Failure> {
    let client = Client::new(&run.sdk());
    let mut ids = Vec::new();
    let mut outputs = std::collections::BTreeMap::new();
    let mut log = Vec::new();
    let done = |ids: &Vec<String>, log: &Vec<String>, error: CloudError| super::Failure {
        error,
        done: log.clone(),
        request_ids: ids.clone(),
    };
    match action {
        Action::RdsSnapshot {
            instance,
            snapshot,
            wait_seconds,
        } => {
            let out = client
                .create_db_snapshot()
                .db_instance_identifier(instance)
                .db_snapshot_identifier(snapshot)
                .send()
                .await
                .map_err(run.fail("rds:CreateDBSnapshot"))?;
            ids.extend(request_id(&out));
            if let Some(arn) = out.db_snapshot().and_then(|s| s.db_snapshot_arn()) {
                outputs.insert("snapshot_arn".to_string(), arn.to_string());
            }
            log.push(format!(
                "snapshot {snapshot} of instance {instance} started"
            ));
            run.say(&log[0]);
            wait_available(
                run,
                &client,
                &format!("snapshot {snapshot}"),
                *wait_seconds,
                Some(Target::Instance),
                None,
                snapshot,
            )
            .await
            .map_err(|e| done(&ids, &log, e))?;
        }
        Action::RdsClusterSnapshot {
            cluster,
            snapshot,
            wait_seconds,
        } => {
            let out = client
                .create_db_cluster_snapshot()
                .db_cluster_identifier(cluster)
                .db_cluster_snapshot_identifier(snapshot)
                .send()
                .await
                .map_err(run.fail("rds:CreateDBClusterSnapshot"))?;
            ids.extend(request_id(&out));
            if let Some(arn) = out
                .db_cluster_snapshot()
                .and_then(|s| s.db_cluster_snapshot_arn())
            {
                outputs.insert("snapshot_arn".to_string(), arn.to_string());
            }
            log.push(format!("snapshot {snapshot} of cluster {cluster} started"));
            run.say(&log[0]);
            wait_available(
                run,
                &client,
                &format!("snapshot {snapshot}"),
                *wait_seconds,
                Some(Target::Cluster),
                None,
                snapshot,
            )
            .await
            .map_err(|e| done(&ids, &log, e))?;
        }
        Action::RdsDeleteSnapshot { snapshot, cluster } => {
            if *cluster {
                let out = client
                    .delete_db_cluster_snapshot()
                    .db_cluster_snapshot_identifier(snapshot)
                    .send()
                    .await
                    .map_err(run.fail("rds:DeleteDBClusterSnapshot"))?;
                ids.extend(request_id(&out));
            } else {
                let out = client
                    .delete_db_snapshot()
                    .db_snapshot_identifier(snapshot)
                    .send()
                    .await
                    .map_err(run.fail("rds:DeleteDBSnapshot"))?;
                ids.extend(request_id(&out));
            }
            log.push(format!("snapshot {snapshot} deleted"));
            run.say(&log[0]);
        }
        Action::RdsRestore {
            instance,
            from_snapshot,
            from,
            restore_time,
            latest,
            instance_class,
            wait_seconds,
        } => {
            match source(action.kind(), from_snapshot, from, restore_time, *latest)? {
                Source::Snapshot(snapshot) => {
                    let out = client
                        .restore_db_instance_from_db_snapshot()
                        .db_instance_identifier(instance)
                        .db_snapshot_identifier(&snapshot)
                        .set_db_instance_class(instance_class.clone())
                        .send()
                        .await
                        .map_err(run.fail("rds:RestoreDBInstanceFromDBSnapshot"))?;
                    ids.extend(request_id(&out));
                }
                Source::PointInTime { from, time } => {
                    let out = client
                        .restore_db_instance_to_point_in_time()
                        .source_db_instance_identifier(&from)
                        .target_db_instance_identifier(instance)
                        .set_restore_time(time)
                        .use_latest_restorable_time(*latest)
                        .set_db_instance_class(instance_class.clone())
                        .send()
                        .await
                        .map_err(run.fail("rds:RestoreDBInstanceToPointInTime"))?;
                    ids.extend(request_id(&out));
                }
            }
            log.push(plan.summary.clone());
            run.say(&plan.summary);
            outputs.insert("instance".to_string(), instance.clone());
            wait_available(
                run,
                &client,
                &format!("instance {instance}"),
                *wait_seconds,
                None,
                Some(Target::Instance),
                instance,
            )
            .await
            .map_err(|e| done(&ids, &log, e))?;
        }
        Action::RdsRestoreCluster {
            cluster,
            from_snapshot,
            from,
            restore_time,
            latest,
            engine,
            wait_seconds,
        } => {
            match source(action.kind(), from_snapshot, from, restore_time, *latest)? {
                Source::Snapshot(snapshot) => {
                    let out = client
                        .restore_db_cluster_from_snapshot()
                        .db_cluster_identifier(cluster)
                        .snapshot_identifier(&snapshot)
                        .set_engine(engine.clone())
                        .send()
                        .await
                        .map_err(run.fail("rds:RestoreDBClusterFromSnapshot"))?;
                    ids.extend(request_id(&out));
                }
                Source::PointInTime { from, time } => {
                    let out = client
                        .restore_db_cluster_to_point_in_time()
                        .source_db_cluster_identifier(&from)
                        .db_cluster_identifier(cluster)
                        .set_restore_to_time(time)
                        .use_latest_restorable_time(*latest)
                        .send()
                        .await
                        .map_err(run.fail("rds:RestoreDBClusterToPointInTime"))?;
                    ids.extend(request_id(&out));
                }
            }
            log.push(plan.summary.clone());
            run.say(&plan.summary);
            outputs.insert("cluster".to_string(), cluster.clone());
            wait_available(
                run,
                &client,
                &format!("cluster {cluster}"),
                *wait_seconds,
                None,
                Some(Target::Cluster),
                cluster,
            )
            .await
            .map_err(|e| done(&ids, &log, e))?;
        }
        Action::RdsDelete {
            instance,
            cluster,
            final_snapshot,
        } => {
            if let Some(instance) = instance {
                let out = client
                    .delete_db_instance()
                    .db_instance_identifier(instance)
                    .skip_final_snapshot(false)
                    .final_db_snapshot_identifier(final_snapshot)
                    .send()
                    .await
                    .map_err(run.fail("rds:DeleteDBInstance"))?;
                ids.extend(request_id(&out));
            }
            if let Some(cluster) = cluster {
                let out = client
                    .delete_db_cluster()
                    .db_cluster_identifier(cluster)
                    .skip_final_snapshot(false)
                    .final_db_snapshot_identifier(final_snapshot)
                    .send()
                    .await
                    .map_err(run.fail("rds:DeleteDBCluster"))?;
                ids.extend(request_id(&out));
            }
            log.push(plan.summary.clone());
            run.say(&plan.summary);
        }
        _ => unreachable!("rds::apply is only called for RDS actions"),
    }
    Ok(Outcome {
        changed: true,
        outputs,
        request_ids: ids,
        undo: None,
        log,
    })
}
