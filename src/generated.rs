//! The files derived from the endpoint tables, and the test that keeps them in step.
//!
//! - `pkg-template/src/generated/senselink.ts`: the SenseLink output decoders (from
//!   [`crate::senselink::shapes`]) and the output kind of every operation (from
//!   [`crate::senselink::operations::OPERATIONS`]);
//! - `pkg-template/src/generated/cyzen.ts`: the operations of every cyzen resource (from
//!   [`crate::cyzen::resources::RESOURCES`]);
//! - the resource table in `docs/cyzen-paths.md`.
//!
//! `cargo test` fails when a file differs from what the tables say; `make generate` (which runs
//! this test with `UPDATE_GENERATED=1`) rewrites them.

use std::fmt::Write as _;

use crate::cyzen::resources::{Resource, Status, ADD, DELETE, GET, RESOURCES, UPDATE};
use crate::senselink::operations::{Output, OPERATIONS};
use crate::senselink::shapes::{Out, OutField, Shape, SHAPES};

const HEADER: &str = "// Generated from the Rust tables by `make generate` (src/generated.rs): do not edit.\n";

fn ts_type(shape: Shape) -> &'static str {
    match shape {
        Shape::Person => "Person",
        Shape::GroupRef => "SenseLinkGroupRef",
        Shape::Group => "SenseLinkGroup",
        Shape::Department => "SenseLinkDepartment",
        Shape::Record => "RecognitionRecord",
        Shape::DeviceAlert => "DeviceAlert",
        Shape::Device => "SenseLinkDevice",
        Shape::AvatarUpdate => "AvatarUpdate",
    }
}

/// `o.a ?? o.b ?? o.camel` (the first non-null spelling).
fn lookup(field: &OutField) -> String {
    let mut names: Vec<&str> = field.1.to_vec();
    if !names.contains(&field.0) {
        names.push(field.0);
    }
    names
        .iter()
        .map(|n| {
            if n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                format!("o.{n}")
            } else {
                format!("o[{n:?}]")
            }
        })
        .collect::<Vec<_>>()
        .join(" ?? ")
}

fn converter(kind: Out) -> &'static str {
    match kind {
        Out::Key => "key",
        Out::Name => "name",
        Out::Int => "int",
        Out::Str => "str",
        Out::Time => "time",
        Out::Float => "float",
        Out::Secs => "secs",
        Out::Groups => "groups",
        Out::Children => "children",
    }
}

/// The TypeScript of `pkg-template/src/generated/senselink.ts`.
pub fn senselink_ts() -> String {
    let mut out = String::from(HEADER);
    let types: Vec<&str> = SHAPES.iter().map(|(s, _, _)| ts_type(*s)).collect();
    let mut sorted = types.clone();
    sorted.sort_unstable();
    let _ = writeln!(out, "import type {{ {} }} from \"../senselink.js\";", sorted.join(", "));
    out.push_str("import { float, int, key, name, objects, secs, str, time, type Raw } from \"../shape.js\";\n");
    for (shape, ts_name, fields) in SHAPES {
        let _ = writeln!(out, "\n/** Decodes one {ts_name} (absent or odd fields become `null`). */");
        let _ = writeln!(out, "export function {ts_name}(o: Raw): {} {{", ts_type(*shape));
        out.push_str("  return {\n");
        for field in *fields {
            let value = match field.2 {
                Out::Groups => format!("objects({}, groupRef, null)", lookup(field)),
                Out::Children => format!("objects({}, department, [])", lookup(field)),
                kind => format!("{}({})", converter(kind), lookup(field)),
            };
            // Fields whose TypeScript type is narrower than what the converter proves.
            let value = if (*shape, field.0) == (Shape::Person, "type") {
                format!("{value} as Person[\"type\"]")
            } else {
                value
            };
            let _ = writeln!(out, "    {}: {value},", field.0);
        }
        out.push_str("  };\n}\n");
    }
    out.push_str("\n/** What each operation's answer becomes (see `src/senselink/operations.rs`). */\n");
    out.push_str("export const OUTPUTS = {\n");
    for op in OPERATIONS {
        let output = match op.output {
            Output::Nothing => "\"nothing\"".to_string(),
            Output::Person(kind) => format!("[\"person\", {kind}]"),
            Output::Persons => "\"persons\"".to_string(),
            Output::Records => "\"records\"".to_string(),
            Output::One(shape) => format!("[\"one\", \"{}\"]", shape.name()),
            Output::List(shape) => format!("[\"list\", \"{}\"]", shape.name()),
            Output::Count => "\"count\"".to_string(),
            Output::Camel => "\"camel\"".to_string(),
        };
        let _ = writeln!(out, "  \"{}\": {output},", op.name);
    }
    out.push_str("} as const;\n\n/** Every SenseLink operation the client knows. */\nexport type SenseLinkOperation = keyof typeof OUTPUTS;\n");
    out
}

