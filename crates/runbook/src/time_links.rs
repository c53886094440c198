//! Ordering between siblings, resolved once the whole runbook is read: `[SEQUENTIAL after X]`
//! names a sibling by its title, a task's `**Depends On**` names tasks of its phase by number.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{ImportWarning, Phase};
use crate::times::{Order, Timing};

/// Fills `timing.after` of phases, tasks and timed sections; a name that matches no sibling is
/// a warning with its line. Titles are looked up where an order names one, not copied first.
pub fn link_times(phases: &mut [Phase], warnings: &mut Vec<ImportWarning>) {
    for at in 0..phases.len() {
        let named = named_sibling(
            &phases[at].id,
            &phases[at].timing,
            phases.iter().map(|p| (p.id.as_str(), p.title.as_str())),
        );
        let phase = &mut phases[at];
        add_after(&mut phase.timing, named, warnings);
        for at in 0..phase.tasks.len() {
            let task = &phase.tasks[at];
            let siblings = phase.tasks.iter();
            let named = named_sibling(
                &task.id,
                &task.timing,
                siblings.map(|t| (t.id.as_str(), t.title.as_str())),
            );
            let depended: Vec<String> = task
                .meta
                .depends_on
                .iter()
                .flat_map(|depends| task_references(depends))
                .filter_map(|number| {
                    phase
                        .tasks
                        .iter()
                        .find(|t| t.number.as_deref() == Some(number.as_str()) && t.id != task.id)
                        .map(|t| t.id.clone())
                })
                .collect();
            let timing = &mut phase.tasks[at].timing;
            add_after(timing, named, warnings);
            for id in depended {
                add_after(timing, Some(Ok(id)), warnings);
            }
        }
        for at in 0..phase.sections.len() {
            let section = &phase.sections[at];
            let named = named_sibling(
                &section.id,
                &section.timing,
                phase
                    .sections
                    .iter()
                    .map(|s| (s.id.as_str(), s.title.as_str())),
            );
            add_after(&mut phase.sections[at].timing, named, warnings);
        }
    }
}

/// What `[SEQUENTIAL after X]` in `timing` names among the siblings (ids and titles): the id of
/// the first other one whose title holds X, case aside, or the warning that none does. `None`
/// where the timing names no sibling.
fn named_sibling<'a>(
    own_id: &str,
    timing: &Timing,
    mut siblings: impl Iterator<Item = (&'a str, &'a str)>,
) -> Option<Result<String, ImportWarning>> {
    let Order::After { name, line } = &timing.order else {
        return None;
    };
    let wanted = name.to_lowercase();
    let found =
        siblings.find(|(id, title)| *id != own_id && title.to_lowercase().contains(&wanted));
    Some(match found {
        Some((id, _)) => Ok(id.to_string()),
        None => Err(ImportWarning {
            line: *line,
            message: format!(
                "'[SEQUENTIAL after {name}]' on line {line} names no heading beside it; it is \
                 planned after the one before it"
            ),
        }),
    })
}

/// Orders `timing` after the sibling found, once, or keeps the warning.
fn add_after(
    timing: &mut Timing,
    named: Option<Result<String, ImportWarning>>,
    warnings: &mut Vec<ImportWarning>,
) {
    match named {
        Some(Ok(id)) if !timing.after.contains(&id) => timing.after.push(id),
        Some(Err(warning)) => warnings.push(warning),
        _ => {}
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
