//! Runbook model and markdown import.
//!
//! Pure: no file or network IO. Callers hand in the bytes of a markdown runbook and get back a
//! [`Runbook`] with phases, tasks, checklist items, copyable code steps and sign-off fields, each
//! with an id that stays the same when unrelated parts of the document are edited.

mod actions;
mod criteria;
mod diff;
mod error;
mod fences;
mod gates;
mod generate;
mod ids;
mod import;
mod item_id;
mod labels;
mod model;
mod mojibake;
mod outline;
mod role;
mod rollout;
mod split;
mod time_links;
mod times;

pub use actions::{
    parse_action_block, resolve_vars, Action, ActionStep, AlarmSpec, ContainerSpec, EfsVolume,
    SmokeCheck,
};
pub use criteria::{
    expression_names, Comparison, Criterion, CriterionKind, MetricRef, NoData, Series, Soak,
};
pub use diff::{diff, ItemChange, ItemRef, RunbookDiff};
pub use error::ImportError;
pub use generate::synthetic_runbook;
pub use import::{parse, MAX_RUNBOOK_BYTES};
pub use item_id::ItemId;
pub use model::{
    ChecklistItem, ImportWarning, Meta, MetaField, Phase, Runbook, SignoffField, SignoffKind, Step,
    Task, TimedSection,
};
pub use mojibake::repair_mac_roman;
pub use role::{Role, UnknownRole};
pub use rollout::{ExistingAlarms, OnFailure, Rollout, RolloutCriteria, Traffic};
pub use times::{ClockWindow, DurationRange, GoLiveOffset, MonthDay, Order, Timing};
