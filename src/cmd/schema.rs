//! `docket schema [--out DIR]`: JSON Schemas of every file of the format,
//! and a `.taplo.toml` that hands them to editors.
//!
//! With them, taplo (and Even Better TOML, the VS Code extension built on
//! it) completes field names and enum values while a person types, and
//! underlines an unknown field, a wrong type or a missing required field
//! before `docket check` ever runs. The schemas are not written by hand:
//! they are what the readers ask for, taken from the readers themselves in
//! describe mode ([`crate::model::describe`]), so a field added to a reader
//! is in the next schema and a schema can never accept what `check`
//! refuses for those reasons.
//!
//! Draft 07 of JSON Schema: the newest taplo reads. TOML dates become
//! strings in taplo's JSON (`"2026-03-02"`, `format: date`), so a date
//! written in quotes, which `check` refuses, passes the schema; so do the
//! rules no schema can state (an id equal to its file name, references
//! that exist). The editor helps; `docket check` decides.

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::load::FileRole;
use crate::model::{Config, Fields, Shape};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// The folder, below `--out`, that holds the schemas: hidden, so docket
/// never reads it as records.
pub const SCHEMA_DIR: &str = ".docket-schema";

/// The first line of a `.taplo.toml` docket wrote, and may write again.
const MARK: &str = "# Written by `docket schema`";

/// One schema file: its name in [`SCHEMA_DIR`], the files it is for
/// (relative to the records root), and the schema.
pub struct SchemaFile {
    pub name: String,
    pub include: Vec<String>,
    pub schema: Value,
}

/// Every schema, for a repository configured by `config`.
pub fn schemas(config: &Config) -> Vec<SchemaFile> {
    let mut out = vec![
        SchemaFile {
            name: "docket.schema.json".into(),
            include: vec!["docket.toml".into()],
            schema: document(
                "docket.toml",
                "The configuration of a docket records repository (docs/format.md, section docket.toml).",
                &crate::model::describe(FileRole::Config, config),
            ),
        },
        SchemaFile {
            name: "people.schema.json".into(),
            include: vec!["people.toml".into()],
            schema: document(
                "people.toml",
                "Everyone who writes, owns or signs records (docs/format.md, section people.toml).",
                &crate::model::describe(FileRole::People, config),
            ),
        },
    ];
    for kind in Kind::ALL {
        let (title, _) = kind.title();
        out.push(SchemaFile {
            name: format!("{}.schema.json", kind.name()),
            include: vec![format!("{}/**/*.toml", kind.folder())],
            schema: document(
                &format!("{} record", kind.label()),
                &format!(
                    "{title}: the records in {}/ of a docket records repository (docs/format.md, \
                     section {title}).",
                    kind.folder()
                ),
                &crate::model::describe(FileRole::Record(kind), config),
            ),
        });
    }
    out
}

fn document(title: &str, description: &str, fields: &Fields) -> Value {
    let mut schema = Map::new();
    schema.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    schema.insert("title".into(), json!(format!("docket: {title}")));
    schema.insert(
        "description".into(),
        json!(format!(
            "{description} Written by docket {} (docket schema).",
            env!("CARGO_PKG_VERSION")
        )),
    );
    if let Value::Object(body) = object(fields) {
        schema.extend(body);
    }
    Value::Object(schema)
}

/// The JSON Schema of a table.
fn object(t: &Fields) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for f in &t.fields {
        properties.insert(f.key.to_string(), shape(&f.shape));
        if f.required {
            required.push(f.key);
        }
    }
    if let Some((keys, value)) = &t.entries {
        for k in keys {
            properties.insert(k.clone(), shape(value));
        }
    }
    let mut o = Map::new();
    o.insert("type".into(), json!("object"));
    o.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        o.insert("required".into(), json!(required));
        // taplo writes these when it completes a new table.
        o.insert("x-taplo".into(), json!({ "initKeys": required }));
    }
    // An unknown field is a `schema` error: a typo must not pass.
    o.insert("additionalProperties".into(), json!(false));
    Value::Object(o)
}

