//! ECS services: desired count, task-definition revision (a given one or the previous), and
//! waiting until the service is stable with its live counts.

use std::time::{Duration, Instant};

use aws_sdk_ecs::types::{Service, SortOrder};
use flightdeck_runbook::Action;

use super::{request_id, Change, Failure, Outcome, Plan, Run};
use crate::CloudError;

const POLL: Duration = Duration::from_secs(2);

async fn service(
    run: &Run<'_>,
    client: &aws_sdk_ecs::Client,
    cluster: &str,
    name: &str,
) -> Result<Service, CloudError> {
    let out = client
        .describe_services()
        .cluster(cluster)
        .services(name)
        .send()
        .await
        .map_err(run.fail("ecs:DescribeServices"))?;
    out.services()
        .iter()
        .find(|s| s.status() != Some("INACTIVE"))
        .cloned()
        .ok_or_else(|| {
            CloudError::Invalid(format!(
                "ECS service {name} was not found in cluster {cluster}"
            ))
        })
}

/// `family:revision` of a task-definition ARN.
fn short(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn revision(arn: &str) -> Option<i32> {
    short(arn).rsplit(':').next()?.parse().ok()
}

/// The ARN `wanted` names: "previous" is the revision before `current` in its family.
async fn resolve(
    run: &Run<'_>,
    client: &aws_sdk_ecs::Client,
    current: &str,
    wanted: &str,
) -> Result<String, CloudError> {
    if wanted == "previous" {
        let family = short(current)
            .rsplit_once(':')
            .map(|(f, _)| f)
            .unwrap_or(current);
        let now = revision(current).unwrap_or(i32::MAX);
        let mut token = None;
        loop {
            let out = client
                .list_task_definitions()
                .family_prefix(family)
                .sort(SortOrder::Desc)
                .set_next_token(token)
                .send()
                .await
                .map_err(run.fail("ecs:ListTaskDefinitions"))?;
            if let Some(found) = out.task_definition_arns().iter().find(|arn| {
                short(arn).starts_with(&format!("{family}:"))
                    && revision(arn).is_some_and(|r| r < now)
            }) {
                return Ok(found.clone());
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                return Err(CloudError::Invalid(format!(
                    "{} is the first revision of {family}; there is no previous one to go back to",
                    short(current)
                )));
            }
        }
    }
    let out = client
        .describe_task_definition()
        .task_definition(wanted)
        .send()
        .await
        .map_err(run.fail("ecs:DescribeTaskDefinition"))?;
    out.task_definition()
        .and_then(|t| t.task_definition_arn())
        .map(str::to_string)
        .ok_or_else(|| CloudError::Invalid(format!("task definition {wanted} was not found")))
}

pub(super) async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    let client = aws_sdk_ecs::Client::new(&run.sdk());
    let (cluster, name) = match action {
        Action::EcsScale {
            cluster, service, ..
        }
        | Action::EcsDeploy {
            cluster, service, ..
        } => (cluster, service),
        other => unreachable!("ecs does not plan {}", other.kind()),
    };
    let current = service(run, &client, cluster, name).await?;
    let resource = format!("ECS service {cluster}/{name}");
    match action {
        Action::EcsScale {
            desired_count,
            wait_seconds,
            ..
        } => {
            let before = current.desired_count();
            let noop = before == *desired_count;
            Ok(Plan::single(
                action.kind(),
                if noop {
                    format!("{resource} already wants {before} tasks; nothing to do")
                } else {
                    format!("scale {resource} from {before} to {desired_count} tasks")
                },
                (!noop).then(|| Change {
                    resource,
                    field: "desired count".into(),
                    before: Some(before.to_string()),
                    after: Some(desired_count.to_string()),
                }),
                Some(Action::EcsScale {
                    cluster: cluster.clone(),
                    service: name.clone(),
                    desired_count: before,
                    wait_seconds: *wait_seconds,
                }),
            ))
        }
        Action::EcsDeploy {
            task_definition,
            wait_seconds,
            ..
        } => {
            let before = current.task_definition().unwrap_or_default().to_string();
            let target = resolve(run, &client, &before, task_definition).await?;
            let noop = short(&target) == short(&before);
            Ok(Plan::single(
                action.kind(),
                if noop {
                    format!("{resource} already runs {}; nothing to do", short(&before))
                } else {
                    format!(
                        "move {resource} from {} to {}",
                        short(&before),
                        short(&target)
                    )
                },
                (!noop).then(|| Change {
                    resource,
                    field: "task definition".into(),
                    before: Some(short(&before).to_string()),
                    after: Some(short(&target).to_string()),
                }),
                Some(Action::EcsDeploy {
                    cluster: cluster.clone(),
                    service: name.clone(),
                    task_definition: before.clone(),
                    wait_seconds: *wait_seconds,
                }),
            ))
        }
        _ => unreachable!(),
    }
}

