//! How WebKitGTK paints the window.
//!
//! By default WebKitGTK composites the page with OpenGL, which loads Mesa (and LLVM, for a
//! software renderer) into both the app and its web process: about 100 MB of the app's memory
//! for a window of forms and lists that gains nothing from it. Flightdeck asks WebKitGTK to
//! paint without accelerated compositing unless the user has chosen either way.

use std::ffi::OsStr;

/// WebKitGTK's switch: set (to anything) means no accelerated compositing.
const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Set to keep WebKitGTK's own choice (accelerated compositing where OpenGL works).
const GPU_COMPOSITING: &str = "FLIGHTDECK_GPU_COMPOSITING";

/// Whether Flightdeck should set `WEBKIT_DISABLE_COMPOSITING_MODE`: only when the user set
/// neither it nor `FLIGHTDECK_GPU_COMPOSITING`.
fn should_disable_compositing(webkit_choice: Option<&OsStr>, gpu_choice: Option<&OsStr>) -> bool {
    webkit_choice.is_none() && gpu_choice.is_none()
}

/// Chooses painting without accelerated compositing unless the user chose. Called first thing
/// in `main`, before any thread starts (the environment is process-wide) and before WebKitGTK
/// reads it.
pub fn prefer_software_painting() {
    let webkit = std::env::var_os(DISABLE_COMPOSITING);
    let gpu = std::env::var_os(GPU_COMPOSITING);
    if should_disable_compositing(webkit.as_deref(), gpu.as_deref()) {
        std::env::set_var(DISABLE_COMPOSITING, "1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_is_disabled_only_when_the_user_chose_neither_way() {
        let set = Some(OsStr::new("1"));
        assert!(should_disable_compositing(None, None));
        assert!(!should_disable_compositing(set, None));
        assert!(!should_disable_compositing(Some(OsStr::new("0")), None));
        assert!(!should_disable_compositing(None, set));
        assert!(!should_disable_compositing(set, set));
    }
}
