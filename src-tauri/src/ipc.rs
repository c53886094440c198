//! Commands declared once. [`commands!`] takes each command's signature and body and makes
//! from it the Tauri command, the invoke handler that lists them all, and the TypeScript
//! binding the window calls (`ui/src/bindings/commands.ts`, written by `cargo test`). A command
//! gets a [`Face`]: the core façade, the window, and the operations the window may cancel.

use std::future::Future;

use flightdeck_core::{ApiError, Error, Flightdeck};
use tauri::AppHandle;

use crate::reporter::Operations;

/// What a command works with.
pub struct Face<'a> {
    pub fd: &'a Flightdeck,
    pub app: &'a AppHandle,
    pub operations: &'a Operations,
}

/// The app's state, shared by every command.
pub struct Desktop {
    pub fd: Flightdeck,
    pub operations: Operations,
}

/// Runs a command's body and turns its error into `{ code, message, reason }`.
pub async fn answer<T>(body: impl Future<Output = Result<T, Error>>) -> Result<T, ApiError> {
    body.await.map_err(ApiError::from)
}

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($face:ident $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty $body:block
    )*) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command]
            #[allow(clippy::too_many_arguments)]
            pub async fn $name(
                app: tauri::AppHandle,
                desktop: tauri::State<'_, $crate::ipc::Desktop>,
                $($arg: $ty),*
            ) -> Result<$ret, flightdeck_core::ApiError> {
                let $face = $crate::ipc::Face {
                    fd: &desktop.fd,
                    app: &app,
                    operations: &desktop.operations,
                };
                let started = std::time::Instant::now();
                let answered = $crate::ipc::answer(async { $body }).await;
                tracing::debug!(
                    command = stringify!($name),
                    ms = started.elapsed().as_secs_f64() * 1e3,
                    ok = answered.is_ok(),
                    "command answered"
                );
                answered
            }
        )*

        /// The invoke handler: every command above, and no other.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// Every command's name, arguments and result, for the TypeScript bindings.
        #[cfg(test)]
        pub fn declared() -> Vec<$crate::bindings::Command> {
            vec![$($crate::bindings::Command {
                name: stringify!($name),
                args: vec![$((stringify!($arg), $crate::bindings::Ts::of::<$ty>())),*],
                returns: $crate::bindings::Ts::of::<$ret>(),
            }),*]
        }
    };
}

pub(crate) use commands;
