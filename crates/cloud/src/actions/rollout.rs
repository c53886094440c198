//! A rollout's plan and its traffic read from AWS. The rollout itself is run step by step by the
//! rollout engine, each step an apply of a weights action (`alb.weights`, `lambda.alias`,
//! `route53.weights`) with its request ids; its rollback is the state read before it began.

use flightdeck_runbook::{Action, Rollout, Traffic};

use super::{route53, traffic, Change, Plan, Run};
use crate::CloudError;

/// Why a rollout is not applied like other actions.
pub(super) const NOT_AN_APPLY: &str =
    "a rollout runs step by step, judged between steps: start it with `flightdeck rollout run` or the Rollouts panel";

/// The traffic as it is now, as the action that would put it back this way.
pub async fn live_traffic(run: &Run<'_>, traffic: &Traffic) -> Result<Action, CloudError> {
    match traffic {
        Traffic::Alb { listener_arn, .. } => {
            let client = aws_sdk_elasticloadbalancingv2::Client::new(&run.sdk());
            Ok(Action::AlbWeights {
                listener_arn: listener_arn.clone(),
                weights: traffic::listener(run, &client, listener_arn).await?,
            })
        }
        Traffic::Lambda {
            function, alias, ..
        } => {
            let client = aws_sdk_lambda::Client::new(&run.sdk());
            let (version, weights) = traffic::alias(run, &client, function, alias).await?;
            Ok(Action::LambdaAlias {
                function: function.clone(),
                alias: alias.clone(),
                version,
                weights,
            })
        }
        Traffic::Route53 {
            zone_id,
            name,
            record_type,
            stable,
            canary,
        } => {
            let client = aws_sdk_route53::Client::new(&run.sdk());
            let records = route53::weighted(run, &client, zone_id, name, record_type).await?;
            let mut weights = std::collections::BTreeMap::new();
            for id in [stable, canary] {
                let set = records.get(id).ok_or_else(|| {
                    CloudError::Invalid(format!(
                        "{name} {record_type} has no weighted record '{id}' in zone {zone_id}"
                    ))
                })?;
                weights.insert(id.clone(), set.weight().unwrap_or(0));
            }
            Ok(Action::Route53Weights {
                zone_id: zone_id.clone(),
                name: name.clone(),
                record_type: record_type.clone(),
                weights,
            })
        }
    }
}

/// The version a Lambda alias serves when the rollout begins; empty for other traffic.
pub fn stable_version(live: &Action) -> String {
    match live {
        Action::LambdaAlias { version, .. } => version.clone(),
        _ => String::new(),
    }
}

fn duration(seconds: u32) -> String {
    match seconds {
        s if s >= 60 && s % 60 == 0 => {
            format!("{} minute{}", s / 60, if s == 60 { "" } else { "s" })
        }
        s => format!("{s} second{}", if s == 1 { "" } else { "s" }),
    }
}

/// Every step with the traffic before and after it, and the rollback: the traffic as it is now.
pub(super) async fn plan(run: &Run<'_>, rollout: &Rollout) -> Result<Plan, CloudError> {
    let live = live_traffic(run, &rollout.traffic).await?;
    let now = rollout.traffic.percent_in(&live).unwrap_or(0);
    let stable = stable_version(&live);
    if let Traffic::Lambda { version, .. } = &rollout.traffic {
        if &stable == version && now == 100 {
            return Ok(Plan {
                kind: "rollout".into(),
                summary: format!("the alias already serves version {version}; nothing to roll out"),
                changes: Vec::new(),
                undo: None,
                noop: true,
                notes: Vec::new(),
            });
        }
    }
    let what = rollout.traffic.describe();
    let mut changes = Vec::new();
    let mut before = now;
    for (n, percent) in rollout.steps.iter().enumerate() {
        changes.push(Change {
            resource: what.clone(),
            field: format!("step {} of {}", n + 1, rollout.steps.len()),
            before: Some(format!("{before}%")),
            after: Some(format!("{percent}%")),
        });
        before = *percent;
    }
    let steps: Vec<String> = rollout.steps.iter().map(|p| format!("{p}%")).collect();
    let failure = match rollout.on_failure {
        flightdeck_runbook::OnFailure::Rollback => {
            format!("on failure, roll back to {now}% at once")
        }
        flightdeck_runbook::OnFailure::Pause => "on failure, hold and ask a person".to_string(),
    };
    Ok(Plan {
        kind: "rollout".into(),
        summary: format!(
            "roll out {what}: {now}% now, then {}, at least {} per step, judged every {}; {failure}",
            steps.join(" → "),
            duration(rollout.pause_seconds),
            duration(rollout.interval_seconds),
        ),
        changes,
        undo: Some(live),
        noop: false,
        notes: Vec::new(),
    })
}
