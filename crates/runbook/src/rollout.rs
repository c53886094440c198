//! Progressive rollouts: `kind = "rollout"` in a ```` ```flightdeck ```` block shifts traffic to a
//! new version step by step, each step judged by criteria before the next.
//!
//! ```toml
//! [[action]]
//! id = "canary"
//! kind = "rollout"
//! steps = [10, 50, 100]          # percent of traffic on the new version
//! pause = "5m"                   # at least this long at each step, every criterion passing
//! interval = "30s"               # how often the step is judged
//! failure_limit = 0              # failed judgments in a step beyond this roll back
//! inconclusive_limit = 2         # judgments without data beyond this hold for a person
//! on_failure = "rollback"        # or "pause"
//! existing_alarms = "block"      # an alarm in ALARM before the start: "block" or "ignore"
//! criteria = "Phase 9"           # a phase's go/no-go criteria, or [[action.criterion]] tables
//! alb = { listener_arn = "...", stable = "arn:...:targetgroup/blue/1", canary = "arn:...:targetgroup/green/2" }
//! # lambda = { function = "ledger", alias = "live", version = "7" }
//! # route53 = { zone_id = "Z1", name = "api.example.com", type = "A", stable = "blue", canary = "green" }
//! ```

use serde::{Deserialize, Serialize};

use crate::actions::Action;
use crate::criteria::{criterion_from_toml, seconds, Criterion, CriterionKind};

/// The traffic a rollout shifts, between a stable and a canary version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case", deny_unknown_fields)]
pub enum Traffic {
    /// An ALB listener's forward weights between two target groups (blue/green).
    Alb {
        listener_arn: String,
        stable: String,
        canary: String,
    },
    /// A Lambda alias's routing config: the canary version gets the step's share; at 100% the
    /// alias points at it.
    Lambda {
        function: String,
        alias: String,
        version: String,
    },
    /// Two Route53 weighted records of one name, by set identifier.
    Route53 {
        zone_id: String,
        name: String,
        #[serde(rename = "type")]
        record_type: String,
        stable: String,
        canary: String,
    },
}

impl Traffic {
    /// The action that puts `percent` of the traffic on the canary. `stable_version` is the
    /// Lambda alias's version when the rollout began.
    pub fn at(&self, percent: u32, stable_version: &str) -> Action {
        let canary_share = i64::from(percent.min(100));
        match self {
            Traffic::Alb {
                listener_arn,
                stable,
                canary,
            } => Action::AlbWeights {
                listener_arn: listener_arn.clone(),
                weights: [
                    (stable.clone(), (100 - canary_share) as i32),
                    (canary.clone(), canary_share as i32),
                ]
                .into(),
            },
            Traffic::Lambda {
                function,
                alias,
                version,
            } => {
                let (version, weights) = if percent >= 100 {
                    (version.clone(), Default::default())
                } else if percent == 0 {
                    (stable_version.to_string(), Default::default())
                } else {
                    (
                        stable_version.to_string(),
                        [(version.clone(), f64::from(percent) / 100.0)].into(),
                    )
                };
                Action::LambdaAlias {
                    function: function.clone(),
                    alias: alias.clone(),
                    version,
                    weights,
                }
            }
            Traffic::Route53 {
                zone_id,
                name,
                record_type,
                stable,
                canary,
            } => Action::Route53Weights {
                zone_id: zone_id.clone(),
                name: name.clone(),
                record_type: record_type.clone(),
                weights: [
                    (stable.clone(), 100 - canary_share),
                    (canary.clone(), canary_share),
                ]
                .into(),
            },
        }
    }

    /// The canary's percent of the traffic in a state read from AWS (the undo a plan returns),
    /// when it is one of this traffic's.
    pub fn percent_in(&self, state: &Action) -> Option<u32> {
        let percent = |canary: f64, total: f64| {
            if total <= 0.0 {
                0
            } else {
                (canary * 100.0 / total).round() as u32
            }
        };
        match (self, state) {
            (Traffic::Alb { stable, canary, .. }, Action::AlbWeights { weights, .. }) => {
                let c = f64::from(*weights.get(canary).unwrap_or(&0));
                let s = f64::from(*weights.get(stable).unwrap_or(&0));
                Some(percent(c, c + s))
            }
            (
                Traffic::Lambda {
                    version: canary, ..
                },
                Action::LambdaAlias {
                    version, weights, ..
                },
            ) => Some(if version == canary {
                100
            } else {
                percent(*weights.get(canary).unwrap_or(&0.0), 1.0)
            }),
            (Traffic::Route53 { stable, canary, .. }, Action::Route53Weights { weights, .. }) => {
                let c = *weights.get(canary).unwrap_or(&0) as f64;
                let s = *weights.get(stable).unwrap_or(&0) as f64;
                Some(percent(c, c + s))
            }
            _ => None,
        }
    }

