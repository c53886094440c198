use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database schema migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("no runbook named '{0}'")]
    UnknownRunbook(String),
    #[error("runbook '{runbook}' has no phase '{phase}'")]
    UnknownPhase { runbook: String, phase: String },
    #[error("runbook '{runbook}' has no item '{item}'")]
    UnknownItem { runbook: String, item: String },
    #[error("stored runbook '{0}' cannot be read back: {1}")]
    BadDocument(String, serde_json::Error),
    #[error("{0}")]
    UnknownRole(flightdeck_runbook::UnknownRole),
    #[error("no environment named '{0}'")]
    UnknownEnvironment(String),
    #[error(transparent)]
    Model(#[from] flightdeck_model::ModelError),
    #[error("the database failed its integrity check: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Sqlite(_) | StoreError::Migration(_) => "database",
            StoreError::UnknownRunbook(_) => "unknown_runbook",
            StoreError::UnknownPhase { .. } => "unknown_phase",
            StoreError::UnknownItem { .. } => "unknown_item",
            StoreError::BadDocument(..) | StoreError::Corrupt(_) => "database_corrupt",
            StoreError::UnknownRole(_) => "unknown_role",
            StoreError::Model(flightdeck_model::ModelError::EmptyName) => "invalid_identity",
            StoreError::UnknownEnvironment(_) => "unknown_environment",
            StoreError::Model(flightdeck_model::ModelError::InvalidEnvironment(_)) => {
                "invalid_environment"
            }
            StoreError::Conflict(_) => "conflict",
        }
    }
}

impl From<flightdeck_runbook::UnknownRole> for StoreError {
    fn from(e: flightdeck_runbook::UnknownRole) -> StoreError {
        StoreError::UnknownRole(e)
    }
}
