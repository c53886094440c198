//! Times in runbook headings and labels: durations (`(30 min)`, `**Duration**: 2 hours`,
//! `15-20 minutes`), clock windows (`19:00-22:00`, `Jan 10`, `(12:30 PM)`), offsets from go-live
//! (`T-30 minutes`, `T+0 to T+30 min`, `72 Hours Before Go-Live`) and ordering markers
//! (`[PARALLEL]`, `[SEQUENTIAL after X]`). A time that looks like one but cannot be read is a
//! warning with its line, never a guess.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::labels::{captures_where_matched, starts_with_any};
use crate::model::ImportWarning;

/// Everything a heading or its labels say about when something happens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Timing {
    pub duration: Option<DurationRange>,
    pub window: Option<ClockWindow>,
    pub offset: Option<GoLiveOffset>,
    pub order: Order,
    /// Ids of the siblings this starts after: the `[SEQUENTIAL after X]` sibling and, for a
    /// task, the tasks its `**Depends On**` names. Resolved at import.
    pub after: Vec<String>,
    /// A time the text records rather than schedules ("Verified Jan 8, 08:15").
    pub noted: Option<ClockWindow>,
}

impl Timing {
    pub fn is_empty(&self) -> bool {
        self == &Timing::default()
    }
}

/// How long something takes: `min_minutes..=max_minutes` (equal unless a range was written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DurationRange {
    pub min_minutes: u32,
    pub max_minutes: u32,
    pub text: String,
    pub line: u32,
}

/// A time of day on the document's calendar; `end` before `start` means the next day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClockWindow {
    pub date: Option<MonthDay>,
    /// The last day of a date range ("Jan 10-11").
    pub until: Option<MonthDay>,
    /// Minutes after midnight.
    pub start: Option<u16>,
    pub end: Option<u16>,
    pub text: String,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MonthDay {
    pub year: Option<u16>,
    pub month: u8,
    pub day: u8,
}

/// Minutes from go-live (T0): negative before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GoLiveOffset {
    pub start_minutes: i32,
    pub end_minutes: Option<i32>,
    pub text: String,
    pub line: u32,
}

/// Where something sits relative to what comes before it in the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Order {
    /// After the one before it (the default).
    #[default]
    Sequential,
    /// `[PARALLEL]`: at the same time as the one before it.
    Parallel { line: u32 },
    /// `[SEQUENTIAL after X]`: after the sibling whose title names `name`.
    After { name: String, line: u32 },
}

/// A heading with its ordering marker taken off and the times it carries.
pub struct HeadingTimes {
    pub title: String,
    pub timing: Timing,
    pub warnings: Vec<ImportWarning>,
}

const UNIT: &str = r"(minutes?|mins?|m|hours?|hrs?|h|days?|weeks?)";
const NUMBER: &str = r"(\d+(?:\.\d+)?)";
const MONTH: &str = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?";

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\[\s*(parallel|sequential(?:\s+after\s+([^\]]+?))?)\s*\]").unwrap()
});
static PARENS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\(([^()]*)\)").unwrap());
static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^(~|about\s+|approx\.?\s+|up to\s+|<\s*|≤\s*)?{NUMBER}(?:\s*(?:-|–|to)\s*{NUMBER})?\s*{UNIT}\.?(?:\s+(?:max|maximum|total|from now))?$"
    ))
    .unwrap()
});
static T_OFFSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^T\s*([+\-−])\s*{NUMBER}\s*{UNIT}?(?:\s*(?:to|-|–)\s*T\s*([+\-−])\s*{NUMBER}\s*{UNIT}?)?$"
    ))
    .unwrap()
});
static T_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^(T\s*[+\-−]\s*{NUMBER}\s*{UNIT}?(?:\s*(?:to|-|–)\s*T\s*[+\-−]\s*{NUMBER}\s*{UNIT}?)?)\s*[:\-–—]"
    ))
    .unwrap()
});
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b{NUMBER}\s*{UNIT}\s+(before|prior to|after|post)[\s\-]*(go-?live|launch|cutover|deployment)\b"
    ))
    .unwrap()
});
static FIRST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^first\s+{NUMBER}\s*{UNIT}$")).unwrap());
static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            (?:(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?
                (?:\s*[-–]\s*(?P<until>\d{1,2})(?:st|nd|rd|th)?)?
                (?:,?\s+(?P<year>\d{4}))?
              | (?P<iso_year>\d{4})-(?P<iso_month>\d{2})-(?P<iso_day>\d{2}))
            (?:\s*,?\s+|$)
        )?
        (?:(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?\s*(?P<ap1>am|pm|a\.m\.|p\.m\.)?
          (?:\s*(?:-|–|to)\s*(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?\s*(?P<ap2>am|pm|a\.m\.|p\.m\.)?)?)?$",
    )
    .unwrap()
});
static COMPOUND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(\d+(?:\.\d+)?)-(minute|min|hour|hr|day|week)\b").unwrap());
static NOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(verified|updated|last updated|as of|checked|written)\s+(.+)$").unwrap()
});
static TIMEISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\d{{1,2}}:\d{{2}}|\bT\s*[+\-−]\s*\d|\d\s*(?:minutes?|mins?|hours?|hrs?|days?|weeks?)\b|\b{MONTH}\s+\d{{1,2}}\b|\d\s*(?:am|pm)\b"
    ))
    .unwrap()
});

