//! The formats code-review platforms read: `check --format sarif` (checked
//! against the SARIF 2.1.0 JSON Schema, vendored in `schemas/`), `--format
//! gitlab` (GitLab Code Quality), and `check --base --format json` marking
//! each finding as on a changed file or not.
//!
//! Each case is a real git repository whose records root is a subfolder
//! (`records/`), so the paths these formats print, relative to the work
//! tree, are tested along with the findings.

use crate::fixture::*;
use serde_json::Value;

/// A repository with findings of every shape: errors with a position
/// (`illegible-approved`, `signature-unproven`), warnings without one (an
/// uncommitted record, a stray file whose name needs escaping in a URI).
fn repo_with_findings() -> Repo {
    let repo = Repo::empty_in("records");
    repo.write("customers/C-0001.toml", CUSTOMER)
        .write("products/AP-SH-1020.toml", PRODUCT)
        .write(ORDER_PATH, ORDER)
        .write(FLOWSHEET_PATH, FLOWSHEET)
        .write("surveys/2026/SV-2026-0001.toml", SURVEY);
    repo.set_policy("author");
    repo.git_init();
    // Committed by sales: the GM's review in it is not proven by its commit.
    repo.commit_as("li.sales", "2026-03-05", "the records");
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    repo.write("notes 1#draft.txt", "not a record");
    repo
}

fn run(repo: &Repo, format: &str) -> Run {
    repo.docket(&["check", "--format", format, "--as-of", AS_OF])
}

fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(include_str!("schemas/sarif-2.1.0.json")).unwrap();
    // The published schema's `language` pattern (of a run and of a tool
    // component) is not a valid regular expression (a stray `]`), so a
    // validator that checks the schema itself refuses it. Its intent is a
    // language tag, "en" or "en-US"; those two patterns are corrected here,
    // in memory, and the file stays byte for byte as published
    // (schemas/README.md). docket writes no `language`, so the correction
    // cannot make its output pass.
    for owner in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][owner]["properties"]["language"]["pattern"];
        assert_eq!(pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *pattern = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored SARIF schema compiles")
}

#[track_caller]
fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:#?}");
}

#[test]
fn sarif_is_valid_and_carries_every_finding() {
    let repo = repo_with_findings();
    let json = run(&repo, "json");
    let sarif = run(&repo, "sarif");
    assert_eq!(sarif.code, 1, "errors found: exit 1 as for every format");
    assert_eq!(sarif.code, json.code);
    let log: Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "docket");
    assert_eq!(run0["columnKind"], "unicodeCodePoints");

    // One rule per catalog entry, with its clause and description.
    let catalog: Vec<Value> = serde_json::from_str(
        &Run::from(
            docket_cmd()
                .args(["rules", "--format", "json"])
                .output()
                .unwrap(),
        )
        .stdout,
    )
    .unwrap();
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), catalog.len());
    for (rule, entry) in rules.iter().zip(&catalog) {
        assert_eq!(rule["id"], entry["id"]);
        assert_eq!(rule["properties"]["clause"], entry["clause"]);
        assert_eq!(rule["shortDescription"]["text"], entry["summary"]);
        assert_eq!(rule["defaultConfiguration"]["level"], entry["severity"]);
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        if entry["clause"] != "-" {
            assert!(
                full.contains(entry["clause"].as_str().unwrap()),
                "{full} names its clause"
            );
        }
    }

    // The results are the JSON report's findings, in its order, with paths
    // from the work tree and positions as regions.
    let findings = json.all_findings();
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    let rules_seen: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    for expected in [
        "illegible-approved",
        "signature-unproven",
        "unknown-file",
        "history-unavailable",
    ] {
        assert!(
            rules_seen.contains(&expected),
            "{expected} in {rules_seen:?}"
        );
    }
    for (r, f) in results.iter().zip(&findings) {
        assert_eq!(r["ruleId"], f.rule.as_str());
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"],
            f.rule.as_str(),
            "ruleIndex points at its rule"
        );
        assert_eq!(r["level"], f.severity.as_str());
        assert_eq!(r["message"]["text"], f.message.as_str());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        if f.file == "notes 1#draft.txt" {
            assert_eq!(uri, "records/notes%201%23draft.txt");
        } else {
            assert_eq!(uri, format!("records/{}", f.file));
        }
        assert_eq!(loc["region"]["startLine"].as_u64(), f.line);
        assert_eq!(loc["region"]["startColumn"].as_u64(), f.column);
    }
    let illegible = results
        .iter()
        .find(|r| r["ruleId"] == "illegible-approved")
        .unwrap();
    assert_eq!(
        illegible["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 7, "startColumn": 11})
    );
    assert_eq!(illegible["level"], "error");
    assert_eq!(illegible["properties"]["record"], "SO-2026-0001");

    // Same inputs, same bytes.
    assert_eq!(run(&repo, "sarif").stdout, sarif.stdout);
}

