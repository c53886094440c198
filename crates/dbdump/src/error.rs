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
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> DumpError + '_ {
        move |source| DumpError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