/// Reads the times a heading carries: `[PARALLEL]` / `[SEQUENTIAL after X]` markers (taken out
/// of the title), parenthesised times, a leading `T-2 hours:` and `72 Hours Before Go-Live`.
pub fn read_heading(text: &str, line: u32) -> HeadingTimes {
    let mut timing = Timing::default();
    let mut warnings = Vec::new();
    let mut title = text.to_string();
    let marker = text
        .contains('[')
        .then(|| captures_where_matched(&MARKER, text));
    if let Some(m) = marker.flatten() {
        timing.order = match m.get(2) {
            Some(name) => Order::After {
                name: name.as_str().trim().to_string(),
                line,
            },
            None if m[1].eq_ignore_ascii_case("parallel") => Order::Parallel { line },
            None => Order::Sequential,
        };
        title = format!(
            "{}{}",
            &text[..m.get(0).unwrap().start()],
            &text[m.get(0).unwrap().end()..]
        );
        title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let parens = title.contains('(').then(|| PARENS.captures_iter(&title));
    for parens in parens.into_iter().flatten() {
        let inner = parens[1].trim();
        if !TIMEISH.is_match(inner) {
            continue;
        }
        match read_time(inner, line) {
            Ok(read) => read.merge_into(&mut timing),
            Err(reason) => warnings.push(unread(line, inner, &reason)),
        }
    }
    let prefix = starts_with_any(&title, b"tT").then(|| captures_where_matched(&T_PREFIX, &title));
    if let Some(prefix) = prefix.flatten() {
        match read_time(prefix[1].trim(), line) {
            Ok(read) => read.merge_into(&mut timing),
            Err(reason) => warnings.push(unread(line, &prefix[1], &reason)),
        }
    }
    // `\d` is any Unicode digit: text that is not all ASCII goes to the patterns as it is.
    let digits = title.bytes().any(|b| b.is_ascii_digit() || !b.is_ascii());
    let relative = digits.then(|| captures_where_matched(&RELATIVE, &title));
    if let Some(relative) = relative.flatten() {
        match minutes(&relative[1], &relative[2]) {
            Some(m) => {
                let before = matches!(relative[3].to_lowercase().as_str(), "before" | "prior to");
                timing.offset = Some(GoLiveOffset {
                    start_minutes: if before { -m } else { m },
                    end_minutes: None,
                    text: relative[0].to_string(),
                    line,
                });
            }
            None => warnings.push(unread(line, &relative[0], "the number is too large")),
        }
    }
    let compound = (digits && timing.duration.is_none() && title.contains('-'))
        .then(|| captures_where_matched(&COMPOUND, &title));
    if let Some(compound) = compound.flatten() {
        if let Some(m) = minutes(&compound[1], &compound[2]) {
            timing.duration = Some(DurationRange {
                min_minutes: m as u32,
                max_minutes: m as u32,
                text: compound[0].to_string(),
                line,
            });
        }
    }
    let first = (digits && starts_with_any(title.trim(), b"fF"))
        .then(|| captures_where_matched(&FIRST, title.trim()));
    if let Some(first) = first.flatten() {
        if let Some(m) = minutes(&first[1], &first[2]) {
            timing.duration = Some(DurationRange {
                min_minutes: m as u32,
                max_minutes: m as u32,
                text: first[0].to_string(),
                line,
            });
        }
    }
    HeadingTimes {
        title,
        timing,
        warnings,
    }
}

/// The labels whose value is a duration or a time of day.
#[derive(Clone, Copy)]
pub enum TimeLabel {
    Duration,
    ClockWindow,
}

pub fn time_label(label: &str) -> Option<TimeLabel> {
    match label.to_lowercase().as_str() {
        "duration" | "estimated duration" | "estimated time" | "time required" | "effort" => {
            Some(TimeLabel::Duration)
        }
        "time" | "start" | "start time" | "window" | "scheduled" | "when" => {
            Some(TimeLabel::ClockWindow)
        }
        _ => None,
    }
}

/// Reads a `**Duration**:` or `**Time**:` value into `timing`; a value that cannot be read is a
/// warning. `1 day (8 hours)` reads as the working time in brackets.
pub fn read_label(
    kind: TimeLabel,
    value: &str,
    line: u32,
    timing: &mut Timing,
) -> Option<ImportWarning> {
    let value = value.trim();
    let text = match (kind, PARENS.captures(value)) {
        (TimeLabel::Duration, Some(inner)) if read_duration(inner[1].trim(), line).is_ok() => {
            inner[1].trim().to_string()
        }
        _ => value.to_string(),
    };
    let read = match kind {
        TimeLabel::Duration => read_duration(&text, line).map(|span| Read {
            duration: Some(span),
            ..Read::default()
        }),
        TimeLabel::ClockWindow => read_time(&text, line),
    };
    match read {
        Ok(read) => {
            read.merge_into(timing);
            None
        }
        Err(reason) => Some(unread(line, value, &reason)),
    }
}

fn unread(line: u32, text: &str, reason: &str) -> ImportWarning {
    ImportWarning {
        line,
        message: format!(
            "the time '{}' on line {line} was not read: {reason}",
            text.trim()
        ),
    }
}

#[derive(Default)]
struct Read {
    duration: Option<DurationRange>,
    window: Option<ClockWindow>,
    offset: Option<GoLiveOffset>,
    noted: Option<ClockWindow>,
}

impl Read {
    fn merge_into(self, timing: &mut Timing) {
        timing.duration = self.duration.or(timing.duration.take());
        timing.window = self.window.or(timing.window.take());
        timing.offset = self.offset.or(timing.offset.take());
        timing.noted = self.noted.or(timing.noted.take());
    }
}

/// One time expression: a duration, an offset from T0, a window, or a noted time.
fn read_time(text: &str, line: u32) -> Result<Read, String> {
    if let Some(noted) = NOTED.captures(text) {
        let window = read_window(noted[2].trim(), line)?;
        return Ok(Read {
            noted: Some(window),
            ..Read::default()
        });
    }
    if T_OFFSET.is_match(text) {
        return read_offset(text, line).map(|offset| Read {
            offset: Some(offset),
            ..Read::default()
        });
    }
    if DURATION.is_match(text) {
        return read_duration(text, line).map(|span| Read {
            duration: Some(span),
            ..Read::default()
        });
    }
    read_window(text, line).map(|window| Read {
        window: Some(window),
        ..Read::default()
    })
}

fn read_duration(text: &str, line: u32) -> Result<DurationRange, String> {
    let c = DURATION.captures(text).ok_or_else(|| {
        "it is not a duration such as '30 min', '2 hours' or '15-20 minutes'".to_string()
    })?;
    let unit = &c[4];
    let first = minutes(&c[2], unit).ok_or("the number is too large")?;
    let (min, max) = match c.get(3) {
        Some(second) => (
            first,
            minutes(second.as_str(), unit).ok_or("the number is too large")?,
        ),
        None if c
            .get(1)
            .is_some_and(|p| p.as_str().trim_start().starts_with(['<', '≤'])) =>
        {
            (0, first)
        }
        None => (first, first),
    };
    if max < min {
        return Err(format!(
            "the range runs backwards ({} is less than {})",
            &c[3], &c[2]
        ));
    }
    Ok(DurationRange {
        min_minutes: min as u32,
        max_minutes: max as u32,
        text: text.to_string(),
        line,
    })
}

fn read_offset(text: &str, line: u32) -> Result<GoLiveOffset, String> {
    let c = T_OFFSET
        .captures(text)
        .ok_or("it is not an offset such as 'T-30 minutes'")?;
    let end_unit = c.get(6).map(|u| u.as_str());
    let start_unit = c.get(3).map(|u| u.as_str()).or(end_unit).unwrap_or("min");
    let sign = |s: &str| if s == "+" { 1 } else { -1 };
    let start = minutes(&c[2], start_unit).ok_or("the number is too large")? * sign(&c[1]);
    let end = match (c.get(4), c.get(5)) {
        (Some(s), Some(n)) => Some(
            minutes(n.as_str(), end_unit.unwrap_or(start_unit)).ok_or("the number is too large")?
                * sign(s.as_str()),
        ),
        _ => None,
    };
    if end.is_some_and(|end| end < start) {
        return Err("it ends before it starts".to_string());
    }
    Ok(GoLiveOffset {
        start_minutes: start,
        end_minutes: end,
        text: text.to_string(),
        line,
    })
}

fn read_window(text: &str, line: u32) -> Result<ClockWindow, String> {
    let c = WINDOW
        .captures(text)
        .filter(|c| c.get(0).is_some_and(|m| !m.is_empty()))
        .ok_or_else(|| {
            "it is not a date or time of day such as 'Jan 10', '19:00-22:00' or '12:30 PM'"
                .to_string()
        })?;
    let number = |name: &str| -> Result<Option<u16>, String> {
        c.name(name)
            .map(|m| m.as_str().parse::<u16>())
            .transpose()
            .map_err(|_| format!("'{}' is not a number", &c[name]))
    };
    let (date, until) = if let Some(month) = c.name("month") {
        let month = month_number(month.as_str());
        let year = number("year")?;
        let day = number("day")?.unwrap_or(0) as u8;
        let until = number("until")?
            .map(|until| check_date(year, month, until as u8))
            .transpose()?;
        if until.is_some_and(|u| u.day <= day) {
            return Err("the dates run backwards".to_string());
        }
        (Some(check_date(year, month, day)?), until)
    } else if c.name("iso_year").is_some() {
        let date = check_date(
            number("iso_year")?,
            number("iso_month")?.unwrap_or(0) as u8,
            number("iso_day")?.unwrap_or(0) as u8,
        )?;
        (Some(date), None)
    } else {
        (None, None)
    };
    let start = clock(c.name("h1"), c.name("m1"), c.name("ap1").or(c.name("ap2")))?;
    let end = clock(c.name("h2"), c.name("m2"), c.name("ap2"))?;
    if start.is_some()
        && c.name("m1").is_none()
        && c.name("ap1").is_none()
        && c.name("ap2").is_none()
    {
        return Err("a bare number is not a time of day; write it as '9:00' or '9 AM'".to_string());
    }
    Ok(ClockWindow {
        date,
        until,
        start,
        end,
        text: text.to_string(),
        line,
    })
}

/// A clock time in minutes after midnight, from its hour, minutes and AM/PM.
fn clock(
    hour: Option<regex::Match>,
    minute: Option<regex::Match>,
    meridiem: Option<regex::Match>,
) -> Result<Option<u16>, String> {
    let Some(hour) = hour else { return Ok(None) };
    let mut h: u16 = hour.as_str().parse().map_err(|_| "bad hour")?;
    let m: u16 = minute
        .map_or(Ok(0), |m| m.as_str().parse())
        .map_err(|_| "bad minutes")?;
    if m > 59 {
        return Err(format!("{m} is not a number of minutes (0-59)"));
    }
    match meridiem.map(|m| m.as_str().to_lowercase().replace('.', "")) {
        Some(ampm) => {
            if !(1..=12).contains(&h) {
                return Err(format!("{h} is not an hour on a 12-hour clock"));
            }
            h = match (ampm.as_str(), h) {
                ("am", 12) => 0,
                ("pm", 12) => 12,
                ("pm", h) => h + 12,
                (_, h) => h,
            };
        }
        None if h > 24 || (h == 24 && m > 0) => {
            return Err(format!("{h}:{m:02} is not a time of day"));
        }
        None => {}
    }
    Ok(Some(h * 60 + m))
}

fn check_date(year: Option<u16>, month: u8, day: u8) -> Result<MonthDay, String> {
    let days = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return Err(format!("{month} is not a month")),
    };
    if day == 0 || day > days {
        return Err(format!("month {month} has no day {day}"));
    }
    Ok(MonthDay { year, month, day })
}

