//! Announcements out of Flightdeck: a message published to an SNS topic with an environment's
//! credentials, or posted to a webhook as `{"text": ...}` (the body a Slack incoming webhook
//! takes). A webhook's URL is a secret: no error or log names it.

use std::time::Duration;

use flightdeck_model::Environment;
use flightdeck_vault::Vault;

use crate::config::sdk_config;
use crate::identity::classify;
use crate::CloudError;

/// Publishes `message` to the topic; the SNS message id.
pub async fn publish_sns(
    env: &Environment,
    vault: &Vault,
    topic_arn: &str,
    subject: &str,
    message: &str,
) -> Result<String, CloudError> {
    let client = aws_sdk_sns::Client::new(&sdk_config(env, vault).await?);
    let subject: String = subject.chars().take(100).collect();
    let sent = client
        .publish()
        .topic_arn(topic_arn)
        .subject(subject)
        .message(message)
        .send()
        .await
        .map_err(|e| classify(env, "sns:Publish", e))?;
    Ok(sent.message_id().unwrap_or_default().to_string())
}

/// Posts `{"text": message}` to the webhook; an answer other than 2xx is an error saying the
/// status, never the URL.
pub async fn post_webhook(url: &str, message: &str) -> Result<(), CloudError> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|_| CloudError::Invalid("the HTTP client could not be built".into()))?;
    let body = serde_json::json!({ "text": message }).to_string();
    let answer = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| {
            let why = if e.is_timeout() {
                "it did not answer within 10 s"
            } else if e.is_connect() {
                "it could not be reached"
            } else if e.is_builder() {
                "its URL is not valid"
            } else {
                "the request failed"
            };
            CloudError::Invalid(format!("the webhook was not notified: {why}"))
        })?;
    if !answer.status().is_success() {
        return Err(CloudError::Invalid(format!(
            "the webhook answered HTTP {}",
            answer.status().as_u16()
        )));
    }
    Ok(())
}
