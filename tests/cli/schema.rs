//! `docket schema`: the JSON Schemas editors get are valid draft-07
//! schemas, accept every example docket ships (records/ and the examples
//! of docs/format.md), and refuse what `docket check` refuses for the same
//! reasons: an unknown field, a wrong type, a bad enum value, a missing
//! required field. Records are turned into JSON as taplo turns them
//! (dates become strings), and validated with the `jsonschema` crate.

use crate::fixture::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A TOML value as taplo hands it to its validator.
fn to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(n) => Value::from(*n),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

fn parse(text: &str) -> Value {
    to_json(&toml::Value::Table(text.parse().expect("valid TOML")))
}

/// The schemas `docket schema` writes for the repository at `root`, by
/// the `.taplo.toml` rule that maps files to them.
struct Schemas {
    rules: Vec<(String, PathBuf)>,
}

impl Schemas {
    fn written_for(root: &Path) -> Schemas {
        let run = Run::from(
            docket_cmd()
                .args(["schema", "--records"])
                .arg(root)
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let taplo: toml::Table = std::fs::read_to_string(root.join(".taplo.toml"))
            .unwrap()
            .parse()
            .unwrap();
        let mut rules = Vec::new();
        for rule in taplo["rule"].as_array().unwrap() {
            let t = rule.as_table().unwrap();
            // Only keys taplo's configuration knows.
            assert!(
                t.keys()
                    .all(|k| ["include", "schema"].contains(&k.as_str())),
                "{t:?}"
            );
            let schema = root.join(t["schema"]["path"].as_str().unwrap());
            for glob in t["include"].as_array().unwrap() {
                rules.push((glob.as_str().unwrap().to_string(), schema.clone()));
            }
        }
        Schemas { rules }
    }

    /// The schema for a file, by the `.taplo.toml` globs.
    fn for_file(&self, rel: &str) -> Value {
        let (_, path) = self
            .rules
            .iter()
            .find(|(glob, _)| match glob.strip_suffix("/**/*.toml") {
                Some(folder) => rel.starts_with(&format!("{folder}/")) && rel.ends_with(".toml"),
                None => glob == rel,
            })
            .unwrap_or_else(|| panic!("no schema for {rel}"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn errors(&self, rel: &str, text: &str) -> Vec<String> {
        let schema = self.for_file(rel);
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles");
        let instance = parse(text);
        validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }
}

fn toml_files(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            toml_files(&p, base, out);
        } else if name.ends_with(".toml") {
            let rel = p
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

/// The schemas of the example repository (`docket init --example`, the
/// project's records/), written where that repository is.
fn example_schemas() -> (tempfile::TempDir, Schemas) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("qms");
    let run = Run::from(
        docket_cmd()
            .args(["init", "--example"])
            .arg(&root)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schemas = Schemas::written_for(&root);
    (dir, schemas)
}

#[test]
fn every_schema_is_valid_draft_07_with_a_rule_per_file_kind() {
    let (_dir, schemas) = example_schemas();
    let mut globs: Vec<&str> = schemas.rules.iter().map(|(g, _)| g.as_str()).collect();
    globs.sort();
    assert_eq!(
        globs,
        [
            "capa/**/*.toml",
            "customers/**/*.toml",
            "docket.toml",
            "flowsheets/**/*.toml",
            "orders/**/*.toml",
            "people.toml",
            "products/**/*.toml",
            "property/**/*.toml",
            "reports/**/*.toml",
            "surveys/**/*.toml",
        ]
    );
    for (glob, path) in &schemas.rules {
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("{glob}: not a valid schema: {e}");
        }
        assert_eq!(schema["additionalProperties"], false, "{glob}");
    }
}

#[test]
fn the_shipped_examples_validate() {
    let (_dir, schemas) = example_schemas();
    let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("records");
    let mut files = Vec::new();
    toml_files(&records, &records, &mut files);
    assert!(files.len() > 40, "records/ read: {}", files.len());
    let examples = crate::format_doc::examples(&crate::format_doc::format_md());
    assert!(examples.len() >= 10);
    files.extend(examples);
    for (rel, text) in &files {
        let errors = schemas.errors(rel, text);
        assert!(errors.is_empty(), "{rel}: {errors:#?}");
    }
}

/// Each broken file, written over a clean repository: the schema refuses
/// it, and so does `docket check`, with a `schema` (or, for an id,
/// `id-mismatch`) finding on that file.
#[test]
fn broken_records_are_refused_by_the_schema_and_by_check_alike() {
    let base = Repo::base();
    base.write("surveys/2026/SV-2026-0001.toml", SURVEY);
    let schemas = Schemas::written_for(&base.root);
    let people = people_toml();
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "unknown field",
            "customers/C-0001.toml",
            CUSTOMER.replace("name = ", "nmae = "),
        ),
        (
            "wrong type",
            ORDER_PATH,
            ORDER.replace("quantity = 500", "quantity = \"500\""),
        ),
        (
            "negative whole number",
            ORDER_PATH,
            ORDER.replace("quantity = 500", "quantity = -5"),
        ),
        (
            "bad enum",
            ORDER_PATH,
            ORDER.replace("channel = \"website\"", "channel = \"phone\""),
        ),
        (
            "bad enum in a sub-table",
            ORDER_PATH,
            ORDER.replace("decision = \"approved\"", "decision = \"ok\""),
        ),
        (
            "unknown field in a sub-table",
            ORDER_PATH,
            ORDER.replace("[review]\n", "[review]\nsigned = true\n"),
        ),
        (
            "a table where a value belongs",
            ORDER_PATH,
            ORDER.replace("legible = true", "legible = { yes = true }"),
        ),
        (
            "missing required field",
            "products/AP-SH-1020.toml",
            PRODUCT.replace("unit = \"pcs\"\n", ""),
        ),
        (
            "missing required array of tables",
            FLOWSHEET_PATH,
            FLOWSHEET[..FLOWSHEET.find("[[line]]").unwrap()].to_string(),
        ),
        (
            "missing required field in a line",
            FLOWSHEET_PATH,
            FLOWSHEET.replace("due = 2026-04-10\n", ""),
        ),
        (
            "a score that is not a survey question",
            "surveys/2026/SV-2026-0001.toml",
            SURVEY.replace("price = 4", "price = 4\nspeed = 4"),
        ),
        (
            "a score out of range",
            "surveys/2026/SV-2026-0001.toml",
            SURVEY.replace("quality = 4", "quality = 6"),
        ),
        (
            "an id of the wrong shape",
            "customers/C-0001.toml",
            CUSTOMER.replace("id = \"C-0001\"", "id = \"C-1\""),
        ),
        (
            "a bad signature policy",
            "docket.toml",
            DOCKET_TOML.replace("signatures = \"none\"", "signatures = \"SSH\""),
        ),
        (
            "an unknown rule id",
            "docket.toml",
            format!("{DOCKET_TOML}\n[rules]\noverdu = \"off\"\n"),
        ),
        (
            "a bad rule level",
            "docket.toml",
            format!("{DOCKET_TOML}\n[rules]\noverdue = \"fatal\"\n"),
        ),
        (
            "a bad role",
            "people.toml",
            people.replace("roles = [\"qc\"]", "roles = [\"quality\"]"),
        ),
        (
            "company without a name",
            "docket.toml",
            DOCKET_TOML.replace("name = \"Acme Precision Parts Co., Ltd.\"\n", ""),
        ),
    ];
    // The clean files validate: a refusal below is the change's doing.
    for (_, rel, _) in &cases {
        let text = base.read(rel);
        assert_eq!(
            schemas.errors(rel, &text),
            Vec::<String>::new(),
            "{rel} clean"
        );
    }
    for (what, rel, text) in &cases {
        assert_ne!(&base.read(rel), text, "{what}: the case changes nothing");
        let errors = schemas.errors(rel, text);
        assert!(!errors.is_empty(), "{what}: the schema accepts it:\n{text}");
        let repo = Repo::base();
        repo.write("surveys/2026/SV-2026-0001.toml", SURVEY);
        repo.write(rel, text);
        let run = repo.check();
        if run.code == 2 {
            // A configuration file docket refuses to run with at all.
            assert!(run.stderr.contains(*rel), "{what}: {}", run.stderr);
            continue;
        }
        let refused: Vec<F> = run
            .findings()
            .into_iter()
            .filter(|f| f.file == *rel && (f.rule == "schema" || f.rule == "id-mismatch"))
            .collect();
        assert!(
            !refused.is_empty(),
            "{what}: the schema refuses it ({errors:?}) but check does not: {:#?}",
            run.findings()
        );
    }
}

/// Survey questions come from the repository's docket.toml: a repository
/// that asks other questions gets a schema that knows them.
#[test]
fn the_schema_follows_the_repositorys_configuration() {
    let repo = Repo::base();
    repo.write(
        "docket.toml",
        &DOCKET_TOML.replace(
            "survey_due = \"03-31\"",
            "survey_due = \"03-31\"\nsurvey_questions = [\"quality\", \"speed\"]\npart_number_pattern = \"^P-[0-9]+$\"",
        ),
    );
    let schemas = Schemas::written_for(&repo.root);
    let survey = schemas.for_file("surveys/2026/SV-2026-0001.toml");
    let scores = &survey["properties"]["scores"]["properties"];
    let mut keys: Vec<&String> = scores.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["quality", "speed"]);
    let product = schemas.for_file("products/P-1.toml");
    assert_eq!(
        product["properties"]["part_number"]["pattern"],
        "^P-[0-9]+$"
    );
}

/// The records root in a subfolder: `--out` at the repository's top
/// writes globs that reach into it; a folder not above the records is
/// refused, as is a .taplo.toml of the user's own.
#[test]
fn schema_out_above_the_records_and_refusals() {
    let repo = Repo::empty_in("records");
    let run = repo.docket(&["schema", "--out", repo.top.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let taplo = std::fs::read_to_string(repo.top.join(".taplo.toml")).unwrap();
    assert!(
        taplo.contains("include = [\"records/orders/**/*.toml\"]"),
        "{taplo}"
    );
    assert!(repo.top.join(".docket-schema/order.schema.json").is_file());
    // Hidden: docket reads none of it.
    assert_eq!(repo.check().findings(), vec![]);

    let elsewhere = tempfile::tempdir().unwrap();
    let run = repo.docket(&["schema", "--out", elsewhere.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not inside"), "{}", run.stderr);

    std::fs::write(
        repo.root.join(".taplo.toml"),
        "[formatting]\nalign_entries = true\n",
    )
    .unwrap();
    let run = repo.docket(&["schema"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("refusing to replace"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".taplo.toml")).unwrap(),
        "[formatting]\nalign_entries = true\n"
    );
}
