//! A DNS cutover's two other steps: a record's TTL lowered ahead of time (then the old TTL
//! waited out), and a record's values changed (UPSERT, the previous values as the undo). Both
//! wait until Route53 reports the change INSYNC.

use std::time::Duration;

use aws_sdk_route53::types::{
    Change as RecordChange, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use flightdeck_runbook::Action;

use super::route53::{fqdn, record_sets, wait_insync};
use super::{request_id, Change, Outcome, Plan, Run};
use crate::CloudError;

/// A new record's TTL when the action gives none.
const NEW_RECORD_TTL: i64 = 300;

/// The record of the name and type with this set identifier (none: the plain record).
async fn record(
    run: &Run<'_>,
    client: &aws_sdk_route53::Client,
    zone_id: &str,
    name: &str,
    record_type: &str,
    set_identifier: Option<&str>,
) -> Result<Option<ResourceRecordSet>, CloudError> {
    Ok(record_sets(run, client, zone_id, name, record_type)
        .await?
        .into_iter()
        .find(|s| s.set_identifier() == set_identifier))
}

fn values(set: &ResourceRecordSet) -> Vec<String> {
    set.resource_records()
        .iter()
        .map(|r| r.value().to_string())
        .collect()
}

fn label(name: &str, record_type: &str, set_identifier: Option<&str>) -> String {
    match set_identifier {
        Some(id) => format!("Route53 {name} {record_type} ({id})"),
        None => format!("Route53 {name} {record_type}"),
    }
}

pub(super) async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    let client = aws_sdk_route53::Client::new(&run.sdk());
    match action {
        Action::Route53Ttl {
            zone_id,
            name,
            record_type,
            ttl,
            set_identifier,
            wait_out,
        } => {
            if !(0..=2_147_483_647).contains(ttl) {
                return Err(CloudError::Invalid(format!(
                    "TTL {ttl} is not one Route53 takes"
                )));
            }
            let id = set_identifier.as_deref();
            let current = record(run, &client, zone_id, name, record_type, id)
                .await?
                .ok_or_else(|| {
                    CloudError::Invalid(format!(
                        "{} does not exist in zone {zone_id}; its TTL cannot be set",
                        label(name, record_type, id)
                    ))
                })?;
            let before = current.ttl().ok_or_else(|| {
                CloudError::Invalid(format!(
                    "{} is an alias record, which has no TTL of its own",
                    label(name, record_type, id)
                ))
            })?;
            let noop = before == *ttl;
            let wait = if *wait_out && *ttl < before {
                format!(", then wait the old {before} s out")
            } else {
                String::new()
            };
            Ok(Plan::single(
                action.kind(),
                if noop {
                    format!(
                        "{} already has TTL {ttl} s; nothing to do",
                        label(name, record_type, id)
                    )
                } else {
                    format!(
                        "set the TTL of {} from {before} s to {ttl} s{wait}",
                        label(name, record_type, id)
                    )
                },
                (!noop).then(|| Change {
                    resource: label(name, record_type, id),
                    field: "TTL".into(),
                    before: Some(format!("{before} s")),
                    after: Some(format!("{ttl} s")),
                }),
                Some(Action::Route53Ttl {
                    zone_id: zone_id.clone(),
                    name: name.clone(),
                    record_type: record_type.clone(),
                    ttl: before,
                    set_identifier: set_identifier.clone(),
                    wait_out: false,
                }),
            ))
        }
        Action::Route53Records {
            zone_id,
            name,
            record_type,
            values: wanted,
            ttl,
            set_identifier,
        } => {
            let id = set_identifier.as_deref();
            let current = record(run, &client, zone_id, name, record_type, id).await?;
            let before = current.as_ref().map(values);
            let after = (!wanted.is_empty()).then(|| wanted.clone());
            let ttl_changes = current
                .as_ref()
                .is_some_and(|c| ttl.is_some_and(|t| c.ttl() != Some(t)));
            let noop = before == after && !ttl_changes;
            let what = label(name, record_type, id);
            let summary = match (&before, &after) {
                _ if noop => format!("{what} already holds what it asks; nothing to do"),
                (None, Some(a)) => format!("create {what} with {}", a.join(", ")),
                (Some(b), None) => format!("delete {what} ({})", b.join(", ")),
                (Some(b), Some(a)) => {
                    format!("point {what} from {} to {}", b.join(", "), a.join(", "))
                }
                (None, None) => format!("{what} does not exist; nothing to delete"),
            };
            Ok(Plan::single(
                action.kind(),
                summary,
                (!noop).then(|| Change {
                    resource: what.clone(),
                    field: "values".into(),
                    before: before.as_ref().map(|v| v.join(", ")),
                    after: after.as_ref().map(|v| v.join(", ")),
                }),
                Some(Action::Route53Records {
                    zone_id: zone_id.clone(),
                    name: name.clone(),
                    record_type: record_type.clone(),
                    values: before.unwrap_or_default(),
                    ttl: current.as_ref().and_then(|c| c.ttl()),
                    set_identifier: set_identifier.clone(),
                }),
            ))
        }
        other => unreachable!("route53 records do not plan {}", other.kind()),
    }
}