fn month_number(name: &str) -> u8 {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.to_lowercase();
    NAMES
        .iter()
        .position(|n| lower.starts_with(n))
        .map_or(0, |i| i as u8 + 1)
}

/// `number` `unit` in whole minutes, or None when it does not fit.
fn minutes(number: &str, unit: &str) -> Option<i32> {
    let n: f64 = number.parse().ok()?;
    let per = match unit.to_lowercase().trim_end_matches('s') {
        "minute" | "min" | "m" => 1.0,
        "hour" | "hr" | "h" => 60.0,
        "day" => 1440.0,
        "week" => 10080.0,
        _ => return None,
    };
    let total = (n * per).round();
    (total <= i32::MAX as f64 / 2.0).then_some(total as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(text: &str) -> HeadingTimes {
        read_heading(text, 7)
    }

    fn span(text: &str) -> (u32, u32) {
        let d = heading(text).timing.duration.expect(text);
        (d.min_minutes, d.max_minutes)
    }

    #[test]
    fn durations_in_headings() {
        assert_eq!(span("Task 1: PROD Infrastructure Check (30 min)"), (30, 30));
        assert_eq!(span("Task 5: DNS & SSL (1 hour)"), (60, 60));
        assert_eq!(span("Wait (15-20 minutes)"), (15, 20));
        assert_eq!(span("Instant Rollback (< 1 minute)"), (0, 1));
        assert_eq!(span("ClockWindow (2 hours max)"), (120, 120));
        assert_eq!(span("First 24 Hours"), (1440, 1440));
    }

    #[test]
    fn offsets_from_go_live() {
        let o = heading("Phase 1: Preparation (T-30 minutes)")
            .timing
            .offset
            .unwrap();
        assert_eq!((o.start_minutes, o.end_minutes), (-30, None));
        let o = heading("Phase 2: Deployment (T+0 to T+30 min)")
            .timing
            .offset
            .unwrap();
        assert_eq!((o.start_minutes, o.end_minutes), (0, Some(30)));
        let o = heading("T-2 hours: Final Preparations")
            .timing
            .offset
            .unwrap();
        assert_eq!(o.start_minutes, -120);
        let o = heading("72 Hours Before Go-Live").timing.offset.unwrap();
        assert_eq!(o.start_minutes, -72 * 60);
        let o = heading("Milestone: 48 Hours Post-Launch")
            .timing
            .offset
            .unwrap();
        assert_eq!(o.start_minutes, 48 * 60);
        let o = heading("Milestone: 1 Week Post-Launch")
            .timing
            .offset
            .unwrap();
        assert_eq!(o.start_minutes, 7 * 24 * 60);
    }

    #[test]
    fn windows_and_dates() {
        let w = heading("Tonight (Jan 9, 19:00-22:00): PROD Prep")
            .timing
            .window
            .unwrap();
        assert_eq!(
            w.date,
            Some(MonthDay {
                year: None,
                month: 1,
                day: 9
            })
        );
        assert_eq!((w.start, w.end), (Some(19 * 60), Some(22 * 60)));
        let w = heading("Tomorrow Morning (Jan 10): PROD Deployment")
            .timing
            .window
            .unwrap();
        assert_eq!((w.date.map(|d| d.day), w.start), (Some(10), None));
        let w = heading("Canary: 5% of Traffic (12:30 PM)")
            .timing
            .window
            .unwrap();
        assert_eq!(w.start, Some(12 * 60 + 30));
        let w = heading("Phase 1: SIT Promotion (Jan 13, 2026)")
            .timing
            .window
            .unwrap();
        assert_eq!(w.date.unwrap().year, Some(2026));
        let w = heading("Cutover (2027-01-10 22:00-02:00)")
            .timing
            .window
            .unwrap();
        assert_eq!((w.start, w.end), (Some(22 * 60), Some(120)));
        let soak = heading("24-Hour Soak (Jan 10-11)").timing;
        assert_eq!(soak.duration.unwrap().max_minutes, 24 * 60);
        let w = soak.window.unwrap();
        assert_eq!((w.date.unwrap().day, w.until.unwrap().day), (10, 11));
        let n = heading("Status (Verified Jan 8, 08:15)").timing;
        assert!(n.window.is_none());
        assert_eq!(n.noted.unwrap().start, Some(8 * 60 + 15));
    }

    #[test]
    fn ordering_markers_leave_the_title() {
        let h = heading("[PARALLEL] Pre-Cutover Preparation");
        assert_eq!(h.title, "Pre-Cutover Preparation");
        assert_eq!(h.timing.order, Order::Parallel { line: 7 });
        let h = heading("[SEQUENTIAL after Blue-Green] Rollback Automation (45 min)");
        assert_eq!(h.title, "Rollback Automation (45 min)");
        assert_eq!(
            h.timing.order,
            Order::After {
                name: "Blue-Green".into(),
                line: 7
            }
        );
        assert_eq!(h.timing.duration.unwrap().max_minutes, 45);
    }

    #[test]
    fn words_that_are_not_times_are_left_alone() {
        for text in [
            "PROD AWS Account (093646564004)",
            "DR Setup (eu-west-1)",
            "Level 1: Minor Issues (Don't Rollback)",
            "Prerequisites (Check Now)",
        ] {
            let h = heading(text);
            assert!(h.timing.is_empty() && h.warnings.is_empty(), "{text}");
        }
    }

    #[test]
    fn unreadable_times_are_warnings_with_their_line() {
        for (text, why) in [
            (
                "Batch 9: Late (19:75-22:00)",
                "75 is not a number of minutes",
            ),
            ("Batch 9: Late (25:00-26:00)", "is not a time of day"),
            ("Batch 9: Late (Feb 30)", "month 2 has no day 30"),
            ("Batch 9: Late (T+30 to T+10 min)", "ends before it starts"),
            (
                "Batch 9: Late (soon, about 5 min)",
                "not a date or time of day",
            ),
        ] {
            let h = heading(text);
            assert_eq!(h.warnings.len(), 1, "{text}");
            assert_eq!(h.warnings[0].line, 7);
            assert!(
                h.warnings[0].message.contains(why),
                "{text}: {}",
                h.warnings[0].message
            );
            assert!(
                h.timing.window.is_none() && h.timing.offset.is_none(),
                "{text}"
            );
        }
    }

    #[test]
    fn labels() {
        let mut t = Timing::default();
        assert!(read_label(TimeLabel::Duration, "1 day (8 hours)", 4, &mut t).is_none());
        assert_eq!(t.duration.as_ref().unwrap().max_minutes, 480);
        assert!(read_label(TimeLabel::Duration, "1.5 hours", 4, &mut t).is_none());
        assert_eq!(t.duration.as_ref().unwrap().max_minutes, 90);
        let w = read_label(TimeLabel::Duration, "a while", 9, &mut t).unwrap();
        assert_eq!(w.line, 9);
        assert_eq!(
            t.duration.unwrap().max_minutes,
            90,
            "an unread value changes nothing"
        );
        let mut t = Timing::default();
        assert!(read_label(TimeLabel::ClockWindow, "09:00", 4, &mut t).is_none());
        assert_eq!(t.window.unwrap().start, Some(540));
    }
}
