//! ECS provisioning: Fargate task definitions registered from a template (secrets checked to
//! exist first) and services created, each with its undo (deregister, delete).

use std::collections::BTreeMap;

use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition,
    EfsVolumeConfiguration, HealthCheck, KeyValuePair, LaunchType, LoadBalancer, LogConfiguration,
    LogDriver, MountPoint, NetworkConfiguration, NetworkMode, PortMapping, Secret, TaskDefinition,
    Volume,
};
use flightdeck_runbook::{Action, ContainerSpec, EfsVolume};

use super::{request_id, Change, Failure, Outcome, Plan, Run};
use crate::CloudError;

/// The fields of a task definition a plan compares, as readable text.
fn rendered(
    cpu: &str,
    memory: &str,
    execution_role: Option<&str>,
    task_role: Option<&str>,
    containers: &[ContainerSpec],
    volumes: &[EfsVolume],
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::from([
        ("cpu".to_string(), cpu.to_string()),
        ("memory".to_string(), memory.to_string()),
        (
            "execution role".to_string(),
            execution_role.unwrap_or("").to_string(),
        ),
        ("task role".to_string(), task_role.unwrap_or("").to_string()),
        (
            "EFS volumes".to_string(),
            volumes
                .iter()
                .map(|v| {
                    format!(
                        "{}={}{}",
                        v.name,
                        v.file_system_id,
                        v.root_directory.as_deref().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]);
    for c in containers {
        let field = |what: &str| format!("{} {what}", c.name);
        out.insert(field("image"), c.image.clone());
        out.insert(
            field("port"),
            c.port.map(|p| p.to_string()).unwrap_or_default(),
        );
        out.insert(
            field("environment"),
            c.environment
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        out.insert(
            field("secrets"),
            c.secrets
                .iter()
                .map(|(k, v)| format!("{k}<-{v}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        out.insert(field("log group"), c.log_group.clone().unwrap_or_default());
        out.insert(
            field("health check"),
            c.health_check.clone().unwrap_or_default(),
        );
        out.insert(
            field("mounts"),
            c.mounts
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    out
}

/// The same fields read back from a registered task definition.
fn rendered_from(td: &TaskDefinition) -> BTreeMap<String, String> {
    let containers: Vec<ContainerSpec> = td
        .container_definitions()
        .iter()
        .map(|c| ContainerSpec {
            name: c.name().unwrap_or_default().to_string(),
            image: c.image().unwrap_or_default().to_string(),
            port: c.port_mappings().first().and_then(|p| p.container_port()),
            environment: c
                .environment()
                .iter()
                .map(|e| {
                    (
                        e.name().unwrap_or_default().to_string(),
                        e.value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            secrets: c
                .secrets()
                .iter()
                .map(|s| (s.name().to_string(), s.value_from().to_string()))
                .collect(),
            log_group: c
                .log_configuration()
                .and_then(|l| l.options())
                .and_then(|o| o.get("awslogs-group").cloned()),
            health_check: c.health_check().and_then(|h| h.command().get(1).cloned()),
            mounts: c
                .mount_points()
                .iter()
                .map(|m| {
                    (
                        m.source_volume().unwrap_or_default().to_string(),
                        m.container_path().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
        })
        .collect();
    let volumes: Vec<EfsVolume> = td
        .volumes()
        .iter()
        .filter_map(|v| {
            v.efs_volume_configuration().map(|e| EfsVolume {
                name: v.name().unwrap_or_default().to_string(),
                file_system_id: e.file_system_id().to_string(),
                root_directory: e.root_directory().map(str::to_string),
            })
        })
        .collect();
    rendered(
        td.cpu().unwrap_or_default(),
        td.memory().unwrap_or_default(),
        td.execution_role_arn(),
        td.task_role_arn(),
        &containers,
        &volumes,
    )
}

async fn latest(
    run: &Run<'_>,
    client: &aws_sdk_ecs::Client,
    family: &str,
) -> Result<Option<TaskDefinition>, CloudError> {
    match client
        .describe_task_definition()
        .task_definition(family)
        .send()
        .await
    {
        Ok(out) => Ok(out.task_definition().cloned()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_client_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(run.fail("ecs:DescribeTaskDefinition")(e)),
    }
}

/// The secret a `valueFrom` names: its ARN without a `:json-key:version-stage:version-id` tail.
fn secret_of(value_from: &str) -> Option<String> {
    let parts: Vec<&str> = value_from.split(':').collect();
    (parts.len() >= 7 && parts[2] == "secretsmanager").then(|| parts[..7].join(":"))
}

/// Every Secrets Manager secret the containers read must exist before anything is registered.
async fn check_secrets(run: &Run<'_>, containers: &[ContainerSpec]) -> Result<(), CloudError> {
    let client = aws_sdk_secretsmanager::Client::new(&run.sdk());
    for c in containers {
        for (name, value_from) in &c.secrets {
            let Some(secret) = secret_of(value_from) else {
                continue;
            };
            match client.describe_secret().secret_id(&secret).send().await {
                Ok(found) if found.deleted_date().is_none() => {}
                Ok(_) => {
                    return Err(CloudError::Invalid(format!(
                        "container {} secret {name}: {secret} is scheduled for deletion",
                        c.name
                    )))
                }
                Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => {
                    return Err(CloudError::Invalid(format!(
                        "container {} secret {name}: {secret} does not exist; create it first (secret.create)",
                        c.name
                    )))
                }
                Err(e) => return Err(run.fail("secretsmanager:DescribeSecret")(e)),
            }
        }
    }
    Ok(())
}

pub(super) async fn plan(run: &Run<'_>, action: &Action) -> Result<Plan, CloudError> {
    let client = aws_sdk_ecs::Client::new(&run.sdk());
    let kind = action.kind().to_string();
    match action {
        Action::EcsRegister {
            family,
            cpu,
            memory,
            execution_role_arn,
            task_role_arn,
            containers,
            efs_volumes,
        } => {
            if containers.is_empty() {
                return Err(CloudError::Invalid(format!(
                    "task definition {family} has no containers"
                )));
            }
            check_secrets(run, containers).await?;
            let wanted = rendered(
                cpu,
                memory,
                execution_role_arn.as_deref(),
                task_role_arn.as_deref(),
                containers,
                efs_volumes,
            );
            let current = latest(run, &client, family).await?;
            let before = current.as_ref().map(rendered_from).unwrap_or_default();
            let changes: Vec<Change> = wanted
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(*v) && !(current.is_none() && v.is_empty()))
                .map(|(k, v)| Change {
                    resource: format!("task definition {family}"),
                    field: k.clone(),
                    before: current
                        .as_ref()
                        .map(|_| before.get(k).cloned().unwrap_or_default()),
                    after: Some(v.clone()),
                })
                .collect();
            let noop = current.is_some() && changes.is_empty();
            let revision = current.as_ref().map(|t| t.revision()).unwrap_or(0);
            Ok(Plan {
                kind,
                summary: if noop {
                    format!("{family}:{revision} already matches; nothing to do")
                } else {
                    format!(
                        "register {family}:{} (Fargate, {cpu} CPU units, {memory} MiB)",
                        revision + 1
                    )
                },
                changes,
                undo: None,
                noop,
                notes: Vec::new(),
            })
        }
        Action::EcsDeregister { task_definition } => {
            let found = latest(run, &client, task_definition).await?;
            let active = found
                .as_ref()
                .is_some_and(|t| t.status().map(|s| s.as_str()) == Some("ACTIVE"));
            Ok(Plan {
                kind,
                summary: if active {
                    format!("deregister {task_definition}")
                } else {
                    format!("{task_definition} is not active; nothing to do")
                },
                changes: if active {
                    vec![Change {
                        resource: format!("task definition {task_definition}"),
                        field: "status".into(),
                        before: Some("ACTIVE".into()),
                        after: Some("INACTIVE".into()),
                    }]
                } else {
                    Vec::new()
                },
                undo: None,
                noop: !active,
                notes: Vec::new(),
            })
        }
        Action::EcsCreateService {
            cluster,
            service,
            task_definition,
            desired_count,
            subnets,
            security_groups,
            target_group_arn,
            ..
        } => {
            let existing = client
                .describe_services()
                .cluster(cluster)
                .services(service)
                .send()
                .await
                .map_err(run.fail("ecs:DescribeServices"))?;
            if existing
                .services()
                .iter()
                .any(|s| s.status() == Some("ACTIVE"))
            {
                return Ok(Plan {
                    kind,
                    summary: format!("ECS service {cluster}/{service} exists; nothing to do (ecs.deploy and ecs.scale change it)"),
                    changes: Vec::new(),
                    undo: None,
                    noop: true,
                    notes: Vec::new(),
                });
            }
            if latest(run, &client, task_definition).await?.is_none() {
                return Err(CloudError::Invalid(format!(
                    "task definition {task_definition} does not exist; register it first (ecs.register_task_definition)"
                )));
            }
            let resource = format!("ECS service {cluster}/{service}");
            let row = |field: &str, after: String| Change {
                resource: resource.clone(),
                field: field.into(),
                before: None,
                after: Some(after),
            };
            let mut changes = vec![
                row("task definition", task_definition.clone()),
                row("desired count", desired_count.to_string()),
            ];
            if !subnets.is_empty() {
                changes.push(row(
                    "network",
                    format!(
                        "subnets {} · security groups {}",
                        subnets.join(", "),
                        security_groups.join(", ")
                    ),
                ));
            }
            if let Some(tg) = target_group_arn {
                changes.push(row("load balancer", tg.clone()));
            }
            Ok(Plan {
                kind,
                summary: format!("create {resource} on Fargate with {desired_count} tasks"),
                changes,
                undo: Some(Action::EcsDeleteService {
                    cluster: cluster.clone(),
                    service: service.clone(),
                }),
                noop: false,
                notes: Vec::new(),
            })
        }
        Action::EcsDeleteService { cluster, service } => {
            let existing = client
                .describe_services()
                .cluster(cluster)
                .services(service)
                .send()
                .await
                .map_err(run.fail("ecs:DescribeServices"))?;
            let active = existing
                .services()
                .iter()
                .find(|s| s.status() == Some("ACTIVE"));
            Ok(Plan {
                kind,
                summary: match active {
                    Some(_) => format!("scale ECS service {cluster}/{service} to 0 and delete it"),
                    None => {
                        format!("ECS service {cluster}/{service} does not exist; nothing to do")
                    }
                },
                changes: active
                    .map(|s| {
                        vec![Change {
                            resource: format!("ECS service {cluster}/{service}"),
                            field: "service".into(),
                            before: Some(format!("{} tasks", s.desired_count())),
                            after: None,
                        }]
                    })
                    .unwrap_or_default(),
                undo: None,
                noop: active.is_none(),
                notes: Vec::new(),
            })
        }
        other => unreachable!("ecs provisioning does not plan {}", other.kind()),
    }
}

fn container(c: &ContainerSpec, region: &str) -> ContainerDefinition {
    let mut def = ContainerDefinition::builder()
        .name(&c.name)
        .image(&c.image)
        .essential(true)
        .set_environment(Some(
            c.environment
                .iter()
                .map(|(k, v)| KeyValuePair::builder().name(k).value(v).build())
                .collect(),
        ))
        .set_mount_points(Some(
            c.mounts
                .iter()
                .map(|(volume, path)| {
                    MountPoint::builder()
                        .source_volume(volume)
                        .container_path(path)
                        .build()
                })
                .collect(),
        ));
    for (name, value_from) in &c.secrets {
        if let Ok(secret) = Secret::builder().name(name).value_from(value_from).build() {
            def = def.secrets(secret);
        }
    }
    if let Some(port) = c.port {
        def = def.port_mappings(PortMapping::builder().container_port(port).build());
    }
    if let Some(group) = &c.log_group {
        if let Ok(logs) = LogConfiguration::builder()
            .log_driver(LogDriver::Awslogs)
            .options("awslogs-group", group)
            .options("awslogs-region", region)
            .options("awslogs-stream-prefix", &c.name)
            .build()
        {
            def = def.log_configuration(logs);
        }
    }
    if let Some(command) = &c.health_check {
        if let Ok(check) = HealthCheck::builder()
            .command("CMD-SHELL")
            .command(command)
            .interval(30)
            .timeout(5)
            .retries(3)
            .start_period(60)
            .build()
        {
            def = def.health_check(check);
        }
    }
    def.build()
}

pub(super) async fn apply(run: &Run<'_>, action: &Action, plan: &Plan) -> Result<Outcome, Failure> {
    let client = aws_sdk_ecs::Client::new(&run.sdk());
    run.say(&plan.summary);
    match action {
        Action::EcsRegister {
            family,
            cpu,
            memory,
            execution_role_arn,
            task_role_arn,
            containers,
            efs_volumes,
        } => {
            let volumes: Vec<Volume> = efs_volumes
                .iter()
                .filter_map(|v| {
                    let efs = EfsVolumeConfiguration::builder()
                        .file_system_id(&v.file_system_id)
                        .set_root_directory(v.root_directory.clone())
                        .build()
                        .ok()?;
                    Some(
                        Volume::builder()
                            .name(&v.name)
                            .efs_volume_configuration(efs)
                            .build(),
                    )
                })
                .collect();
            let out = client
                .register_task_definition()
                .family(family)
                .cpu(cpu)
                .memory(memory)
                .network_mode(NetworkMode::Awsvpc)
                .requires_compatibilities(Compatibility::Fargate)
                .set_execution_role_arn(execution_role_arn.clone())
                .set_task_role_arn(task_role_arn.clone())
                .set_container_definitions(Some(
                    containers
                        .iter()
                        .map(|c| container(c, &run.env.region))
                        .collect(),
                ))
                .set_volumes(Some(volumes))
                .send()
                .await
                .map_err(run.fail("ecs:RegisterTaskDefinition"))?;
            let td = out.task_definition();
            let arn = td
                .and_then(|t| t.task_definition_arn())
                .unwrap_or_default()
                .to_string();
            let revision = td.map(|t| t.revision()).unwrap_or_default();
            run.say(&format!("registered {family}:{revision}"));
            Ok(Outcome {
                changed: true,
                outputs: [
                    ("arn".to_string(), arn.clone()),
                    ("revision".to_string(), revision.to_string()),
                ]
                .into(),
                request_ids: request_id(&out).into_iter().collect(),
                undo: Some(Action::EcsDeregister {
                    task_definition: arn,
                }),
                log: vec![format!("registered {family}:{revision}")],
            })
        }
        Action::EcsDeregister { task_definition } => {
            let out = client
                .deregister_task_definition()
                .task_definition(task_definition)
                .send()
                .await
                .map_err(run.fail("ecs:DeregisterTaskDefinition"))?;
            Ok(Outcome {
                changed: true,
                outputs: BTreeMap::new(),
                request_ids: request_id(&out).into_iter().collect(),
                undo: None,
                log: vec![format!("deregistered {task_definition}")],
            })
        }
        Action::EcsCreateService {
            cluster,
            service,
            task_definition,
            desired_count,
            subnets,
            security_groups,
            assign_public_ip,
            target_group_arn,
            container_name,
            container_port,
        } => {
            let mut create = client
                .create_service()
                .cluster(cluster)
                .service_name(service)
                .task_definition(task_definition)
                .desired_count(*desired_count)
                .launch_type(LaunchType::Fargate);
            if !subnets.is_empty() {
                if let Ok(vpc) = AwsVpcConfiguration::builder()
                    .set_subnets(Some(subnets.clone()))
                    .set_security_groups(Some(security_groups.clone()))
                    .assign_public_ip(if *assign_public_ip {
                        AssignPublicIp::Enabled
                    } else {
                        AssignPublicIp::Disabled
                    })
                    .build()
                {
                    create = create.network_configuration(
                        NetworkConfiguration::builder()
                            .awsvpc_configuration(vpc)
                            .build(),
                    );
                }
            }
            if let Some(tg) = target_group_arn {
                create = create.load_balancers(
                    LoadBalancer::builder()
                        .target_group_arn(tg)
                        .set_container_name(container_name.clone())
                        .set_container_port(*container_port)
                        .build(),
                );
            }
            let out = create.send().await.map_err(run.fail("ecs:CreateService"))?;
            let arn = out
                .service()
                .and_then(|s| s.service_arn())
                .unwrap_or_default()
                .to_string();
            Ok(Outcome {
                changed: true,
                outputs: [("service_arn".to_string(), arn.clone())].into(),
                request_ids: request_id(&out).into_iter().collect(),
                undo: None,
                log: vec![format!("created {arn}")],
            })
        }
        Action::EcsDeleteService { cluster, service } => {
            let scaled = client
                .update_service()
                .cluster(cluster)
                .service(service)
                .desired_count(0)
                .send()
                .await
                .map_err(run.fail("ecs:UpdateService"))?;
            let done = vec![format!("scaled {cluster}/{service} to 0")];
            let deleted = client
                .delete_service()
                .cluster(cluster)
                .service(service)
                .force(true)
                .send()
                .await
                .map_err(|e| Failure {
                    error: run.fail("ecs:DeleteService")(e),
                    done: done.clone(),
                    request_ids: request_id(&scaled).into_iter().collect(),
                })?;
            Ok(Outcome {
                changed: true,
                outputs: BTreeMap::new(),
                request_ids: [request_id(&scaled), request_id(&deleted)]
                    .into_iter()
                    .flatten()
                    .collect(),
                undo: None,
                log: vec![done[0].clone(), format!("deleted {cluster}/{service}")],
            })
        }
        other => unreachable!("ecs provisioning does not apply {}", other.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_a_value_from_names() {
        let arn = "arn:aws:secretsmanager:af-south-1:123456789012:secret:harbour/prod/db-AbCdEf";
        assert_eq!(
            secret_of(&format!("{arn}:password::")).as_deref(),
            Some(arn)
        );
        assert_eq!(secret_of(arn).as_deref(), Some(arn));
        assert_eq!(
            secret_of("arn:aws:ssm:af-south-1:123456789012:parameter/x"),
            None
        );
    }
}