    /// What is shifted, in a few words.
    pub fn describe(&self) -> String {
        match self {
            Traffic::Alb {
                listener_arn,
                canary,
                ..
            } => format!(
                "ALB listener {} to target group {}",
                short(listener_arn),
                short(canary)
            ),
            Traffic::Lambda {
                function,
                alias,
                version,
            } => format!("Lambda alias {function}:{alias} to version {version}"),
            Traffic::Route53 {
                name,
                record_type,
                canary,
                ..
            } => format!("Route53 {name} {record_type} to the '{canary}' records"),
        }
    }
}

fn short(arn: &str) -> &str {
    let mut parts = arn.rsplit('/');
    match (parts.next(), parts.next()) {
        (Some(_), Some(name)) if arn.contains(":targetgroup/") => name,
        _ => arn.rsplit(':').next().unwrap_or(arn),
    }
}

/// What a rollout does when a step fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Put the traffic back as it was before the rollout, at once.
    #[default]
    Rollback,
    /// Hold at the current weight and ask a person.
    Pause,
}

/// What an alarm already in ALARM when the rollout starts means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExistingAlarms {
    /// The rollout does not start.
    #[default]
    Block,
    /// It starts; those alarms are reported and do not fail its alarm criteria.
    Ignore,
}

/// Which criteria judge each step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum RolloutCriteria {
    /// A phase's go/no-go criteria (its id, e.g. `phase-9`).
    Phase { phase: String },
    /// Criteria declared in the action.
    Inline { criteria: Vec<Criterion> },
}

/// A rollout as declared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollout {
    pub traffic: Traffic,
    /// Percent of traffic on the canary at each step, rising, the last 100.
    pub steps: Vec<u32>,
    pub pause_seconds: u32,
    pub interval_seconds: u32,
    pub failure_limit: u32,
    pub inconclusive_limit: u32,
    pub on_failure: OnFailure,
    pub existing_alarms: ExistingAlarms,
    pub criteria: RolloutCriteria,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRollout {
    steps: Vec<u32>,
    pause: String,
    #[serde(default = "thirty_seconds")]
    interval: String,
    #[serde(default)]
    failure_limit: u32,
    #[serde(default = "two")]
    inconclusive_limit: u32,
    #[serde(default)]
    on_failure: OnFailure,
    #[serde(default)]
    existing_alarms: ExistingAlarms,
    criteria: Option<String>,
    #[serde(default)]
    criterion: Vec<toml::Value>,
    alb: Option<RawTwo>,
    lambda: Option<RawLambda>,
    route53: Option<RawRoute53>,
}

