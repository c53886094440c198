//! Cutting a large runbook into parts that can be read side by side, one per core.
//!
//! A part begins at a phase heading written at the start of a line (`## Phase 12: ...`). In
//! CommonMark such a line ends every open paragraph, list and quote, so the blocks before it read
//! the same without what follows. Three things could still join the parts, and the importer
//! checks each of them after reading rather than guessing here:
//! - a code block, HTML block or table still open where the part ends (the line was not a heading
//!   at all);
//! - the line reading as something other than a phase heading;
//! - a name or id that the whole text would have numbered as a repeat.
//!
//! Link reference definitions (`[name]: url`) apply to the whole document, so text that may hold
//! one is never cut.

use crate::labels::phase_heading;

/// Below this many bytes a part is not worth a thread.
pub const MIN_PART_BYTES: usize = 256 * 1024;

/// The text cut at phase headings into at most one part per core, each at least `min_part`
/// bytes; the whole text as one part when it cannot be cut.
pub fn parts(text: &str, min_part: usize) -> Vec<&str> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cut(text, cores, min_part)
}

/// The text cut into at most `count` parts of at least `min_part` bytes.
pub fn cut(text: &str, count: usize, min_part: usize) -> Vec<&str> {
    let count = count.min(text.len() / min_part.max(1));
    if count < 2 || text.contains("]:") {
        return vec![text];
    }
    let mut parts = Vec::with_capacity(count);
    let mut start = 0;
    for n in 1..count {
        let earliest = start + min_part;
        let target = (text.len() * n / count).max(earliest);
        let Some(cut) = phase_line_from(text, target).or_else(|| phase_line_from(text, earliest))
        else {
            break;
        };
        parts.push(&text[start..cut]);
        start = cut;
    }
    parts.push(&text[start..]);
    parts
}

/// The start of the first line at or after `from` that is a phase heading.
fn phase_line_from(text: &str, from: usize) -> Option<usize> {
    let mut at = from.checked_sub(1)?;
    while at < text.len() {
        let line_start = at + text[at..].find("\n#")? + 1;
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |n| line_start + n);
        if is_phase_heading(&text[line_start..line_end]) {
            return Some(line_start);
        }
        at = line_end;
    }
    None
}

/// `## Phase 3: ...`: one to six `#`, a space, then a phase heading.
fn is_phase_heading(line: &str) -> bool {
    let rest = line.trim_start_matches('#');
    let hashes = line.len() - rest.len();
    (1..=6).contains(&hashes)
        && rest.starts_with([' ', '\t'])
        && phase_heading(rest.trim_end_matches('#')).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_before_phase_headings() {
        let text = "# Title\n\nintro\n\n## Phase 1: A\n\n- [ ] a\n\n### Notes\n\n## Phase 2: B\n\n- [ ] b\n\
                    ### Phase Notes\n\n## Phase 3: C\n\n- [ ] c\n";
        let cuts = cut(text, 3, 1);
        assert_eq!(cuts.len(), 3, "{cuts:?}");
        for part in &cuts[1..] {
            assert!(part.starts_with("## Phase"), "{part:?}");
        }
        assert_eq!(cuts.concat(), text);
        assert_eq!(cut(text, 4, text.len()), vec![text]);
    }

    #[test]
    fn text_with_a_link_definition_is_not_cut() {
        let text =
            "## Phase 1: A\n\n- [ ] see [runbook]\n\n## Phase 2: B\n\n[runbook]: https://x\n";
        assert_eq!(cut(text, 4, 1), vec![text]);
    }

    #[test]
    fn phase_heading_lines() {
        assert!(is_phase_heading("## Phase 12: Cutover"));
        assert!(is_phase_heading("# Batch 2"));
        assert!(!is_phase_heading("#Phase 2: no space"));
        assert!(!is_phase_heading("####### Phase 2: seven"));
        assert!(!is_phase_heading("## Phased rollout"));
    }
}
