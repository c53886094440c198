//! Running a runbook's actions: plan, confirm, apply, undo, each run recorded before its first
//! AWS call and finished after its last, in the action runs and the audit trail.
//!
//! Who may do what:
//! - applying needs an environment that passed its connection test, an open phase gate, and a
//!   role other than client stakeholder;
//! - a change needs a confirmation: "yes" where the environment asks for a plain one, its name
//!   typed where it asks for that (PROD);
//! - undoing in an environment that asks for the typed name is for the rollback roles the runbook
//!   gives the step (`rollback_roles`); elsewhere for anyone who may apply.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use flightdeck_cloud::{sdk_config, Failure, Outcome, Plan, Run};
use flightdeck_model::{Author, Direction};
use flightdeck_runbook::{resolve_vars, Action, ActionStep};
use flightdeck_store::{ActionRun, Actor, Environment, GuardLevel, RunResult, RunStatus, Store};
use flightdeck_vault::Vault;

use crate::permissions::Change;
use crate::{Error, Flightdeck, Reporter, Typed};

/// A step ready to plan or run: its action with every `${...}` resolved, and its environment.
pub(crate) struct ActionInput {
    pub key: String,
    pub step: ActionStep,
    pub env: Environment,
    pub direction: Direction,
    /// The action to run: the step's own, or the undo recorded by its last change.
    pub action: Action,
}

/// The variables a step may use: the environment's and the outputs of earlier steps' last
/// successful runs in this environment.
fn variables(
    store: &Store,
    key: &str,
    env: &Environment,
) -> Result<BTreeMap<String, String>, Error> {
    let mut vars: BTreeMap<String, String> = [
        ("env.name".to_string(), env.name.clone()),
        ("env.region".to_string(), env.region.clone()),
    ]
    .into();
    if let Some(account) = &env.account_id {
        vars.insert("env.account".into(), account.clone());
    }
    for run in store.action_runs(key, None)?.into_iter().rev() {
        if run.environment == env.name
            && run.direction == "apply"
            && run.status == RunStatus::Succeeded
        {
            for (name, value) in run.outputs {
                vars.insert(format!("steps.{}.{name}", run.step), value);
            }
        }
    }
    Ok(vars)
}

/// The undo to run for a step: the one recorded by its last change in this environment.
fn recorded_undo(store: &Store, key: &str, step: &str, env: &str) -> Result<Action, Error> {
    let last = store
        .action_runs(key, Some(step))?
        .into_iter()
        .find(|r| r.environment == env && r.status == RunStatus::Succeeded);
    match last {
        Some(run) if run.direction == "apply" => match run.undo {
            Some(undo) => serde_json::from_value(undo)
                .map_err(|e| Error::Invalid(format!("the undo recorded for '{step}' cannot be read: {e}"))),
            None => Err(Error::Invalid(format!(
                "the last run of '{step}' in {env} recorded no undo (its kind cannot be undone)"
            ))),
        },
        Some(_) => Err(Error::Invalid(format!(
            "'{step}' was already undone in {env}; apply it again before undoing it"
        ))),
        None => Err(Error::Invalid(format!(
            "'{step}' has not changed anything in {env}, so there is nothing recorded to undo; to go back without a record use a rollback step such as ecs.deploy with task_definition = \"previous\""
        ))),
    }
}

/// Reads what a plan or run needs from the store.
pub(crate) fn action_input(
    store: &Store,
    key: &str,
    step_id: &str,
    env_name: &str,
    direction: Direction,
) -> Result<ActionInput, Error> {
    let runbook = store.document(key)?;
    let step = runbook.action(step_id).cloned().ok_or_else(|| {
        let known: Vec<String> = runbook
            .phases
            .iter()
            .flat_map(|p| p.actions.iter().map(|a| a.id.clone()))
            .collect();
        Error::Invalid(format!(
            "runbook '{key}' has no action '{step_id}'; its actions: {}",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ))
    })?;
    let env = store.environment(env_name)?;
    if let (Action::Rollout(_), Direction::Undo) = (&step.action, direction) {
        return Err(Error::Invalid(format!(
            "'{step_id}' is a rollout: `flightdeck rollout abort` rolls it back"
        )));
    }
    let action = match direction {
        Direction::Apply => {
            let vars = variables(store, key, &env)?;
            resolve_vars(&step.action, &vars).map_err(|why| {
                Error::Invalid(format!("action '{step_id}' (line {}): {why}", step.line))
            })?
        }
        Direction::Undo => recorded_undo(store, key, step_id, env_name)?,
    };
    Ok(ActionInput {
        key: key.to_string(),
        step,
        env,
        direction,
        action,
    })
}

fn quiet(_: &str) {}

/// Reads the current state in AWS and says what running the input would change.
async fn plan(input: &ActionInput, vault: &Vault) -> Result<Plan, Error> {
    let never = AtomicBool::new(false);
    let run = Run {
        config: sdk_config(&input.env, vault).await?,
        env: &input.env,
        progress: &quiet,
        cancel: &never,
    };
    Ok(flightdeck_cloud::plan(&run, &input.action).await?)
}

