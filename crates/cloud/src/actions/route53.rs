//! Route53 weighted records: the weights of a name's records by set identifier. The plan shows
//! the split before and after; the undo puts the previous weights back. Each record keeps its
//! values and TTL; the change is waited for until Route53 says INSYNC.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_sdk_route53::client::Waiters;
use aws_sdk_route53::types::{
    Change as RecordChange, ChangeAction, ChangeBatch, ResourceRecordSet, RrType,
};
use flightdeck_runbook::Action;

use super::{request_id, Change, Outcome, Plan, Run};
use crate::CloudError;

/// How long a change may take to be INSYNC (AWS: usually within 60 seconds).
const INSYNC_WAIT: Duration = Duration::from_secs(180);

/// A zone's records are named with a final dot.
pub(super) fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

/// Every record set of `name` and `record_type`, whatever its routing.
pub(super) async fn record_sets(
    run: &Run<'_>,
    client: &aws_sdk_route53::Client,
    zone_id: &str,
    name: &str,
    record_type: &str,
) -> Result<Vec<ResourceRecordSet>, CloudError> {
    let wanted = fqdn(name);
    let kind = RrType::from(record_type);
    let mut found = Vec::new();
    let (mut start_name, mut start_type, mut start_id) =
        (Some(wanted.clone()), Some(kind.clone()), None);
    loop {
        let out = client
            .list_resource_record_sets()
            .hosted_zone_id(zone_id)
            .set_start_record_name(start_name)
            .set_start_record_type(start_type)
            .set_start_record_identifier(start_id)
            .send()
            .await
            .map_err(run.fail("route53:ListResourceRecordSets"))?;
        let mut past = false;
        for set in out.resource_record_sets() {
            if set.name().trim_end_matches('.') == wanted.trim_end_matches('.')
                && set.r#type() == &kind
            {
                found.push(set.clone());
            } else {
                past = !found.is_empty();
            }
        }
        if past || !out.is_truncated() {
            return Ok(found);
        }
        start_name = out.next_record_name().map(str::to_string);
        start_type = out.next_record_type().cloned();
        start_id = out.next_record_identifier().map(str::to_string);
    }
}

/// The weighted records of `name` and `record_type`, by set identifier.
pub(super) async fn weighted(
    run: &Run<'_>,
    client: &aws_sdk_route53::Client,
    zone_id: &str,
    name: &str,
    record_type: &str,
) -> Result<BTreeMap<String, ResourceRecordSet>, CloudError> {
    Ok(record_sets(run, client, zone_id, name, record_type)
        .await?
        .into_iter()
        .filter(|set| set.weight().is_some())
        .filter_map(|set| Some((set.set_identifier()?.to_string(), set)))
        .collect())
}

fn split(weights: &BTreeMap<String, i64>) -> String {
    let total: i64 = weights.values().sum::<i64>().max(1);
    weights
        .iter()
        .map(|(id, w)| format!("{id} {}%", w * 100 / total))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    let Action::Route53Weights {
        zone_id,
        name,
        record_type,
        weights,
    } = action
    else {
        unreachable!("route53 does not plan {}", action.kind())
    };
    if weights.is_empty() || weights.values().any(|w| !(0..=255).contains(w)) {
        return Err(CloudError::Invalid(
            "Route53 weights are 0 to 255 per record, at least one".into(),
        ));
    }
    let client = aws_sdk_route53::Client::new(&run.sdk());
    let records = weighted(run, &client, zone_id, name, record_type).await?;
    if let Some(missing) = weights.keys().find(|id| !records.contains_key(*id)) {
        return Err(CloudError::Invalid(format!(
            "{name} {record_type} has no weighted record '{missing}' in zone {zone_id}; it has: {}",
            if records.is_empty() {
                "none".to_string()
            } else {
                records.keys().cloned().collect::<Vec<_>>().join(", ")
            }
        )));
    }
    let current: BTreeMap<String, i64> = records
        .iter()
        .filter(|(id, _)| weights.contains_key(*id))
        .map(|(id, set)| (id.clone(), set.weight().unwrap_or(0)))
        .collect();
    let noop = &current == weights;
    let (before, after) = (split(&current), split(weights));
    Ok(Plan::single(
        action.kind(),
        if noop {
            format!("{name} {record_type} already sends {after}; nothing to do")
        } else {
            format!("shift {name} {record_type} from {before} to {after}")
        },
        (!noop).then(|| Change {
            resource: format!("Route53 {name} {record_type}"),
            field: "traffic".into(),
            before: Some(before),
            after: Some(after),
        }),
        Some(Action::Route53Weights {
            zone_id: zone_id.clone(),
            name: name.clone(),
            record_type: record_type.clone(),
            weights: current,
        }),
    ))
}

pub(super) async fn apply(
    run: &Run<'_>,
    action: &Action,
    plan: &Plan,
) -> Result<Outcome, CloudError> {
    let Action::Route53Weights {
        zone_id,
        name,
        record_type,
        weights,
    } = action
    else {
        unreachable!("route53 does not apply {}", action.kind())
    };
    run.say(&plan.summary);
    let client = aws_sdk_route53::Client::new(&run.sdk());
    let records = weighted(run, &client, zone_id, name, record_type).await?;
    let mut changes = Vec::new();
    for (id, weight) in weights {
        let mut set = records[id].clone();
        set.weight = Some(*weight);
        changes.push(
            RecordChange::builder()
                .action(ChangeAction::Upsert)
                .resource_record_set(set)
                .build()
                .map_err(|e| CloudError::Invalid(e.to_string()))?,
        );
    }
    let out = client
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(
            ChangeBatch::builder()
                .comment("Flightdeck: weights")
                .set_changes(Some(changes))
                .build()
                .map_err(|e| CloudError::Invalid(e.to_string()))?,
        )
        .send()
        .await
        .map_err(run.fail("route53:ChangeResourceRecordSets"))?;
    let request_ids: Vec<String> = request_id(&out).into_iter().collect();
    if let Some(info) = out.change_info() {
        wait_insync(run, &client, info.id()).await?;
    }
    Ok(Outcome {
        changed: true,
        outputs: Default::default(),
        request_ids,
        undo: None,
        log: vec![
            plan.summary.clone(),
            "Route53 reports the change INSYNC".into(),
        ],
    })
}

/// Waits until Route53 has the change everywhere, with the SDK's waiter (GetChange, at the
/// cadence AWS asks for); cancel stops the waiting.
pub(super) async fn wait_insync(
    run: &Run<'_>,
    client: &aws_sdk_route53::Client,
    change: &str,
) -> Result<(), CloudError> {
    run.say("waiting for Route53 to report the change INSYNC");
    let waiting = client
        .wait_until_resource_record_sets_changed()
        .id(change)
        .wait(INSYNC_WAIT);
    tokio::select! {
        done = waiting => done.map(drop).map_err(|e| {
            CloudError::Invalid(format!(
                "Route53 did not report change {change} INSYNC within {} seconds ({}); it may still apply",
                INSYNC_WAIT.as_secs(),
                aws_sdk_route53::error::DisplayErrorContext(&e)
            ))
        }),
        () = cancelled(run.cancel) => Err(CloudError::Cancelled),
    }
}

/// Returns once the run is cancelled.
async fn cancelled(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