#[test]
fn the_vendored_schema_rejects_a_broken_log() {
    // The validation above means something only if the schema bites.
    let repo = repo_with_findings();
    let mut log: Value = serde_json::from_str(&run(&repo, "sarif").stdout).unwrap();
    assert_valid_sarif(&log);
    let validator = sarif_validator();
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(
        !validator.is_valid(&log),
        "an unknown level must be rejected"
    );
    log["runs"][0]["results"][0]["level"] = "error".into();
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&log), "line 0 must be rejected");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        1.into();
    assert!(validator.is_valid(&log));
    // Formats are checked: an unescaped space is no URI reference, which is
    // why docket percent-encodes file names.
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "records/notes 1#draft.txt".into();
    assert!(
        !validator.is_valid(&log),
        "a space in a URI must be rejected"
    );
}

#[test]
fn clean_records_give_a_valid_sarif_log_without_results() {
    let repo = Repo::base();
    let sarif = run(&repo, "sarif");
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_valid_sarif(&log);
    // Not under git: the one warning, on docket.toml, with no region.
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "history-unavailable");
    assert_eq!(results[0]["level"], "warning");
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "docket.toml");
    assert!(loc.get("region").is_none());
    assert_eq!(sarif.code, 0);
}

#[test]
fn gitlab_code_quality_shape() {
    let repo = repo_with_findings();
    let json = run(&repo, "json");
    let gl = run(&repo, "gitlab");
    assert_eq!(gl.code, 1);
    let issues: Vec<Value> = serde_json::from_str(&gl.stdout).expect("an array of issues");
    let findings = json.all_findings();
    assert_eq!(issues.len(), findings.len());
    let mut fingerprints = std::collections::BTreeSet::new();
    for (issue, f) in issues.iter().zip(&findings) {
        let keys: Vec<&str> = issue
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "check_name",
                "description",
                "fingerprint",
                "location",
                "severity"
            ]
        );
        assert_eq!(issue["check_name"], f.rule.as_str());
        let description = issue["description"].as_str().unwrap();
        assert!(description.starts_with(&f.message), "{description}");
        let severity = if f.severity == "error" {
            "major"
        } else {
            "minor"
        };
        assert_eq!(issue["severity"], severity);
        assert_eq!(issue["location"]["path"], format!("records/{}", f.file));
        // GitLab needs a line: a finding about a whole file is on line 1.
        assert_eq!(
            issue["location"]["lines"]["begin"].as_u64(),
            Some(f.line.unwrap_or(1))
        );
        let fp = issue["fingerprint"].as_str().unwrap();
        assert!(
            fp.len() == 40 && fp.bytes().all(|b| b.is_ascii_hexdigit()),
            "{fp}"
        );
        assert!(
            fingerprints.insert(fp.to_string()),
            "fingerprint {fp} repeats"
        );
    }
    let illegible = issues
        .iter()
        .find(|i| i["check_name"] == "illegible-approved")
        .unwrap();
    assert!(
        illegible["description"]
            .as_str()
            .unwrap()
            .ends_with("(clause 4.2.1 A)"),
        "{illegible}"
    );
}