/// Polls until the service has one deployment running its desired count, or `seconds` pass.
async fn wait_stable(
    run: &Run<'_>,
    client: &aws_sdk_ecs::Client,
    cluster: &str,
    name: &str,
    seconds: u32,
) -> Result<(), CloudError> {
    let deadline = Instant::now() + Duration::from_secs(u64::from(seconds));
    loop {
        run.cancelled()?;
        let s = service(run, client, cluster, name).await?;
        let (running, pending, desired) = (s.running_count(), s.pending_count(), s.desired_count());
        run.say(&format!(
            "running {running} of {desired}, pending {pending}, deployments {}",
            s.deployments().len()
        ));
        if running == desired && s.deployments().len() <= 1 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(CloudError::NotStable {
                service: format!("{cluster}/{name}"),
                seconds,
                running,
                desired,
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

pub(super) async fn apply(run: &Run<'_>, action: &Action, plan: &Plan) -> Result<Outcome, Failure> {
    let client = aws_sdk_ecs::Client::new(&run.sdk());
    let (cluster, name, wait) = match action {
        Action::EcsScale {
            cluster,
            service,
            wait_seconds,
            ..
        }
        | Action::EcsDeploy {
            cluster,
            service,
            wait_seconds,
            ..
        } => (cluster, service, *wait_seconds),
        other => unreachable!("ecs does not apply {}", other.kind()),
    };
    let mut update = client.update_service().cluster(cluster).service(name);
    match action {
        Action::EcsScale { desired_count, .. } => update = update.desired_count(*desired_count),
        Action::EcsDeploy {
            task_definition, ..
        } => {
            let current = service(run, &client, cluster, name).await?;
            let target = resolve(
                run,
                &client,
                current.task_definition().unwrap_or_default(),
                task_definition,
            )
            .await?;
            update = update.task_definition(target);
        }
        _ => unreachable!(),
    }
    run.say(&plan.summary);
    let out = update.send().await.map_err(run.fail("ecs:UpdateService"))?;
    let request_ids: Vec<String> = request_id(&out).into_iter().collect();
    let done = vec![plan.summary.clone()];
    if wait > 0 {
        run.say(&format!(
            "waiting up to {wait} s for the service to be stable"
        ));
        if let Err(error) = wait_stable(run, &client, cluster, name, wait).await {
            return Err(Failure {
                error,
                done,
                request_ids,
            });
        }
        run.say("stable");
    }
    let updated = out.service();
    Ok(Outcome {
        changed: true,
        outputs: [
            (
                "service_arn".to_string(),
                updated
                    .and_then(|s| s.service_arn())
                    .unwrap_or_default()
                    .to_string(),
            ),
            (
                "task_definition".to_string(),
                updated
                    .and_then(|s| s.task_definition())
                    .unwrap_or_default()
                    .to_string(),
            ),
        ]
        .into(),
        request_ids,
        undo: None,
        log: done,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_of_arns() {
        let arn = "arn:aws:ecs:af-south-1:123456789012:task-definition/ledger-api:7";
        assert_eq!(short(arn), "ledger-api:7");
        assert_eq!(revision(arn), Some(7));
        assert_eq!(revision("ledger-api"), None);
    }
}
