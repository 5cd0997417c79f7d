//! docs/format.md is the users' reference of the records format; its
//! examples must be what docket actually accepts. Every ```toml block in it
//! is a complete file whose first line names its path; these tests write
//! them all into a records repository (docket.toml and people.toml
//! included) and run the real binary on it. A field the reader does not
//! know, a broken reference, a wrong id or a stale date in an example fails
//! the build.

use crate::fixture::*;
use std::collections::BTreeMap;

/// The day the examples are checked as of (the reference says so).
const DOC_AS_OF: &str = "2026-07-01";

const FOLDERS: [&str; 8] = [
    "customers",
    "products",
    "orders",
    "flowsheets",
    "capa",
    "surveys",
    "property",
    "reports",
];

pub fn format_md() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/format.md"))
        .expect("docs/format.md")
}

/// Every ```toml block of the document, by the path in its first line
/// (`# orders/2026/SO-2026-0001.toml`). A block without one fails: no toml
/// example in the reference goes unchecked.
pub fn examples(doc: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = doc.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line.trim_end() != "```toml" {
            continue;
        }
        let body: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| l.trim_end() != "```")
            .collect();
        let path = body
            .first()
            .and_then(|l| l.strip_prefix("# "))
            .filter(|p| p.ends_with(".toml") && !p.contains(' '))
            .unwrap_or_else(|| {
                panic!(
                    "docs/format.md line {}: a toml example must start with `# <path>.toml`",
                    n + 1
                )
            });
        let text = body.join("\n") + "\n";
        assert!(
            out.insert(path.to_string(), text).is_none(),
            "docs/format.md: two examples of {path}"
        );
    }
    out
}

/// The examples as a records repository, with every attachment they list
/// present (as a user's would be).
fn repo_of(examples: &BTreeMap<String, String>) -> Repo {
    let repo = Repo::empty();
    for (path, text) in examples {
        repo.write(path, text);
        let value: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("{path} is not TOML: {e}"));
        let folder = path.rsplit_once('/').map_or("", |(d, _)| d);
        if let Some(list) = value.get("attachments").and_then(|a| a.as_array()) {
            for a in list {
                let a = a.as_str().expect("attachments are strings");
                repo.write(&format!("{folder}/{a}"), "attachment");
            }
        }
    }
    repo
}

fn check(repo: &Repo) -> Run {
    repo.check_as_of(DOC_AS_OF)
}

#[test]
fn the_reference_has_an_example_of_every_file() {
    let all = examples(&format_md());
    assert!(all.contains_key("docket.toml"), "a docket.toml example");
    assert!(all.contains_key("people.toml"), "a people.toml example");
    for folder in FOLDERS {
        assert!(
            all.keys().any(|p| p.starts_with(&format!("{folder}/"))),
            "no example record in {folder}/"
        );
    }
    for path in all.keys() {
        let top = path.split('/').next().unwrap();
        assert!(
            path == "docket.toml" || path == "people.toml" || FOLDERS.contains(&top),
            "{path} is not a file docket reads"
        );
    }
}

#[test]
fn the_reference_examples_check_clean() {
    let all = examples(&format_md());
    let repo = repo_of(&all);
    // The reference's policy is "ssh": without git the missing history is
    // an error (a gate cannot pass without it), and the only finding.
    let run = check(&repo);
    let found = run.all_findings();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].rule.as_str(), found[0].severity.as_str()),
        ("history-unavailable", "error")
    );
    assert_eq!(run.code, 1);
    // Under "none", not committed to git: the one warning every such
    // folder gets, and nothing else at all.
    repo.set_policy("none");
    let run = check(&repo);
    let found: Vec<(String, String, String)> = run
        .all_findings()
        .into_iter()
        .map(|f| (f.rule, f.file, f.message))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected only history-unavailable: {found:#?}"
    );
    assert_eq!(found[0].0, "history-unavailable");
    assert_eq!(found[0].1, "docket.toml");
    assert!(
        found[0].2.starts_with("no git repository"),
        "{}",
        found[0].2
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let records = all.len() - 2;
    assert_eq!(
        json["summary"]["records"], records,
        "every example record was read"
    );
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["as_of"], DOC_AS_OF);
}

#[test]
fn the_reference_examples_are_read_as_written() {
    // The clean check could pass by reading less than the examples say;
    // the status figures show they were read as the reference describes.
    let repo = repo_of(&examples(&format_md()));
    let status = repo.docket(&["status", "--format", "json", "--as-of", DOC_AS_OF]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    let s = status.json();
    let by_status: BTreeMap<String, u64> = s["orders"]["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["count"].as_u64() != Some(0))
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_string(),
                e["count"].as_u64().unwrap(),
            )
        })
        .collect();
    // SO-2026-0001 closed, SO-2026-0002 in production, SO-2026-0003 cancelled.
    let expected: BTreeMap<String, u64> = [("cancelled", 1), ("closed", 1), ("in-production", 1)]
        .map(|(k, n)| (k.to_string(), n))
        .into();
    assert_eq!(by_status, expected);
    // The survey's derived overall score, as the reference computes it,
    // handled through the CAPA it names.
    let under = &s["surveys"]["under_target"][0];
    assert_eq!(under["survey"], "SV-2026-0001");
    assert_eq!(under["score"], 72.0);
    assert_eq!(under["capa"], "CAPA-2026-0001");
    assert_eq!(under["capa_stage"], "closed");
    // Every signed section of the examples was read as one: the review and
    // extra review of SO-2026-0001, the reviews of SO-2026-0002 and -0003,
    // MF-2026-0002's gm_signed, four CAPA stages, the survey analysis and
    // the property's verification.
    assert_eq!(s["signatures"]["signed_sections"], 11);
    assert_eq!(s["property"]["returned"], 1);
    assert_eq!(s["property"]["incidents"][0]["reported"], "2026-04-02");
}

#[test]
fn the_examples_check_bites() {
    // The harness must fail on what the reference promises it catches.
    let all = examples(&format_md());
    let order = "orders/2026/SO-2026-0001.toml";

    let mut unknown = all.clone();
    let text = unknown[order].replace("legible = true", "legible = true\ncolour = \"red\"");
    unknown.insert(order.into(), text);
    let run = check(&repo_of(&unknown));
    let schema = fires(&run, "schema");
    assert!(
        schema[0].message.contains("unknown field `colour`"),
        "{schema:?}"
    );

    let mut broken_ref = all.clone();
    let text = broken_ref[order].replace("customer = \"C-0001\"", "customer = \"C-0009\"");
    broken_ref.insert(order.into(), text);
    fires(&check(&repo_of(&broken_ref)), "unknown-ref");

    let mut broken_person = all.clone();
    let people = broken_person["people.toml"].replace("id = \"sun.qc\"", "id = \"sun.q\"");
    broken_person.insert("people.toml".into(), people);
    fires(&check(&repo_of(&broken_person)), "unknown-ref");

    // A configuration docket cannot read stops the check: nothing is
    // judged under it (exit 2, the problem with its line).
    let mut bad_config = all.clone();
    let cfg = bad_config["docket.toml"].replace("survey_target = 80", "survey_goal = 80");
    bad_config.insert("docket.toml".into(), cfg);
    let run = check(&repo_of(&bad_config));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("docket.toml:") && run.stderr.contains("survey_goal"),
        "{}",
        run.stderr
    );

    let mut moved = all;
    let text = moved.remove(order).unwrap();
    moved.insert("orders/2026/SO-2026-0009.toml".into(), text);
    fires(&check(&repo_of(&moved)), "id-mismatch");
}
