//! End-to-end: the real Flightdeck window under Xvfb, driven through tauri-driver and
//! WebKitWebDriver. Imports a fixture through the import dialog, ticks an item, quits, starts
//! again on the same data directory and finds the item still ticked. Screenshots land in
//! `target/gui/`.
//!
//! Needs a display (the README's test command runs it under `xvfb-run`), `tauri-driver` on PATH
//! and `WebKitWebDriver` (Debian package webkit2gtk-driver).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use flightdeck_store::{ItemState, Store};

const FIXTURE_ITEM: &str = "Replica lag under 5 seconds";
const FIXTURE_KEY: &str = "orbit-billing-cutover";

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn start_driver(data_dir: &Path) -> Result<Driver> {
    if std::env::var_os("DISPLAY").is_none() {
        bail!("no DISPLAY: run the GUI test under Xvfb, as the README's test command does");
    }
    let (port, native_port) = (free_port()?, free_port()?);
    let child = Command::new("tauri-driver")
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env(flightdeck_core::DATA_DIR_ENV, data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting tauri-driver (cargo install tauri-driver --locked)")?;
    let driver = Driver { child, port };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            bail!("tauri-driver did not listen on port {port} within 30 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(driver)
}

async fn open_window(driver: &Driver) -> Result<Client> {
    let app = env!("CARGO_BIN_EXE_flightdeck-app");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    let client = ClientBuilder::rustls()?
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .context("opening a WebDriver session on the app")?;
    Ok(client)
}

async fn css(client: &Client, selector: &str) -> Result<fantoccini::elements::Element> {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(selector))
        .await
        .with_context(|| format!("waiting for {selector}"))
}

async fn wait_for_state(client: &Client, item_id: &str, state: &str) -> Result<()> {
    let selector = format!("li[data-item-id='{item_id}']");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let current = css(client, &selector).await?.attr("data-state").await?;
        if current.as_deref() == Some(state) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("item {item_id} is {current:?}, expected {state}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn screenshot(client: &Client, name: &str) -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/gui");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, client.screenshot().await?)?;
    Ok(path)
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gui-runbook.md")
}

fn fixture_item_id() -> Result<String> {
    let runbook = flightdeck_runbook::parse("gui-runbook.md", &std::fs::read(fixture())?)?;
    let item = runbook
        .items()
        .find(|i| i.text == FIXTURE_ITEM)
        .context("fixture item")?;
    Ok(item.id.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_tick_restart_keeps_the_tick() -> Result<()> {
    let data = tempfile::tempdir()?;
    let driver = start_driver(data.path())?;
    let item_id = fixture_item_id()?;

    // First start: identity, the demo runbook, import, tick.
    let client = open_window(&driver).await?;
    css(&client, "[data-testid=identity-name]")
        .await?
        .send_keys("Gui Tester")
        .await?;
    css(&client, "[data-testid=identity-save]")
        .await?
        .click()
        .await?;
    css(
        &client,
        "[data-testid=runbook-harbour-ledger-go-live-release-4-2]",
    )
    .await?;
    screenshot(&client, "first-start.png").await?;

    css(&client, "[data-testid=open-import]")
        .await?
        .click()
        .await?;
    css(&client, "[data-testid=import-path]")
        .await?
        .send_keys(&fixture().display().to_string())
        .await?;
    css(&client, "[data-testid=import-submit]")
        .await?
        .click()
        .await?;
    css(&client, "[data-testid=import-result]").await?;
    css(&client, "[data-testid=import-done]")
        .await?
        .click()
        .await?;
    css(&client, &format!("[data-testid=runbook-{FIXTURE_KEY}]")).await?;

    wait_for_state(&client, &item_id, "open").await?;
    css(&client, &format!("[data-testid=check-{item_id}]"))
        .await?
        .click()
        .await?;
    wait_for_state(&client, &item_id, "done").await?;
    screenshot(&client, "ticked.png").await?;
    client.close().await?;

    // The tick is in the store, with who did it.
    {
        let store = Store::open(&data.path().join("flightdeck.db"))?;
        let item = store.item(FIXTURE_KEY, &item_id)?;
        assert_eq!(item.state, Some(ItemState::Done));
        assert_eq!(item.by.as_deref(), Some("Gui Tester"));
    }

    // Second start on the same data directory: no identity prompt, item still ticked.
    let client = open_window(&driver).await?;
    css(&client, &format!("[data-testid=runbook-{FIXTURE_KEY}]"))
        .await?
        .click()
        .await?;
    css(&client, "[data-testid=phase-phase-1]")
        .await?
        .click()
        .await?;
    wait_for_state(&client, &item_id, "done").await?;
    assert!(client
        .find(Locator::Css("[data-testid=identity-name]"))
        .await
        .is_err());
    let shot = screenshot(&client, "after-restart.png").await?;
    assert!(
        std::fs::metadata(&shot)?.len() > 10_000,
        "screenshot {shot:?} looks empty"
    );
    client.close().await?;
    Ok(())
}
