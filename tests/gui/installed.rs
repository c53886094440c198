//! The packages' own tests (`scripts/package.sh --install-test`), on the app as a user has it:
//! installed from the .deb, and as an AppImage. Each starts, shows the demo runbook, and updates
//! itself to the next version's package, signed with the test's own key.

use super::*;

/// Names the .deb of the version after the installed one, which `scripts/package.sh
/// --install-test` builds for the installed app to update itself to.
const NEXT_PACKAGE_ENV: &str = "FLIGHTDECK_NEXT_PACKAGE";
/// Names this version's AppImage.
const APPIMAGE_ENV: &str = "FLIGHTDECK_APPIMAGE";
/// Names the next version's AppImage, for the AppImage to update itself to.
const NEXT_APPIMAGE_ENV: &str = "FLIGHTDECK_NEXT_APPIMAGE";

/// The app under test, as it was installed.
#[derive(Clone)]
enum Installed {
    /// From the .deb: the app at its installed path, which dpkg replaces on an update.
    Deb(PathBuf),
    /// An AppImage, at the path it runs from, which the updater rewrites on an update.
    AppImage(PathBuf),
}

impl Installed {
    /// The installed .deb's app, which [`APP_BINARY_ENV`] names, not this checkout's build.
    fn deb() -> Result<Self> {
        let app = std::env::var(APP_BINARY_ENV)
            .with_context(|| format!("{APP_BINARY_ENV} names the installed app"))?;
        anyhow::ensure!(
            !Path::new(&app).starts_with(env!("CARGO_MANIFEST_DIR")),
            "{app} is this checkout's build, not the installed app"
        );
        Ok(Self::Deb(PathBuf::from(app)))
    }

    /// A copy in `dir` of the AppImage [`APPIMAGE_ENV`] names, as a user keeps one: in a
    /// directory of their own, where an update rewrites it.
    fn appimage_in(dir: &Path) -> Result<Self> {
        let built = env_path(APPIMAGE_ENV, "this version's AppImage")?;
        let appimage = dir.join(built.file_name().context("the AppImage's name")?);
        std::fs::copy(&built, &appimage)
            .with_context(|| format!("copying {built:?} to {appimage:?}"))?;
        Ok(Self::AppImage(appimage))
    }

    /// The program that starts the app.
    fn program(&self) -> &Path {
        match self {
            Self::Deb(app) | Self::AppImage(app) => app,
        }
    }

    /// The kind of package, as the updater names it in the manifest's address.
    fn kind(&self) -> &'static str {
        match self {
            Self::Deb(_) => "deb",
            Self::AppImage(_) => "appimage",
        }
    }

    /// The version installed.
    fn version(&self) -> Result<String> {
        match self {
            Self::Deb(_) => {
                output_of(Command::new("dpkg-query").args(["-W", "-f", "${Version}", "flightdeck"]))
                    .context("the flightdeck package is not installed")
            }
            Self::AppImage(appimage) => appimage_version(appimage),
        }
    }

    /// Whether `exe`, the program a process of the app runs, is the app as installed now. The
    /// .deb's app that dpkg replaced reads "<path> (deleted)"; an AppImage's runs from the
    /// image's mount, which names no version: the restarted app's request names it instead.
    fn runs_as_installed_now(&self, exe: &Path) -> bool {
        match self {
            Self::Deb(app) => exe == app,
            Self::AppImage(_) => true,
        }
    }

    /// The processes of the app running on `data_dir`, each with the program it runs: a program
    /// replaced on disk while it ran reads "<path> (deleted)". An AppImage's app runs from where
    /// the AppImage is mounted, which the runtime names in the app's `APPIMAGE` variable.
    fn processes(&self, data_dir: &Path) -> Vec<(u32, PathBuf)> {
        let mut on_data_dir = format!("{}=", flightdeck_core::DATA_DIR_ENV).into_bytes();
        on_data_dir.extend_from_slice(data_dir.as_os_str().as_encoded_bytes());
        let Ok(proc) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        proc.flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(|pid| Some((pid, std::fs::read_link(format!("/proc/{pid}/exe")).ok()?)))
            .filter(|(pid, exe)| {
                let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
                    return false;
                };
                let has = |setting: &[u8]| environ.split(|b| *b == 0).any(|var| var == setting);
                let runs_app = match self {
                    Self::Deb(app) => exe
                        .as_os_str()
                        .as_encoded_bytes()
                        .starts_with(app.as_os_str().as_encoded_bytes()),
                    Self::AppImage(appimage) => {
                        let mut from = b"APPIMAGE=".to_vec();
                        from.extend_from_slice(appimage.as_os_str().as_encoded_bytes());
                        exe.ends_with("usr/bin/flightdeck-app") && has(&from)
                    }
                };
                runs_app && has(&on_data_dir)
            })
            .collect()
    }
}

