//! Traffic: a Lambda alias's version and weights, and an ALB listener's target-group weights.
//! Both plans show the split before and after; both undos put the previous split back.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{
    Action as ListenerAction, ActionTypeEnum, ForwardActionConfig, TargetGroupTuple,
};
use aws_sdk_lambda::types::AliasRoutingConfiguration;
use flightdeck_runbook::Action;

use super::{request_id, Change, Outcome, Plan, Run};
use crate::CloudError;

fn split(version: &str, weights: &BTreeMap<String, f64>) -> String {
    let shared: f64 = weights.values().sum();
    let mut parts = vec![format!("version {version} {:.0}%", (1.0 - shared) * 100.0)];
    parts.extend(
        weights
            .iter()
            .map(|(v, w)| format!("version {v} {:.0}%", w * 100.0)),
    );
    parts.join(", ")
}

/// The alias's version and the other versions' weights.
pub(super) async fn alias(
    run: &Run<'_>,
    client: &aws_sdk_lambda::Client,
    function: &str,
    name: &str,
) -> Result<(String, BTreeMap<String, f64>), CloudError> {
    let out = client
        .get_alias()
        .function_name(function)
        .name(name)
        .send()
        .await
        .map_err(run.fail("lambda:GetAlias"))?;
    let weights = out
        .routing_config()
        .and_then(|r| r.additional_version_weights())
        .map(|w| w.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default();
    Ok((
        out.function_version().unwrap_or_default().to_string(),
        weights,
    ))
}

/// The published version before `current` ("previous").
async fn previous_version(
    run: &Run<'_>,
    client: &aws_sdk_lambda::Client,
    function: &str,
    current: &str,
) -> Result<String, CloudError> {
    let now: u64 = current.parse().map_err(|_| {
        CloudError::Invalid(format!(
            "alias points at {current}, which has no previous numbered version"
        ))
    })?;
    let mut versions: Vec<u64> = Vec::new();
    let mut marker = None;
    loop {
        let out = client
            .list_versions_by_function()
            .function_name(function)
            .set_marker(marker)
            .send()
            .await
            .map_err(run.fail("lambda:ListVersionsByFunction"))?;
        versions.extend(
            out.versions()
                .iter()
                .filter_map(|v| v.version()?.parse::<u64>().ok()),
        );
        marker = out.next_marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    versions
        .into_iter()
        .filter(|v| *v < now)
        .max()
        .map(|v| v.to_string())
        .ok_or_else(|| {
            CloudError::Invalid(format!(
                "version {current} is the first of {function}; there is no previous one"
            ))
        })
}

/// The listener's forward action: target group ARN to weight.
pub(super) async fn listener(
    run: &Run<'_>,
    client: &aws_sdk_elasticloadbalancingv2::Client,
    arn: &str,
) -> Result<BTreeMap<String, i32>, CloudError> {
    let out = client
        .describe_listeners()
        .listener_arns(arn)
        .send()
        .await
        .map_err(run.fail("elasticloadbalancing:DescribeListeners"))?;
    let found = out
        .listeners()
        .first()
        .ok_or_else(|| CloudError::Invalid(format!("listener {arn} was not found")))?;
    let forward = found
        .default_actions()
        .iter()
        .find(|a| a.r#type() == Some(&ActionTypeEnum::Forward))
        .ok_or_else(|| {
            CloudError::Invalid(format!("listener {arn} does not forward to target groups"))
        })?;
    let mut weights: BTreeMap<String, i32> = forward
        .forward_config()
        .map(|f| {
            f.target_groups()
                .iter()
                .filter_map(|t| Some((t.target_group_arn()?.to_string(), t.weight().unwrap_or(1))))
                .collect()
        })
        .unwrap_or_default();
    if weights.is_empty() {
        if let Some(tg) = forward.target_group_arn() {
            weights.insert(tg.to_string(), 1);
        }
    }
    Ok(weights)
}

fn short_tg(arn: &str) -> &str {
    arn.split(':').next_back().unwrap_or(arn)
}

fn tg_split(weights: &BTreeMap<String, i32>) -> String {
    let total: i32 = weights.values().sum::<i32>().max(1);
    weights
        .iter()
        .map(|(tg, w)| format!("{} {}%", short_tg(tg), w * 100 / total))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    match action {
        Action::LambdaAlias {
            function,
            alias: name,
            version,
            weights,
        } => {
            if weights.values().any(|w| !(0.0..=1.0).contains(w))
                || weights.values().sum::<f64>() > 1.0
            {
                return Err(CloudError::Invalid(format!(
                    "alias {name}: weights are shares between 0 and 1 that add up to at most 1"
                )));
            }
            let client = aws_sdk_lambda::Client::new(&run.sdk());
            let (current, current_weights) = alias(run, &client, function, name).await?;
            let target = if version == "previous" {
                previous_version(run, &client, function, &current).await?
            } else {
                version.clone()
            };
            let (before, after) = (split(&current, &current_weights), split(&target, weights));
            let noop = before == after;
            Ok(Plan::single(
                action.kind(),
                if noop {
                    format!("alias {function}:{name} already sends {after}; nothing to do")
                } else {
                    format!("shift alias {function}:{name} from {before} to {after}")
                },
                (!noop).then(|| Change {
                    resource: format!("Lambda alias {function}:{name}"),
                    field: "traffic".into(),
                    before: Some(before),
                    after: Some(after),
                }),
                Some(Action::LambdaAlias {
                    function: function.clone(),
                    alias: name.clone(),
                    version: current,
                    weights: current_weights,
                }),
            ))
        }
        Action::AlbWeights {
            listener_arn,
            weights,
        } => {
            if weights.is_empty() || weights.values().any(|w| !(0..=999).contains(w)) {
                return Err(CloudError::Invalid(
                    "ALB weights are 0 to 999 per target group, at least one".into(),
                ));
            }
            let client = aws_sdk_elasticloadbalancingv2::Client::new(&run.sdk());
            let current = listener(run, &client, listener_arn).await?;
            let noop = &current == weights;
            let (before, after) = (tg_split(&current), tg_split(weights));
            Ok(Plan::single(
                action.kind(),
                if noop {
                    format!("the listener already sends {after}; nothing to do")
                } else {
                    format!("shift the listener from {before} to {after}")
                },
                (!noop).then(|| Change {
                    resource: format!("ALB listener {}", short_tg(listener_arn)),
                    field: "traffic".into(),
                    before: Some(before),
                    after: Some(after),
                }),
                Some(Action::AlbWeights {
                    listener_arn: listener_arn.clone(),
                    weights: current,
                }),
            ))
        }
        other => unreachable!("traffic does not plan {}", other.kind()),
    }
}

pub(super) async fn apply(
    run: &Run<'_>,
    action: &Action,
    plan: &Plan,
) -> Result<Outcome, CloudError> {
    run.say(&plan.summary);
    match action {
        Action::LambdaAlias {
            function,
            alias: name,
            version,
            weights,
        } => {
            let client = aws_sdk_lambda::Client::new(&run.sdk());
            let target = if version == "previous" {
                let (current, _) = alias(run, &client, function, name).await?;
                previous_version(run, &client, function, &current).await?
            } else {
                version.clone()
            };
            let out = client
                .update_alias()
                .function_name(function)
                .name(name)
                .function_version(&target)
                .routing_config(
                    AliasRoutingConfiguration::builder()
                        .set_additional_version_weights(Some(weights.clone().into_iter().collect()))
                        .build(),
                )
                .send()
                .await
                .map_err(run.fail("lambda:UpdateAlias"))?;
            Ok(Outcome {
                changed: true,
                outputs: [("version".to_string(), target)].into(),
                request_ids: request_id(&out).into_iter().collect(),
                undo: None,
                log: vec![plan.summary.clone()],
            })
        }
        Action::AlbWeights {
            listener_arn,
            weights,
        } => {
            let client = aws_sdk_elasticloadbalancingv2::Client::new(&run.sdk());
            let forward = ForwardActionConfig::builder()
                .set_target_groups(Some(
                    weights
                        .iter()
                        .map(|(tg, w)| {
                            TargetGroupTuple::builder()
                                .target_group_arn(tg)
                                .weight(*w)
                                .build()
                        })
                        .collect(),
                ))
                .build();
            let out = client
                .modify_listener()
                .listener_arn(listener_arn)
                .default_actions(
                    ListenerAction::builder()
                        .r#type(ActionTypeEnum::Forward)
                        .forward_config(forward)
                        .build(),
                )
                .send()
                .await
                .map_err(run.fail("elasticloadbalancing:ModifyListener"))?;
            Ok(Outcome {
                changed: true,
                outputs: Default::default(),
                request_ids: request_id(&out).into_iter().collect(),
                undo: None,
                log: vec![plan.summary.clone()],
            })
        }
        other => unreachable!("traffic does not apply {}", other.kind()),
    }
}
