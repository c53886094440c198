//! Application Auto Scaling for an ECS service: the scalable target's bounds and a
//! target-tracking policy on the service's average CPU.

use aws_sdk_applicationautoscaling::types::{
    MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension, ServiceNamespace,
    TargetTrackingScalingPolicyConfiguration,
};
use flightdeck_runbook::Action;

use super::{request_id, Change, Failure, Outcome, Plan, Run};
use crate::CloudError;

fn resource_id(cluster: &str, service: &str) -> String {
    format!("service/{cluster}/{service}")
}

/// The current bounds and the policy's CPU target, when there are.
async fn current(
    run: &Run<'_>,
    client: &aws_sdk_applicationautoscaling::Client,
    cluster: &str,
    service: &str,
    policy: &str,
) -> Result<(Option<(i32, i32)>, Option<f64>), CloudError> {
    let id = resource_id(cluster, service);
    let targets = client
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(&id)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .send()
        .await
        .map_err(run.fail("application-autoscaling:DescribeScalableTargets"))?;
    let bounds = targets
        .scalable_targets()
        .first()
        .map(|t| (t.min_capacity(), t.max_capacity()));
    let policies = client
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(&id)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .policy_names(policy)
        .send()
        .await
        .map_err(run.fail("application-autoscaling:DescribeScalingPolicies"))?;
    let target = policies
        .scaling_policies()
        .first()
        .and_then(|p| p.target_tracking_scaling_policy_configuration())
        .map(|c| c.target_value());
    Ok((bounds, target))
}

pub(super) async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    let client = aws_sdk_applicationautoscaling::Client::new(&run.sdk());
    match action {
        Action::AutoScaling {
            cluster,
            service,
            min,
            max,
            cpu_target,
            policy_name,
        } => {
            if min > max || *min < 0 {
                return Err(CloudError::Invalid(format!(
                    "auto scaling of {cluster}/{service}: min {min} and max {max} are not a range"
                )));
            }
            let (bounds, target) = current(run, &client, cluster, service, policy_name).await?;
            let resource = format!("auto scaling of ECS service {cluster}/{service}");
            let mut changes = Vec::new();
            let mut row = |field: &str, before: Option<String>, after: String| {
                if before.as_deref() != Some(after.as_str()) {
                    changes.push(Change {
                        resource: resource.clone(),
                        field: field.into(),
                        before,
                        after: Some(after),
                    });
                }
            };
            row(
                "min tasks",
                bounds.map(|b| b.0.to_string()),
                min.to_string(),
            );
            row(
                "max tasks",
                bounds.map(|b| b.1.to_string()),
                max.to_string(),
            );
            row(
                "CPU target %",
                target.map(|t| t.to_string()),
                cpu_target.to_string(),
            );
            let noop = changes.is_empty();
            let undo = match (bounds, target) {
                _ if noop => None,
                (Some((old_min, old_max)), Some(old_target)) => Some(Action::AutoScaling {
                    cluster: cluster.clone(),
                    service: service.clone(),
                    min: old_min,
                    max: old_max,
                    cpu_target: old_target,
                    policy_name: policy_name.clone(),
                }),
                _ => Some(Action::AutoScalingRemove {
                    cluster: cluster.clone(),
                    service: service.clone(),
                }),
            };
            Ok(Plan {
                kind: action.kind().into(),
                summary: if noop {
                    format!("{resource} is already {min}..{max} tasks at {cpu_target}% CPU; nothing to do")
                } else {
                    format!("scale {cluster}/{service} between {min} and {max} tasks, tracking {cpu_target}% CPU")
                },
                changes,
                undo,
                noop,
                notes: Vec::new(),
            })
        }
        Action::AutoScalingRemove { cluster, service } => {
            let (bounds, _) = current(run, &client, cluster, service, "").await?;
            Ok(Plan {
                kind: action.kind().into(),
                summary: match bounds {
                    Some(_) => format!("remove auto scaling of ECS service {cluster}/{service}"),
                    None => format!(
                        "ECS service {cluster}/{service} has no auto scaling; nothing to do"
                    ),
                },
                changes: bounds
                    .map(|(min, max)| {
                        vec![Change {
                            resource: format!("auto scaling of ECS service {cluster}/{service}"),
                            field: "scalable target".into(),
                            before: Some(format!("{min}..{max} tasks")),
                            after: None,
                        }]
                    })
                    .unwrap_or_default(),
                undo: None,
                noop: bounds.is_none(),
                notes: Vec::new(),
            })
        }
        other => unreachable!("auto scaling does not plan {}", other.kind()),
    }
}

pub(super) async fn apply(run: &Run<'_>, action: &Action) -> Result<Outcome, Failure> {
    let client = aws_sdk_applicationautoscaling::Client::new(&run.sdk());
    match action {
        Action::AutoScaling {
            cluster,
            service,
            min,
            max,
            cpu_target,
            policy_name,
        } => {
            let id = resource_id(cluster, service);
            run.say(&format!("registering {id} between {min} and {max} tasks"));
            let target = client
                .register_scalable_target()
                .service_namespace(ServiceNamespace::Ecs)
                .resource_id(&id)
                .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
                .min_capacity(*min)
                .max_capacity(*max)
                .send()
                .await
                .map_err(run.fail("application-autoscaling:RegisterScalableTarget"))?;
            let mut request_ids: Vec<String> = request_id(&target).into_iter().collect();
            let done = vec![format!("{id} scales between {min} and {max} tasks")];
            run.say(&format!("putting policy {policy_name}: {cpu_target}% CPU"));
            let config = TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(*cpu_target)
                .predefined_metric_specification(
                    PredefinedMetricSpecification::builder()
                        .predefined_metric_type(MetricType::EcsServiceAverageCpuUtilization)
                        .build()
                        .map_err(|e| CloudError::Invalid(e.to_string()))?,
                )
                .build()
                .map_err(|e| CloudError::Invalid(e.to_string()))?;
            let policy = client
                .put_scaling_policy()
                .policy_name(policy_name)
                .service_namespace(ServiceNamespace::Ecs)
                .resource_id(&id)
                .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
                .policy_type(PolicyType::TargetTrackingScaling)
                .target_tracking_scaling_policy_configuration(config)
                .send()
                .await
                .map_err(|e| Failure {
                    error: run.fail("application-autoscaling:PutScalingPolicy")(e),
                    done: done.clone(),
                    request_ids: request_ids.clone(),
                })?;
            request_ids.extend(request_id(&policy));
            Ok(Outcome {
                changed: true,
                outputs: [("policy_arn".to_string(), policy.policy_arn().to_string())].into(),
                request_ids,
                undo: None,
                log: vec![
                    done[0].clone(),
                    format!("policy {policy_name} tracks {cpu_target}% CPU"),
                ],
            })
        }
        Action::AutoScalingRemove { cluster, service } => {
            let out = client
                .deregister_scalable_target()
                .service_namespace(ServiceNamespace::Ecs)
                .resource_id(resource_id(cluster, service))
                .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
                .send()
                .await
                .map_err(run.fail("application-autoscaling:DeregisterScalableTarget"))?;
            Ok(Outcome {
                changed: true,
                outputs: Default::default(),
                request_ids: request_id(&out).into_iter().collect(),
                undo: None,
                log: vec![format!("auto scaling of {cluster}/{service} removed")],
            })
        }
        other => unreachable!("auto scaling does not apply {}", other.kind()),
    }
}
