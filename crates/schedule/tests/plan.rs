//! The plan of a runbook with every form of time: starts, ends and the critical path.

use flightdeck_schedule::{plan, timeline, Baseline, RunProgress, Tick};

const MINUTE: i64 = 60_000;
/// 2027-01-10 09:00 at UTC+02:00.
const T0: i64 = 1_799_564_400_000;

fn runbook() -> flightdeck_runbook::Runbook {
    let text = include_str!("fixtures/timed-cutover.md");
    flightdeck_runbook::parse("timed-cutover.md", text.as_bytes()).unwrap()
}

fn baseline(t0_ms: i64) -> Baseline {
    Baseline {
        t0_ms,
        utc_offset_minutes: 120,
    }
}

/// (start, end) in minutes from T0 of the item whose title starts with `title`.
fn at(plan: &flightdeck_schedule::RunPlan, title: &str) -> (i64, i64) {
    let item = plan
        .items
        .iter()
        .find(|i| i.title.starts_with(title))
        .unwrap_or_else(|| panic!("no item '{title}'"));
    (
        (item.start_ms - plan.baseline.t0_ms) / MINUTE,
        (item.end_ms - plan.baseline.t0_ms) / MINUTE,
    )
}

#[test]
fn the_t0_constant_is_nine_in_the_morning_local() {
    let days = T0.div_euclid(86_400_000);
    let minute_of_day = (T0.rem_euclid(86_400_000) / MINUTE) + 120;
    assert_eq!(minute_of_day, 9 * 60);
    // 2027-01-10 is day 20828 of the Unix epoch.
    assert_eq!(days, 20_828);
    assert_eq!(T0.rem_euclid(86_400_000) / MINUTE, 7 * 60);
}

#[test]
fn unreadable_times_are_warnings_with_their_lines() {
    let runbook = runbook();
    let lines: Vec<u32> = runbook.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, vec![73, 79, 83], "{:#?}", runbook.warnings);
    assert!(runbook.warnings[0].message.contains("'25:00' on line 73"));
    assert!(runbook.warnings[1].message.contains("'soonish' on line 79"));
    assert!(runbook.warnings[2].message.contains("Nothing Like This"));
}

#[test]
fn every_item_is_planned_from_its_times_and_order() {
    let plan = plan(&runbook(), baseline(T0)).unwrap();
    assert_eq!(at(&plan, "72 Hours Before"), (-72 * 60, -72 * 60));
    assert_eq!(at(&plan, "24 Hours Before"), (-24 * 60, -24 * 60));
    assert_eq!(at(&plan, "Phase 1"), (-30, -10));
    assert_eq!(at(&plan, "Phase 2"), (0, 30));
    assert_eq!(at(&plan, "Task 2.1"), (0, 5));
    assert_eq!(
        at(&plan, "Task 2.2"),
        (5, 25),
        "a range is planned at its longer end"
    );
    assert_eq!(
        at(&plan, "Task 2.3"),
        (5, 15),
        "Depends On Task 2.1: beside 2.2"
    );
    assert_eq!(at(&plan, "Phase 3"), (30, 65));
    assert_eq!(at(&plan, "Smoke tests"), (30, 55));
    assert_eq!(
        at(&plan, "Log review"),
        (30, 45),
        "[PARALLEL] starts with smoke tests"
    );
    assert_eq!(at(&plan, "Sign-off preparation"), (55, 65));
    assert_eq!(
        at(&plan, "Phase 4"),
        (30, 60),
        "[PARALLEL] starts with phase 3"
    );
    assert_eq!(
        at(&plan, "Phase 5"),
        (65, 185),
        "10:00 is held until phase 3 ends at 10:05"
    );
    assert_eq!(at(&plan, "Phase 6"), (185, 305));
    assert_eq!(
        at(&plan, "Retro"),
        (305, 335),
        "an unknown name falls back to the order"
    );
    assert_eq!((plan.end_ms - T0) / MINUTE, 335);
    let fixed: Vec<&str> = plan
        .items
        .iter()
        .filter(|i| i.fixed_start)
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(fixed, vec!["Phase 5: Hypercare (Jan 10, 10:00-12:00)"]);
}