fn shape(s: &Shape) -> Value {
    match s {
        Shape::Text { pattern: None } => json!({ "type": "string" }),
        Shape::Text { pattern: Some(p) } => json!({ "type": "string", "pattern": p }),
        Shape::Bool => json!({ "type": "boolean" }),
        Shape::Integer { min, max } => {
            let mut o = Map::new();
            o.insert("type".into(), json!("integer"));
            if let Some(min) = min {
                o.insert("minimum".into(), json!(min));
            }
            if let Some(max) = max {
                o.insert("maximum".into(), json!(max));
            }
            Value::Object(o)
        }
        Shape::Date => json!({
            "type": "string",
            "format": "date",
            "description": "a date like 2026-03-02, written without quotes"
        }),
        Shape::OneOf(names) => json!({ "type": "string", "enum": names }),
        Shape::Array(item) => json!({ "type": "array", "items": shape(item) }),
        Shape::AnyOf(shapes) => json!({ "anyOf": shapes.iter().map(shape).collect::<Vec<_>>() }),
        Shape::Table(t) => object(t),
        Shape::Tables { fields, min } => {
            let mut o = json!({ "type": "array", "items": object(fields) });
            if *min > 0 {
                o["minItems"] = json!(min);
            }
            o
        }
    }
}

/// The `.taplo.toml` mapping the records' folders to the schemas; paths
/// relative to the folder it is in, the records root at `prefix` below it.
pub fn taplo_toml(files: &[SchemaFile], prefix: &str) -> String {
    let mut out = format!(
        "{MARK}: editors that use taplo (Even Better TOML in VS Code, taplo's\n\
         # language server) complete and check the records' fields while you type,\n\
         # from the JSON Schemas in {SCHEMA_DIR}/. Run `docket schema` again after\n\
         # changing docket.toml's survey questions or part-number pattern, or after\n\
         # updating docket. `docket check` remains the judge.\n"
    );
    for f in files {
        let include: Vec<String> = f
            .include
            .iter()
            .map(|i| toml::Value::String(format!("{prefix}{i}")).to_string())
            .collect();
        out.push_str(&format!(
            "\n[[rule]]\ninclude = [{}]\n\n[rule.schema]\npath = {}\n",
            include.join(", "),
            toml::Value::String(format!("{SCHEMA_DIR}/{}", f.name))
        ));
    }
    out
}

/// Write the schemas and `.taplo.toml` into `out` (default: the records
/// root); returns the files written.
pub fn run(root: Option<&Path>, out: Option<&Path>) -> Result<Vec<PathBuf>> {
    let out = match (out, root) {
        (Some(o), _) => o.to_path_buf(),
        (None, Some(r)) => r.to_path_buf(),
        (None, None) => {
            return Err(Error::Usage(
                "no records repository here: pass --records DIR, or --out DIR for the schemas of \
                 a repository with the default settings"
                    .into(),
            ));
        }
    };
    let config = match root {
        Some(r) => read_config(r)?,
        None => Config::default(),
    };
    let prefix = match root {
        None => String::new(),
        Some(r) => relative_below(&out, r).ok_or_else(|| {
            Error::Usage(format!(
                "the records root {} is not inside {}: the .taplo.toml goes where your editor \
                 opens the repository, at the records root or a folder above it",
                r.display(),
                out.display()
            ))
        })?,
    };
    let taplo = out.join(".taplo.toml");
    if let Ok(existing) = std::fs::read_to_string(&taplo)
        && !existing.starts_with(MARK)
    {
        return Err(Error::Usage(format!(
            "{} exists and was not written by docket schema; refusing to replace it (move it \
             away, or copy the [[rule]] entries of a `docket schema --out` elsewhere into it)",
            taplo.display()
        )));
    }
    let files = schemas(&config);
    let dir = out.join(SCHEMA_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut written = Vec::new();
    for f in &files {
        let path = dir.join(&f.name);
        let text = serde_json::to_string_pretty(&f.schema).expect("a schema serializes") + "\n";
        write_new(&path, &text)?;
        written.push(path);
    }
    write_new(&taplo, &taplo_toml(&files, &prefix))?;
    written.push(taplo);
    Ok(written)
}

/// Write through a temporary file and a rename, so a reader (an editor
/// watching the file) never sees half of it.
fn write_new(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("docket-tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// The repository's configuration, read as `check` reads it.
fn read_config(root: &Path) -> Result<Config> {
    let path = root.join("docket.toml");
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let config = crate::load::parse_bytes("docket.toml".into(), FileRole::Config, &bytes).ok();
    let loaded = crate::load::Loaded {
        config,
        ..crate::load::Loaded::default()
    };
    Ok(crate::model::build(loaded).0.config)
}

/// `inner` relative to `outer`, `/`-separated with a trailing `/` (empty
/// when they are one folder); `None` when `inner` is not inside `outer`.
fn relative_below(outer: &Path, inner: &Path) -> Option<String> {
    let outer = std::path::absolute(outer).ok()?;
    let inner = std::path::absolute(inner).ok()?;
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let rel = canon(&inner)
        .strip_prefix(canon(&outer))
        .ok()?
        .to_path_buf();
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.iter().map(|p| format!("{p}/")).collect())
}