/// A change to `env` needs its confirmation: "yes" where it asks for a plain one, its name
/// typed where it asks for that (PROD).
pub(crate) fn require_confirmation(
    env: &Environment,
    confirmation: Option<&str>,
) -> Result<(), Error> {
    let confirmed = match env.guard {
        GuardLevel::TypeName => confirmation == Some(env.name.as_str()),
        GuardLevel::Confirm => confirmation.is_some_and(|c| !c.trim().is_empty()),
    };
    if confirmed {
        return Ok(());
    }
    Err(match env.guard {
        GuardLevel::TypeName => Error::NotConfirmed {
            message: format!(
                "this changes {}: type the environment's name, {}, to confirm",
                env.name, env.name
            ),
            needs: vec![Typed::EnvironmentName(env.name.clone())],
        },
        GuardLevel::Confirm => Error::NotConfirmed {
            message: format!(
                "this changes {}: confirm it after reading the plan",
                env.name
            ),
            needs: Vec::new(),
        },
    })
}

/// Checks the environment, the gate and the confirmation; then records the run as begun.
/// Returns the run's id. Who is acting was checked before.
fn begin_action(
    store: &mut Store,
    input: &ActionInput,
    author: &Author,
    confirmation: Option<&str>,
) -> Result<i64, Error> {
    let step = &input.step;
    if input.action.mutates() {
        crate::require_verified(&input.env)?;
        require_confirmation(&input.env, confirmation)?;
    }
    if input.direction == Direction::Apply {
        crate::require_open(store, &input.key, &step.phase)?;
    }
    let action = serde_json::to_value(&input.action).map_err(|e| Error::Invalid(e.to_string()))?;
    Ok(store.begin_action_run(
        &input.key,
        author,
        &step.id,
        &input.env.name,
        input.direction,
        &action,
    )?)
}

/// Runs the input's action against AWS, reporting progress lines.
async fn execute_action(
    input: &ActionInput,
    vault: &Vault,
    progress: &(dyn Fn(&str) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Outcome, Failure> {
    let config = sdk_config(&input.env, vault).await.map_err(Failure::from)?;
    let run = Run {
        config,
        env: &input.env,
        progress,
        cancel,
    };
    flightdeck_cloud::apply(&run, &input.action).await
}

/// Records how the run ended; a failure becomes an error naming what was and was not done.
fn finish_action(
    store: &mut Store,
    input: &ActionInput,
    author: &Author,
    run: i64,
    result: Result<Outcome, Failure>,
) -> Result<ActionRun, Error> {
    match result {
        Ok(outcome) => {
            let undo = outcome
                .undo
                .as_ref()
                .and_then(|u| serde_json::to_value(u).ok());
            Ok(store.finish_action_run(
                &input.key,
                author,
                run,
                &RunResult {
                    status: if outcome.changed {
                        RunStatus::Succeeded
                    } else {
                        RunStatus::Unchanged
                    },
                    outputs: &outcome.outputs,
                    request_ids: &outcome.request_ids,
                    undo: undo.as_ref(),
                    log: &outcome.log,
                    error: None,
                },
            )?)
        }
        Err(failure) => {
            let message = failure.to_string();
            store.finish_action_run(
                &input.key,
                author,
                run,
                &RunResult {
                    status: RunStatus::Failed,
                    outputs: &BTreeMap::new(),
                    request_ids: &failure.request_ids,
                    undo: None,
                    log: &failure.done,
                    error: Some(&message),
                },
            )?;
            Err(Error::ActionFailed {
                step: input.step.id.clone(),
                run,
                message,
            })
        }
    }
}

impl Flightdeck {
    /// Reads the current state in AWS and says what applying (or undoing) the step would
    /// change, and how to undo it. Changes nothing.
    pub async fn plan_action(
        &self,
        key: &str,
        step: &str,
        env: &str,
        direction: Direction,
    ) -> Result<Plan, Error> {
        let (input, notes) = {
            let store = self.read()?;
            let input = action_input(&store, key, step, env, direction)?;
            let notes = crate::rollout::plan_notes(&store, &input)?;
            (input, notes)
        };
        let mut plan = plan(&input, self.vault()).await?;
        if let Action::Rollout(rollout) = &input.action {
            plan.notes = notes;
            plan.notes
                .extend(crate::rollout::alarm_notes(rollout, &input.env, self.vault()).await?);
        }
        Ok(plan)
    }

    /// Applies or undoes a step: who may, the environment's test, the gate and the
    /// confirmation are checked; the run is recorded before its first AWS call and finished
    /// after its last, with progress lines to `reporter` and its cancel honoured between calls.
    #[allow(clippy::too_many_arguments)]
    pub async fn run_action(
        &self,
        actor: &Actor,
        key: &str,
        step: &str,
        env: &str,
        direction: Direction,
        confirmation: Option<&str>,
        reporter: &dyn Reporter,
    ) -> Result<ActionRun, Error> {
        let (input, run, author) = {
            let mut store = self.write()?;
            let input = action_input(&store, key, step, env, direction)?;
            if let Action::Rollout(_) = input.action {
                return Err(Error::Invalid(format!(
                    "'{step}' is a rollout: it runs step by step, judged between steps; start it with `flightdeck rollout run` or the Rollouts panel"
                )));
            }
            let change = match direction {
                Direction::Apply => Change::Apply,
                Direction::Undo => Change::Undo {
                    step: &input.step.id,
                    environment: &input.env.name,
                    typed_guard: input.env.guard == GuardLevel::TypeName,
                    rollback_roles: &input.step.rollback_roles,
                },
            };
            self.permit(&mut store, actor, change, Some(key), step)?;
            let author = self.author(&mut store, actor)?;
            let run = begin_action(&mut store, &input, &author, confirmation)?;
            (input, run, author)
        };
        reporter.began(run);
        let progress = reporter.progress();
        let lines = |line: &str| reporter.line(line);
        let result = execute_action(&input, self.vault(), &lines, progress.cancel_flag()).await;
        finish_action(&mut *self.write()?, &input, &author, run, result)
    }
}