#[test]
fn the_critical_path_runs_through_the_longest_chain() {
    let runbook = runbook();
    let plan = plan(&runbook, baseline(T0)).unwrap();
    let titles: Vec<&str> = plan
        .critical_path
        .iter()
        .map(|id| plan.item(id).unwrap().title.as_str())
        .collect();
    assert_eq!(
        titles,
        vec![
            "Phase 2: Deployment (T+0 to T+30 min)",
            "Smoke tests (25 min)",
            "Sign-off preparation (10 min)",
            "Phase 5: Hypercare (Jan 10, 10:00-12:00)",
            "Phase 6: Handover",
            "Retro (30 min)",
        ]
    );
    assert!(!plan.item(&id_of(&plan, "Log review")).unwrap().critical);
    assert_eq!(
        plan.item(&id_of(&plan, "Log review"))
            .unwrap()
            .slack_minutes,
        20
    );
}

#[test]
fn a_rehearsal_on_another_day_keeps_the_times_of_day() {
    let runbook = runbook();
    let week_before = T0 - 7 * 24 * 60 * MINUTE;
    let live = plan(&runbook, baseline(T0)).unwrap();
    let rehearsal = plan(&runbook, baseline(week_before)).unwrap();
    assert_eq!(at(&live, "Phase 5"), at(&rehearsal, "Phase 5"));
    let earlier = plan(&runbook, baseline(T0 - 60 * MINUTE)).unwrap();
    assert_eq!(
        at(&earlier, "Phase 5"),
        (120, 240),
        "T0 at 08:00: phase 3 ends at 09:05 and phase 5 is held until 10:00"
    );
}

#[test]
fn a_task_ticked_late_is_late_and_moves_the_projection() {
    let runbook = runbook();
    let plan = plan(&runbook, baseline(T0)).unwrap();
    let smoke = runbook
        .items()
        .find(|i| i.text == "Smoke suite green")
        .unwrap();
    let planned_end = plan.item(&id_of(&plan, "Smoke tests")).unwrap().end_ms;
    let mut progress = RunProgress::default();
    let before = timeline(&runbook, &plan, &progress, T0);
    assert_eq!(
        before.headline, "on time to the end; '72 Hours Before Go-Live' is 72 h late",
        "what was due before T0 and is not ticked is late"
    );
    for (text, at) in [
        ("Change freeze announced", -72 * 60),
        ("Final backup verified", -24 * 60),
        ("War room open", -10),
    ] {
        let item = runbook.items().find(|i| i.text == text).unwrap();
        progress.ticks.insert(
            item.id.to_string(),
            Tick {
                at_ms: T0 + at * MINUTE,
                done: true,
            },
        );
    }
    let on_time = timeline(&runbook, &plan, &progress, T0);
    assert_eq!(on_time.headline, "on time");
    assert_eq!(on_time.projected_end_ms, plan.end_ms);

    let logs = runbook
        .items()
        .find(|i| i.text == "No new errors in the logs")
        .unwrap();
    progress.ticks.insert(
        logs.id.to_string(),
        Tick {
            at_ms: T0 + 45 * MINUTE,
            done: true,
        },
    );
    progress.ticks.insert(
        smoke.id.to_string(),
        Tick {
            at_ms: planned_end + 20 * MINUTE,
            done: true,
        },
    );
    let late = timeline(&runbook, &plan, &progress, planned_end + 20 * MINUTE);
    let item = late
        .items
        .iter()
        .find(|i| i.planned.title.starts_with("Smoke tests"))
        .unwrap();
    assert_eq!(item.late_minutes, 20);
    assert_eq!(late.late_minutes, 20);
    assert_eq!(late.projected_end_ms, plan.end_ms + 20 * MINUTE);
    assert_eq!(late.headline, "running 20 min late, projected end 14:55");
}

fn id_of(plan: &flightdeck_schedule::RunPlan, title: &str) -> String {
    plan.items
        .iter()
        .find(|i| i.title.starts_with(title))
        .unwrap()
        .id
        .clone()
}
