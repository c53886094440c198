//! A CloudWatch dashboard and a log group's retention, each compared with what is there and
//! restored by its undo.

use flightdeck_runbook::Action;

use super::{request_id, Change, Outcome, Plan, Run};
use crate::CloudError;

/// The dashboard's body, or None when it does not exist.
async fn dashboard(
    run: &Run<'_>,
    client: &aws_sdk_cloudwatch::Client,
    name: &str,
) -> Result<Option<serde_json::Value>, CloudError> {
    match client.get_dashboard().dashboard_name(name).send().await {
        Ok(out) => Ok(out
            .dashboard_body()
            .and_then(|b| serde_json::from_str(b).ok())),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_dashboard_not_found_error()) =>
        {
            Ok(None)
        }
        Err(e) => Err(run.fail("cloudwatch:GetDashboard")(e)),
    }
}

fn widgets(body: &serde_json::Value) -> usize {
    body["widgets"].as_array().map(Vec::len).unwrap_or(0)
}

/// The log group's retention: Some(None) keeps events forever; None when it does not exist.
async fn retention(
    run: &Run<'_>,
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
) -> Result<Option<Option<i32>>, CloudError> {
    let out = client
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .map_err(run.fail("logs:DescribeLogGroups"))?;
    Ok(out
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group))
        .map(|g| g.retention_in_days()))
}

fn days(d: Option<i32>) -> String {
    d.map(|d| format!("{d} days"))
        .unwrap_or_else(|| "kept forever".into())
}

pub(super) async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    let kind = action.kind().to_string();
    match action {
        Action::Dashboard { name, body, delete } => {
            let client = aws_sdk_cloudwatch::Client::new(&run.sdk());
            let current = dashboard(run, &client, name).await?;
            let wanted: Option<serde_json::Value> = if *delete {
                None
            } else {
                Some(serde_json::from_str(body).map_err(|e| {
                    CloudError::Invalid(format!("dashboard {name}: the body is not JSON: {e}"))
                })?)
            };
            let noop = current == wanted;
            let describe = |b: &Option<serde_json::Value>| {
                b.as_ref().map(|b| format!("{} widgets", widgets(b)))
            };
            Ok(Plan::single(
                &kind,
                match (&wanted, noop) {
                    (_, true) => format!("dashboard {name} is as declared; nothing to do"),
                    (None, _) => format!("delete dashboard {name}"),
                    (Some(b), _) => format!("put dashboard {name} with {} widgets", widgets(b)),
                },
                (!noop).then(|| Change {
                    resource: format!("dashboard {name}"),
                    field: "body".into(),
                    before: describe(&current),
                    after: describe(&wanted),
                }),
                Some(Action::Dashboard {
                    name: name.clone(),
                    body: current.as_ref().map(|b| b.to_string()).unwrap_or_default(),
                    delete: current.is_none(),
                }),
            ))
        }
        Action::LogRetention {
            log_group,
            days: wanted,
        } => {
            let client = aws_sdk_cloudwatchlogs::Client::new(&run.sdk());
            let current = retention(run, &client, log_group).await?.ok_or_else(|| {
                CloudError::Invalid(format!("log group {log_group} does not exist"))
            })?;
            let noop = current == *wanted;
            Ok(Plan::single(
                &kind,
                if noop {
                    format!(
                        "log group {log_group} is already {}; nothing to do",
                        days(current)
                    )
                } else {
                    format!("set log group {log_group} to {}", days(*wanted))
                },
                (!noop).then(|| Change {
                    resource: format!("log group {log_group}"),
                    field: "retention".into(),
                    before: Some(days(current)),
                    after: Some(days(*wanted)),
                }),
                Some(Action::LogRetention {
                    log_group: log_group.clone(),
                    days: current,
                }),
            ))
        }
        other => unreachable!("observability does not plan {}", other.kind()),
    }
}

pub(super) async fn apply(
    run: &Run<'_>,
    action: &Action,
    plan: &Plan,
) -> Result<Outcome, CloudError> {
    run.say(&plan.summary);
    let request_ids = match action {
        Action::Dashboard { name, body, delete } => {
            let client = aws_sdk_cloudwatch::Client::new(&run.sdk());
            if *delete {
                let out = client
                    .delete_dashboards()
                    .dashboard_names(name)
                    .send()
                    .await
                    .map_err(run.fail("cloudwatch:DeleteDashboards"))?;
                request_id(&out)
            } else {
                let out = client
                    .put_dashboard()
                    .dashboard_name(name)
                    .dashboard_body(body)
                    .send()
                    .await
                    .map_err(run.fail("cloudwatch:PutDashboard"))?;
                request_id(&out)
            }
        }
        Action::LogRetention { log_group, days } => {
            let client = aws_sdk_cloudwatchlogs::Client::new(&run.sdk());
            match days {
                Some(d) => request_id(
                    &client
                        .put_retention_policy()
                        .log_group_name(log_group)
                        .retention_in_days(*d)
                        .send()
                        .await
                        .map_err(run.fail("logs:PutRetentionPolicy"))?,
                ),
                None => request_id(
                    &client
                        .delete_retention_policy()
                        .log_group_name(log_group)
                        .send()
                        .await
                        .map_err(run.fail("logs:DeleteRetentionPolicy"))?,
                ),
            }
        }
        other => unreachable!("observability does not apply {}", other.kind()),
    };
    Ok(Outcome {
        changed: true,
        outputs: Default::default(),
        request_ids: request_ids.into_iter().collect(),
        undo: None,
        log: vec![plan.summary.clone()],
    })
}
