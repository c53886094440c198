use thiserror::Error;

/// A value that breaks one of the model's rules; the message names the field and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModelError {
    #[error("a name is required")]
    EmptyName,
    #[error("invalid environment {0}")]
    InvalidEnvironment(String),
}
