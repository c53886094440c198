//! HTTP smoke checks: each URL's status against the accepted codes and its latency against the
//! bound, reported URL by URL.

use std::time::{Duration, Instant};

use flightdeck_runbook::SmokeCheck;

use super::{Change, Failure, Outcome, Plan, Run};
use crate::CloudError;

pub(super) fn plan(checks: &[SmokeCheck]) -> Plan {
    Plan {
        kind: "http.smoke".into(),
        summary: format!("request {} URLs; nothing is changed", checks.len()),
        changes: checks
            .iter()
            .map(|c| Change {
                resource: c.url.clone(),
                field: "check".into(),
                before: None,
                after: Some(format!("status in {:?} within {} ms", c.expect, c.max_ms)),
            })
            .collect(),
        undo: None,
        noop: false,
        notes: Vec::new(),
    }
}

pub(super) async fn apply(run: &Run<'_>, checks: &[SmokeCheck]) -> Result<Outcome, Failure> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| CloudError::Invalid(format!("no HTTP client: {e}")))?;
    let (mut passed, mut failed) = (Vec::new(), Vec::new());
    for check in checks {
        run.cancelled()?;
        let started = Instant::now();
        let result = client.get(&check.url).send().await;
        let ms = started.elapsed().as_millis() as u32;
        let line = match result {
            Ok(response) => {
                let status = response.status().as_u16();
                let ok_status = check.expect.contains(&status);
                let ok_time = ms <= check.max_ms;
                let line = format!(
                    "{} {}: {status} in {ms} ms{}{}",
                    if ok_status && ok_time { "PASS" } else { "FAIL" },
                    check.url,
                    if ok_status {
                        String::new()
                    } else {
                        format!(" (expected {:?})", check.expect)
                    },
                    if ok_time {
                        String::new()
                    } else {
                        format!(" (slower than {} ms)", check.max_ms)
                    },
                );
                if ok_status && ok_time {
                    passed.push(line.clone());
                } else {
                    failed.push(line.clone());
                }
                line
            }
            Err(e) => {
                let line = format!("FAIL {}: no answer ({e})", check.url);
                failed.push(line.clone());
                line
            }
        };
        run.say(&line);
    }
    if failed.is_empty() {
        Ok(Outcome {
            changed: false,
            outputs: [("passed".to_string(), passed.len().to_string())].into(),
            request_ids: Vec::new(),
            undo: None,
            log: passed,
        })
    } else {
        Err(Failure {
            error: CloudError::SmokeFailed {
                failed: failed.len(),
                total: checks.len(),
                detail: failed.join("; "),
            },
            done: passed,
            request_ids: Vec::new(),
        })
    }
}
