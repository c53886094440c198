//! Recognising the line shapes runbooks use: phase and task headings, `**Label**: value`
//! metadata, bold section labels and sign-off fields.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::model::{Meta, MetaField, SignoffKind};

static PHASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(phase|batch|stage|wave)\s+(\d+[a-z]?)\b\s*(?:[:.\-–—(]|$)").unwrap()
});
static TASK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(task|step)\s+(\d+(?:\.\d+)*[a-z]?)\b\s*(?:[:.\-–—(]|$)").unwrap()
});
static YES_NO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\[([ xX])\]\s*YES\s*\[([ xX])\]\s*NO\b").unwrap());
static BLANK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^_{3,}").unwrap());

/// The captures of `re` in `text`, looked for only once `re` is known to match: most headings
/// and lines match none of ours, and `is_match` needs no capture slots.
pub fn captures_where_matched<'t>(re: &Regex, text: &'t str) -> Option<Captures<'t>> {
    if re.is_match(text) {
        re.captures(text)
    } else {
        None
    }
}

/// Whether `text` may begin with one of the ASCII `bytes`, a check that spares a regex most
/// headings. A non-ASCII first character may too: case-insensitive regexes fold some of them
/// to ASCII letters ("ſ" to "s").
pub fn starts_with_any(text: &str, bytes: &[u8]) -> bool {
    text.as_bytes()
        .first()
        .is_some_and(|b| !b.is_ascii() || bytes.contains(b))
}

/// "Phase 8: PROD ..." -> ("phase", "8").
pub fn phase_heading(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    if !starts_with_any(text, b"pbswPBSW") {
        return None;
    }
    captures_where_matched(&PHASE, text).map(|c| (c[1].to_lowercase(), c[2].to_lowercase()))
}

/// "Task 8.1: Provision ..." -> ("task", "8.1").
pub fn task_heading(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    if !starts_with_any(text, b"tsTS") {
        return None;
    }
    captures_where_matched(&TASK, text).map(|c| (c[1].to_lowercase(), c[2].to_lowercase()))
}

/// One line of a paragraph, classified.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// `**Verification**:` alone: the label of what follows.
    SectionLabel(String),
    /// `**Duration**: 2 hours`
    LabelValue(String, String),
    Signoff(String, SignoffKind),
    Other,
}

pub fn classify(line: &str) -> Line {
    let Some((label, value)) = label_value(line.trim()) else {
        return Line::Other;
    };
    let label = label.trim().trim_end_matches(':').trim().to_string();
    let value = value.trim();
    if value.is_empty() {
        return Line::SectionLabel(label);
    }
    if let Some(yn) = YES_NO.captures(value) {
        let answer = match (&yn[1] != " ", &yn[2] != " ") {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        };
        return Line::Signoff(label, SignoffKind::YesNo { answer });
    }
    if BLANK.is_match(value) {
        let with_date = value.to_lowercase().contains("date");
        return Line::Signoff(label, SignoffKind::Signature { with_date });
    }
    Line::LabelValue(label, value.to_string())
}

/// `**Label**: value` or `**Label:** value` -> the label (without the bold) and the value. Read
/// by hand rather than with a regex: every bold line of a runbook comes through here.
fn label_value(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("**")?;
    let end = rest.find('*').filter(|end| *end > 0)?;
    let value = rest[end..].strip_prefix("**")?;
    let label = match rest[..end].strip_suffix(':') {
        Some(label) if !label.is_empty() => label,
        _ => &rest[..end],
    };
    Some((label, value.strip_prefix(':').unwrap_or(value)))
}

/// Puts a `**Label**: value` line into the right field of `meta`.
pub fn set_meta(meta: &mut Meta, label: &str, value: &str, line: u32) {
    let slot = match label.to_lowercase().as_str() {
        "duration" | "estimated duration" => &mut meta.duration,
        "responsible" | "owner" | "owners" => &mut meta.responsible,
        "depends on" | "dependencies" | "dependency" => &mut meta.depends_on,
        "status" => &mut meta.status,
        "environment" => &mut meta.environment,
        "target" => &mut meta.target,
        _ => {
            meta.other.push(MetaField {
                label: label.to_string(),
                value: value.to_string(),
                line,
            });
            return;
        }
    };
    *slot = Some(value.to_string());
}

