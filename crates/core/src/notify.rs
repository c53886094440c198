//! A run's announcements: its sign-offs, go/no-go decisions, rollbacks, and items running more
//! than the run's limit behind plan, sent on the channel the run names (an SNS topic or a
//! webhook). What is due is read from the run's audit trail and timeline, and each sending is
//! itself an event, so a crash or an unreachable channel loses nothing: what was not sent is
//! found and sent the next time, and nothing is sent twice.

use flightdeck_model::{split_run_key, Event, NotifyChannel, RunNotify};
use flightdeck_store::{RunRow, Store};
use flightdeck_vault::ExposeSecret;

use crate::schedule::{now_ms, run_timeline};
use crate::{Error, Flightdeck};

/// One announcement: what it is about (its key: each is sent once) and what it says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    pub subject: String,
    pub message: String,
}

/// What the run's trail and timeline call for that its channel has not carried yet.
fn due(
    store: &Store,
    run: &RunRow,
    notify: &RunNotify,
    now_ms: i64,
) -> Result<Vec<Notification>, Error> {
    let title = store.outline(&run.key)?.title;
    let head = format!("[{} {}] {title}", run.kind.as_str(), run.name);
    let mut due = Vec::new();
    for e in &store.trail_of(&run.key)? {
        let Some(event_id) = &e.event_id else {
            continue;
        };
        let said = match e.kind.as_str() {
            "signoff" => Some(format!(
                "phase {} signed off by {} ({})",
                e.subject, e.actor, e.role
            )),
            "decision" => Some(format!(
                "go/no-go decision {} by {} ({}): {}",
                e.subject.replace('_', "-").to_uppercase(),
                e.actor,
                e.role,
                e.detail
                    .get("reason")
                    .and_then(|r| r.as_str())
                    .unwrap_or("")
            )),
            "action_undo" => Some(format!(
                "rollback of {} by {}: {}",
                e.subject,
                e.actor,
                e.detail
                    .get("status")
                    .and_then(|s| s.as_str())
                    .unwrap_or("")
            )),
            "rollout_rollback_begun" | "rollout_abort" => Some(format!(
                "rollout {} is rolling back: {}",
                e.subject,
                e.detail
                    .pointer("/change/reason")
                    .and_then(|r| r.as_str())
                    .unwrap_or("")
            )),
            _ => None,
        };
        if let Some(said) = said {
            due.push(Notification {
                subject: format!("{}:{event_id}", e.kind),
                message: format!("{head}: {said}"),
            });
        }
    }
    if run.t0_ms.is_some() {
        let timeline = run_timeline(store, &run.key, now_ms)?.timeline;
        for item in &timeline.items {
            if item.late_minutes > i64::from(notify.late_after_minutes)
                && item.actual_end_ms.is_none()
            {
                due.push(Notification {
                    subject: format!("late:{}", item.planned.id),
                    message: format!(
                        "{head}: {} is {} min late; {}",
                        item.planned.title, item.late_minutes, timeline.headline
                    ),
                });
            }
        }
    }
    due.retain(|d| !store.notified(&run.key, &d.subject).unwrap_or(false));
    Ok(due)
}

impl Flightdeck {
    /// Sends what every open run started here with a channel has due; what was sent.
    pub async fn deliver_notifications(&self) -> Result<Vec<Notification>, Error> {
        let runs = self.read()?.notifying_runs()?;
        let mut sent = Vec::new();
        for run in runs {
            sent.extend(self.deliver_run(&run).await?);
        }
        Ok(sent)
    }

    /// Sends what the run `key` has due on its channel, recording each sending (or why it
    /// failed); what was sent.
    pub async fn deliver_run_notifications(&self, key: &str) -> Result<Vec<Notification>, Error> {
        let run = self.read()?.run(key)?;
        self.deliver_run(&run).await
    }

    async fn deliver_run(&self, run: &RunRow) -> Result<Vec<Notification>, Error> {
        let Some(notify) = &run.notify else {
            return Ok(Vec::new());
        };
        let due = due(&*self.read()?, run, notify, now_ms())?;
        let mut sent = Vec::new();
        for d in due {
            let error = self.send(&notify.channel, run, &d).await.err();
            let mut store = self.write()?;
            let author = self.author_of(&mut store, None)?;
            store.record_event(
                &author,
                Event::NotificationSent {
                    runbook: run.key.clone(),
                    subject: d.subject.clone(),
                    channel: notify.channel.describe(),
                    message: d.message.clone(),
                    error: error.as_ref().map(Error::to_string),
                },
            )?;
            match error {
                None => sent.push(d),
                Some(e) => tracing::warn!(run = %run.key, error = %e, "notification not sent"),
            }
        }
        Ok(sent)
    }

    async fn send(
        &self,
        channel: &NotifyChannel,
        run: &RunRow,
        due: &Notification,
    ) -> Result<(), Error> {
        match channel {
            NotifyChannel::Sns {
                environment,
                topic_arn,
            } => {
                let env = self.read()?.environment(environment)?;
                let subject = format!("Flightdeck: {}", split_run_key(&run.key).0);
                flightdeck_cloud::publish_sns(
                    &env,
                    self.vault(),
                    topic_arn,
                    &subject,
                    &due.message,
                )
                .await?;
            }
            NotifyChannel::Webhook { secret } => {
                let url = self.vault().get(secret)?;
                flightdeck_cloud::post_webhook(url.expose_secret(), &due.message).await?;
            }
        }
        Ok(())
    }
}
