//! The plan and critical path of a 10,000-task runbook with 20,000 dependencies (target: under
//! 20 ms), and the timeline redrawn after one tick (target: under 16 ms).

use std::fmt::Write;

use criterion::{criterion_group, criterion_main, Criterion};
use flightdeck_schedule::{plan, timeline, Baseline, RunProgress, Tick};

const PHASES: usize = 100;
const TASKS: usize = 100;

/// 100 phases of 100 tasks; each task depends on the two before it in its phase (every 33rd
/// on a third), and each phase on the one before it: 20,099 dependencies.
fn big_runbook() -> String {
    let mut md = String::from("# Ten Thousand Tasks\n\n");
    for p in 1..=PHASES {
        write!(md, "## Phase {p}: Wave {p}\n\n").unwrap();
        if p > 1 {
            writeln!(md, "**Depends On**: Phase {}\n", p - 1).unwrap();
        }
        for t in 1..=TASKS {
            write!(
                md,
                "### Task {p}.{t}: Step {t} of wave {p} ({} min)\n\n",
                5 + t % 7
            )
            .unwrap();
            let mut deps: Vec<usize> = (t.saturating_sub(2).max(1)..t).collect();
            if t % 33 == 0 {
                deps.push(t - 3);
            }
            let deps: Vec<String> = deps.iter().map(|d| format!("Task {p}.{d}")).collect();
            if !deps.is_empty() {
                writeln!(md, "**Depends On**: {}\n", deps.join(", ")).unwrap();
            }
            writeln!(md, "- [ ] Step {t} of wave {p} done\n").unwrap();
        }
    }
    md
}

fn bench(c: &mut Criterion) {
    let md = big_runbook();
    let runbook = flightdeck_runbook::parse("big.md", md.as_bytes()).unwrap();
    let tasks: usize = runbook.phases.iter().map(|p| p.tasks.len()).sum();
    let deps: usize = runbook
        .phases
        .iter()
        .flat_map(|p| p.tasks.iter())
        .map(|t| t.timing.after.len())
        .sum::<usize>()
        + runbook
            .phases
            .iter()
            .map(|p| p.depends_on.len())
            .sum::<usize>();
    let baseline = Baseline {
        t0_ms: 1_799_564_400_000,
        utc_offset_minutes: 120,
    };
    let planned = plan(&runbook, baseline).unwrap();
    let mut group = c.benchmark_group("schedule");
    group.bench_function(
        format!("plan + critical path ({tasks} tasks, {deps} dependencies)"),
        |b| b.iter(|| plan(&runbook, baseline).unwrap()),
    );
    let mut progress = RunProgress::default();
    let first = runbook.items().next().unwrap();
    progress.ticks.insert(
        first.id.to_string(),
        Tick {
            at_ms: baseline.t0_ms + 600_000,
            done: true,
        },
    );
    group.bench_function(format!("timeline after one tick ({tasks} tasks)"), |b| {
        b.iter(|| timeline(&runbook, &planned, &progress, baseline.t0_ms + 600_000))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
