//! Backups in S3 and the database credentials kept in Secrets Manager.
//!
//! Every file goes up with its SHA-256 as S3's `x-amz-checksum-sha256` (the whole object, or
//! each part of a multipart upload), so S3 refuses bytes that changed on the way; coming down,
//! the file is hashed as it is written and the caller compares it with the dump's manifest.
//! Files larger than one part are uploaded in parts read one at a time, so nothing larger than
//! a part is ever held in memory.

use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use aws_types::SdkConfig;
use flightdeck_model::Environment;
use flightdeck_vault::Vault;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::identity::classify;
use crate::{sdk_config, CloudError};

/// Bytes per part of a multipart upload (S3's minimum is 5 MiB).
pub const PART_BYTES: usize = 16 << 20;

/// `s3://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct S3Place {
    pub bucket: String,
    /// Without a trailing slash; empty for the bucket's top.
    pub prefix: String,
}

impl S3Place {
    pub fn parse(url: &str) -> Result<S3Place, CloudError> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            CloudError::Invalid(format!(
                "{url} is not an S3 address like s3://bucket/prefix"
            ))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(CloudError::Invalid(format!("{url} names no bucket")));
        }
        Ok(S3Place {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    pub fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.prefix)
        }
    }

    pub fn child(&self, name: &str) -> S3Place {
        S3Place {
            bucket: self.bucket.clone(),
            prefix: self.key(name),
        }
    }

    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }
}

/// A backup found under a prefix: complete when its manifest is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteBackup {
    pub url: String,
    pub complete: bool,
    pub files: usize,
    pub bytes: u64,
    pub last_modified: Option<String>,
}

pub struct BackupStore {
    env: Environment,
    client: aws_sdk_s3::Client,
    config: SdkConfig,
}

fn base64_sha(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(Sha256::digest(bytes))
}