fn ops_letters(res: &Resource) -> String {
    if res.binary {
        return "i".into();
    }
    [(GET, 'g'), (ADD, 'a'), (UPDATE, 'u'), (DELETE, 'd')]
        .iter()
        .filter(|(bit, _)| res.has(*bit))
        .map(|(_, c)| *c)
        .collect()
}

/// The TypeScript of `pkg-template/src/generated/cyzen.ts`.
pub fn cyzen_ts() -> String {
    let mut out = String::from(HEADER);
    out.push_str(
        "\n/** Operations per resource, as the vendor's table lists them (see `src/cyzen/resources.rs`). */\n",
    );
    out.push_str("export const RESOURCE_OPERATIONS = {\n");
    for res in RESOURCES {
        let _ = writeln!(out, "  {}: \"{}\",", res.name, ops_letters(res));
    }
    out.push_str("} as const;\n");
    out
}

/// The resource table of `docs/cyzen-paths.md`.
pub fn cyzen_paths_md() -> String {
    let mut out = String::from("| JS name | path | list key | id key | ops (seed table) | cursor | date window | status |\n|---|---|---|---|---|---|---|---|\n");
    for res in RESOURCES {
        let list_key = if res.binary { "— (binary body)".to_string() } else { format!("`{}`", res.list_key) };
        let mut ops = res.ops_text();
        if res.binary {
            ops = format!("{ops} (one image by `{}`)", res.id_key);
        }
        let cursor = if res.cursor.is_empty() {
            "—".to_string()
        } else {
            res.cursor.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        };
        let window = res.window.map_or("—".to_string(), |w| format!("`{}`,`{}` ≤ {} d", w.from, w.to, w.max_days));
        let status = match res.status {
            Status::Confirmed => "confirmed".to_string(),
            Status::Partly(note) => format!("confirmed ({note})"),
            Status::Guess => "guess".to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | `/{}` | {list_key} | `{}` | {ops} | {cursor} | {window} | {status} |",
            res.name, res.path, res.id_key
        );
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const START: &str = "<!-- generated: resources -->\n";
    const END: &str = "<!-- /generated -->";

    fn root(path: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    /// Compares `path` with `expected`; rewrites it under `UPDATE_GENERATED=1`.
    fn check(path: &str, expected: &str) {
        let file = root(path);
        let actual = std::fs::read_to_string(&file).unwrap_or_default();
        if actual == expected {
            return;
        }
        if std::env::var_os("UPDATE_GENERATED").is_some() {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, expected).unwrap();
            return;
        }
        panic!("{path} is out of date with the Rust tables: run `make generate`");
    }

    #[test]
    fn generated_typescript_matches_the_tables() {
        check("pkg-template/src/generated/senselink.ts", &senselink_ts());
        check("pkg-template/src/generated/cyzen.ts", &cyzen_ts());
    }

    #[test]
    fn the_documented_cyzen_table_matches_the_resources() {
        let doc = std::fs::read_to_string(root("docs/cyzen-paths.md")).unwrap();
        let (before, rest) = doc.split_once(START).expect("docs/cyzen-paths.md has a generated section");
        let (_, after) = rest.split_once(END).expect("the generated section ends");
        check("docs/cyzen-paths.md", &format!("{before}{START}{}{END}{after}", cyzen_paths_md()));
    }

    #[test]
    fn every_senselink_operation_has_a_method_in_the_wrapper() {
        let wrapper = std::fs::read_to_string(root("pkg-template/src/senselink.ts")).unwrap();
        for op in OPERATIONS {
            assert!(wrapper.contains(&format!("\"{}\"", op.name)), "no method of SenseLinkClient calls {}", op.name);
        }
    }
}
