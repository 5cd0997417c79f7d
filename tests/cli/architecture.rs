//! The shape of the source, kept true: no module of `src/` imports one
//! that imports it back, and no file of `src/` passes 600 lines
//! (docs/architecture.md). A cycle means two modules can only be
//! understood, changed and tested together; a long file does two jobs.
//!
//! "Imports" is read from the text: every `use` (brace groups expanded)
//! and every path in code (`crate::a::b`, `super::x`, `child::f()`),
//! comments and string literals left out, each resolved to the deepest
//! module it names. A parent's `pub use child::X` counts, so a child that
//! takes an item from its parent (`use super::Item`) while the parent
//! re-exports the child is a cycle too: shared items live in a file of
//! their own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file of the library (not `main.rs`), by module path.
fn modules() -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("main.rs") {
                continue;
            }
            let rel = path.strip_prefix(src()).unwrap().with_extension("");
            let mut module: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module == ["lib"] || module.last().is_some_and(|l| l == "mod") {
                module.pop();
            }
            out.insert(module, path);
        }
    }
    out
}

/// The text with comments and the contents of string literals removed.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut escaped = false;
        let mut prev = ' ';
        for ch in line.chars() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == '"' {
                    in_string = false;
                    out.push('"');
                }
                continue;
            }
            if ch == '/' && prev == '/' {
                out.pop();
                break;
            }
            if ch == '"' {
                in_string = true;
            }
            out.push(ch);
            prev = ch;
        }
        out.push('\n');
    }
    out
}

/// `a::{b, c::{d, e}}` -> `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![path.to_string()];
    };
    let (prefix, rest) = (&tree[..open], &tree[open + 1..]);
    let (mut depth, mut part, mut out) = (0, String::new(), Vec::new());
    for ch in rest.chars() {
        match ch {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.extend(expand(&format!("{prefix}{}", part.trim())));
                part.clear();
                continue;
            }
            _ => {}
        }
        part.push(ch);
    }
    if !part.trim().is_empty() {
        out.extend(expand(&format!("{prefix}{}", part.trim())));
    }
    out
}

/// The module a path names, seen from `base` inside module `at`.
fn resolve(
    segments: &[&str],
    at: &Module,
    base: &Module,
    mods: &BTreeMap<Module, PathBuf>,
) -> Option<Module> {
    let (head, rest) = segments.split_first()?;
    let mut target: Module = match *head {
        "crate" => Vec::new(),
        "self" => base.clone(),
        "super" => {
            let mut cur = base.clone();
            cur.pop();
            let mut rest = rest;
            while rest.first() == Some(&"super") {
                cur.pop();
                rest = &rest[1..];
            }
            cur.extend(rest.iter().map(|s| s.to_string()));
            return Some(deepest(cur, mods));
        }
        child => {
            let mut m = at.clone();
            m.push(child.to_string());
            if !mods.contains_key(&m) {
                return None;
            }
            at.clone()
        }
    };
    if !matches!(*head, "crate" | "self") {
        target.push(head.to_string());
    }
    target.extend(rest.iter().map(|s| s.to_string()));
    Some(deepest(target, mods))
}

fn deepest(mut path: Module, mods: &BTreeMap<Module, PathBuf>) -> Module {
    while !path.is_empty() && !mods.contains_key(&path) {
        path.pop();
    }
    path
}

/// Each module and the modules it imports.
fn imports(mods: &BTreeMap<Module, PathBuf>) -> BTreeMap<Module, BTreeSet<Module>> {
    let uses = regex_lite::Regex::new(r"\buse\s+([^;]*);").unwrap();
    let paths = regex_lite::Regex::new(
        r"\b(?:crate|super|self|[a-z_][a-z0-9_]*)(?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)+",
    )
    .unwrap();
    let test_mod =
        regex_lite::Regex::new(r"#\[cfg\(test\)\]\n(?:#\[[^\n]*\]\n)*mod tests").unwrap();
    let mut out = BTreeMap::new();
    for (module, file) in mods {
        let text = std::fs::read_to_string(file).unwrap();
        // A `mod tests` at the end of a file (other attributes may follow
        // `#[cfg(test)]`): `super` there is the file.
        let (main, tests) = match test_mod.find(&text) {
            Some(m) => text.split_at(m.start()),
            None => (text.as_str(), ""),
        };
        let mut test_base = module.clone();
        test_base.push("tests".into());
        let mut deps = BTreeSet::new();
        for (part, base) in [(main, module), (tests, &test_base)] {
            let code = code_only(part);
            let mut found: Vec<String> = uses
                .captures_iter(&code)
                .flat_map(|c| expand(&c[1].split_whitespace().collect::<String>()))
                .collect();
            found.extend(paths.find_iter(&code).map(|m| m.as_str().replace(' ', "")));
            for path in found {
                let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
                if let Some(target) = resolve(&segments, module, base, mods)
                    && target != *module
                {
                    deps.insert(target);
                }
            }
        }
        out.insert(module.clone(), deps);
    }
    out
}

/// A cycle through `start`, if there is one: the modules in order.
fn cycle_from(start: &Module, graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    let mut stack = vec![(start.clone(), vec![start.clone()])];
    let mut seen = BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if next == start {
                return Some(path);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mods = modules();
    let graph = imports(&mods);
    assert!(
        graph[&vec!["render".to_string()]].contains(&vec!["render".into(), "context".into()]),
        "the reader of imports is broken: render does not import render::context"
    );
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(m, &graph))
        .map(|c| c.iter().map(name).collect::<Vec<_>>().join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn no_file_of_src_passes_600_lines() {
    let long: Vec<String> = modules()
        .values()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > 600).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "files that do more than one job? {long:?}");
}

#[test]
fn the_reader_of_imports_sees_a_cycle() {
    // Two modules of a made-up crate that import each other, through a
    // brace group and through a path in code, and a test module's
    // `super`: the reader must see the first and not the second.
    let dir = tempfile::tempdir().unwrap();
    let mods: BTreeMap<Module, PathBuf> = [
        (vec!["a".to_string()], "use crate::b::{self, Thing};\n"),
        (
            vec!["b".to_string()],
            "fn f() { crate::a::g() } // crate::c::h\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
        (
            vec!["c".to_string()],
            "const S: &str = \"crate::a::x\";\n#[cfg(test)]\n#[cfg(unix)]\nmod tests {\n    use super::S;\n}\n",
        ),
    ]
    .into_iter()
    .map(|(m, text)| {
        let file = dir.path().join(format!("{}.rs", m[0]));
        std::fs::write(&file, text).unwrap();
        (m, file)
    })
    .collect();
    let graph = imports(&mods);
    let (a, b, c) = (
        vec!["a".to_string()],
        vec!["b".to_string()],
        vec!["c".to_string()],
    );
    assert_eq!(graph[&a], BTreeSet::from([b.clone()]));
    assert_eq!(
        graph[&b],
        BTreeSet::from([a.clone()]),
        "comments do not import"
    );
    assert!(
        graph[&c].is_empty(),
        "strings do not import, nor does a test module's `super` under more attributes"
    );
    assert!(cycle_from(&a, &graph).is_some());
}
