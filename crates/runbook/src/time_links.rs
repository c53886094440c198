//! Ordering between siblings, resolved once the whole runbook is read: `[SEQUENTIAL after X]`
//! names a sibling by its title, a task's `**Depends On**` names tasks of its phase by number.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{ImportWarning, Phase};
use crate::times::{Order, Timing};

/// Fills `timing.after` of phases, tasks and timed sections; a name that matches no sibling is
/// a warning with its line.
pub fn link_times(phases: &mut [Phase], warnings: &mut Vec<ImportWarning>) {
    let titles: Vec<(String, String)> = phases
        .iter()
        .map(|p| (p.id.clone(), p.title.clone()))
        .collect();
    for phase in phases.iter_mut() {
        resolve_after(&phase.id, &mut phase.timing, &titles, warnings);
        let tasks: Vec<(String, String)> = phase
            .tasks
            .iter()
            .map(|t| (t.id.clone(), t.title.clone()))
            .collect();
        let numbers: Vec<(String, Option<String>)> = phase
            .tasks
            .iter()
            .map(|t| (t.id.clone(), t.number.clone()))
            .collect();
        for task in phase.tasks.iter_mut() {
            resolve_after(&task.id, &mut task.timing, &tasks, warnings);
            if let Some(depends) = &task.meta.depends_on {
                for number in task_references(depends) {
                    let found = numbers
                        .iter()
                        .find(|(id, n)| n.as_deref() == Some(number.as_str()) && id != &task.id);
                    if let Some((id, _)) = found {
                        if !task.timing.after.contains(id) {
                            task.timing.after.push(id.clone());
                        }
                    }
                }
            }
        }
        let sections: Vec<(String, String)> = phase
            .sections
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect();
        for section in phase.sections.iter_mut() {
            resolve_after(&section.id, &mut section.timing, &sections, warnings);
        }
    }
}

fn resolve_after(
    own_id: &str,
    timing: &mut Timing,
    siblings: &[(String, String)],
    warnings: &mut Vec<ImportWarning>,
) {
    let Order::After { name, line } = &timing.order else {
        return;
    };
    let wanted = name.to_lowercase();
    match siblings
        .iter()
        .find(|(id, title)| id != own_id && title.to_lowercase().contains(&wanted))
    {
        Some((id, _)) => {
            if !timing.after.contains(id) {
                timing.after.push(id.clone());
            }
        }
        None => warnings.push(ImportWarning {
            line: *line,
            message: format!(
                "'[SEQUENTIAL after {name}]' on line {line} names no heading beside it; it is \
                 planned after the one before it"
            ),
        }),
    }
}

/// The task numbers ("8.1") a `Depends On` value names ("Task 8.1", "Step 2").
fn task_references(value: &str) -> Vec<String> {
    static REF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(?:task|step)s?\s+(\d+(?:\.\d+)*[a-z]?)\b").unwrap());
    REF.captures_iter(value)
        .map(|c| c[1].to_lowercase())
        .collect()
}
