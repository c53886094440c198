//! `flightdeck run` and `flightdeck timeline`, and `--run`: which run a command acts on.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone};
use flightdeck_core::{now_ms, run_timeline, wall_clock, Error, Flightdeck, RunStart, RunTimeline};
use flightdeck_model::{NotifyChannel, RunKind, RunNotify};
use flightdeck_schedule::{duration_words, WorkState};
use flightdeck_store::RunRow;

use crate::args::{Cli, RunCommand};
use crate::commands::acting;
use crate::output;

/// Sends what the runs started here have due on their channels, on the way out of every
/// command; a channel that cannot be reached is a warning, and is tried again next time.
pub async fn deliver_waiting(fd: &Flightdeck) {
    if let Err(e) = fd.deliver_notifications().await {
        eprintln!("warning: notifications not sent: {e}");
    }
}

/// Replaces the runbook key of a run-scoped command with the key of the run it acts on:
/// `--run NAME`, else the runbook's current run.
pub fn resolve_run(cli: &mut Cli) -> Result<(), Error> {
    let run = cli.run.clone();
    let dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(flightdeck_core::data_dir);
    match cli.command.run_scoped_runbook() {
        Some(runbook) => {
            let fd = Flightdeck::open(&dir)?;
            match fd.run_key(runbook, run.as_deref()) {
                Ok(key) => *runbook = key,
                // A runbook not imported here yet (a shared one a sync brings) keeps its name,
                // and the command says what is missing.
                Err(Error::Store(flightdeck_store::StoreError::UnknownRunbook(_)))
                    if run.is_none() => {}
                Err(e) => return Err(e),
            }
            Ok(())
        }
        None if run.is_some() => Err(Error::Invalid(
            "--run applies to commands that act on a run of a runbook (status, item, signoff, \
             action, timeline...)"
                .into(),
        )),
        None => Ok(()),
    }
}

pub async fn run(fd: &Flightdeck, command: RunCommand) -> Result<(), Error> {
    match command {
        RunCommand::Start {
            runbook,
            live,
            env,
            t0,
            name,
            who,
            json,
            notify_sns,
            notify_env,
            notify_webhook,
            late_after,
            ..
        } => {
            let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
            let (t0_ms, utc_offset_minutes) = parse_t0(&t0)?;
            let channel = match (notify_sns, notify_env, notify_webhook) {
                (Some(topic_arn), Some(environment), _) => Some(NotifyChannel::Sns {
                    environment,
                    topic_arn,
                }),
                (_, _, Some(secret)) => Some(NotifyChannel::Webhook { secret }),
                _ => None,
            };
            let notify = channel.map(|channel| RunNotify {
                channel,
                late_after_minutes: late_after,
            });
            let start = RunStart {
                kind: if live {
                    RunKind::Live
                } else {
                    RunKind::Rehearsal
                },
                name,
                environment: env,
                t0_ms,
                utc_offset_minutes,
                notify,
            };
            let run = fd.start_run(&actor, &runbook, &start)?;
            if json {
                output::json(&run);
            } else {
                println!(
                    "started {} run '{}' of {} (T0 {}); it is the runbook's current run, kept as {}",
                    run.kind.as_str(),
                    run.name,
                    run.runbook,
                    describe_t0(&run),
                    run.key
                );
            }
        }
        RunCommand::List { runbook, json } => {
            let runs = fd.read()?.runs(&runbook)?;
            if json {
                output::json(&runs);
            } else {
                for run in &runs {
                    println!(
                        "{} {:<16} {:<9} {:<6} T0 {:<22} {}",
                        if run.current { "*" } else { " " },
                        run.name,
                        run.kind.as_str(),
                        run.environment.as_deref().unwrap_or("-"),
                        describe_t0(run),
                        run.ended_at
                            .as_deref()
                            .map_or_else(|| "open".to_string(), |at| format!("ended {at}"))
                    );
                }
            }
        }
        RunCommand::Notify { runbook, json } => {
            let sent = fd.deliver_run_notifications(&runbook).await?;
            if json {
                output::json(&sent);
            } else if sent.is_empty() {
                println!("nothing due on {runbook}'s channel");
            } else {
                for n in &sent {
                    println!("sent: {}", n.message);
                }
            }
        }
        RunCommand::End { runbook, who, json } => {
            let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
            let run = fd.end_run(&actor, &runbook)?;
            if json {
                output::json(&run);
            } else {
                println!("ended run '{}' of {}", run.name, run.runbook);
            }
        }
    }
    Ok(())
}