#[test]
fn gitlab_fingerprints_survive_lines_moving() {
    let repo = repo_with_findings();
    let first: Vec<Value> = serde_json::from_str(&run(&repo, "gitlab").stdout).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&run(&repo, "gitlab").stdout).unwrap(),
        first,
        "same inputs, same report"
    );
    // Two lines written above the finding move it; it is the same finding.
    let order = repo.read(ORDER_PATH);
    repo.write(
        ORDER_PATH,
        &format!("# reviewed copy\n# of the PO\n{order}"),
    );
    let second: Vec<Value> = serde_json::from_str(&run(&repo, "gitlab").stdout).unwrap();
    let find = |issues: &[Value], rule: &str| {
        issues
            .iter()
            .find(|i| i["check_name"] == rule)
            .cloned()
            .unwrap_or_else(|| panic!("{rule} missing"))
    };
    let (a, b) = (
        find(&first, "illegible-approved"),
        find(&second, "illegible-approved"),
    );
    assert_eq!(a["location"]["lines"]["begin"], 7);
    assert_eq!(b["location"]["lines"]["begin"], 9);
    assert_eq!(a["fingerprint"], b["fingerprint"]);
    // And a different finding has a different fingerprint.
    let other = find(&first, "unknown-file");
    assert_ne!(other["fingerprint"], a["fingerprint"]);
}

#[test]
fn gitlab_fingerprints_tell_repeated_findings_apart() {
    // Two customers' files with the same problem and message would collide
    // if only rule and message counted; the same message twice in one file
    // must not collide either.
    let repo = Repo::base();
    repo.append(
        ORDER_PATH,
        "[[change]]\ndate = 2026-03-02\nby = \"li.sales\"\nwhat = [\"quantity\"]\n",
    )
    .append(
        ORDER_PATH,
        "[[change]]\ndate = 2026-03-02\nby = \"li.sales\"\nwhat = [\"quantity\"]\n",
    );
    let issues: Vec<Value> = serde_json::from_str(&run(&repo, "gitlab").stdout).unwrap();
    let unnotified: Vec<&Value> = issues
        .iter()
        .filter(|i| i["check_name"] == "change-unnotified")
        .collect();
    assert_eq!(unnotified.len(), 2, "{issues:#?}");
    assert_ne!(unnotified[0]["fingerprint"], unnotified[1]["fingerprint"]);
}

#[test]
fn base_marks_findings_on_changed_files() {
    let repo = Repo::empty_in("records");
    repo.write(
        "docket.toml",
        &DOCKET_TOML.replace("\"author\"", "\"none\""),
    );
    // A finding that predates the pull request: the customer has no phone.
    repo.write(
        "customers/C-0001.toml",
        &CUSTOMER.replace("phone = \"+49 40 123456\"\n", ""),
    )
    .write("products/AP-SH-1020.toml", PRODUCT)
    .write(ORDER_PATH, ORDER)
    .write(FLOWSHEET_PATH, FLOWSHEET)
    .write("surveys/2026/SV-2026-0001.toml", SURVEY);
    repo.git_init();
    let base = repo.commit_as("li.sales", "2026-03-05", "base");
    // The pull request: a follow-up flags a delivery risk and no action
    // (outside the order's substance, so no stale review comes with it).
    repo.append(
        ORDER_PATH,
        "[[followup]]\ndate = 2026-04-01\nby = \"li.sales\"\nrisk = true\n",
    );
    repo.commit_as("li.sales", "2026-03-06", "the change");

    let plain = repo.check();
    for f in plain.json()["findings"].as_array().unwrap() {
        assert!(f.get("changed").is_none(), "no --base, no `changed`: {f}");
    }
    let rules: Vec<String> = plain.findings().into_iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["customer-incomplete", "risk-unhandled"]);

    let gated = repo.docket(&[
        "check",
        "--format",
        "json",
        "--as-of",
        AS_OF,
        "--base",
        &base.to_string(),
    ]);
    assert_eq!(gated.code, 1);
    let findings = gated.json()["findings"].as_array().unwrap().clone();
    let marks: Vec<(&str, &str, bool)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["changed"].as_bool().expect("`changed` is a boolean"),
            )
        })
        .collect();
    // The changed file's findings come first.
    assert_eq!(
        marks,
        [
            ("risk-unhandled", ORDER_PATH, true),
            ("customer-incomplete", "customers/C-0001.toml", false),
        ]
    );
    // Everything else about the finding is as without --base.
    let mut without: Vec<Value> = findings.clone();
    for f in &mut without {
        f.as_object_mut().unwrap().remove("changed");
    }
    let plain_findings = plain.json()["findings"].as_array().unwrap().clone();
    assert!(without.iter().all(|f| plain_findings.contains(f)));

    // A file changed in the working tree only counts as changed too.
    repo.edit(
        "customers/C-0001.toml",
        "contact = ",
        "contact = \"Anna K.\"\n# was: ",
    );
    let dirty = repo.docket(&[
        "check",
        "--format",
        "json",
        "--as-of",
        AS_OF,
        "--base",
        &base.to_string(),
    ]);
    let customer = dirty.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "customer-incomplete")
        .cloned()
        .unwrap();
    assert_eq!(customer["changed"], true);
}

