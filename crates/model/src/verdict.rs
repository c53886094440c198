//! Results of go/no-go criteria and the verdict they add up to. No data is never a pass.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Status {
    Pass,
    Fail,
    /// No data, or not enough to judge: never a pass.
    Inconclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Verdict {
    Go,
    NoGo,
    Inconclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Point {
    /// Seconds since the Unix epoch.
    pub t: i64,
    pub v: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CriterionResult {
    pub id: String,
    pub name: String,
    pub status: Status,
    /// The value the sentence speaks of: the worst of a breach, else the latest.
    pub value: Option<f64>,
    pub sentence: String,
    pub points: Vec<Point>,
    pub threshold: Option<f64>,
    pub unit: Option<String>,
    /// Time spans (seconds since the epoch) whose points breach the threshold.
    pub breaches: Vec<Span>,
    /// State changes of the CloudWatch alarms on this criterion's metrics, in the window.
    pub marks: Vec<AlarmMark>,
}

/// An alarm changing state, marked on a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AlarmMark {
    /// Seconds since the Unix epoch.
    pub t: i64,
    pub alarm: String,
    /// The state entered: OK, ALARM or INSUFFICIENT_DATA.
    pub state: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Span {
    pub from: i64,
    pub to: i64,
}

impl Verdict {
    /// GO only when there are results and every one passes; any failure is NO-GO.
    pub fn of(results: &[CriterionResult]) -> Verdict {
        if results.iter().any(|r| r.status == Status::Fail) {
            Verdict::NoGo
        } else if results.is_empty() || results.iter().any(|r| r.status == Status::Inconclusive) {
            Verdict::Inconclusive
        } else {
            Verdict::Go
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Evaluation {
    pub verdict: Verdict,
    pub results: Vec<CriterionResult>,
    pub window_minutes: u32,
}
