//! Backup files to S3 and back against moto: a file larger than one part goes up in parts, each
//! with its SHA-256, and comes down byte for byte; a wrong SHA-256 is refused by S3 itself;
//! listings tell complete backups (with a manifest) from interrupted ones.

use crate::common;
use crate::keyed::Keyed;

use flightdeck_cloud::{sdk_config, seed_demo_world, BackupStore, S3Place, PART_BYTES};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn multipart_uploads_come_back_whole_and_bad_checksums_are_refused() {
    let moto = common::moto();
    let Keyed { env, vault, .. } =
        &Keyed::new("BAK", "FDBACKUPKEY00000001", "backup-secret", &moto);
    seed_demo_world(&sdk_config(env, vault).await.unwrap())
        .await
        .unwrap();
    let store = BackupStore::new(env, vault).await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Two and a bit parts of bytes that do not repeat.
    let mut big = Vec::with_capacity(PART_BYTES * 2 + 1000);
    let mut seed = Sha256::digest(b"flightdeck").to_vec();
    while big.len() < PART_BYTES * 2 + 1000 {
        seed = Sha256::digest(&seed).to_vec();
        big.extend_from_slice(&seed);
    }
    let path = dir.path().join("wp.wp_posts.00000.sql.zst");
    std::fs::write(&path, &big).unwrap();
    let sha = hex::encode(Sha256::digest(&big));
    let place = S3Place::parse("s3://harbour-prod-backups/final/wp-1").unwrap();
    store
        .put_file(&place, "wp.wp_posts.00000.sql.zst", &path, &sha)
        .await
        .unwrap();
    let back = dir.path().join("back");
    let got = store
        .get_file(&place, "wp.wp_posts.00000.sql.zst", &back)
        .await
        .unwrap();
    assert_eq!(got, sha);
    assert_eq!(std::fs::read(&back).unwrap(), big);

    // A SHA-256 that is not the file's: S3 refuses the object.
    let small = dir.path().join("small.sql.zst");
    std::fs::write(&small, b"SELECT 1;\n").unwrap();
    let wrong = hex::encode(Sha256::digest(b"something else"));
    let err = store
        .put_file(&place, "small.sql.zst", &small, &wrong)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("s3:PutObject"), "{err}");
    assert!(err.to_string().contains("BadDigest"), "{err}");

    // Listing: wp-1 has no manifest yet, wp-2 has one.
    let done = S3Place::parse("s3://harbour-prod-backups/final/wp-2").unwrap();
    let manifest = dir.path().join("manifest.json");
    std::fs::write(&manifest, b"{}").unwrap();
    let manifest_sha = hex::encode(Sha256::digest(b"{}"));
    store
        .put_file(&done, "manifest.json", &manifest, &manifest_sha)
        .await
        .unwrap();
    let listed = store
        .list(
            &S3Place::parse("s3://harbour-prod-backups/final").unwrap(),
            "manifest.json",
        )
        .await
        .unwrap();
    let summary: Vec<(String, bool, usize)> = listed
        .iter()
        .map(|b| (b.url.clone(), b.complete, b.files))
        .collect();
    assert_eq!(
        summary,
        [
            ("s3://harbour-prod-backups/final/wp-1".to_string(), false, 1),
            ("s3://harbour-prod-backups/final/wp-2".to_string(), true, 0),
        ]
    );
    assert_eq!(listed[0].bytes, big.len() as u64);
}
