//! How the window is painted, and when it is shown.
//!
//! - **No GPU, no OpenGL.** Where the machine has no GPU render node (`/dev/dri/renderD*`: a VM,
//!   a remote session, Xvfb), WebKitGTK's accelerated compositing runs on Mesa's software
//!   OpenGL, which loads LLVM into the app and into its web process: about 100 MB more for the
//!   demo, for a window of lists and forms. There Flightdeck asks WebKitGTK to paint without
//!   it, unless the user chose either way (`WEBKIT_DISABLE_COMPOSITING_MODE` set, or
//!   `FLIGHTDECK_GPU_COMPOSITING=1` for WebKitGTK's own choice).
//! - **No OpenGL in the app's own process either.** Painting without compositing, the app
//!   process still loaded Mesa, and with it LLVM (some 20 MB of it resident), only to ask:
//!   GTK asks GLX for its version when it opens the display, WebKit's DMA-BUF renderer probes
//!   EGL, and WebKit asks EGL which render node to give its web process. Without a GPU none of
//!   the answers is used, so the app tells each not to ask (`SOFTWARE_ONLY`); a variable the
//!   user set is kept. (The web process still opens an EGL display: it aborts without one.)
//! - **Shown once laid out.** Painting with compositing, the window is shown as it opens.
//!   Painting without, it opens hidden and the page shows it when its first view is laid out
//!   (the `window_ready` command): there a GTK draw of a web view that has not painted yet makes
//!   WebKit's UI process wait, up to 500 ms, for the web process's first update, while the web
//!   process may be waiting for a file or a command that the UI process serves. One start in
//!   three to five stalled that long. Shown with its page laid out, the first draw finds the web
//!   process idle. A page that never says so is shown anyway after [`SHOW_ANYWAY`], errors and
//!   all. (With compositing, a window shown only then painted about 100 ms later, so it is not.)

use std::path::Path;
use std::time::Duration;

use tauri::{AppHandle, Manager, WebviewWindowBuilder};

/// The label of the app's one window.
const MAIN: &str = "main";

/// How long a window whose page has not said it is ready stays hidden.
const SHOW_ANYWAY: Duration = Duration::from_secs(3);

/// Shows the main window; nothing happens when it is shown already.
pub fn show_main_window(app: &AppHandle) -> tauri::Result<()> {
    match app.get_webview_window(MAIN) {
        Some(window) => window.show(),
        None => Ok(()),
    }
}

/// Opens the main window from its configuration (`"create": false` in tauri.conf.json, so that
/// it opens here): shown, or hidden until its page is laid out when `software_painting`.
///
/// Its web view keeps its data (cache, cookies, storage) in Flightdeck's `data_dir`. Tauri's
/// default is the platform's directory for the identifier, the same place unless
/// `FLIGHTDECK_DATA_DIR` moves it: then the web view moves with it, so two desktops on one
/// account share no web view data, and a run with the override leaves nothing in the platform's
/// directory (where it would stop a data directory of the first identifier from being moved).
pub fn open_main_window(
    app: &tauri::App,
    software_painting: bool,
    data_dir: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN)
        .ok_or("tauri.conf.json declares no window labelled \"main\"")?;
    WebviewWindowBuilder::from_config(app.handle(), config)?
        .data_directory(data_dir.to_path_buf())
        .visible(!software_painting)
        .build()?;
    if software_painting {
        tauri::async_runtime::spawn(show_anyway(app.handle().clone()));
    }
    Ok(())
}

/// Shows the main window after [`SHOW_ANYWAY`], in case its page never said it was ready.
async fn show_anyway(app: AppHandle) {
    tokio::time::sleep(SHOW_ANYWAY).await;
    if let Err(e) = show_main_window(&app) {
        tracing::warn!(error = %e, "the window could not be shown");
    }
}

#[cfg(target_os = "linux")]
pub use software::prefer_software_painting;

/// Elsewhere WebKit's own choice stands.
#[cfg(not(target_os = "linux"))]
pub fn prefer_software_painting() -> bool {
    false
}

#[cfg(target_os = "linux")]
mod software {
    use std::ffi::OsStr;
    use std::path::Path;

