//! The team log in DynamoDB against moto: a 5 MB runbook goes up in chunks and comes back byte
//! for byte; two writers of the same sequence number cannot both win, alone or in a
//! transaction.

use crate::common;
use crate::keyed::Keyed;

use flightdeck_cloud::{Appended, TeamLog, CHUNK_BYTES};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_five_megabyte_runbook_round_trips_and_each_number_is_written_once() {
    let moto = common::moto();
    let Keyed { env, vault, .. } =
        &Keyed::new("TEAMLOG", "FDTEAMLOGKEY0000001", "team-secret", &moto);
    let log = TeamLog::connect(env, vault, "flightdeck-releases", "drill-1a2b3c")
        .await
        .unwrap();
    log.ensure_table().await.unwrap();
    log.ensure_table().await.unwrap();

    let mut markdown = String::from("# Five Megabytes\n\n## Phase 1: Long\n\n");
    let mut n = 0;
    while markdown.len() < 5 * 1024 * 1024 {
        markdown.push_str(&format!(
            "- [ ] step {n}: {}\n",
            hex::encode(Sha256::digest(n.to_string()))
        ));
        n += 1;
    }
    let sha = log.put_document(markdown.as_bytes()).await.unwrap();
    assert_eq!(sha, hex::encode(Sha256::digest(markdown.as_bytes())));
    let back = log.document().await.unwrap();
    assert_eq!(back.markdown, markdown.as_bytes());
    assert!(markdown.len() / CHUNK_BYTES >= 14);

    let events = |from: usize| -> Vec<(String, String)> {
        (from..from + 3)
            .map(|i| (format!("id-{i}"), format!("event {i}")))
            .collect()
    };
    assert_eq!(
        log.append(1, "id-a", "first").await.unwrap(),
        Appended::Written
    );
    assert_eq!(
        log.append(1, "id-b", "second").await.unwrap(),
        Appended::Taken
    );
    assert_eq!(
        log.append_many(2, &events(2)).await.unwrap(),
        Appended::Written
    );
    // A transaction that overlaps a written number writes none of its events.
    assert_eq!(
        log.append_many(4, &events(10)).await.unwrap(),
        Appended::Taken
    );
    let read = log.read_after(0).await.unwrap();
    let seqs: Vec<i64> = read.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    assert_eq!(read[0].1, "first");
    assert_eq!(read[3].1, "event 4");
    assert_eq!(log.read_after(2).await.unwrap().len(), 2);
}
