//! Synthetic runbooks of any size, shaped like real ones, for benchmarks and load tests.

use std::fmt::Write;

/// A markdown runbook of roughly `target_bytes`: numbered phases with metadata, tasks with code
/// steps, nested checklists under the usual section names, and sign-off blocks.
pub fn synthetic_runbook(target_bytes: usize) -> String {
    let mut md = String::from("# Synthetic Go-Live Runbook\n\n**Status**: IN PROGRESS\n\n");
    let mut phase = 0;
    while md.len() < target_bytes {
        phase += 1;
        write!(
            md,
            "## Phase {phase}: Deployment wave {phase}\n\n**Duration**: 4 hours\n**Responsible**: DevOps Engineer\n\
             **Depends On**: Phase {}\n\n### Prerequisites\n\n",
            phase.max(2) - 1
        )
        .unwrap();
        for i in 0..20 {
            writeln!(
                md,
                "- [ ] Prerequisite {i} of wave {phase} confirmed with the owning team"
            )
            .unwrap();
        }
        for task in 1..=5 {
            write!(
                md,
                "\n### Task {phase}.{task}: Roll out component {task}\n\n**Duration**: 30 minutes\n\n\
                 1. **Deploy component {task}**:\n```bash\naws ecs update-service --cluster prod --service svc-{task} \\\n  --desired-count 2\n```\n\n**Verification**:\n"
            )
            .unwrap();
            for i in 0..12 {
                writeln!(
                    md,
                    "- [{}] Check {i} for component {task} in wave {phase}",
                    if i % 3 == 0 { "x" } else { " " }
                )
                .unwrap();
                writeln!(md, "  - [ ] Evidence {i} attached for wave {phase}").unwrap();
            }
        }
        md.push_str("\n### Sign-Off\n\n**Completed By**: ________ Date: ______\n**Ready**: [ ] YES [ ] NO\n\n");
    }
    md
}
