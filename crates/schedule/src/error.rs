use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ScheduleError {
    #[error(
        "the ordering of the runbook loops: '{title}' (line {line}) ends up waiting for itself"
    )]
    OrderingLoop { title: String, line: u32 },
    #[error("activity {index} waits for itself through its dependencies")]
    Loop { index: usize },
    #[error("activity {index} does not exist")]
    UnknownActivity { index: usize },
}