pub fn timeline(fd: &Flightdeck, key: &str, json: bool) -> Result<(), Error> {
    let view = run_timeline(&*fd.read()?, key, now_ms())?;
    if json {
        output::json(&view);
    } else {
        print_timeline(&view);
    }
    Ok(())
}

fn print_timeline(view: &RunTimeline) {
    let t = &view.timeline;
    let day = |ms: i64| (ms.div_euclid(60_000) + i64::from(t.utc_offset_minutes)).div_euclid(1440);
    let clock = |ms: i64| match day(ms) - day(t.t0_ms) {
        0 => wall_clock(ms, t.utc_offset_minutes),
        d => format!("{d:+}d {}", wall_clock(ms, t.utc_offset_minutes)),
    };
    let span = |start: i64, end: Option<i64>| match end {
        Some(end) if day(end) == day(start) => {
            format!("{}-{}", clock(start), wall_clock(end, t.utc_offset_minutes))
        }
        Some(end) => format!("{}-{}", clock(start), clock(end)),
        None => format!("{}-", clock(start)),
    };
    println!(
        "{} run '{}' of {}, T0 {}",
        view.run.kind.as_str(),
        view.run.name,
        view.run.runbook,
        describe_t0(&view.run)
    );
    println!(
        "{} (planned end {}, projected {})",
        t.headline,
        clock(t.planned_end_ms),
        clock(t.projected_end_ms)
    );
    println!(
        "  {:<17}  {:<17}  {:>11}  ITEM",
        "PLANNED", "ACTUAL", "LATE"
    );
    for item in &t.items {
        let actual = item
            .actual_start_ms
            .map(|s| span(s, item.actual_end_ms))
            .unwrap_or_default();
        let late = match (item.late_minutes, item.progress) {
            (m, _) if m > 0 => format!("+{}", duration_words(m)),
            (_, WorkState::Done) => "done".to_string(),
            _ => String::new(),
        };
        let indent = if item.planned.kind == flightdeck_schedule::ItemKind::Phase {
            ""
        } else {
            "  "
        };
        println!(
            "  {:<17}  {:<17}  {:>11}  {indent}{}{}{}",
            span(item.planned.start_ms, Some(item.planned.end_ms)),
            actual,
            late,
            item.planned.title,
            if item.planned.critical {
                "  [critical]"
            } else {
                ""
            },
            if item.planned.fixed_start {
                "  [fixed start]"
            } else {
                ""
            },
        );
    }
}

fn describe_t0(run: &RunRow) -> String {
    match run.t0_ms {
        Some(ms) => {
            let offset = run.utc_offset_minutes;
            let fixed = chrono::FixedOffset::east_opt(offset * 60)
                .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero is an offset"));
            DateTime::from_timestamp_millis(ms)
                .map(|t| {
                    t.with_timezone(&fixed)
                        .format("%Y-%m-%d %H:%M %:z")
                        .to_string()
                })
                .unwrap_or_default()
        }
        None => "none".to_string(),
    }
}

/// "2027-01-10 09:00" on this machine's clock, or "2027-01-10 09:00 +02:00": the instant in
/// milliseconds and the offset its wall clock is at.
fn parse_t0(text: &str) -> Result<(i64, i32), Error> {
    let text = text.trim();
    let bad = || {
        Error::Invalid(format!(
            "'{text}' is not a T0: write it as \"2027-01-10 09:00\" (this machine's clock) or \
             \"2027-01-10 09:00 +02:00\""
        ))
    };
    if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M %:z")
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M%:z"))
        .or_else(|_| DateTime::parse_from_rfc3339(text))
    {
        return Ok((t.timestamp_millis(), t.offset().local_minus_utc() / 60));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").map_err(|_| bad())?;
    let local = Local
        .from_local_datetime(&naive)
        .earliest()
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{text} does not exist on this machine's clock (a daylight-saving gap)"
            ))
        })?;
    Ok((
        local.timestamp_millis(),
        local.offset().local_minus_utc() / 60,
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_t0;

    #[test]
    fn t0_with_an_offset() {
        assert_eq!(
            parse_t0("2027-01-10 09:00 +02:00").unwrap(),
            (1_799_564_400_000, 120)
        );
        assert_eq!(
            parse_t0("2027-01-10T07:00:00Z").unwrap(),
            (1_799_564_400_000, 0)
        );
        assert_eq!(parse_t0("tomorrow").unwrap_err().code(), "invalid_input");
    }
}