impl BackupStore {
    pub async fn new(env: &Environment, vault: &Vault) -> Result<BackupStore, CloudError> {
        let config = sdk_config(env, vault).await?;
        let client = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(env.endpoint_url.is_some())
                .build(),
        );
        Ok(BackupStore {
            env: env.clone(),
            client,
            config,
        })
    }

    fn fail<E>(
        &self,
        call: &'static str,
    ) -> impl FnOnce(aws_sdk_s3::error::SdkError<E>) -> CloudError + '_
    where
        E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        move |e| classify(&self.env, call, e)
    }

    /// The `SecretString` of a Secrets Manager secret (database credentials as JSON).
    pub async fn secret_text(&self, name: &str) -> Result<String, CloudError> {
        let client = aws_sdk_secretsmanager::Client::new(&self.config);
        let out = client
            .get_secret_value()
            .secret_id(name)
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(s) if s.is_resource_not_found_exception() => CloudError::Invalid(format!(
                    "secret {name} does not exist in environment {}",
                    self.env.name
                )),
                _ => classify(&self.env, "secretsmanager:GetSecretValue", e),
            })?;
        out.secret_string()
            .map(str::to_string)
            .ok_or_else(|| CloudError::Invalid(format!("secret {name} holds no text")))
    }

    /// Uploads one file whose SHA-256 is `sha256_hex`, in parts when it is larger than one.
    pub async fn put_file(
        &self,
        place: &S3Place,
        name: &str,
        path: &Path,
        sha256_hex: &str,
    ) -> Result<(), CloudError> {
        let key = place.key(name);
        let size = tokio::fs::metadata(path)
            .await
            .map_err(|e| CloudError::Invalid(format!("{}: {e}", path.display())))?
            .len();
        if size <= PART_BYTES as u64 {
            let sha = hex_to_bytes(sha256_hex)?;
            let body = ByteStream::from_path(path)
                .await
                .map_err(|e| CloudError::Invalid(format!("{}: {e}", path.display())))?;
            self.client
                .put_object()
                .bucket(&place.bucket)
                .key(&key)
                .body(body)
                .checksum_algorithm(ChecksumAlgorithm::Sha256)
                .checksum_sha256(aws_smithy_types::base64::encode(sha))
                .send()
                .await
                .map_err(self.fail("s3:PutObject"))?;
            return Ok(());
        }
        let upload = self
            .client
            .create_multipart_upload()
            .bucket(&place.bucket)
            .key(&key)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .send()
            .await
            .map_err(self.fail("s3:CreateMultipartUpload"))?;
        let id = upload.upload_id().unwrap_or_default().to_string();
        let parts = self.put_parts(place, &key, &id, path).await;
        match parts {
            Ok(parts) => {
                self.client
                    .complete_multipart_upload()
                    .bucket(&place.bucket)
                    .key(&key)
                    .upload_id(&id)
                    .multipart_upload(
                        CompletedMultipartUpload::builder()
                            .set_parts(Some(parts))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(self.fail("s3:CompleteMultipartUpload"))?;
                Ok(())
            }
            Err(e) => {
                // Parts left behind cost money: abort, and report the first error.
                let _ = self
                    .client
                    .abort_multipart_upload()
                    .bucket(&place.bucket)
                    .key(&key)
                    .upload_id(&id)
                    .send()
                    .await;
                Err(e)
            }
        }
    }

    async fn put_parts(
        &self,
        place: &S3Place,
        key: &str,
        id: &str,
        path: &Path,
    ) -> Result<Vec<CompletedPart>, CloudError> {
        let mut file = tokio::fs::File::open(path)
            .await
            .map_err(|e| CloudError::Invalid(format!("{}: {e}", path.display())))?;
        let mut parts = Vec::new();
        for number in 1.. {
            let mut buffer = Vec::with_capacity(PART_BYTES);
            (&mut file)
                .take(PART_BYTES as u64)
                .read_to_end(&mut buffer)
                .await
                .map_err(|e| CloudError::Invalid(format!("{}: {e}", path.display())))?;
            if buffer.is_empty() {
                break;
            }
            let checksum = base64_sha(&buffer);
            let out = self
                .client
                .upload_part()
                .bucket(&place.bucket)
                .key(key)
                .upload_id(id)
                .part_number(number)
                .checksum_algorithm(ChecksumAlgorithm::Sha256)
                .checksum_sha256(&checksum)
                .body(ByteStream::from(buffer))
                .send()
                .await
                .map_err(self.fail("s3:UploadPart"))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(out.e_tag().map(str::to_string))
                    .checksum_sha256(checksum)
                    .build(),
            );
        }
        Ok(parts)
    }

    /// Downloads one object to `path`, returning the SHA-256 (hex) of what was written.
    pub async fn get_file(
        &self,
        place: &S3Place,
        name: &str,
        path: &Path,
    ) -> Result<String, CloudError> {
        let key = place.key(name);
        let out = self
            .client
            .get_object()
            .bucket(&place.bucket)
            .key(&key)
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(s) if s.is_no_such_key() => {
                    CloudError::Invalid(format!("s3://{}/{key} does not exist", place.bucket))
                }
                _ => classify(&self.env, "s3:GetObject", e),
            })?;
        let io = |e: std::io::Error| CloudError::Invalid(format!("{}: {e}", path.display()));
        let mut file = tokio::fs::File::create(path).await.map_err(io)?;
        let mut hasher = Sha256::new();
        let mut body = out.body;
        while let Some(bytes) = body.try_next().await.map_err(|e| CloudError::Aws {
            call: "s3:GetObject",
            detail: format!("s3://{}/{key}: {e}", place.bucket),
        })? {
            hasher.update(&bytes);
            file.write_all(&bytes).await.map_err(io)?;
        }
        file.sync_all().await.map_err(io)?;
        Ok(hex::encode(hasher.finalize()))
    }

    /// The backups directly under `place`: each sub-prefix, complete when it holds a manifest.
    pub async fn list(
        &self,
        place: &S3Place,
        manifest_name: &str,
    ) -> Result<Vec<RemoteBackup>, CloudError> {
        let prefix = if place.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", place.prefix)
        };
        let mut found: std::collections::BTreeMap<String, RemoteBackup> = Default::default();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&place.bucket)
            .prefix(&prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(self.fail("s3:ListObjectsV2"))?;
            for object in page.contents() {
                let key = object.key().unwrap_or_default();
                let Some((backup, file)) = key[prefix.len()..].split_once('/') else {
                    continue;
                };
                let entry = found
                    .entry(backup.to_string())
                    .or_insert_with(|| RemoteBackup {
                        url: place.child(backup).url(),
                        complete: false,
                        files: 0,
                        bytes: 0,
                        last_modified: None,
                    });
                if file == manifest_name {
                    entry.complete = true;
                    entry.last_modified = object.last_modified().map(|t| t.to_string());
                } else {
                    entry.files += 1;
                    entry.bytes += object.size().unwrap_or(0).max(0) as u64;
                }
            }
        }
        Ok(found.into_values().collect())
    }
}

fn hex_to_bytes(text: &str) -> Result<Vec<u8>, CloudError> {
    hex::decode(text).map_err(|_| CloudError::Invalid(format!("{text} is not a SHA-256 in hex")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        let p = S3Place::parse("s3://backups/final/sit/").unwrap();
        assert_eq!(
            (p.bucket.as_str(), p.prefix.as_str()),
            ("backups", "final/sit")
        );
        assert_eq!(p.key("manifest.json"), "final/sit/manifest.json");
        assert_eq!(p.child("2026").url(), "s3://backups/final/sit/2026");
        assert_eq!(S3Place::parse("s3://b").unwrap().key("x"), "x");
        assert!(S3Place::parse("/tmp/x").is_err());
        assert!(S3Place::parse("s3:///x").is_err());
    }
}
