use thiserror::Error;

#[derive(Debug, Error)]
pub enum DumpError {
    #[error("database error: {0}")]
    Sql(#[from] mysql_async::Error),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("could not start MariaDB: {0}")]
    Server(String),
    #[error("{file}: {why}")]
    Corrupt { file: String, why: String },
    #[error("restoring {file}: {why}")]
    Restore { file: String, why: String },
    #[error("{0}")]
    Refused(String),
    #[error("cancelled; what was written is incomplete and has no manifest")]
    Cancelled,
}

impl DumpError {
    /// A stable code for `--json` and the app.
    pub fn code(&self) -> &'static str {
        match self {
            DumpError::Sql(mysql_async::Error::Server(e)) if e.code == 1045 => "db_bad_credentials",
            DumpError::Sql(mysql_async::Error::Io(_)) => "db_unreachable",
            DumpError::Sql(_) => "db_error",
            DumpError::Io { .. } => "io",
            DumpError::Server(_) => "db_server",
            DumpError::Corrupt { .. } => "backup_corrupt",
            DumpError::Restore { .. } => "restore_failed",
            DumpError::Refused(_) => "refused",
            DumpError::Cancelled => "cancelled",
        }
    }

    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> DumpError + '_ {
        move |source| DumpError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
