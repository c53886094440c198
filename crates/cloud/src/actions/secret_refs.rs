//! `${secret:NAME#FIELD}`: a field of a JSON secret in Secrets Manager, read at the moment an
//! action is applied and put where the reference stands. Plans show the reference itself; the
//! value never reaches a plan, an outcome, a log line, the store or the UI.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use flightdeck_runbook::Action;
use regex::Regex;

use super::Run;
use crate::CloudError;

static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{secret:([^#}]+)#([^}]+)\}").expect("a valid pattern"));

/// The (secret, field) pairs an action refers to.
fn references(action: &Action) -> Vec<(String, String)> {
    let text = serde_json::to_string(action).unwrap_or_default();
    let mut found: Vec<(String, String)> = REFERENCE
        .captures_iter(&text)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Reads every referenced field; an unknown secret or field is refused with its name.
async fn read(
    run: &Run<'_>,
    refs: &[(String, String)],
) -> Result<BTreeMap<(String, String), String>, CloudError> {
    let client = aws_sdk_secretsmanager::Client::new(&run.sdk());
    let mut values = BTreeMap::new();
    let mut secrets: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for (name, field) in refs {
        if !secrets.contains_key(name) {
            let out = client
                .get_secret_value()
                .secret_id(name)
                .send()
                .await
                .map_err(|e| match e.as_service_error() {
                    Some(s) if s.is_resource_not_found_exception() => CloudError::Invalid(format!(
                        "${{secret:{name}#{field}}}: secret {name} does not exist"
                    )),
                    _ => run.fail("secretsmanager:GetSecretValue")(e),
                })?;
            let json = out
                .secret_string()
                .and_then(|s| serde_json::from_str(s).ok())
                .ok_or_else(|| {
                    CloudError::Invalid(format!("secret {name} does not hold a JSON object"))
                })?;
            secrets.insert(name.clone(), json);
        }
        let value = match &secrets[name][field] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => {
                return Err(CloudError::Invalid(format!(
                    "secret {name} has no field '{field}'"
                )))
            }
            other => other.to_string(),
        };
        values.insert((name.clone(), field.clone()), value);
    }
    Ok(values)
}

/// Checks every reference resolves, without keeping a value (for plans).
pub(super) async fn check(run: &Run<'_>, action: &Action) -> Result<(), CloudError> {
    let refs = references(action);
    if !refs.is_empty() {
        read(run, &refs).await?;
    }
    Ok(())
}

/// The action with its references filled in, and the values to keep out of anything shown.
pub(super) async fn fill(
    run: &Run<'_>,
    action: &Action,
) -> Result<(Action, Vec<String>), CloudError> {
    let refs = references(action);
    if refs.is_empty() {
        return Ok((action.clone(), Vec::new()));
    }
    let values = read(run, &refs).await?;
    let mut json = serde_json::to_value(action).map_err(|e| CloudError::Invalid(e.to_string()))?;
    fn walk(v: &mut serde_json::Value, values: &BTreeMap<(String, String), String>) {
        match v {
            serde_json::Value::String(s) if s.contains("${secret:") => {
                *s = REFERENCE
                    .replace_all(s, |c: &regex::Captures<'_>| {
                        values
                            .get(&(c[1].to_string(), c[2].to_string()))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .into_owned();
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, values)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|i| walk(i, values)),
            _ => {}
        }
    }
    walk(&mut json, &values);
    let filled = serde_json::from_value(json).map_err(|e| CloudError::Invalid(e.to_string()))?;
    Ok((
        filled,
        values.into_values().filter(|v| !v.is_empty()).collect(),
    ))
}

/// Replaces every secret value in `text` with a marker.
pub(super) fn scrub(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(text.to_string(), |t, s| t.replace(s.as_str(), "‹secret›"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_scrubbing() {
        let action = Action::SecretCreate {
            name: "app".into(),
            description: None,
            kms_key_id: None,
            fields: BTreeMap::from([
                (
                    "host".to_string(),
                    "${secret:harbour/prod/master#host}".to_string(),
                ),
                (
                    "port".to_string(),
                    "${secret:harbour/prod/master#port}".to_string(),
                ),
            ]),
            password_field: "password".into(),
        };
        assert_eq!(
            references(&action),
            vec![
                ("harbour/prod/master".to_string(), "host".to_string()),
                ("harbour/prod/master".to_string(), "port".to_string())
            ]
        );
        assert_eq!(
            scrub("password s3cr3t in s3cr3t", &["s3cr3t".to_string()]),
            "password ‹secret› in ‹secret›"
        );
    }
}