#[test]
fn gitlab_fingerprints_survive_a_day_passing() {
    // An overdue line's message counts the days; tomorrow it is the same
    // finding, not a fixed one and a new one.
    let repo = Repo::base();
    let order = repo.read(ORDER_PATH);
    let open = &order[..order.find("[delivery]").unwrap()];
    repo.write(ORDER_PATH, open);
    let on = |day: &str| -> Value {
        let out = repo.docket(&["check", "--format", "gitlab", "--as-of", day]);
        let issues: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
        issues
            .into_iter()
            .find(|i| i["check_name"] == "overdue")
            .unwrap_or_else(|| panic!("no overdue on {day}: {}", out.stdout))
    };
    let (today, tomorrow) = (on("2026-12-01"), on("2026-12-02"));
    assert_ne!(today["description"], tomorrow["description"]);
    assert_eq!(today["fingerprint"], tomorrow["fingerprint"]);
}

/// Two overdue lines of one order say the same but for their numbers (the
/// dates, the days late): GitLab must see two findings, and the next day,
/// with every count one higher, the same two.
#[test]
fn gitlab_fingerprints_of_findings_that_differ_only_in_numbers() {
    let repo = Repo::base();
    let open = ORDER
        .replace("\n[delivery]\ndate = 2026-04-14\n\n[closed]\ndate = 2026-04-20\n", "\n")
        .replace(
            "delivery = 2026-04-15\n",
            "delivery = 2026-04-15\n\n[[line]]\npart_number = \"AP-SH-1020\"\nproduct = \"Stainless shaft\"\nspec = \"D10 x 200 mm, SUS304\"\nquantity = 500\ndelivery = 2026-04-16\n",
        );
    assert_ne!(open, ORDER);
    repo.write(ORDER_PATH, &open);
    let overdue = |as_of: &str| -> Vec<(String, String)> {
        let run = repo.docket(&["check", "--format", "gitlab", "--as-of", as_of]);
        let issues: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
        issues
            .iter()
            .filter(|i| i["check_name"] == "overdue")
            .map(|i| {
                (
                    i["description"].as_str().unwrap().to_string(),
                    i["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let today = overdue("2026-06-15");
    assert_eq!(today.len(), 2, "{today:#?}");
    assert!(today[0].0.contains("61 days ago"), "{today:#?}");
    assert_ne!(today[0].1, today[1].1, "two findings, one fingerprint");
    let tomorrow = overdue("2026-06-16");
    assert!(tomorrow[0].0.contains("62 days ago"), "{tomorrow:#?}");
    let prints = |v: &[(String, String)]| v.iter().map(|(_, f)| f.clone()).collect::<Vec<_>>();
    assert_eq!(
        prints(&tomorrow),
        prints(&today),
        "a day later, the same findings"
    );
}