/// Sends one change and waits until it is INSYNC; the request id.
async fn change(
    run: &Run<'_>,
    client: &aws_sdk_route53::Client,
    zone_id: &str,
    verb: ChangeAction,
    set: ResourceRecordSet,
) -> Result<Vec<String>, CloudError> {
    let batch = ChangeBatch::builder()
        .comment("Flightdeck: DNS cutover")
        .changes(
            RecordChange::builder()
                .action(verb)
                .resource_record_set(set)
                .build()
                .map_err(|e| CloudError::Invalid(e.to_string()))?,
        )
        .build()
        .map_err(|e| CloudError::Invalid(e.to_string()))?;
    let out = client
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(batch)
        .send()
        .await
        .map_err(run.fail("route53:ChangeResourceRecordSets"))?;
    if let Some(info) = out.change_info() {
        wait_insync(run, client, info.id()).await?;
    }
    Ok(request_id(&out).into_iter().collect())
}

pub(super) async fn apply(
    run: &Run<'_>,
    action: &Action,
    plan: &Plan,
) -> Result<Outcome, CloudError> {
    run.say(&plan.summary);
    let client = aws_sdk_route53::Client::new(&run.sdk());
    let mut log = vec![plan.summary.clone()];
    let request_ids = match action {
        Action::Route53Ttl {
            zone_id,
            name,
            record_type,
            ttl,
            set_identifier,
            wait_out,
        } => {
            let id = set_identifier.as_deref();
            let mut set = record(run, &client, zone_id, name, record_type, id)
                .await?
                .ok_or_else(|| {
                    CloudError::Invalid(format!("{} is gone", label(name, record_type, id)))
                })?;
            let old = set.ttl().unwrap_or(0);
            set.ttl = Some(*ttl);
            let ids = change(run, &client, zone_id, ChangeAction::Upsert, set).await?;
            log.push("Route53 reports the change INSYNC".into());
            if *wait_out && *ttl < old {
                let mut left = old;
                while left > 0 {
                    run.cancelled()?;
                    run.say(&format!("waiting out the old TTL: {left} s left"));
                    let step = left.min(5);
                    tokio::time::sleep(Duration::from_secs(step as u64)).await;
                    left -= step;
                }
                log.push(format!("waited the old TTL of {old} s out"));
            }
            ids
        }
        Action::Route53Records {
            zone_id,
            name,
            record_type,
            values: wanted,
            ttl,
            set_identifier,
        } => {
            let id = set_identifier.as_deref();
            let current = record(run, &client, zone_id, name, record_type, id).await?;
            let ids = match (current, wanted.is_empty()) {
                (Some(set), true) => {
                    change(run, &client, zone_id, ChangeAction::Delete, set).await?
                }
                (None, true) => Vec::new(),
                (current, false) => {
                    let records = wanted
                        .iter()
                        .map(|v| ResourceRecord::builder().value(v).build())
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| CloudError::Invalid(e.to_string()))?;
                    let set = match current {
                        Some(mut set) => {
                            set.resource_records = Some(records);
                            if let Some(ttl) = ttl {
                                set.ttl = Some(*ttl);
                            }
                            set
                        }
                        None => ResourceRecordSet::builder()
                            .name(fqdn(name))
                            .r#type(RrType::from(record_type.as_str()))
                            .ttl(ttl.unwrap_or(NEW_RECORD_TTL))
                            .set_resource_records(Some(records))
                            .build()
                            .map_err(|e| CloudError::Invalid(e.to_string()))?,
                    };
                    change(run, &client, zone_id, ChangeAction::Upsert, set).await?
                }
            };
            log.push("Route53 reports the change INSYNC".into());
            ids
        }
        other => unreachable!("route53 records do not apply {}", other.kind()),
    };
    Ok(Outcome {
        changed: true,
        outputs: Default::default(),
        request_ids,
        undo: None,
        log,
    })
}