fn thirty_seconds() -> String {
    "30s".into()
}
fn two() -> u32 {
    2
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTwo {
    listener_arn: String,
    stable: String,
    canary: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLambda {
    function: String,
    alias: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute53 {
    zone_id: String,
    name: String,
    #[serde(rename = "type")]
    record_type: String,
    stable: String,
    canary: String,
}

fn duration(field: &str, text: &str) -> Result<u32, String> {
    seconds(text)
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("{field} = \"{text}\" is not a duration such as \"5m\" or \"30s\""))
}

/// Reads a rollout's table (without its id and title); `id` names its inline criteria.
pub(crate) fn parse_rollout(id: &str, table: toml::Table) -> Result<Rollout, String> {
    let raw: RawRollout = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    if raw.steps.is_empty()
        || raw.steps.windows(2).any(|w| w[0] >= w[1])
        || raw.steps.last() != Some(&100)
        || raw.steps[0] == 0
    {
        return Err(format!(
            "steps {:?} must rise from above 0 to 100, e.g. [10, 50, 100]",
            raw.steps
        ));
    }
    let traffic = match (raw.alb, raw.lambda, raw.route53) {
        (Some(a), None, None) => Traffic::Alb {
            listener_arn: a.listener_arn,
            stable: a.stable,
            canary: a.canary,
        },
        (None, Some(l), None) => Traffic::Lambda {
            function: l.function,
            alias: l.alias,
            version: l.version,
        },
        (None, None, Some(r)) => Traffic::Route53 {
            zone_id: r.zone_id,
            name: r.name,
            record_type: r.record_type,
            stable: r.stable,
            canary: r.canary,
        },
        _ => return Err(
            "a rollout shifts exactly one of alb = { ... }, lambda = { ... } or route53 = { ... }"
                .into(),
        ),
    };
    let criteria = match (raw.criteria, raw.criterion.is_empty()) {
        (Some(reference), true) => {
            let Some(phase) = crate::labels::phase_references(&reference)
                .into_iter()
                .next()
            else {
                return Err(format!(
                    "criteria = \"{reference}\" names no phase (e.g. \"Phase 9\")"
                ));
            };
            RolloutCriteria::Phase { phase }
        }
        (None, false) => {
            let mut criteria = Vec::new();
            for (n, value) in raw.criterion.into_iter().enumerate() {
                let (name, kind) = criterion_from_toml(value)?;
                if !matches!(
                    kind,
                    CriterionKind::Metric { .. } | CriterionKind::Alarms { .. }
                ) {
                    return Err(format!(
                        "criterion '{name}': a rollout is judged by metric and alarm criteria only"
                    ));
                }
                criteria.push(Criterion {
                    id: format!("{id}.c{}", n + 1),
                    name,
                    phase: String::new(),
                    line: 0,
                    kind,
                });
            }
            RolloutCriteria::Inline { criteria }
        }
        _ => {
            return Err(
                "a rollout is judged by criteria = \"Phase N\" or by [[action.criterion]] tables, one of the two".into(),
            )
        }
    };
    Ok(Rollout {
        traffic,
        steps: raw.steps,
        pause_seconds: duration("pause", &raw.pause)?,
        interval_seconds: duration("interval", &raw.interval)?,
        failure_limit: raw.failure_limit,
        inconclusive_limit: raw.inconclusive_limit,
        on_failure: raw.on_failure,
        existing_alarms: raw.existing_alarms,
        criteria,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn a_rollout_reads_its_steps_traffic_and_criteria() {
        let r = parse_rollout(
            "canary",
            table(
                "steps = [10, 50, 100]\npause = \"5m\"\ninterval = \"10s\"\non_failure = \"pause\"\nalb = { listener_arn = \"arn:l\", stable = \"blue\", canary = \"green\" }\n[[criterion]]\nname = \"Error rate\"\nnamespace = \"App\"\nmetric = \"Errors\"\npass_when = \"<\"\nthreshold = 5\nmin_samples = 3\nno_data = \"fail\"\n",
            ),
        )
        .unwrap();
        assert_eq!(
            (r.steps.clone(), r.pause_seconds, r.interval_seconds),
            (vec![10, 50, 100], 300, 10)
        );
        assert_eq!(r.on_failure, OnFailure::Pause);
        assert_eq!((r.failure_limit, r.inconclusive_limit), (0, 2));
        let RolloutCriteria::Inline { criteria } = &r.criteria else {
            panic!("{:?}", r.criteria)
        };
        assert_eq!(criteria[0].id, "canary.c1");
        assert!(matches!(
            criteria[0].kind,
            CriterionKind::Metric {
                min_samples: 3,
                no_data: crate::criteria::NoData::Fail,
                ..
            }
        ));
        match r.traffic.at(50, "") {
            Action::AlbWeights { weights, .. } => {
                assert_eq!(weights, [("blue".into(), 50), ("green".into(), 50)].into())
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(r.traffic.percent_in(&r.traffic.at(10, "")), Some(10));
    }

    #[test]
    fn a_lambda_rollout_weights_the_canary_and_ends_on_it() {
        let t = Traffic::Lambda {
            function: "f".into(),
            alias: "live".into(),
            version: "3".into(),
        };
        match t.at(10, "2") {
            Action::LambdaAlias {
                version, weights, ..
            } => {
                assert_eq!(version, "2");
                assert_eq!(weights, [("3".to_string(), 0.1)].into());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(t.percent_in(&t.at(100, "2")), Some(100));
        assert_eq!(t.percent_in(&t.at(0, "2")), Some(0));
    }

    #[test]
    fn mistakes_say_what_is_wrong() {
        let bad = |text: &str| parse_rollout("x", table(text)).unwrap_err();
        let alb = "alb = { listener_arn = \"l\", stable = \"b\", canary = \"g\" }\n";
        assert!(bad(&format!(
            "steps = [50, 10]\npause = \"1m\"\ncriteria = \"Phase 2\"\n{alb}"
        ))
        .contains("must rise"));
        assert!(bad(&format!(
            "steps = [10, 100]\npause = \"soon\"\ncriteria = \"Phase 2\"\n{alb}"
        ))
        .contains("pause = \"soon\""));
        assert!(
            bad("steps = [10, 100]\npause = \"1m\"\ncriteria = \"Phase 2\"\n")
                .contains("exactly one of")
        );
        assert!(
            bad(&format!("steps = [10, 100]\npause = \"1m\"\n{alb}")).contains("one of the two")
        );
        assert!(bad(&format!(
            "steps = [10, 100]\npause = \"1m\"\n{alb}[[criterion]]\nname = \"PO\"\nconfirmed_by = \"Product Owner\"\n"
        ))
        .contains("metric and alarm criteria only"));
    }
}
