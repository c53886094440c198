//! A shared release's log in DynamoDB: one table per account (any name; `flightdeck-releases`
//! by default), keyed by `release` (string) and `seq` (number).
//!
//! - `release = <id>`, `seq = 1, 2, ...`: the events, each `{event_id, event}` where `event` is
//!   the signed event's JSON. Each is written with `attribute_not_exists(seq)`, so two desktops
//!   can never both write event N: the loser is told and reads before trying again.
//! - `release = <id>#doc`, `seq = 0, 1, ...`: the runbook's markdown in chunks of at most
//!   [`CHUNK_BYTES`] (DynamoDB items hold 400 KB), and `release = <id>#meta`, `seq = 0`: its
//!   size, SHA-256 and number of chunks.
//! - `release = <id>#presence`, `seq = 0`: per member, when they were last seen and where.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, Put,
    ScalarAttributeType, TableStatus, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use aws_smithy_types::Blob;
use flightdeck_model::Environment;
use flightdeck_vault::Vault;
use sha2::{Digest, Sha256};

use crate::identity::classify;
use crate::{sdk_config, CloudError};

/// The largest piece of a runbook's markdown kept in one item.
pub const CHUNK_BYTES: usize = 350_000;

/// The table's name when the person names none.
pub const DEFAULT_TABLE: &str = "flightdeck-releases";

/// DynamoDB requests made by this process's team logs, for measuring what a join or a sync
/// costs.
static CALLS: AtomicU64 = AtomicU64::new(0);

/// How many DynamoDB requests this process's team logs have made.
pub fn dynamodb_calls() -> u64 {
    CALLS.load(Ordering::Relaxed)
}

fn counted() {
    CALLS.fetch_add(1, Ordering::Relaxed);
}

/// What became of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    Written,
    /// Another desktop wrote that sequence number first.
    Taken,
}

/// The runbook a release shares: its markdown, checked against its SHA-256.
#[derive(Debug, Clone)]
pub struct SharedDocument {
    pub markdown: Vec<u8>,
    pub sha256: String,
}

/// One release's log in one table, reached with one environment's credentials.
pub struct TeamLog {
    env: Environment,
    client: Client,
    table: String,
    release: String,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name)?.as_s().ok().cloned()
}

fn number(item: &HashMap<String, AttributeValue>, name: &str) -> Option<i64> {
    item.get(name)?.as_n().ok()?.parse().ok()
}

impl TeamLog {
    pub async fn connect(
        env: &Environment,
        vault: &Vault,
        table: &str,
        release: &str,
    ) -> Result<TeamLog, CloudError> {
        let config = sdk_config(env, vault).await?;
        Ok(TeamLog {
            env: env.clone(),
            client: Client::new(&config),
            table: table.to_string(),
            release: release.to_string(),
        })
    }