    /// WebKitGTK's switch: set (to anything) means no accelerated compositing.
    const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

    /// Set to keep WebKitGTK's own choice, GPU or not.
    const GPU_COMPOSITING: &str = "FLIGHTDECK_GPU_COMPOSITING";

    /// What keeps the app process from loading OpenGL where there is no GPU, each unless the
    /// user set it: GTK opens its display without asking GLX for GL visuals, WebKit does not
    /// probe EGL for its DMA-BUF renderer, and WebKit is told the render node rather than
    /// asking EGL for it: there is none, so it is named by a path that does not exist.
    const SOFTWARE_ONLY: [(&str, &str); 3] = [
        ("GDK_GL", "disable"),
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
        ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/dri/no-render-node"),
    ];

    /// Whether Flightdeck should turn compositing off: only without a render node, and only when
    /// the user set neither switch.
    fn should_disable_compositing(
        webkit_choice: Option<&OsStr>,
        gpu_choice: Option<&OsStr>,
        has_render_node: bool,
    ) -> bool {
        webkit_choice.is_none() && gpu_choice.is_none() && !has_render_node
    }

    /// Whether `dri` (the kernel's `/dev/dri`) holds a GPU render node.
    fn has_render_node(dri: &Path) -> bool {
        std::fs::read_dir(dri).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
        })
    }

    /// Turns WebKitGTK's accelerated compositing off where there is no GPU and the user did not
    /// choose; says whether it did. Called first thing in `main`, before any thread starts (the
    /// environment is the process's) and before WebKitGTK reads it.
    pub fn prefer_software_painting() -> bool {
        let webkit = std::env::var_os(DISABLE_COMPOSITING);
        let gpu = std::env::var_os(GPU_COMPOSITING);
        let software = should_disable_compositing(
            webkit.as_deref(),
            gpu.as_deref(),
            has_render_node(Path::new("/dev/dri")),
        );
        if software {
            std::env::set_var(DISABLE_COMPOSITING, "1");
            for (name, value) in unset(&SOFTWARE_ONLY, |name| std::env::var_os(name)) {
                std::env::set_var(name, value);
            }
        }
        software
    }

    /// The variables of `wanted` that `current` has no value for.
    fn unset<'a>(
        wanted: &[(&'a str, &'a str)],
        current: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Vec<(&'a str, &'a str)> {
        wanted
            .iter()
            .filter(|(name, _)| current(name).is_none())
            .copied()
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn compositing_is_turned_off_only_without_a_gpu_and_a_choice() {
            let set = Some(OsStr::new("1"));
            assert!(should_disable_compositing(None, None, false));
            assert!(!should_disable_compositing(None, None, true));
            assert!(!should_disable_compositing(set, None, false));
            let zero = Some(OsStr::new("0"));
            assert!(!should_disable_compositing(zero, None, false));
            assert!(!should_disable_compositing(None, set, false));
        }

        #[test]
        fn the_variables_a_user_set_are_kept() {
            let chosen = |name: &str| (name == "GDK_GL").then(|| "gles".into());
            let set = unset(&SOFTWARE_ONLY, chosen);
            assert_eq!(set.len(), SOFTWARE_ONLY.len() - 1);
            assert!(set.iter().all(|(name, _)| *name != "GDK_GL"));
            assert_eq!(unset(&SOFTWARE_ONLY, |_| None), SOFTWARE_ONLY);
        }

        #[test]
        fn the_render_node_named_does_not_exist() {
            let (_, device) = SOFTWARE_ONLY
                .iter()
                .find(|(name, _)| *name == "WEBKIT_WEB_RENDER_DEVICE_FILE")
                .unwrap();
            assert!(!Path::new(device).exists());
        }

        #[test]
        fn a_render_node_is_found_among_the_dri_devices() {
            let dri = tempfile::tempdir().unwrap();
            assert!(!has_render_node(dri.path()));
            std::fs::write(dri.path().join("card0"), "").unwrap();
            assert!(!has_render_node(dri.path()));
            std::fs::write(dri.path().join("renderD128"), "").unwrap();
            assert!(has_render_node(dri.path()));
            assert!(!has_render_node(&dri.path().join("missing")));
        }
    }
}
