//! CloudWatch alarms: put a set, compared field by field with what is there; the undo restores
//! the previous definitions and removes the alarms that were new.

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, MetricAlarm, Statistic};
use flightdeck_runbook::{Action, AlarmSpec};

use super::{request_id, Change, Failure, Outcome, Plan, Run};
use crate::CloudError;

fn spec_of(a: &MetricAlarm) -> AlarmSpec {
    AlarmSpec {
        name: a.alarm_name().unwrap_or_default().to_string(),
        namespace: a.namespace().unwrap_or_default().to_string(),
        metric: a.metric_name().unwrap_or_default().to_string(),
        dimensions: a
            .dimensions()
            .iter()
            .map(|d| {
                (
                    d.name().unwrap_or_default().to_string(),
                    d.value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        stat: a
            .statistic()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        period: a.period().unwrap_or_default() as u32,
        evaluation_periods: a.evaluation_periods().unwrap_or_default() as u32,
        threshold: a.threshold().unwrap_or_default(),
        comparison: a
            .comparison_operator()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        description: a.alarm_description().map(str::to_string),
        alarm_actions: a.alarm_actions().to_vec(),
    }
}

/// The fields that differ, as (field, before, after).
fn differences(before: &AlarmSpec, after: &AlarmSpec) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let mut check = |field: &'static str, a: String, b: String| {
        if a != b {
            out.push((field, a, b));
        }
    };
    check(
        "namespace",
        before.namespace.clone(),
        after.namespace.clone(),
    );
    check("metric", before.metric.clone(), after.metric.clone());
    check(
        "dimensions",
        format!("{:?}", before.dimensions),
        format!("{:?}", after.dimensions),
    );
    check("statistic", before.stat.clone(), after.stat.clone());
    check(
        "period",
        before.period.to_string(),
        after.period.to_string(),
    );
    check(
        "evaluation periods",
        before.evaluation_periods.to_string(),
        after.evaluation_periods.to_string(),
    );
    check(
        "threshold",
        before.threshold.to_string(),
        after.threshold.to_string(),
    );
    check(
        "comparison",
        before.comparison.clone(),
        after.comparison.clone(),
    );
    check(
        "description",
        before.description.clone().unwrap_or_default(),
        after.description.clone().unwrap_or_default(),
    );
    check(
        "alarm actions",
        before.alarm_actions.join(", "),
        after.alarm_actions.join(", "),
    );
    out
}

fn describe_rule(s: &AlarmSpec) -> String {
    format!(
        "{} {} {} {} for {} x {} s",
        s.metric, s.stat, s.comparison, s.threshold, s.evaluation_periods, s.period
    )
}

fn validate(s: &AlarmSpec) -> Result<(), CloudError> {
    if !Statistic::values().contains(&s.stat.as_str()) {
        return Err(CloudError::Invalid(format!(
            "alarm {}: statistic '{}' is not one of Average, Sum, Maximum, Minimum, SampleCount",
            s.name, s.stat
        )));
    }
    if !ComparisonOperator::values().contains(&s.comparison.as_str()) {
        return Err(CloudError::Invalid(format!(
            "alarm {}: comparison '{}' is not one of GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold",
            s.name, s.comparison
        )));
    }
    Ok(())
}

async fn existing(run: &Run<'_>, names: Vec<String>) -> Result<Vec<AlarmSpec>, CloudError> {
    let cw = aws_sdk_cloudwatch::Client::new(&run.sdk());
    let mut found = Vec::new();
    for chunk in names.chunks(100) {
        let out = cw
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(run.fail("cloudwatch:DescribeAlarms"))?;
        found.extend(out.metric_alarms().iter().map(spec_of));
    }
    Ok(found)
}

pub(super) async fn plan(
    run: &Run<'_>,
    alarms: &[AlarmSpec],
    delete: &[String],
) -> Result<Plan, CloudError> {
    alarms.iter().try_for_each(validate)?;
    let names: Vec<String> = alarms
        .iter()
        .map(|a| a.name.clone())
        .chain(delete.iter().cloned())
        .collect();
    let current = existing(run, names).await?;
    let find = |name: &str| current.iter().find(|c| c.name == name);
    let mut changes = Vec::new();
    let (mut restore, mut remove) = (Vec::new(), Vec::new());
    for wanted in alarms {
        match find(&wanted.name) {
            None => {
                changes.push(Change {
                    resource: format!("alarm {}", wanted.name),
                    field: "alarm".into(),
                    before: None,
                    after: Some(describe_rule(wanted)),
                });
                if let Some(description) = &wanted.description {
                    changes.push(Change {
                        resource: format!("alarm {}", wanted.name),
                        field: "description".into(),
                        before: None,
                        after: Some(description.clone()),
                    });
                }
                remove.push(wanted.name.clone());
            }
            Some(before) => {
                let diff = differences(before, wanted);
                if !diff.is_empty() {
                    restore.push(before.clone());
                }
                changes.extend(diff.into_iter().map(|(field, b, a)| Change {
                    resource: format!("alarm {}", wanted.name),
                    field: field.into(),
                    before: Some(b),
                    after: Some(a),
                }));
            }
        }
    }
    for name in delete {
        if let Some(before) = find(name) {
            changes.push(Change {
                resource: format!("alarm {name}"),
                field: "alarm".into(),
                before: Some(describe_rule(before)),
                after: None,
            });
            restore.push(before.clone());
        }
    }
    let noop = changes.is_empty();
    let touched: std::collections::BTreeSet<&str> =
        changes.iter().map(|c| c.resource.as_str()).collect();
    Ok(Plan {
        kind: "cloudwatch.alarms".into(),
        summary: if noop {
            format!("all {} alarms are as declared; nothing to do", alarms.len())
        } else {
            format!(
                "change {} of {} alarms",
                touched.len(),
                alarms.len() + delete.len()
            )
        },
        changes,
        undo: (!noop).then_some(Action::Alarms {
            alarms: restore,
            delete: remove,
        }),
        noop,
        notes: Vec::new(),
    })
}

pub(super) async fn apply(
    run: &Run<'_>,
    alarms: &[AlarmSpec],
    delete: &[String],
) -> Result<Outcome, Failure> {
    let cw = aws_sdk_cloudwatch::Client::new(&run.sdk());
    let current = existing(run, alarms.iter().map(|a| a.name.clone()).collect()).await?;
    let (mut done, mut request_ids) = (Vec::new(), Vec::new());
    let stop = |error: CloudError, done: Vec<String>, request_ids: Vec<String>| Failure {
        error,
        done,
        request_ids,
    };
    for a in alarms {
        if current
            .iter()
            .any(|c| c.name == a.name && differences(c, a).is_empty())
        {
            continue;
        }
        if let Err(e) = run.cancelled() {
            return Err(stop(e, done, request_ids));
        }
        run.say(&format!("putting alarm {}: {}", a.name, describe_rule(a)));
        let dims: Vec<Dimension> = a
            .dimensions
            .iter()
            .map(|(k, v)| Dimension::builder().name(k).value(v).build())
            .collect();
        let result = cw
            .put_metric_alarm()
            .alarm_name(&a.name)
            .namespace(&a.namespace)
            .metric_name(&a.metric)
            .set_dimensions(Some(dims))
            .statistic(Statistic::from(a.stat.as_str()))
            .period(a.period as i32)
            .evaluation_periods(a.evaluation_periods as i32)
            .threshold(a.threshold)
            .comparison_operator(ComparisonOperator::from(a.comparison.as_str()))
            .set_alarm_description(a.description.clone())
            .set_alarm_actions(Some(a.alarm_actions.clone()))
            .send()
            .await;
        match result {
            Ok(out) => {
                request_ids.extend(request_id(&out));
                done.push(format!("alarm {} put", a.name));
            }
            Err(e) => {
                return Err(stop(
                    run.fail("cloudwatch:PutMetricAlarm")(e),
                    done,
                    request_ids,
                ))
            }
        }
    }
    if !delete.is_empty() {
        run.say(&format!("deleting alarms {}", delete.join(", ")));
        match cw
            .delete_alarms()
            .set_alarm_names(Some(delete.to_vec()))
            .send()
            .await
        {
            Ok(out) => {
                request_ids.extend(request_id(&out));
                done.push(format!("alarms {} deleted", delete.join(", ")));
            }
            Err(e) => {
                return Err(stop(
                    run.fail("cloudwatch:DeleteAlarms")(e),
                    done,
                    request_ids,
                ))
            }
        }
    }
    Ok(Outcome {
        changed: true,
        outputs: Default::default(),
        request_ids,
        undo: None,
        log: done,
    })
}
