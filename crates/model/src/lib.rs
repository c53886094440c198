//! The types every layer of Flightdeck shares, with no storage, AWS or UI in them: who acts and
//! in which role, environments and their guard, the results and verdicts of go/no-go criteria,
//! and [`Event`], the one typed record of every change of state.

mod actor;
mod envelope;
mod environment;
mod error;
mod event;
mod evidence;
mod records;
mod rollout;
mod run;
mod verdict;

pub use actor::{Actor, ItemState};
pub use ed25519_dalek::SigningKey;
pub use envelope::{verify_bytes, Author, EventBody, SignatureError, SignedEvent};
pub use environment::{ConnectionCheck, CredentialSource, Environment, GuardLevel};
pub use error::ModelError;
pub use event::{Direction, Event};
pub use evidence::{Evidence, EvidenceKind};
pub use flightdeck_runbook::Role;
pub use records::{Answer, Decision, Signed, SoakRecord, Waiver};
pub use rollout::{Judged, RollbackTiming, RolloutChange, RolloutStatus, ShiftCause};
pub use run::{run_key, split_run_key, NotifyChannel, RunKind, RunNotify, RunRecord};
pub use verdict::{AlarmMark, CriterionResult, Evaluation, Point, Span, Status, Verdict};
