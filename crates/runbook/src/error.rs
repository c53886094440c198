use thiserror::Error;

/// Why a runbook could not be imported. Every variant names the file and, where it makes sense,
/// the line, so the person fixing the document knows where to look.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ImportError {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: the file is {size} bytes, larger than the {limit}-byte limit for a runbook")]
    TooLarge { file: String, size: u64, limit: u64 },
    #[error("{file}:{line}:{column}: this is not a text file (found a NUL byte); a runbook must be UTF-8 markdown")]
    Binary {
        file: String,
        line: u32,
        column: u32,
    },
    #[error(
        "{file}:{line}:{column}: invalid UTF-8; save the runbook as UTF-8 and import it again"
    )]
    NotUtf8 {
        file: String,
        line: u32,
        column: u32,
    },
    #[error("{file}:1: no phases, tasks or `- [ ]` checklist items found; is this a runbook?")]
    NothingToImport { file: String },
    #[error("{file}:{line}: {reason}")]
    UnknownRole {
        file: String,
        line: u32,
        reason: String,
    },
    #[error("{file}:{line}: go/no-go criteria: {reason}")]
    BadCriteria {
        file: String,
        line: u32,
        reason: String,
    },
    #[error("{file}:{line}: action block: {reason}")]
    BadAction {
        file: String,
        line: u32,
        reason: String,
    },
    #[error("{file}:{line}: phases depend on each other in a cycle ({cycle}); a phase can only wait for earlier ones")]
    DependencyCycle {
        file: String,
        line: u32,
        cycle: String,
    },
}

impl ImportError {
    /// A stable, machine-readable code for the error kind.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Empty { .. } => "runbook_empty",
            ImportError::TooLarge { .. } => "runbook_too_large",
            ImportError::Binary { .. } => "runbook_binary",
            ImportError::NotUtf8 { .. } => "runbook_not_utf8",
            ImportError::NothingToImport { .. } => "runbook_nothing_to_import",
            ImportError::UnknownRole { .. } => "runbook_unknown_role",
            ImportError::BadCriteria { .. } => "runbook_bad_criteria",
            ImportError::BadAction { .. } => "runbook_bad_action",
            ImportError::DependencyCycle { .. } => "runbook_dependency_cycle",
        }
    }
}