    fn fail<E>(
        &self,
        call: &'static str,
    ) -> impl FnOnce(aws_sdk_dynamodb::error::SdkError<E>) -> CloudError + '_
    where
        E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        move |e| classify(&self.env, call, e)
    }

    /// Creates the table (on-demand capacity) unless it exists, and waits until it is active.
    pub async fn ensure_table(&self) -> Result<(), CloudError> {
        counted();
        let exists = match self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
        {
            Ok(out) => out.table().and_then(|t| t.table_status()).cloned(),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                None
            }
            Err(e) => return Err(classify(&self.env, "dynamodb:DescribeTable", e)),
        };
        if exists.is_none() {
            let key = |name: &str, kind| {
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(kind)
                    .build()
                    .expect("key schema elements have their fields")
            };
            let attribute = |name: &str, kind| {
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(kind)
                    .build()
                    .expect("attribute definitions have their fields")
            };
            counted();
            self.client
                .create_table()
                .table_name(&self.table)
                .key_schema(key("release", KeyType::Hash))
                .key_schema(key("seq", KeyType::Range))
                .attribute_definitions(attribute("release", ScalarAttributeType::S))
                .attribute_definitions(attribute("seq", ScalarAttributeType::N))
                .billing_mode(BillingMode::PayPerRequest)
                .send()
                .await
                .map_err(self.fail("dynamodb:CreateTable"))?;
        }
        for _ in 0..60 {
            counted();
            let out = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(self.fail("dynamodb:DescribeTable"))?;
            if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        Err(CloudError::NotReady {
            what: format!("DynamoDB table {}", self.table),
            status: "not active".into(),
            seconds: 60,
        })
    }

    /// Publishes the runbook's markdown in chunks, then the item that describes them.
    pub async fn put_document(&self, markdown: &[u8]) -> Result<String, CloudError> {
        let sha256 = hex::encode(Sha256::digest(markdown));
        let chunks: Vec<&[u8]> = markdown.chunks(CHUNK_BYTES).collect();
        let doc = format!("{}#doc", self.release);
        for (i, chunk) in chunks.iter().enumerate() {
            counted();
            self.client
                .put_item()
                .table_name(&self.table)
                .item("release", s(&doc))
                .item("seq", n(i as i64))
                .item("data", AttributeValue::B(Blob::new(chunk.to_vec())))
                .send()
                .await
                .map_err(self.fail("dynamodb:PutItem"))?;
        }
        counted();
        self.client
            .put_item()
            .table_name(&self.table)
            .item("release", s(&format!("{}#meta", self.release)))
            .item("seq", n(0))
            .item("sha256", s(&sha256))
            .item("bytes", n(markdown.len() as i64))
            .item("chunks", n(chunks.len() as i64))
            .send()
            .await
            .map_err(self.fail("dynamodb:PutItem"))?;
        Ok(sha256)
    }

    /// The runbook's markdown, reassembled and checked against its SHA-256.
    pub async fn document(&self) -> Result<SharedDocument, CloudError> {
        counted();
        let meta = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("release", s(&format!("{}#meta", self.release)))
            .key("seq", n(0))
            .consistent_read(true)
            .send()
            .await
            .map_err(self.fail("dynamodb:GetItem"))?
            .item
            .ok_or_else(|| {
                CloudError::Invalid(format!(
                    "release {} is not in table {}: check the release URI and the environment",
                    self.release, self.table
                ))
            })?;
        let sha256 = text(&meta, "sha256").unwrap_or_default();
        let chunks = number(&meta, "chunks").unwrap_or(0);
        let mut markdown = Vec::new();
        let items = self.query(&format!("{}#doc", self.release), -1).await?;
        for (i, item) in items.iter().enumerate() {
            if number(item, "seq") != Some(i as i64) {
                break;
            }
            if let Some(AttributeValue::B(data)) = item.get("data") {
                markdown.extend_from_slice(data.as_ref());
            }
        }
        if items.len() as i64 != chunks || hex::encode(Sha256::digest(&markdown)) != sha256 {
            return Err(CloudError::Invalid(format!(
                "the runbook of release {} is incomplete or altered in table {} ({} of {chunks} parts, SHA-256 differs): ask the person who shared it to share it again",
                self.release,
                self.table,
                items.len()
            )));
        }
        Ok(SharedDocument { markdown, sha256 })
    }

    /// Writes event `seq` unless another desktop wrote it first.
    pub async fn append(
        &self,
        seq: i64,
        event_id: &str,
        event: &str,
    ) -> Result<Appended, CloudError> {
        counted();
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("release", s(&self.release))
            .item("seq", n(seq))
            .item("event_id", s(event_id))
            .item("event", s(event))
            .condition_expression("attribute_not_exists(seq)")
            .send()
            .await;
        match written {
            Ok(_) => Ok(Appended::Written),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(Appended::Taken)
            }
            Err(e) => Err(classify(&self.env, "dynamodb:PutItem", e)),
        }
    }

    /// Writes `events` (`(event id, event)`) as events `first`, `first + 1`, ... in one
    /// transaction: all of them, or none when another desktop wrote any of those numbers
    /// first. One event is one conditional put (a transaction costs twice the writes).
    pub async fn append_many(
        &self,
        first: i64,
        events: &[(String, String)],
    ) -> Result<Appended, CloudError> {
        if let [(id, event)] = events {
            return self.append(first, id, event).await;
        }
        let mut puts = Vec::new();
        for (i, (id, event)) in events.iter().enumerate() {
            let put = Put::builder()
                .table_name(&self.table)
                .item("release", s(&self.release))
                .item("seq", n(first + i as i64))
                .item("event_id", s(id))
                .item("event", s(event))
                .condition_expression("attribute_not_exists(seq)")
                .build()
                .expect("a put has its table and item");
            puts.push(TransactWriteItem::builder().put(put).build());
        }
        counted();
        let written = self
            .client
            .transact_write_items()
            .set_transact_items(Some(puts))
            .send()
            .await;
        match written {
            Ok(_) => Ok(Appended::Written),
            Err(e)
                if e.as_service_error().is_some_and(|s| match s {
                    TransactWriteItemsError::TransactionCanceledException(t) => t
                        .cancellation_reasons()
                        .iter()
                        .any(|r| r.code() == Some("ConditionalCheckFailed")),
                    _ => false,
                }) =>
            {
                Ok(Appended::Taken)
            }
            Err(e) => Err(classify(&self.env, "dynamodb:TransactWriteItems", e)),
        }
    }

    /// The events after `after`, in order: `(seq, event)`.
    pub async fn read_after(&self, after: i64) -> Result<Vec<(i64, String)>, CloudError> {
        let items = self.query(&self.release, after).await?;
        Ok(items
            .iter()
            .filter_map(|item| {
                let seq = number(item, "seq")?;
                Some((seq, text(item, "event").unwrap_or_default()))
            })
            .collect())
    }

    /// Every item of partition `release` with `seq > after`, in order, page by page.
    async fn query(
        &self,
        release: &str,
        after: i64,
    ) -> Result<Vec<HashMap<String, AttributeValue>>, CloudError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            counted();
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#r = :r AND #s > :s")
                .expression_attribute_names("#r", "release")
                .expression_attribute_names("#s", "seq")
                .expression_attribute_values(":r", s(release))
                .expression_attribute_values(":s", n(after))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(self.fail("dynamodb:Query"))?;
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Says that `name` works on the release now, from `desktop`.
    pub async fn heartbeat(&self, name: &str, at: &str, desktop: &str) -> Result<(), CloudError> {
        counted();
        self.client
            .update_item()
            .table_name(&self.table)
            .key("release", s(&format!("{}#presence", self.release)))
            .key("seq", n(0))
            .update_expression("SET #m = :m")
            .expression_attribute_names("#m", name)
            .expression_attribute_values(
                ":m",
                AttributeValue::M(HashMap::from([
                    ("at".to_string(), s(at)),
                    ("desktop".to_string(), s(desktop)),
                ])),
            )
            .send()
            .await
            .map_err(self.fail("dynamodb:UpdateItem"))?;
        Ok(())
    }

    /// Who was last seen when, and where: `(name, at, desktop)`.
    pub async fn presence(&self) -> Result<Vec<(String, String, String)>, CloudError> {
        counted();
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("release", s(&format!("{}#presence", self.release)))
            .key("seq", n(0))
            .send()
            .await
            .map_err(self.fail("dynamodb:GetItem"))?
            .item
            .unwrap_or_default();
        Ok(item
            .iter()
            .filter_map(|(name, value)| {
                let m = value.as_m().ok()?;
                Some((name.clone(), text(m, "at")?, text(m, "desktop")?))
            })
            .collect())
    }
}
