//! Waiting for the tasks that dump or load on several connections at once.

use tokio::task::JoinHandle;

use crate::DumpError;

/// Waits for every worker; the first real error wins over the cancellations it caused in the
/// others (a failing worker cancels the rest).
pub async fn join_all(
    workers: Vec<JoinHandle<Result<(), DumpError>>>,
    what: &str,
) -> Result<(), DumpError> {
    let mut failure = None;
    for worker in workers {
        let outcome = worker
            .await
            .map_err(|e| DumpError::Refused(format!("a {what} task stopped: {e}")))
            .and_then(|r| r);
        match (&failure, outcome) {
            (_, Ok(())) => {}
            (None, Err(e)) | (Some(DumpError::Cancelled), Err(e)) => failure = Some(e),
            (Some(_), Err(_)) => {}
        }
    }
    failure.map_or(Ok(()), Err)
}