/// The path the variable `name` holds: `what`.
fn env_path(name: &str, what: &str) -> Result<PathBuf> {
    Ok(PathBuf::from(
        std::env::var(name).with_context(|| format!("{name} names {what}"))?,
    ))
}

/// The version an AppImage's desktop entry carries (X-AppImage-Version), read from its image.
fn appimage_version(appimage: &Path) -> Result<String> {
    let offset = output_of(Command::new(appimage).arg("--appimage-offset"))?;
    let entry = output_of(
        Command::new("unsquashfs")
            .args(["-o", offset.trim(), "-cat"])
            .arg(appimage)
            .arg("Flightdeck.desktop"),
    )?;
    entry
        .lines()
        .find_map(|line| line.strip_prefix("X-AppImage-Version="))
        .map(str::to_string)
        .with_context(|| format!("{appimage:?}'s desktop entry has no X-AppImage-Version"))
}

/// A field of a .deb's control file, as `dpkg-deb` reads it.
fn deb_field(deb: &Path, field: &str) -> Result<String> {
    let value = output_of(Command::new("dpkg-deb").arg("-f").arg(deb).arg(field))?;
    Ok(value.trim().to_string())
}

/// Stops, when dropped, every process of the app on a data directory: an app that restarted
/// itself is no longer a child of the driver, and must not outlive the test.
struct AppOnDataDir {
    app: Installed,
    data_dir: PathBuf,
}