/// Headings whose list items are goals, not checklist items.
pub fn is_objectives(section: &str) -> bool {
    section.to_lowercase().contains("objective")
}

/// Labels that list the roles who must sign a phase off.
pub fn is_signoff_roles(label: &str) -> bool {
    matches!(
        label.to_lowercase().as_str(),
        "sign-off roles" | "signoff roles" | "sign-off by" | "approvers" | "required sign-off"
    )
}

/// "Technical Lead + Client Stakeholder" -> the role names.
pub fn role_names(value: &str) -> Vec<&str> {
    value
        .split([',', '+', '/', '&', ';'])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The phase keys ("phase-7") named in a `Depends On` value.
pub fn phase_references(value: &str) -> Vec<String> {
    static REF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(phase|batch|stage|wave)\s+(\d+[a-z]?)\b").unwrap());
    REF.captures_iter(value)
        .map(|c| format!("{}-{}", c[1].to_lowercase(), c[2].to_lowercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_headings() {
        assert_eq!(
            phase_heading("Phase 8: PROD Deployment Preparation"),
            Some(("phase".into(), "8".into()))
        );
        assert_eq!(
            phase_heading("Phase 1: SIT Promotion (Jan 13, 2026)"),
            Some(("phase".into(), "1".into()))
        );
        assert_eq!(
            phase_heading("Batch 2: Backend (10:30-11:30)"),
            Some(("batch".into(), "2".into()))
        );
        assert_eq!(phase_heading("Phase Objectives"), None);
        assert_eq!(phase_heading("Phased rollout"), None);
    }

    #[test]
    fn task_headings() {
        assert_eq!(
            task_heading("Task 8.1: Provision Tenant Infrastructure in PROD"),
            Some(("task".into(), "8.1".into()))
        );
        assert_eq!(
            task_heading("Step 1: Enable Maintenance Mode (5 min)"),
            Some(("step".into(), "1".into()))
        );
        assert_eq!(task_heading("Tasks overview"), None);
    }

    proptest::proptest! {
        #[test]
        fn bold_labels_read_as_the_label_pattern_reads_them(
            line in "(\\*\\*)?[a-z :*]{0,12}(\\*\\*)?:?[ a-z:*]{0,8}"
        ) {
            let pattern = Regex::new(r"^\*\*([^*]+?):?\*\*:?\s*(.*)$").unwrap();
            let by_pattern = pattern.captures(&line).map(|c| {
                (c[1].trim().trim_end_matches(':').trim().to_string(), c[2].trim().to_string())
            });
            let by_hand = label_value(&line).map(|(label, value)| {
                (label.trim().trim_end_matches(':').trim().to_string(), value.trim().to_string())
            });
            proptest::prop_assert_eq!(by_hand, by_pattern);
        }
    }

    #[test]
    fn classifies_lines() {
        assert_eq!(
            classify("**Duration**: 2 hours"),
            Line::LabelValue("Duration".into(), "2 hours".into())
        );
        assert_eq!(
            classify("**Verification**:"),
            Line::SectionLabel("Verification".into())
        );
        assert_eq!(
            classify("**Definition of Done:**"),
            Line::SectionLabel("Definition of Done".into())
        );
        assert_eq!(
            classify("**Completed By**: _________________ Date: _________"),
            Line::Signoff(
                "Completed By".into(),
                SignoffKind::Signature { with_date: true }
            )
        );
        assert_eq!(
            classify("**PROD Infrastructure Ready**: [ ] YES [ ] NO"),
            Line::Signoff(
                "PROD Infrastructure Ready".into(),
                SignoffKind::YesNo { answer: None }
            )
        );
        assert_eq!(
            classify("**Ready for Phase 9**: [x] YES [ ] NO"),
            Line::Signoff(
                "Ready for Phase 9".into(),
                SignoffKind::YesNo { answer: Some(true) }
            )
        );
        assert_eq!(classify("plain words"), Line::Other);
    }
}
