//! End-to-end: the real Flightdeck window under Xvfb, driven through tauri-driver and
//! WebKitWebDriver. Imports a fixture through the import dialog, ticks an item, quits, starts
//! again on the same data directory and finds the item still ticked. Screenshots land in
//! `target/gui/`. The packages' own tests, on the installed app, are in `gui/installed.rs`.
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
const PLANTED: &str = "FdGuiPlantedSecret-0b7d31-DO-NOT-LEAK";

/// One window at a time: the tests share the X display.
static WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
const FIXTURE_KEY: &str = "orbit-billing-cutover";

#[path = "gui/installed.rs"]
mod installed;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    /// SIGTERM first: tauri-driver then stops the WebKitWebDriver it started, which a SIGKILL
    /// would leave running.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Stops the demo emulator a test started, when the test ends, passed or not.
struct DemoDown(PathBuf);

impl Drop for DemoDown {
    fn drop(&mut self) {
        let _ = flightdeck_core::demo_down(&self.0);
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn start_driver(data_dir: &Path) -> Result<Driver> {
    start_driver_with(data_dir, &[])
}

/// tauri-driver, and the app it starts, with these variables set.
fn start_driver_with(data_dir: &Path, vars: &[(&str, &str)]) -> Result<Driver> {
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
        .envs(vars.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting tauri-driver (cargo install tauri-driver --locked)")?;
    let driver = Driver { child, port };
    wait_for_listener("tauri-driver", port, Duration::from_secs(30))?;
    // tauri-driver listens at once but starts WebKitWebDriver beside it, and drops a request it
    // cannot pass on yet: on a cold machine the first session's request came too early.
    wait_for_listener("WebKitWebDriver", native_port, Duration::from_secs(30))?;
    Ok(driver)
}

/// Waits until `what` accepts connections on `port`.
fn wait_for_listener(what: &str, port: u16, within: Duration) -> Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + within;
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            bail!("{what} did not listen on port {port} within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Names an installed app for the tests to drive instead of the one cargo built.
const APP_BINARY_ENV: &str = "FLIGHTDECK_APP_BINARY";

async fn open_window(driver: &Driver) -> Result<Client> {
    let app = std::env::var(APP_BINARY_ENV)
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_flightdeck-app").to_string());
    open_window_of(driver, Path::new(&app)).await
}

/// Opens the window of `app`, a program that starts the app (its binary or an AppImage).
async fn open_window_of(driver: &Driver, app: &Path) -> Result<Client> {
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
    wait_until_shown(&client).await?;
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

/// Clicks the element `selector` finds; when the page re-renders between finding it and
/// clicking it (a stale or covered element), finds it again, for up to 10 s.
async fn click(client: &Client, selector: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match css(client, selector).await?.click().await {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() < deadline => {
                tracing_retry(selector, &e);
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("clicking {selector}")),
        }
    }
}

/// The text of the element `selector` finds, found again when the page re-rendered it.
async fn text_of(client: &Client, selector: &str) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match css(client, selector).await?.text().await {
            Ok(text) => return Ok(text),
            Err(e) if Instant::now() < deadline => {
                tracing_retry(selector, &e);
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("reading {selector}")),
        }
    }
}

fn tracing_retry(selector: &str, e: &fantoccini::error::CmdError) {
    eprintln!("{selector}: {e:?}; finding it again");
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
            let shown = client
                .execute(
                    "return [...document.querySelectorAll('[role=alert]')].map(e => e.textContent).join(' | ')",
                    vec![],
                )
                .await?;
            let _ = screenshot(client, &format!("failed-{item_id}.png")).await;
            bail!("item {item_id} is {current:?}, expected {state}; alerts: {shown}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn introduce(client: &Client) -> Result<()> {
    css(client, "[data-testid=identity-name]")
        .await?
        .send_keys("Gui Tester")
        .await?;
    click(client, "[data-testid=identity-save]").await?;
    css(
        client,
        "[data-testid=runbook-harbour-ledger-go-live-release-4-2]",
    )
    .await?;
    Ok(())
}

async fn import_fixture(client: &Client) -> Result<()> {
    import_file(client, &fixture(), FIXTURE_KEY).await
}

/// Imports the runbook at `path` through the import dialog; it is listed as `key`.
async fn import_file(client: &Client, path: &Path, key: &str) -> Result<()> {
    click(client, "[data-testid=open-import]").await?;
    css(client, "[data-testid=import-path]")
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    click(client, "[data-testid=import-submit]").await?;
    css(client, "[data-testid=import-result]").await?;
    click(client, "[data-testid=import-done]").await?;
    css(client, &format!("[data-testid=runbook-{key}]")).await?;
    Ok(())
}

async fn wait_for_text(client: &Client, selector: &str, needle: &str) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = text_of(client, selector).await?;
        if text.contains(needle) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            bail!("{selector} never showed '{needle}'; it shows: {text}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits until the window is on screen: without a GPU it opens hidden and its page shows it
/// (src-tauri/src/rendering.rs); a hidden page's `document.visibilityState` is "hidden".
async fn wait_until_shown(client: &Client) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state = client
            .execute("return document.visibilityState", vec![])
            .await?;
        if state == "visible" {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the window was never shown: document.visibilityState is {state}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn wait_for_attr(client: &Client, selector: &str, attr: &str, value: &str) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let element = css(client, selector).await?;
        if element.attr(attr).await?.as_deref() == Some(value) {
            return Ok(element.text().await?);
        }
        if Instant::now() > deadline {
            bail!(
                "{selector} never had {attr}={value}; it shows: {}",
                element.text().await?
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn add_environment(client: &Client, name: &str, account: &str, endpoint: &str) -> Result<()> {
    click(client, "[data-testid=env-add]").await?;
    css(client, "[data-testid=env-name]")
        .await?
        .send_keys(name)
        .await?;
    css(client, "[data-testid=env-account]")
        .await?
        .send_keys(account)
        .await?;
    click(client, "[data-testid=env-source-keys]").await?;
    css(client, "[data-testid=env-key-id]")
        .await?
        .send_keys("FDGUIKEY00000000001")
        .await?;
    css(client, "[data-testid=env-secret]")
        .await?
        .send_keys(PLANTED)
        .await?;
    css(client, "[data-testid=env-endpoint]")
        .await?
        .send_keys(endpoint)
        .await?;
    click(client, "[data-testid=env-save]").await?;
    css(client, &format!("[data-testid=env-{name}]")).await?;
    Ok(())
}

/// WebKitWebDriver takes a screenshot after the page's next paint. Without a GPU the app paints
/// without accelerated compositing (src-tauri/src/rendering.rs), where a still page does not
/// paint again and the screenshot would wait forever. This keeps a near-transparent pixel in the
/// corner changing for a few seconds, so a paint follows, then removes it.
const REPAINT_FOR_SCREENSHOT: &str = r#"
    const mark = document.createElement('div');
    mark.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;z-index:2147483647;pointer-events:none';
    document.body.appendChild(mark);
    let n = 0;
    const timer = setInterval(() => {
        mark.style.background = n % 2 ? 'rgba(0,0,0,0.01)' : 'rgba(0,0,0,0.02)';
        if (++n > 100) { clearInterval(timer); mark.remove(); }
    }, 50);
"#;

async fn screenshot(client: &Client, name: &str) -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/gui");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    // WebKitGTK under Xvfb paints asynchronously; give the last change a moment to reach the screen.
    tokio::time::sleep(Duration::from_millis(700)).await;
    client.execute(REPAINT_FOR_SCREENSHOT, vec![]).await?;
    std::fs::write(&path, client.screenshot().await?)?;
    Ok(path)
}

/// Saves the screenshot `name` of the window, which must show something, and closes it.
async fn close_on_screenshot(client: Client, name: &str) -> Result<()> {
    let shot = screenshot(&client, name).await?;
    assert!(
        std::fs::metadata(&shot)?.len() > 10_000,
        "screenshot {shot:?} looks empty"
    );
    client.close().await?;
    Ok(())
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gui-runbook.md")
}

fn fixture_runbook() -> Result<flightdeck_runbook::Runbook> {
    Ok(flightdeck_runbook::parse(
        "gui-runbook.md",
        &std::fs::read(fixture())?,
    )?)
}

fn fixture_item_id() -> Result<String> {
    let runbook = fixture_runbook()?;
    let item = runbook
        .items()
        .find(|i| i.text == FIXTURE_ITEM)
        .context("fixture item")?;
    Ok(item.id.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_tick_restart_keeps_the_tick() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let driver = start_driver(data.path())?;
    let item_id = fixture_item_id()?;

    // First start: identity, the demo runbook, import, tick.
    let client = open_window(&driver).await?;
    introduce(&client).await?;
    screenshot(&client, "first-start.png").await?;
    import_fixture(&client).await?;

    wait_for_state(&client, &item_id, "open").await?;
    click(&client, &format!("[data-testid=check-{item_id}]")).await?;
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
    click(&client, &format!("[data-testid=runbook-{FIXTURE_KEY}]")).await?;
    click(&client, "[data-testid=phase-phase-1]").await?;
    wait_for_state(&client, &item_id, "done").await?;
    assert!(client
        .find(Locator::Css("[data-testid=identity-name]"))
        .await
        .is_err());
    close_on_screenshot(client, "after-restart.png").await
}

/// The window's web view keeps its data in the data directory that `FLIGHTDECK_DATA_DIR` names,
/// beside the store, and leaves nothing in the platform's data directory: there it would stop a
/// data directory of the first identifier from being moved, and desktops on one account would
/// share it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_view_keeps_its_data_in_the_data_directory() -> Result<()> {
    let _window = WINDOW.lock().await;
    let (data, platform) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let platform_dir = platform.path().to_str().context("temp dir path")?;
    let driver = start_driver_with(data.path(), &[("XDG_DATA_HOME", platform_dir)])?;
    let client = open_window(&driver).await?;
    introduce(&client).await?;
    client.close().await?;

    let left: Vec<_> = std::fs::read_dir(platform.path())?
        .map(|entry| entry.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    assert!(
        left.is_empty(),
        "the platform's data directory holds {left:?}"
    );
    assert!(
        data.path().join("WebKitCache").is_dir(),
        "no web view cache beside the store in {:?}",
        data.path()
    );
    Ok(())
}

/// How many phase rows the sidebar's box for a long runbook has in the page.
async fn phase_rows(client: &Client) -> Result<usize> {
    Ok(client
        .find_all(Locator::Css("[data-testid=phase-window] li"))
        .await?
        .len())
}

/// A runbook with hundreds of phases lists them in a box that keeps only the rows in view in
/// the page; scrolling brings others in, and the open phase stays in view as `]` moves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_phase_list_keeps_only_the_rows_in_view() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let md = flightdeck_runbook::synthetic_runbook(1024 * 1024);
    let phases = flightdeck_runbook::parse("long.md", md.as_bytes())?
        .phases
        .len();
    assert!(phases > 120, "{phases} phases");
    let path = data.path().join("long.md");
    std::fs::write(&path, md)?;
    let driver = start_driver(data.path())?;
    let client = open_window(&driver).await?;
    introduce(&client).await?;
    import_file(&client, &path, "synthetic-go-live-runbook").await?;

    css(&client, "[data-testid=phase-window]").await?;
    let listed = phase_rows(&client).await?;
    assert!(
        (5..60).contains(&listed),
        "{listed} of {phases} phase rows are in the page"
    );
    assert!(client
        .find(Locator::Css("[data-testid=phase-phase-101]"))
        .await
        .is_err());

    client
        .execute(
            "document.querySelector('[data-testid=phase-window]').scrollTop = 3000",
            vec![],
        )
        .await?;
    click(&client, "[data-testid=phase-phase-101]").await?;
    wait_for_text(&client, "#phase-title", "Phase 101:").await?;
    assert!(client
        .find(Locator::Css("[data-testid=phase-phase-1]"))
        .await
        .is_err());
    assert!(phase_rows(&client).await? < 60);

    css(&client, "[data-testid=phase-phase-101]")
        .await?
        .send_keys("]")
        .await?;
    wait_for_text(&client, "#phase-title", "Phase 102:").await?;
    wait_for_attr(
        &client,
        "[data-testid=phase-phase-102]",
        "aria-current",
        "page",
    )
    .await?;
    screenshot(&client, "long-phase-list.png").await?;
    client.close().await?;
    Ok(())
}

/// Waits until `selector` finds exactly `count` elements in the page, and says how many it found
/// when it does not within 30 s.
async fn wait_for_count(client: &Client, selector: &str, count: usize) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = client.find_all(Locator::Css(selector)).await?.len();
        if found == count {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{selector} found {found} elements, expected {count}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// A phase of hundreds of items lays out its first 200 (and asks a waiver reason of its first 200
/// open items); the keyboard moving past the last one, the end of the list scrolling into view,
/// and "Show all" lay out the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_phase_lays_its_items_out_a_page_at_a_time() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let mut md = String::from(
        "# Long Phase Runbook\n\n## Phase 1: Check the fleet\n\n**Verification**:\n\n",
    );
    for host in 0..450 {
        md.push_str(&format!(
            "- [ ] Host {host} answers on its health endpoint\n"
        ));
    }
    md.push_str("\n### Sign-Off\n\n**Completed By**: ________ Date: ______\n");
    let items: Vec<String> = flightdeck_runbook::parse("long-phase.md", md.as_bytes())?.phases[0]
        .items
        .iter()
        .map(|i| i.id.to_string())
        .collect();
    assert_eq!(items.len(), 450);
    let path = data.path().join("long-phase.md");
    std::fs::write(&path, md)?;
    let driver = start_driver(data.path())?;
    let client = open_window(&driver).await?;
    introduce(&client).await?;
    import_file(&client, &path, "long-phase-runbook").await?;
    wait_for_text(&client, "#phase-title", "Phase 1:").await?;

    let rows = "li[data-item-id]";
    wait_for_count(&client, rows, 200).await?;
    wait_for_count(&client, "[data-testid=signoff] .waive", 200).await?;
    let more = text_of(&client, "[data-testid=more-items]").await?;
    assert!(more.contains("200 of 450 items shown"), "{more}");

    client
        .execute(
            "document.querySelectorAll('li[data-item-id]')[199].focus()",
            vec![],
        )
        .await?;
    css(&client, &format!("li[data-item-id='{}']", items[199]))
        .await?
        .send_keys("j")
        .await?;
    wait_for_count(&client, rows, 400).await?;
    wait_for_count(
        &client,
        &format!("li.focused[data-item-id='{}']", items[200]),
        1,
    )
    .await?;

    client
        .execute(
            "document.querySelector('[data-testid=more-items]').scrollIntoView()",
            vec![],
        )
        .await?;
    wait_for_count(&client, rows, 450).await?;
    wait_for_count(&client, "[data-testid=more-items]", 0).await?;

    click(&client, "[data-testid=waive-all]").await?;
    wait_for_count(&client, "[data-testid=signoff] .waive", 450).await?;
    screenshot(&client, "long-phase.png").await?;
    client.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environments_are_tested_and_mismatches_are_loud() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let moto_program = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    let moto = flightdeck_cloud::MotoServer::start(&moto_program)?;
    let driver = start_driver(data.path())?;
    let client = open_window(&driver).await?;
    introduce(&client).await?;

    click(&client, "[data-testid=open-environments]").await?;
    add_environment(&client, "UAT", "123456789012", &moto.url()).await?;
    click(&client, "[data-testid=env-test-UAT]").await?;
    let ok = wait_for_attr(&client, "[data-testid=env-check-UAT]", "data-check", "ok").await?;
    assert!(
        ok.contains("Reaches account 123456789012 as arn:aws:sts::123456789012:"),
        "{ok}"
    );

    add_environment(&client, "PROD", "093646564004", &moto.url()).await?;
    click(&client, "[data-testid=env-test-PROD]").await?;
    let warning = wait_for_attr(
        &client,
        "[data-testid=env-check-PROD]",
        "data-check",
        "mismatch",
    )
    .await?;
    assert!(
        warning
            .contains("this access key reaches 123456789012, the environment expects 093646564004"),
        "{warning}"
    );
    screenshot(&client, "environments.png").await?;

    // The secret typed into the form reached the keyring and nothing the webview can see.
    let listed = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke('list_environments').then(r => done(JSON.stringify(r)), e => done(JSON.stringify(e)));",
            vec![],
        )
        .await?;
    let listed = listed.as_str().unwrap_or_default().to_string();
    assert!(listed.contains("env/PROD/aws-keys"), "{listed}");
    assert!(
        !listed.contains(PLANTED),
        "an IPC response carried the secret"
    );
    assert!(
        !client.source().await?.contains(PLANTED),
        "the page still holds the secret"
    );
    client.close().await?;
    // The store and, beside it, the web view's cache and storage.
    for entry in walkdir::WalkDir::new(data.path()) {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path())?;
        assert!(
            !bytes
                .windows(PLANTED.len())
                .any(|w| w == PLANTED.as_bytes()),
            "the secret reached {:?}",
            entry.path()
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_a_phase_off_opens_the_next_gate() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let driver = start_driver(data.path())?;
    let runbook = fixture_runbook()?;
    let (first, second) = (&runbook.phases[0], &runbook.phases[1]);
    let client = open_window(&driver).await?;
    introduce(&client).await?;
    import_fixture(&client).await?;

    click(&client, "[data-testid=phase-phase-2]").await?;
    css(&client, "[data-testid=gate-closed]").await?;
    let locked = css(
        &client,
        &format!("[data-testid=check-{}]", second.items[0].id),
    )
    .await?;
    assert!(
        locked.attr("disabled").await?.is_some(),
        "items of a closed phase cannot be ticked"
    );

    click(&client, "[data-testid=phase-phase-1]").await?;
    for item in &first.items {
        click(&client, &format!("[data-testid=check-{}]", item.id)).await?;
        wait_for_state(&client, &item.id, "done").await?;
    }
    let question = first
        .signoff
        .iter()
        .find(|f| f.label == "Database Ready")
        .context("yes/no field")?;
    click(
        &client,
        &format!("[data-testid=answer-yes-{}]", question.id),
    )
    .await?;
    click(&client, "[data-testid=sign-off]").await?;
    css(&client, "[data-testid=signed-off]").await?;

    click(&client, "[data-testid=phase-phase-2]").await?;
    css(&client, "[data-testid=gate-open]").await?;
    click(
        &client,
        &format!("[data-testid=check-{}]", second.items[0].id),
    )
    .await?;
    wait_for_state(&client, &second.items[0].id, "done").await?;

    click(&client, "[data-testid=verify-audit]").await?;
    let audit = text_of(&client, "[data-testid=audit-result]").await?;
    assert!(audit.contains("1 signatures intact"), "{audit}");
    screenshot(&client, "signed-off.png").await?;

    // A client stakeholder cannot tick, whatever the webview sends: the check is in Rust.
    let invoke = |command: &str, args: serde_json::Value| {
        format!(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke('{command}', {args}).then(r => done(JSON.stringify({{ ok: r }})), e => done(JSON.stringify({{ err: e }})));"
        )
    };
    let call = |script: String| {
        let client = &client;
        async move {
            let out = client.execute_async(&script, vec![]).await?;
            Ok::<serde_json::Value, anyhow::Error>(serde_json::from_str(
                out.as_str().unwrap_or("null"),
            )?)
        }
    };
    let stakeholder = serde_json::json!({ "name": "Client Viewer", "role": "client_stakeholder" });
    call(invoke("set_identity", stakeholder)).await?;
    let item = &second.items[1].id;
    let tick = serde_json::json!({ "key": FIXTURE_KEY, "item": item, "update": { "state": "done", "note": null } });
    let refused = call(invoke("set_item", tick)).await?;
    assert_eq!(refused["err"]["code"], "read_only", "{refused}");
    client.close().await?;
    let store = Store::open(&data.path().join("flightdeck.db"))?;
    assert_eq!(store.item(FIXTURE_KEY, item)?.state, None);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_shows_the_demo_world_verdict() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    {
        // The run command's world: moto (found in .venv) seeded as DEMO, and the demo runbook.
        let fd = flightdeck_core::Flightdeck::open(data.path())?;
        fd.ensure_demo()?;
        fd.demo_up(None).await?;
    }
    let _demo = DemoDown(data.path().to_path_buf());
    let driver = start_driver(data.path())?;
    let client = open_window(&driver).await?;
    introduce(&client).await?;
    click(&client, "[data-testid=open-board]").await?;
    let verdict = wait_for_attr(&client, "[data-testid=verdict]", "data-verdict", "go").await?;
    assert!(verdict.starts_with("GO"), "{verdict}");
    let board = text_of(&client, "[aria-label='Go/no-go board']").await?;
    assert!(board.contains("ECS CPU"), "{board}");
    assert!(board.contains("no CloudWatch alarm is in ALARM"), "{board}");
    let chart = css(&client, "img.chart").await?;
    assert!(chart
        .attr("src")
        .await?
        .unwrap_or_default()
        .starts_with("data:image/svg+xml"));
    let drawn = client
        .execute(
            "return document.querySelector('img.chart').naturalWidth",
            vec![],
        )
        .await?;
    assert_eq!(
        drawn.as_u64(),
        Some(640),
        "the chart image decoded at its size"
    );
    assert!(board.contains("p95 response time"), "{board}");
    assert!(board.contains("Error rate"), "{board}");
    screenshot(&client, "board.png").await?;

    // Hypercare's criteria wait for the soak and the client; its soak waits for Phase 9.
    css(&client, "[data-testid=board-phase]")
        .await?
        .select_by_value("phase-10")
        .await?;
    wait_for_attr(
        &client,
        "[data-testid=verdict]",
        "data-verdict",
        "inconclusive",
    )
    .await?;
    let board = text_of(&client, "[aria-label='Go/no-go board']").await?;
    assert!(
        board.contains("the soak of phase-10 has not started"),
        "{board}"
    );
    assert!(
        board.contains("waiting for a Client Stakeholder to confirm"),
        "{board}"
    );
    click(&client, "[data-testid=start-soak-phase-10]").await?;
    let error = wait_for_text(&client, "[data-testid=board-error]", "phase").await?;
    assert!(error.contains("phase 'phase-10' is closed"), "{error}");
    screenshot(&client, "board-soak.png").await?;

    // The monitoring grid of the same environment, every panel drawn.
    click(&client, "[data-testid=open-monitoring]").await?;
    click(&client, "[data-testid=range-720]").await?;
    let mut panels = 0;
    for _ in 0..100 {
        panels = client
            .execute(
                "return [...document.querySelectorAll('[data-testid=panel] img')].filter(i => i.complete && i.naturalWidth > 0).length",
                vec![],
            )
            .await?
            .as_u64()
            .unwrap_or(0);
        if panels == 11 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let grid = text_of(&client, "[aria-label=Monitoring]").await?;
    assert_eq!(panels, 11, "every monitoring panel drawn: {grid}");
    assert!(grid.contains("harbour-prod / ledger-api"), "{grid}");
    assert!(!grid.contains("not published"), "{grid}");
    screenshot(&client, "monitoring.png").await?;
    client.close().await?;
    flightdeck_core::demo_down(data.path())?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_is_planned_run_and_rolled_back_in_the_demo_world() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gui-actions.md");
    {
        let fd = flightdeck_core::Flightdeck::open(data.path())?;
        fd.ensure_demo()?;
        fd.import_file(&fixture)?;
        fd.demo_up(None).await?;
    }
    let _demo = DemoDown(data.path().to_path_buf());
    let driver = start_driver(data.path())?;
    let client = open_window(&driver).await?;
    introduce(&client).await?;
    click(&client, "[data-testid=runbook-scale-drill]").await?;
    click(&client, "[data-testid=phase-phase-1]").await?;
    let card = css(&client, "[data-testid=action-scale-ledger]").await?;
    assert!(card.text().await?.contains("harbour-prod"));
    wait_for_attr(
        &client,
        "[data-testid=action-env-scale-ledger] option",
        "value",
        "DEMO",
    )
    .await?;

    click(&client, "[data-testid=plan-scale-ledger]").await?;
    let plan = text_of(&client, "[data-testid=plan-result-scale-ledger]").await?;
    assert!(
        plan.contains("scale ECS service harbour-prod/ledger-api from 2 to 3 tasks"),
        "{plan}"
    );

    click(&client, "[data-testid=run-scale-ledger]").await?;
    click(&client, "[data-testid=confirm-run-scale-ledger]").await?;
    let result = wait_for_attr(
        &client,
        "[data-testid=action-result-scale-ledger]",
        "data-status",
        "succeeded",
    )
    .await?;
    assert!(result.contains("Last apply in DEMO"), "{result}");
    screenshot(&client, "action.png").await?;
    {
        let fd = flightdeck_core::Flightdeck::open(data.path())?;
        let now = fd
            .plan_action(
                "scale-drill",
                "scale-ledger",
                "DEMO",
                flightdeck_core::Direction::Apply,
            )
            .await?;
        assert!(now.noop, "AWS already runs three: {}", now.summary);
    }

    click(&client, "[data-testid=undo-scale-ledger]").await?;
    click(&client, "[data-testid=confirm-run-scale-ledger]").await?;
    let undone = wait_for_text(
        &client,
        "[data-testid=action-result-scale-ledger]",
        "Last undo in DEMO: succeeded",
    )
    .await?;
    assert!(undone.contains("Gui Tester"), "{undone}");
    client.close().await?;
    flightdeck_core::demo_down(data.path())?;
    Ok(())
}

/// Runs SQL through the stock client on a test server.
fn mariadb(server: &flightdeck_dbdump::MariaDbServer, sql: &str) -> Result<String> {
    Ok(server.sql("", sql.as_bytes())?)
}

#[tokio::test]
async fn a_dba_backs_up_verifies_and_restores_from_the_backups_view() -> Result<()> {
    let _window = WINDOW.lock().await;
    let server = flightdeck_dbdump::MariaDbServer::start()?;
    mariadb(
        &server,
        &format!(
            "CREATE DATABASE shop CHARACTER SET utf8mb4;
             CREATE TABLE shop.orders (id INT PRIMARY KEY, total DECIMAL(10,2), note TEXT);
             INSERT INTO shop.orders SELECT seq, seq / 7, REPEAT('x', seq % 200) FROM shop.seq_1_to_5000;
             CREATE USER 'dba'@'%' IDENTIFIED BY '{PLANTED}';
             GRANT ALL ON *.* TO 'dba'@'%';"
        ),
    )?;
    let data = tempfile::tempdir()?;
    let backups = data.path().join("backups");
    std::fs::create_dir_all(&backups)?;
    let entry = format!("gui-shop-db-{}", std::process::id());
    let vault = flightdeck_vault::Vault::new();
    vault.put(
        &entry,
        &flightdeck_vault::SecretString::from(
            serde_json::json!({
                "host": "127.0.0.1", "port": server.port(), "username": "dba", "password": PLANTED
            })
            .to_string(),
        ),
    )?;
    {
        let fd = flightdeck_core::Flightdeck::open_with(data.path(), vault.clone())?;
        fd.ensure_demo()?;
        let dba = fd.set_identity("Dee Bee", flightdeck_store::Role::Dba)?;
        fd.demo_up(Some(&dba)).await?;
    }
    let _demo = DemoDown(data.path().to_path_buf());
    let driver = start_driver(data.path())?;
    let client = open_window(&driver).await?;
    let outcome = async {
        // The DBA lands on the Backups view.
        css(&client, "[data-testid=backup-place]").await?;
        wait_for_attr(&client, "[data-testid=backup-env] option", "value", "DEMO").await?;
        click(
            &client,
            "[data-testid=backup-credential-kind] option[value=keyring]",
        )
        .await?;
        css(&client, "[data-testid=backup-credential-name]")
            .await?
            .send_keys(&entry)
            .await?;
        css(&client, "[data-testid=backup-place]")
            .await?
            .send_keys(&backups.display().to_string())
            .await?;
        css(&client, "[data-testid=backup-databases]")
            .await?
            .send_keys("shop")
            .await?;
        click(&client, "[data-testid=backup-start]").await?;
        let done = wait_for_text(&client, "[data-testid=backup-done]", "Backed up").await?;
        assert!(done.contains("5,000 rows"), "{done}");
        wait_for_text(&client, "[data-testid=backup-row]", "complete").await?;

        click(&client, "[data-testid=backup-test-restore]").await?;
        let verified = wait_for_text(
            &client,
            "[data-testid=verify-result]",
            "every SHA-256 matches",
        )
        .await?;
        assert!(
            verified.contains("orders") && verified.contains("ok"),
            "{verified}"
        );
        assert!(!verified.contains("DIFFERS"), "{verified}");
        wait_for_text(&client, "[data-testid=backup-check]", "test-restored").await?;
        click(&client, "[data-testid=rds-list]").await?;
        // The demo's RDS snapshots, or the sentence saying there are none.
        css(&client, "[data-testid=rds-table], section.rds p.muted").await?;

        click(&client, "[data-testid=backup-restore]").await?;
        click(&client, "[data-testid=restore-preview]").await?;
        let preview = wait_for_text(
            &client,
            "[data-testid=restore-preview-text]",
            "shop_restored",
        )
        .await?;
        assert!(
            preview.contains("5,000 rows") && preview.contains("a new database"),
            "{preview}"
        );
        click(&client, "[data-testid=restore-run]").await?;
        let restored =
            wait_for_text(&client, "[data-testid=restore-done]", "every table matches").await?;
        assert!(restored.contains("shop_restored"), "{restored}");
        screenshot(&client, "backups.png").await?;
        click(&client, "[data-testid=restore-close]").await?;
        wait_for_text(&client, "[data-testid=backup-check]", "test-restored").await?;
        if client.find(Locator::Css("dialog[open]")).await.is_ok() {
            bail!("the restore dialog is still open after Close");
        }
        screenshot(&client, "backups-list.png").await?;
        let page = client.source().await?;
        assert!(
            !page.contains(PLANTED),
            "the database password reached the webview"
        );
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let _ = vault.remove(&entry);
    client.close().await?;
    outcome?;
    let copied = mariadb(
        &server,
        "CHECKSUM TABLE shop.orders; CHECKSUM TABLE shop_restored.orders;",
    )?;
    let sums: Vec<&str> = copied
        .lines()
        .filter_map(|l| l.split('\t').nth(1))
        .collect();
    assert_eq!(sums.len(), 2);
    assert_eq!(sums[0], sums[1], "{copied}");
    Ok(())
}

/// A desktop of the test's own (the lead's data directory, in this process): the TEAM
/// environment at the emulator, tested.
async fn team_desktop(
    dir: &Path,
    endpoint: &str,
    name: &str,
    role: flightdeck_store::Role,
) -> Result<(flightdeck_core::Flightdeck, flightdeck_store::Actor)> {
    let fd = flightdeck_core::Flightdeck::open(dir)?;
    let actor = fd.set_identity(name, role)?;
    fd.save_environment(
        Some(&actor),
        flightdeck_core::EnvironmentInput {
            name: "TEAM".into(),
            colour: None,
            account_id: Some("123456789012".into()),
            region: "af-south-1".into(),
            dr_region: None,
            endpoint_url: Some(endpoint.into()),
            guard: None,
            profile: None,
            access_key_id: Some("FDGUITEAMKEY0000001".into()),
            secret_access_key: Some(flightdeck_vault::SecretString::from(PLANTED.to_string())),
        },
    )?;
    fd.test_environment(Some(&actor), "TEAM").await?;
    Ok((fd, actor))
}

/// The lead imports the fixture, shares it and adds the member with the invite the member's
/// desktop made; returns the release URI.
async fn share_fixture(
    (lead, lead_actor): (&flightdeck_core::Flightdeck, &flightdeck_store::Actor),
    (member, member_actor): (&flightdeck_core::Flightdeck, &flightdeck_store::Actor),
) -> Result<String> {
    lead.import_file(&fixture())?;
    let shared = lead.share(lead_actor, FIXTURE_KEY, "TEAM", None).await?;
    let invite = member.invite(member_actor)?;
    lead.add_member(
        lead_actor,
        FIXTURE_KEY,
        &invite.name,
        invite.role,
        &invite.public_key,
    )
    .await?;
    Ok(shared.release.uri)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_on_another_desktop_shows_within_seconds() -> Result<()> {
    let _window = WINDOW.lock().await;
    let moto = flightdeck_cloud::MotoServer::start(&flightdeck_cloud::MotoServer::locate()?)?;
    let (lead_dir, viewer_dir) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (lead, lead_actor) = team_desktop(
        lead_dir.path(),
        &moto.url(),
        "Lee Lead",
        flightdeck_store::Role::TechnicalLead,
    )
    .await?;
    let uri = {
        let viewer = team_desktop(
            viewer_dir.path(),
            &moto.url(),
            "Gui Viewer",
            flightdeck_store::Role::ClientStakeholder,
        )
        .await?;
        share_fixture((&lead, &lead_actor), (&viewer.0, &viewer.1)).await?
    };

    // The stakeholder's window joins with the URI the lead pasted into chat.
    let driver = start_driver(viewer_dir.path())?;
    let client = open_window(&driver).await?;
    let outcome = async {
        click(&client, "[data-testid=open-team]").await?;
        css(&client, "[data-testid=join-uri]")
            .await?
            .send_keys(&uri)
            .await?;
        click(&client, "[data-testid=join]").await?;
        wait_for_attr(&client, "[data-testid=release-uri]", "readonly", "true").await?;
        wait_for_text(&client, "[data-testid=sync-badge]", "Live").await?;
        click(&client, "[data-testid=phase-phase-1]").await?;
        let item = fixture_item_id()?;
        wait_for_state(&client, &item, "open").await?;

        // The lead ticks on their desktop; the stakeholder's window shows it, by name.
        let done = flightdeck_store::ItemUpdate {
            state: Some(flightdeck_store::ItemState::Done),
            note: Some("lag 0.4 s".into()),
        };
        lead.change_item(&lead_actor, FIXTURE_KEY, &item, &done)?;
        lead.sync(FIXTURE_KEY).await?;
        let shared_at = Instant::now();
        let selector = format!("li[data-item-id='{item}'][data-state='done']");
        let row = client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(&selector))
            .await
            .context("the lead's tick did not show on the stakeholder's desktop within 5 s")?;
        let seen_after = shared_at.elapsed();
        let text = row.text().await?;
        assert!(text.contains("Lee Lead"), "{text}");
        assert!(text.contains("lag 0.4 s"), "{text}");
        eprintln!("the tick showed on the other desktop {seen_after:?} after it was shared");
        let people = text_of(&client, "[data-testid=people]").await?;
        assert!(
            people.contains("Lee Lead") && people.contains("Gui Viewer"),
            "{people}"
        );
        screenshot(&client, "team-live.png").await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    client.close().await?;
    outcome
}

/// The desktop's way to AWS: a TCP relay in front of moto that the test cuts (connections
/// refused, open ones dropped) and mends on the same port.
struct Relay {
    port: u16,
    target: SocketAddr,
    running: Option<tokio::task::JoinHandle<()>>,
}

impl Relay {
    fn to(url: &str) -> Result<Self> {
        let target = url
            .trim_start_matches("http://")
            .parse()
            .with_context(|| format!("moto's address {url}"))?;
        let mut relay = Relay {
            port: free_port()?,
            target,
            running: None,
        };
        relay.mend()?;
        Ok(relay)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn mend(&mut self) -> Result<()> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(SocketAddr::from(([127, 0, 0, 1], self.port)))?;
        let listener = socket.listen(64)?;
        let target = self.target;
        self.running = Some(tokio::spawn(async move {
            let mut open = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                while open.try_join_next().is_some() {}
                open.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
        Ok(())
    }

    fn cut(&mut self) {
        if let Some(running) = self.running.take() {
            running.abort();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_offline_wait_in_the_badge_and_are_shared_in_order() -> Result<()> {
    let _window = WINDOW.lock().await;
    let moto = flightdeck_cloud::MotoServer::start(&flightdeck_cloud::MotoServer::locate()?)?;
    let mut relay = Relay::to(&moto.url())?;
    let (lead_dir, viewer_dir) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (viewer, viewer_actor) = team_desktop(
        viewer_dir.path(),
        &moto.url(),
        "Vic Viewer",
        flightdeck_store::Role::ClientStakeholder,
    )
    .await?;
    let uri = {
        let lead = team_desktop(
            lead_dir.path(),
            &relay.url(),
            "Olive Offline",
            flightdeck_store::Role::TechnicalLead,
        )
        .await?;
        share_fixture((&lead.0, &lead.1), (&viewer, &viewer_actor)).await?
    };
    viewer.join(&uri, "TEAM").await?;

    // The lead's window, on the lead's data directory.
    let driver = start_driver(lead_dir.path())?;
    let client = open_window(&driver).await?;
    let item = fixture_item_id()?;
    let outcome = async {
        click(&client, &format!("[data-testid=runbook-{FIXTURE_KEY}]")).await?;
        click(&client, "[data-testid=phase-phase-1]").await?;
        wait_for_text(&client, "[data-testid=sync-badge]", "Live").await?;

        // The network goes; ten changes are made and wait, counted in the badge.
        relay.cut();
        let mut states = Vec::new();
        for n in 0..10 {
            let want = if n % 2 == 0 { "done" } else { "open" };
            click(&client, &format!("[data-testid=check-{item}]")).await?;
            wait_for_state(&client, &item, want).await?;
            states.push((n % 2 == 0).then_some(ItemState::Done));
        }
        let badge = wait_for_text(
            &client,
            "[data-testid=sync-badge]",
            "10 changes not yet shared",
        )
        .await?;
        assert!(badge.contains("Offline since"), "{badge}");
        screenshot(&client, "team-offline.png").await?;

        // The network comes back: the ten are shared, in the order they were made.
        relay.mend()?;
        wait_for_text(&client, "[data-testid=sync-badge]", "Live").await?;
        viewer.sync(FIXTURE_KEY).await?;
        let arrived: Vec<Option<ItemState>> = viewer
            .read()?
            .team_log(FIXTURE_KEY)?
            .into_iter()
            .filter_map(|entry| match entry.signed.body().ok()?.event {
                flightdeck_store::Event::ItemChanged {
                    item: changed,
                    state,
                    ..
                } if changed == item => Some(state),
                _ => None,
            })
            .collect();
        assert_eq!(arrived, states);
        Ok::<(), anyhow::Error>(())
    }
    .await;
    client.close().await?;
    outcome
}

/// A load balancer sending everything to blue, made with boto3 from the test venv; prints the
/// listener's and target groups' ARNs.
const ALB_WORLD: &str = r#"
import json, sys, boto3
kw = dict(endpoint_url=sys.argv[1], region_name="af-south-1", aws_access_key_id="x", aws_secret_access_key="y")
ec2 = boto3.client("ec2", **kw)
vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"af-south-1{z}")["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
elb = boto3.client("elbv2", **kw)
lb = elb.create_load_balancer(Name="ledger-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
blue = elb.create_target_group(Name="ledger-blue", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
green = elb.create_target_group(Name="ledger-green", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": blue, "Weight": 100}, {"TargetGroupArn": green, "Weight": 0}]}}])["Listeners"][0]["ListenerArn"]
print(json.dumps({"listener": listener, "blue": blue, "green": green}))
"#;

/// Publishes a healthy error rate every 300 ms until stopped.
const HEALTHY: &str = r#"
import sys, time, datetime, boto3
cw = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="af-south-1", aws_access_key_id="x", aws_secret_access_key="y")
while True:
    cw.put_metric_data(Namespace="Drill/App", MetricData=[{"MetricName": "ErrorRate", "Dimensions": [{"Name": "Service", "Value": "ledger"}], "Timestamp": datetime.datetime.now(datetime.timezone.utc), "Value": 0.4}])
    time.sleep(0.3)
"#;

/// A child process stopped when the test ends, passed or not.
struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_is_started_watched_and_completes_on_the_board() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let endpoint = {
        let fd = flightdeck_core::Flightdeck::open(data.path())?;
        fd.ensure_demo()?;
        fd.demo_up(None).await?.endpoint_url
    };
    let _demo = DemoDown(data.path().to_path_buf());
    let made = Command::new(&python)
        .args(["-c", ALB_WORLD, &endpoint])
        .output()?;
    let world: serde_json::Value = serde_json::from_slice(&made.stdout)
        .with_context(|| String::from_utf8_lossy(&made.stderr).to_string())?;
    let runbook = format!(
        "# Canary Drill\n\n## Phase 1: Go-live traffic\n\n```flightdeck\n[[action]]\nid = \"canary\"\nkind = \"rollout\"\nsteps = [10, 50, 100]\npause = \"3s\"\ninterval = \"1s\"\nalb = {{ listener_arn = \"{}\", stable = \"{}\", canary = \"{}\" }}\ncriteria = \"Phase 1\"\n```\n\n```flightdeck-criteria\n[[criterion]]\nname = \"Error rate\"\nnamespace = \"Drill/App\"\nmetric = \"ErrorRate\"\ndimensions = {{ Service = \"ledger\" }}\nperiod = 1\npass_when = \"<\"\nthreshold = 5\nunit = \"%\"\n```\n\n- [ ] traffic on the new version\n",
        world["listener"].as_str().unwrap_or_default(),
        world["blue"].as_str().unwrap_or_default(),
        world["green"].as_str().unwrap_or_default(),
    );
    let file = data.path().join("canary.md");
    std::fs::write(&file, runbook)?;
    flightdeck_core::Flightdeck::open(data.path())?.import_file(&file)?;
    let _publisher = Stopped(
        Command::new(&python)
            .args(["-c", HEALTHY, &endpoint])
            .stdout(Stdio::null())
            .spawn()?,
    );

    let driver = start_driver(data.path())?;
    let client = open_window(&driver).await?;
    introduce(&client).await?;
    click(&client, "[data-testid=runbook-canary-drill]").await?;
    click(&client, "[data-testid=phase-phase-1]").await?;
    wait_for_attr(
        &client,
        "[data-testid=action-env-canary] option",
        "value",
        "DEMO",
    )
    .await?;
    click(&client, "[data-testid=run-canary]").await?;
    let dialog = text_of(&client, "dialog").await?;
    assert!(
        dialog.contains("0% now, then 10% → 50% → 100%"),
        "the plan shows every step: {dialog}"
    );
    assert!(
        dialog.contains("judged by the criteria of phase-1: Error rate"),
        "{dialog}"
    );
    click(&client, "[data-testid=confirm-run-canary]").await?;
    wait_for_attr(
        &client,
        "[data-testid=rollout-canary]",
        "data-percent",
        "50",
    )
    .await?;
    let live = text_of(&client, "[data-testid=rollout-canary]").await?;
    assert!(live.contains("step 2 of 3"), "{live}");
    assert!(
        live.contains("Error rate 0.4% < 5%"),
        "the last judgment shows: {live}"
    );
    screenshot(&client, "rollout.png").await?;
    wait_for_attr(
        &client,
        "[data-testid=rollout-canary]",
        "data-status",
        "completed",
    )
    .await?;

    click(&client, "[data-testid=open-board]").await?;
    let board = wait_for_text(&client, "[data-testid=board-rollouts]", "Completed").await?;
    assert!(board.contains("100% on the canary"), "{board}");
    // The metric's chart draws each step and its boundary.
    css(&client, "img.chart").await?;
    let chart = client
        .execute(
            "return decodeURIComponent(document.querySelector('img.chart').src)",
            vec![],
        )
        .await?;
    let chart = chart.as_str().unwrap_or_default();
    for step in ["canary 10%", "canary 50%", "canary 100%"] {
        assert!(chart.contains(step), "the chart does not mark {step}");
    }
    screenshot(&client, "rollout-board.png").await?;
    client.close().await?;
    flightdeck_core::demo_down(data.path())?;
    Ok(())
}

const TIMED_RUNBOOK: &str = "# Gui Timed Release\n\n## Phase 1: Deploy (T+0 to T+30 min)\n\n### Task 1.1: Push images (20 min)\n\n- [ ] Images pushed\n\n### Task 1.2: Migrate (10 min)\n\n- [ ] Migrations applied\n\n## Phase 2: Verify\n\n**Duration**: 30 minutes\n\n- [ ] Smoke tests green\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_shows_a_late_task_and_the_board_says_how_late() -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let file = data.path().join("timed.md");
    std::fs::write(&file, TIMED_RUNBOOK)?;
    // A live run that began 50 minutes ago; its 20-minute first task is ticked only now.
    {
        let fd = flightdeck_core::Flightdeck::open(data.path())?;
        fd.import_file(&file)?;
        let lead = fd.set_identity("Gui Lead", flightdeck_store::Role::TechnicalLead)?;
        let t0_ms = flightdeck_core::now_ms() - 50 * 60_000;
        let start = flightdeck_core::RunStart {
            kind: flightdeck_store::RunKind::Live,
            name: None,
            environment: None,
            t0_ms,
            utc_offset_minutes: 0,
            notify: None,
        };
        let run = fd.start_run(&lead, "gui-timed-release", &start)?;
        let item = fd.read()?.items(&run.key)?[0].id.clone();
        let done = flightdeck_store::ItemUpdate {
            state: Some(ItemState::Done),
            note: None,
        };
        fd.change_item(&lead, &run.key, &item, &done)?;
    }
    let driver = start_driver(data.path())?;
    let client = open_window(&driver).await?;
    click(&client, "[data-testid=runbook-gui-timed-release\\@live-1]").await?;
    click(&client, "[data-testid=open-timeline]").await?;
    css(&client, "[data-testid=gantt]").await?;
    let headline = wait_for_text(&client, "[data-testid=timeline-headline]", "min late").await?;
    assert!(headline.starts_with("running 3"), "{headline}");
    let task_late: i64 = css(&client, "[data-testid=row-phase-1\\/task-1-1]")
        .await?
        .attr("data-late")
        .await?
        .unwrap_or_default()
        .parse()?;
    assert!(
        (30..=32).contains(&task_late),
        "task 1.1 is {task_late} min late"
    );
    css(&client, "[data-testid=now-line]").await?;
    screenshot(&client, "timeline.png").await?;

    // A new run announcing on a webhook whose URL is not in the keyring is refused, saying so.
    click(&client, "[data-testid=new-run]").await?;
    client
        .execute(
            r#"const set = (selector, value, event) => {
                 const e = document.querySelector(selector);
                 e.value = value;
                 e.dispatchEvent(new Event(event, { bubbles: true }));
               };
               set('[data-testid=run-t0]', '2027-01-10T09:00', 'input');
               set('[data-testid=run-announce]', 'webhook', 'change');"#,
            vec![],
        )
        .await?;
    css(&client, "[data-testid=run-webhook-secret]")
        .await?
        .send_keys("gui-no-such-webhook")
        .await?;
    click(&client, "[data-testid=start-run] button[type=submit]").await?;
    wait_for_text(
        &client,
        ".timeline .error",
        "no secret 'gui-no-such-webhook'",
    )
    .await?;
    screenshot(&client, "timeline-new-run.png").await?;
    client.close().await?;

    // The client stakeholder's board says it in a sentence.
    flightdeck_core::Flightdeck::open(data.path())?
        .set_identity("Gui Client", flightdeck_store::Role::ClientStakeholder)?;
    let client = open_window(&driver).await?;
    click(&client, "[data-testid=runbook-gui-timed-release\\@live-1]").await?;
    click(&client, "[data-testid=open-board]").await?;
    let said = wait_for_text(&client, "[data-testid=board-schedule]", "min late").await?;
    assert!(
        said.contains("running 3") && said.contains("projected end"),
        "{said}"
    );
    screenshot(&client, "timeline-board.png").await?;
    client.close().await?;
    Ok(())
}

/// Where the release server writes the requests it answered (Python's server logs each one).
const REQUEST_LOG: &str = "requests.log";

/// Runs `command` to its end: its standard output, or an error naming it with its standard error.
fn output_of(command: &mut Command) -> Result<String> {
    let out = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    anyhow::ensure!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// A release server of the test's own: Python's static file server over a directory holding
/// the update manifest, the packages and the update key the test made with the Tauri CLI's
/// signer (`tauri signer generate` / `sign`), as a release is signed.
struct ReleaseServer {
    dir: tempfile::TempDir,
    /// The certificates of an HTTPS server.
    tls: Option<tempfile::TempDir>,
    child: Child,
    port: u16,
}

/// Python's static file server over HTTPS, with the certificate and key in argv[2] and argv[3].
const HTTPS_SERVER: &str = r#"
import http.server, ssl, sys
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(sys.argv[2], sys.argv[3])
server.socket = tls.wrap_socket(server.socket, server_side=True)
server.serve_forever()
"#;

impl ReleaseServer {
    /// Over plain HTTP, which only a debug build's updater accepts.
    fn start() -> Result<Self> {
        let port = free_port()?;
        let mut server = Command::new("python3");
        server
            .args(["-m", "http.server", "--bind", "127.0.0.1"])
            .arg(port.to_string());
        Self::serve(port, None, server)
    }

    /// Over HTTPS, as a release build's updater requires, with a certificate for 127.0.0.1
    /// issued by a certificate authority of the test's own: [`ReleaseServer::authority`].
    fn start_https() -> Result<Self> {
        let port = free_port()?;
        let tls = tempfile::tempdir()?;
        let openssl =
            |args: &[&str]| output_of(Command::new("openssl").args(args).current_dir(tls.path()));
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=Flightdeck test releases CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ])?;
        openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ])?;
        std::fs::write(
            tls.path().join("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ])?;
        let (cert, key) = (tls.path().join("server.pem"), tls.path().join("server.key"));
        let mut server = Command::new("python3");
        server
            .args(["-c", HTTPS_SERVER])
            .arg(port.to_string())
            .args([&cert, &key]);
        Self::serve(port, Some(tls), server)
    }

    /// Starts `server` on `port` over a new directory, logging the requests it answers.
    fn serve(port: u16, tls: Option<tempfile::TempDir>, mut server: Command) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let requests = std::fs::File::create(dir.path().join(REQUEST_LOG))?;
        let child = server
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(requests)
            .spawn()
            .context("starting the release server (python3)")?;
        let server = ReleaseServer {
            dir,
            tls,
            child,
            port,
        };
        wait_for_listener("the release server", port, Duration::from_secs(15))?;
        Ok(server)
    }

    /// The certificate authority an HTTPS server's certificate comes from, for the app to trust
    /// (`SSL_CERT_FILE`).
    fn authority(&self) -> Option<PathBuf> {
        self.tls.as_ref().map(|tls| tls.path().join("ca.pem"))
    }

    fn url(&self, file: &str) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/{file}", self.port)
    }

    /// The paths (with their queries) asked for so far, in order.
    fn requested(&self) -> Result<Vec<String>> {
        let log = std::fs::read_to_string(self.dir.path().join(REQUEST_LOG))?;
        Ok(log
            .lines()
            .filter_map(|line| line.split_once("\"GET ")?.1.split_once(' '))
            .map(|(path, _)| path.to_string())
            .collect())
    }

    /// Runs the Tauri CLI's signer in the server's directory.
    fn signer(&self, args: &[&str]) -> Result<()> {
        let cli = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/node_modules/.bin/tauri");
        output_of(
            Command::new(&cli)
                .arg("signer")
                .args(args)
                .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", "")
                .current_dir(self.dir.path()),
        )
        .with_context(|| {
            format!(
                "the Tauri CLI's signer, {} (npm --prefix ui ci)",
                cli.display()
            )
        })?;
        Ok(())
    }

    /// A new key pair named `name`; returns the public key as the updater takes it.
    fn key(&self, name: &str) -> Result<String> {
        self.signer(&["generate", "--ci", "-p", "", "-w", name])?;
        Ok(std::fs::read_to_string(
            self.dir.path().join(format!("{name}.pub")),
        )?)
    }

    /// Writes the package of `version` and its signature by `key`; returns the signature.
    fn package(&self, version: &str, file: &str, bytes: &[u8], key: &str) -> Result<String> {
        std::fs::write(self.dir.path().join(file), bytes)?;
        self.signer(&["sign", "-f", key, "-p", "", "--app-version", version, file])?;
        Ok(std::fs::read_to_string(
            self.dir.path().join(format!("{file}.sig")),
        )?)
    }

    /// Announces `version` as `file` with `signature`.
    fn announce(&self, version: &str, file: &str, signature: &str) -> Result<()> {
        let manifest = serde_json::json!({
            "version": version,
            "notes": format!("Flightdeck {version}\n- Faster import\n- Signed updates"),
            "pub_date": "2026-12-03T12:00:00Z",
            "platforms": {
                "linux-x86_64": { "signature": signature, "url": self.url(file) }
            }
        });
        std::fs::write(
            self.dir.path().join("latest.json"),
            serde_json::to_vec(&manifest)?,
        )?;
        Ok(())
    }
}

impl Drop for ReleaseServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Checks for updates from the footer, finds `version` offered and downloads it.
async fn check_and_download(client: &Client, version: &str) -> Result<()> {
    click(client, "[data-testid=check-updates]").await?;
    wait_for_text(client, "[data-testid=update-dialog]", version).await?;
    click(client, "[data-testid=update-download]").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_offered_verified_and_a_bad_signature_refused() -> Result<()> {
    let _window = WINDOW.lock().await;
    let release = ReleaseServer::start()?;
    let pubkey = release.key("release.key")?;
    release.key("stranger.key")?;
    let package: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let signature = release.package(
        "0.2.0",
        "Flightdeck_0.2.0_amd64.deb",
        &package,
        "release.key",
    )?;
    release.announce("0.2.0", "Flightdeck_0.2.0_amd64.deb", &signature)?;

    let data = tempfile::tempdir()?;
    let endpoint = release.url("latest.json");
    let driver = start_driver_with(
        data.path(),
        &[
            ("FLIGHTDECK_UPDATE_ENDPOINT", &endpoint),
            ("FLIGHTDECK_UPDATE_PUBKEY", &pubkey),
        ],
    )?;
    let client = open_window(&driver).await?;
    let outcome = async {
        introduce(&client).await?;
        // Offered at start, after the first paint.
        wait_for_text(
            &client,
            "[data-testid=update-available]",
            "0.2.0 is available",
        )
        .await?;
        click(&client, "[data-testid=update-available]").await?;
        let notes = text_of(&client, "[data-testid=update-notes]").await?;
        assert!(notes.contains("Signed updates"), "{notes}");
        click(&client, "[data-testid=update-download]").await?;
        let verified = wait_for_text(
            &client,
            "[data-testid=update-verified]",
            "Signature verified",
        )
        .await?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&package));
        assert!(
            verified.contains(&sha[..16]),
            "{verified} names another package than {sha}"
        );
        assert!(verified.contains("3.0 MB"), "{verified}");
        let why = text_of(&client, "[data-testid=update-cannot-install]").await?;
        assert!(why.contains("runs from a build"), "{why}");
        screenshot(&client, "update-verified.png").await?;
        click(&client, "[data-testid=update-later]").await?;

        // The same signature over other bytes: tampered on the way.
        let mut tampered = package.clone();
        tampered[1_000_000] ^= 1;
        std::fs::write(
            release.dir.path().join("Flightdeck_0.2.1_amd64.deb"),
            &tampered,
        )?;
        release.announce("0.2.1", "Flightdeck_0.2.1_amd64.deb", &signature)?;
        check_and_download(&client, "0.2.1").await?;
        let refused = wait_for_text(&client, "[data-testid=update-error]", "was refused").await?;
        assert!(refused.contains("signature does not match"), "{refused}");
        assert!(client
            .find(Locator::Css("[data-testid=update-install]"))
            .await
            .is_err());
        screenshot(&client, "update-tampered.png").await?;
        click(&client, "[data-testid=update-later]").await?;

        // Signed, but by a key that is not the app's update key.
        let foreign = release.package(
            "0.2.2",
            "Flightdeck_0.2.2_amd64.deb",
            &package,
            "stranger.key",
        )?;
        release.announce("0.2.2", "Flightdeck_0.2.2_amd64.deb", &foreign)?;
        check_and_download(&client, "0.2.2").await?;
        let refused = wait_for_text(&client, "[data-testid=update-error]", "was refused").await?;
        assert!(refused.contains("signature does not match"), "{refused}");
        click(&client, "[data-testid=update-later]").await?;

        // 0.2.0, signed as it should be, announced as a newer version than it is.
        release.announce("0.2.4", "Flightdeck_0.2.0_amd64.deb", &signature)?;
        check_and_download(&client, "0.2.4").await?;
        let refused = wait_for_text(&client, "[data-testid=update-error]", "was refused").await?;
        assert!(refused.contains("signed for 0.2.0"), "{refused}");
        click(&client, "[data-testid=update-later]").await?;

        // Not signed at all.
        release.announce("0.2.3", "Flightdeck_0.2.0_amd64.deb", "")?;
        check_and_download(&client, "0.2.3").await?;
        wait_for_text(&client, "[data-testid=update-error]", "not signed").await?;
        click(&client, "[data-testid=update-later]").await?;

        // Not a manifest at all: said so, naming the server but not the address.
        std::fs::write(
            release.dir.path().join("latest.json"),
            "<html>maintenance</html>",
        )?;
        click(&client, "[data-testid=check-updates]").await?;
        let note = wait_for_text(
            &client,
            "[data-testid=update-note]",
            "did not answer with an update manifest",
        )
        .await?;
        assert!(!note.contains("latest.json"), "{note}");
        Ok::<(), anyhow::Error>(())
    }
    .await;
    client.close().await?;
    outcome?;

    // The release server gone: the check says so, naming the server.
    let port = release.port;
    drop(release);
    let client = open_window(&driver).await?;
    let note = wait_for_text(&client, "[data-testid=update-note]", "could not be reached").await;
    if note.is_ok() {
        screenshot(&client, "update-unreachable.png").await?;
    }
    client.close().await?;
    let note = note?;
    assert!(note.contains(&format!("127.0.0.1:{port}")), "{note}");
    Ok(())
}