impl Drop for AppOnDataDir {
    fn drop(&mut self) {
        for signal in ["-TERM", "-KILL"] {
            let running = self.app.processes(&self.data_dir);
            if running.is_empty() {
                return;
            }
            for (pid, _) in running {
                let _ = Command::new("kill")
                    .args([signal, &pid.to_string()])
                    .status();
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while !self.app.processes(&self.data_dir).is_empty() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Waits up to `within` for `found` to give something.
async fn wait_until<T>(
    what: &str,
    within: Duration,
    mut found: impl FnMut() -> Option<T>,
) -> Result<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(it) = found() {
            return Ok(it);
        }
        if Instant::now() > deadline {
            bail!("{what} within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `app` starts from where it was installed and shows the demo runbook.
async fn shows_the_demo_runbook(app: &Installed, shot: &str) -> Result<()> {
    let _window = WINDOW.lock().await;
    let data = tempfile::tempdir()?;
    let _stop = AppOnDataDir {
        app: app.clone(),
        data_dir: data.path().to_path_buf(),
    };
    let driver = start_driver(data.path())?;
    let client = open_window_of(&driver, app.program()).await?;
    introduce(&client).await?;
    close_on_screenshot(client, shot).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the installed package: scripts/package.sh --install-test"]
async fn the_installed_app_shows_the_demo_runbook() -> Result<()> {
    shows_the_demo_runbook(&Installed::deb()?, "installed.png").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the AppImage: scripts/package.sh --install-test"]
async fn the_appimage_shows_the_demo_runbook() -> Result<()> {
    let dir = tempfile::tempdir()?;
    shows_the_demo_runbook(&Installed::appimage_in(dir.path())?, "appimage.png").await
}

/// `app` is offered `next`, the package of `version` signed with the test's own key; it verifies
/// it, installs it on confirmation and restarts as the new version, which paints and asks the
/// release server again, naming its own version.
async fn installs_a_signed_update_and_restarts_as_it(
    app: Installed,
    next: &Path,
    version: &str,
) -> Result<()> {
    let current = app.version()?;
    anyhow::ensure!(current != version, "{next:?} is the installed {current}");
    let _window = WINDOW.lock().await;
    let release = ReleaseServer::start_https()?;
    let pubkey = release.key("release.key")?;
    let authority = release.authority().context("an HTTPS server's authority")?;
    let file = next
        .file_name()
        .and_then(|f| f.to_str())
        .context("the next package's name")?;
    let signature = release.package(version, file, &std::fs::read(next)?, "release.key")?;
    release.announce(version, file, &signature)?;

    let data = tempfile::tempdir()?;
    let _stop = AppOnDataDir {
        app: app.clone(),
        data_dir: data.path().to_path_buf(),
    };
    let endpoint = release.url("latest.json?from={{current_version}}&as={{bundle_type}}");
    let driver = start_driver_with(
        data.path(),
        &[
            ("FLIGHTDECK_UPDATE_ENDPOINT", &endpoint),
            ("FLIGHTDECK_UPDATE_PUBKEY", &pubkey),
            ("SSL_CERT_FILE", authority.to_str().context("a UTF-8 path")?),
        ],
    )?;
    let client = open_window_of(&driver, app.program()).await?;
    introduce(&client).await?;
    wait_for_text(
        &client,
        "[data-testid=update-available]",
        &format!("{version} is available"),
    )
    .await?;
    let asked = release.requested()?;
    let before = format!("/latest.json?from={current}&as={}", app.kind());
    assert!(asked.contains(&before), "asked for {asked:?}, not {before}");
    let old = app.processes(data.path());
    anyhow::ensure!(old.len() == 1, "the app runs as {old:?}");

    click(&client, "[data-testid=update-available]").await?;
    click(&client, "[data-testid=update-download]").await?;
    wait_for_text(
        &client,
        "[data-testid=update-verified]",
        "Signature verified",
    )
    .await?;
    screenshot(&client, &format!("update-install-{}.png", app.kind())).await?;
    click(&client, "[data-testid=update-install]").await?;

    // Installed, or refused with a message in the window (which is gone once it restarts).
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        match app.version() {
            Ok(installed) if installed == version => break,
            // An AppImage being rewritten has no version to read yet.
            Ok(_) | Err(_) if Instant::now() < deadline => {}
            installed => bail!(
                "{:?} was not updated to {version} within 3 minutes: {installed:?}",
                app.program()
            ),
        }
        let error = tokio::time::timeout(
            Duration::from_secs(2),
            client.find(Locator::Css("[data-testid=update-error]")),
        )
        .await;
        if let Ok(Ok(error)) = error {
            bail!("the install failed: {}", error.text().await?);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (new_pid, exe) = wait_until(
        "the app did not restart as the installed update",
        Duration::from_secs(60),
        || {
            app.processes(data.path())
                .into_iter()
                .find(|(pid, exe)| *pid != old[0].0 && app.runs_as_installed_now(exe))
        },
    )
    .await?;
    let after = format!("/latest.json?from={version}&as={}", app.kind());
    wait_until(
        &format!("the restarted app ({new_pid}, {exe:?}) did not ask for {after}"),
        Duration::from_secs(60),
        || {
            release
                .requested()
                .ok()
                .filter(|asked| asked.contains(&after))
        },
    )
    .await?;
    Ok(())
}

/// The installed .deb's app is offered the next version's .deb; it installs it with dpkg,
/// through pkexec or sudo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the installed package and the next one: scripts/package.sh --install-test"]
async fn the_installed_app_installs_a_signed_update_and_restarts_as_it() -> Result<()> {
    let next = env_path(NEXT_PACKAGE_ENV, "the next version's .deb")?;
    let version = deb_field(&next, "Version")?;
    installs_a_signed_update_and_restarts_as_it(Installed::deb()?, &next, &version).await
}

/// The AppImage is offered the next version's AppImage; it rewrites itself with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs this version's AppImage and the next one: scripts/package.sh --install-test"]
async fn the_appimage_installs_a_signed_update_and_restarts_as_it() -> Result<()> {
    let next = env_path(NEXT_APPIMAGE_ENV, "the next version's AppImage")?;
    let version = appimage_version(&next)?;
    let dir = tempfile::tempdir()?;
    let app = Installed::appimage_in(dir.path())?;
    installs_a_signed_update_and_restarts_as_it(app, &next, &version).await
}
