//! The TypeScript face of the commands and events: `ui/src/bindings/commands.ts`, generated
//! from [`crate::commands::declared`] and [`events`] with the types ts-rs already exports, so
//! the window names no command or event by hand. `cargo test` writes it; the test command
//! fails when the committed file is stale.

use std::collections::BTreeSet;

use ts_rs::{Dependency, TypeVisitor, TS};

use crate::reporter::{ActionProgress, BackupProgress, Emitted};

/// A Rust type as TypeScript: its name there and the files it comes from.
pub struct Ts {
    name: String,
    imports: Vec<(String, String)>,
}

impl Ts {
    pub fn of<T: TS + 'static + ?Sized>() -> Ts {
        let name = T::name();
        let named = |ts: &str| {
            name.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .any(|word| word == ts)
        };
        struct Generics(Vec<Dependency>);
        impl TypeVisitor for Generics {
            fn visit<U: TS + 'static + ?Sized>(&mut self) {
                self.0.extend(Dependency::from_ty::<U>());
            }
        }
        let mut generics = Generics(Vec::new());
        T::visit_generics(&mut generics);
        let imports = Dependency::from_ty::<T>()
            .into_iter()
            .chain(generics.0)
            .chain(T::dependencies())
            .filter(|d| named(&d.ts_name))
            .map(|d| (d.ts_name, d.output_path.display().to_string()))
            .collect();
        Ts { name, imports }
    }
}

/// A command as the window calls it.
pub struct Command {
    pub name: &'static str,
    pub args: Vec<(&'static str, Ts)>,
    pub returns: Ts,
}

pub struct Event {
    name: &'static str,
    payload: Ts,
}

fn event<E: Emitted>() -> Event {
    Event {
        name: E::NAME,
        payload: Ts::of::<E>(),
    }
}

/// Every event the app emits.
pub fn events() -> Vec<Event> {
    vec![
        event::<ActionProgress>(),
        event::<BackupProgress>(),
        event::<flightdeck_core::SyncRound>(),
        event::<crate::rollouts::RolloutProgress>(),
        event::<crate::updates::UpdateProgress>(),
    ]
}

/// `set_item` → `setItem`, `window_minutes` → `windowMinutes` (Tauri's argument convention).
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// The generated file's text.
pub fn typescript(commands: &[Command], events: &[Event]) -> String {
    let mut imports = BTreeSet::new();
    let types = commands
        .iter()
        .flat_map(|c| c.args.iter().map(|(_, t)| t).chain([&c.returns]))
        .chain(events.iter().map(|e| &e.payload));
    for t in types {
        imports.extend(t.imports.iter().cloned());
    }
    let mut out = String::from(
        "// Generated from src-tauri/src/commands.rs by `cargo test`; do not edit.\n\
         import { invoke } from \"@tauri-apps/api/core\";\n\
         import { listen, type UnlistenFn } from \"@tauri-apps/api/event\";\n",
    );
    for (name, path) in &imports {
        let module = path.trim_end_matches(".ts");
        out.push_str(&format!("import type {{ {name} }} from \"./{module}\";\n"));
    }
    out.push_str(
        "\n/** Every command of the app, as the window calls it. */\nexport const commands = {\n",
    );
    for c in commands {
        let params: Vec<String> = c
            .args
            .iter()
            .map(|(n, t)| format!("{}: {}", camel(n), t.name))
            .collect();
        let names: Vec<String> = c.args.iter().map(|(n, _)| camel(n)).collect();
        let args = if names.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", names.join(", "))
        };
        out.push_str(&format!(
            "  {}: ({}) => invoke<{}>(\"{}\"{args}),\n",
            camel(c.name),
            params.join(", "),
            c.returns.name,
            c.name
        ));
    }
    out.push_str(
        "};\n\n/** Every event the app emits, each with its payload. */\nexport const events = {\n",
    );
    for e in events {
        out.push_str(&format!(
            "  {}: (handler: (payload: {}) => void): Promise<UnlistenFn> =>\n    listen<{}>(\"{}\", (e) => handler(e.payload)),\n",
            camel(&e.name.replace('-', "_")),
            e.payload.name,
            e.payload.name,
            e.name
        ));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
    }

    fn files(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(files(&path, ext));
            } else if ext
                .iter()
                .any(|e| path.extension().is_some_and(|x| x == *e))
            {
                out.push(path);
            }
        }
        out
    }

    /// Writes the bindings, as ts-rs writes the types; the test command then fails on a stale
    /// committed copy.
    #[test]
    fn the_bindings_are_written_from_the_declared_commands() {
        let text = typescript(&crate::commands::declared(), &events());
        std::fs::write(root().join("ui/src/bindings/commands.ts"), &text).unwrap();
        for c in crate::commands::declared() {
            assert!(text.contains(&format!("invoke<{}>(\"{}\"", c.returns.name, c.name)));
        }
    }

    /// The window calls commands only through the bindings, and only ones that exist; no
    /// Tauri command is written outside `commands!`.
    #[test]
    fn the_window_names_no_command_or_event_by_hand() {
        let declared: BTreeSet<String> = crate::commands::declared()
            .iter()
            .map(|c| camel(c.name))
            .collect();
        for file in files(&root().join("ui/src"), &["ts", "svelte"]) {
            if file.starts_with(root().join("ui/src/bindings")) {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            for needle in ["invoke(", "invoke<", "listen(", "listen<"] {
                assert!(
                    !text.contains(needle),
                    "{} calls {needle} by hand; use the generated bindings",
                    file.display()
                );
            }
            for name in api_calls(&text) {
                assert!(
                    declared.contains(&name),
                    "{} calls api.{name}, which is no command of the app",
                    file.display()
                );
            }
        }
        for file in files(&root().join("src-tauri/src"), &["rs"]) {
            if file.ends_with("ipc.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(
                !text.contains(&["#[tauri::", "command]"].concat()),
                "{} declares a Tauri command outside commands!",
                file.display()
            );
        }
    }

    /// The names called as `api.NAME(` in a text.
    fn api_calls(text: &str) -> Vec<String> {
        text.match_indices("api.")
            .filter(|(i, _)| *i == 0 || !text.as_bytes()[i - 1].is_ascii_alphanumeric())
            .filter_map(|(i, _)| {
                let rest = &text[i + 4..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                (!name.is_empty() && rest[name.len()..].starts_with('(')).then_some(name)
            })
            .collect()
    }

    #[test]
    fn names_follow_tauris_argument_convention() {
        assert_eq!(camel("window_minutes"), "windowMinutes");
        assert_eq!(camel("app_info"), "appInfo");
        assert_eq!(camel("key"), "key");
    }
}
