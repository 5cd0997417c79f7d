//! What a signature covers (21 CFR 11.70): the blob and SHA-256 that bind
//! it to its content, whether it still covers the record as it is now, and
//! that a stale approval is never shown as plainly proven, wherever it is
//! shown (`docket log`, the record page, the people page), and counts as
//! awaiting review on the dashboard and in `docket status`.

use crate::fixture::*;
use serde_json::Value;
use std::process::Command;

const REVIEW: &str = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";

/// An order still in progress (no delivery, not closed), received by Li
/// on 2026-03-02 and approved by the GM's own commit on 2026-03-03, under
/// policy "author".
fn approved() -> Repo {
    let repo = Repo::empty();
    repo.set_policy("author");
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    let open = ORDER
        .replace("[delivery]\ndate = 2026-04-14\n\n", "")
        .replace("[closed]\ndate = 2026-04-20\n", "")
        .replace("delivery = 2026-04-15", "delivery = 2026-08-15");
    repo.write(ORDER_PATH, &open.replace(REVIEW, ""));
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Order SO-2026-0001 received");
    repo.write(ORDER_PATH, &open);
    repo.commit_as("wang.gm", "2026-03-03", "Review SO-2026-0001");
    repo
}

fn log_json(repo: &Repo, id: &str) -> Value {
    let run = repo.docket(&["log", id, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn signature<'v>(log: &'v Value, section: &str) -> &'v Value {
    log["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == section)
        .unwrap_or_else(|| panic!("no signature {section} in {log:#}"))
}

/// `git rev-parse <rev>` in the repository.
fn rev_parse(repo: &Repo, rev: &str) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(&repo.top)
        .args(["rev-parse", rev])
        .output()
        .unwrap();
    assert!(out.status.success(), "git rev-parse {rev}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn build(repo: &Repo) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = repo.docket(&["build", "--out", site.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

fn page(site: &tempfile::TempDir, rel: &str) -> String {
    std::fs::read_to_string(site.path().join("site").join(rel)).unwrap()
}

/// The table row of the signature of `section` on a record page.
fn signature_row<'p>(html: &'p str, section_meaning: &str) -> &'p str {
    html.split("<tr class=\"sig-")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap())
        .find(|r| r.contains(section_meaning))
        .unwrap_or_else(|| panic!("no signature row with {section_meaning}"))
}

#[test]
fn a_fresh_review_covers_the_current_version_and_is_bound_to_its_blob() {
    let repo = approved();
    let review = rev_parse(&repo, "HEAD");
    let log = log_json(&repo, "SO-2026-0001");
    let s = signature(&log, "review");
    assert_eq!(s["state"], "proven");
    assert_eq!(s["covers"]["state"], "current");
    assert_eq!(s["commit"], review.as_str());
    // The blob is git's own id of the file at the signature commit.
    assert_eq!(
        s["blob"],
        rev_parse(&repo, &format!("{review}:{ORDER_PATH}")).as_str()
    );
    let sha = s["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    let human = repo.docket(&["log", "SO-2026-0001"]);
    assert!(
        human.stdout.contains("covers: covers current version")
            && human.stdout.contains(&format!("sha256: {sha}")),
        "{}",
        human.stdout
    );
}

#[test]
fn a_review_stale_after_a_quantity_change_is_never_shown_as_proven() {
    let repo = approved();
    let signed = rev_parse(&repo, "HEAD");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    let change = repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    // A later unrelated change does not move "since".
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Bremen\"",
    );
    repo.commit_as("li.sales", "2026-03-21", "Deliver to Bremen");

    let log = log_json(&repo, "SO-2026-0001");
    let s = signature(&log, "review");
    assert_eq!(s["state"], "stale", "{s:#}");
    assert_eq!(s["status"]["status"], "proven", "still the GM's signature");
    assert_eq!(s["covers"]["state"], "stale");
    assert_eq!(s["covers"]["since"], change.to_string().as_str());
    assert_eq!(
        s["covers"]["fields"],
        serde_json::json!(["delivery_place", "line[0].quantity"])
    );
    // The blob and hash are still those of what the GM signed.
    assert_eq!(
        s["blob"],
        rev_parse(&repo, &format!("{signed}:{ORDER_PATH}")).as_str()
    );

    let human = repo.docket(&["log", "SO-2026-0001"]).stdout;
    let short = Repo::short(change);
    let expected = format!("stale since {short}: delivery_place, line[0].quantity");
    assert!(human.contains(&expected), "{human}");
    assert!(
        !human.lines().any(|l| l.trim_start().starts_with("proven")),
        "a stale review reads as plainly proven:\n{human}"
    );

    let site = build(&repo);
    let order = page(&site, "orders/SO-2026-0001.html");
    let row = signature_row(&order, "order review");
    assert!(row.starts_with("stale\""), "row class: {row}");
    assert!(row.contains(&expected), "{row}");
    assert!(!order.contains("sig-proven"), "a green signature remains");
    let people = page(&site, "people.html");
    let wang = people
        .split("id=\"p-wang~2Egm\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(wang.contains("class=\"proof-stale\""), "{wang}");
    assert!(wang.contains(&expected), "{wang}");
    assert!(!wang.contains("proof-proven"), "{wang}");
}

#[test]
fn an_uncommitted_change_makes_the_review_stale_since_the_working_tree() {
    let repo = approved();
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 900");
    let s = signature(&log_json(&repo, "SO-2026-0001"), "review").clone();
    assert_eq!(s["covers"]["state"], "stale");
    assert_eq!(s["covers"]["since"], Value::Null);
    let human = repo.docket(&["log", "SO-2026-0001"]).stdout;
    assert!(
        human.contains("stale since the working tree: line[0].quantity"),
        "{human}"
    );
}

#[test]
fn reformatting_or_changing_back_keeps_the_review_current() {
    let repo = approved();
    // Reorder keys and add a comment: the same values.
    repo.edit(
        ORDER_PATH,
        "quantity = 500\ndelivery = 2026-08-15",
        "delivery = 2026-08-15  # agreed\nquantity = 500",
    );
    repo.commit_as("li.sales", "2026-03-10", "Tidy");
    // Changed and changed back: the order is what the GM approved.
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 700");
    repo.commit_as("li.sales", "2026-03-11", "700?");
    repo.edit(ORDER_PATH, "quantity = 700", "quantity = 500");
    repo.commit_as("li.sales", "2026-03-12", "No, 500");
    let s = signature(&log_json(&repo, "SO-2026-0001"), "review").clone();
    assert_eq!(s["covers"]["state"], "current", "{s:#}");
    assert_eq!(s["state"], "proven");
}

#[test]
fn an_extra_review_covers_the_substance_too() {
    let repo = approved();
    repo.append(
        ORDER_PATH,
        "[[extra_review]]\ndepartment = \"rnd\"\nby = \"chen.rnd\"\ndate = 2026-03-04\nresult = \"feasible\"\n",
    );
    repo.commit_as("chen.rnd", "2026-03-04", "R&D review");
    repo.edit(
        ORDER_PATH,
        "spec = \"D10 x 200 mm, SUS304\"",
        "spec = \"D12 x 200 mm, SUS304\"",
    );
    let change = repo.commit_as("li.sales", "2026-03-20", "Thicker");
    let log = log_json(&repo, "SO-2026-0001");
    let s = signature(&log, "extra_review[0]");
    assert_eq!(s["covers"]["since"], change.to_string().as_str(), "{s:#}");
    assert_eq!(s["covers"]["fields"], serde_json::json!(["line[0].spec"]));
}

#[test]
fn a_flow_sheet_signature_covers_its_lines_and_issue_date() {
    let repo = approved();
    repo.write(
        FLOWSHEET_PATH,
        &format!("{FLOWSHEET}\n[gm_signed]\nby = \"wang.gm\"\ndate = 2026-03-04\n"),
    );
    repo.commit_as("wang.gm", "2026-03-04", "Flow sheet signed");
    // A step is not what the GM signed for; the quantity is.
    repo.append(
        FLOWSHEET_PATH,
        "[[step]]\nname = \"turning\"\ndepartment = \"manufacturing\"\n",
    );
    repo.commit_as("zhao.mfg", "2026-03-05", "Steps");
    let s = signature(&log_json(&repo, "MF-2026-0001"), "gm_signed").clone();
    assert_eq!(s["covers"]["state"], "current", "{s:#}");
    repo.edit(FLOWSHEET_PATH, "quantity = 500", "quantity = 450");
    let change = repo.commit_as("li.sales", "2026-03-06", "Fewer");
    let s = signature(&log_json(&repo, "MF-2026-0001"), "gm_signed").clone();
    assert_eq!(s["covers"]["since"], change.to_string().as_str(), "{s:#}");
    assert_eq!(
        s["covers"]["fields"],
        serde_json::json!(["line[0].quantity"])
    );
}

const CAPA_PATH: &str = "capa/2026/CAPA-2026-0001.toml";
const CAPA: &str = r#"id = "CAPA-2026-0001"
kind = "corrective"
source = "complaint"
customer = "C-0001"
order = "SO-2026-0001"
opened = 2026-05-02
opened_by = "li.sales"
description = "Shafts arrived scratched."
responsible_department = "manufacturing"

[investigation]
by = "zhao.mfg"
date = 2026-05-06
root_cause = "No protective sleeve in the crate."
countermeasure = "Sleeve every shaft before packing."
due = 2026-05-30

[verification]
by = "sun.qc"
date = 2026-06-02
effective = true
evidence = "The next lot arrived clean."

[confirmation]
by = "wang.gm"
date = 2026-06-03
"#;

#[test]
fn capa_verification_and_confirmation_cover_the_investigation() {
    let repo = approved();
    repo.write(CAPA_PATH, CAPA);
    repo.commit_as("wang.gm", "2026-06-03", "CAPA confirmed");
    // Zhao rewrites his root cause after QC verified and the GM confirmed:
    // his own section, re-signed by him, but what they vouched for moved.
    repo.edit(CAPA_PATH, "No protective sleeve", "No sleeve");
    let change = repo.commit_as("zhao.mfg", "2026-06-04", "Wording");
    let log = log_json(&repo, "CAPA-2026-0001");
    for section in ["verification", "confirmation"] {
        let s = signature(&log, section);
        assert_eq!(s["covers"]["since"], change.to_string().as_str(), "{s:#}");
        assert_eq!(
            s["covers"]["fields"],
            serde_json::json!(["investigation.root_cause"])
        );
    }
    assert_eq!(
        signature(&log, "investigation")["covers"]["state"],
        "current"
    );
}

#[test]
fn a_survey_analysis_covers_the_scores() {
    let repo = approved();
    repo.write(
        "surveys/2026/SV-2026-0001.toml",
        &format!("{SURVEY}\n[analysis]\nby = \"li.sales\"\ndate = 2026-02-10\nsummary = \"Fine.\"\nserious = false\n"),
    );
    repo.commit_as("li.sales", "2026-02-10", "Survey analysed");
    repo.edit("surveys/2026/SV-2026-0001.toml", "price = 4", "price = 2");
    let change = repo.commit_as("sun.qc", "2026-02-12", "Price score corrected");
    let s = signature(&log_json(&repo, "SV-2026-0001"), "analysis").clone();
    assert_eq!(s["covers"]["since"], change.to_string().as_str(), "{s:#}");
    assert_eq!(s["covers"]["fields"], serde_json::json!(["scores.price"]));
}

/// Whether `python3` with `tomllib` (3.11+) is here; says why not if not.
fn python311() -> bool {
    let ok = Command::new("python3")
        .args([
            "-c",
            "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: python3 >= 3.11 (tomllib) is not installed");
    }
    ok
}

/// The recipe of docs/history.md, as an auditor runs it on a file.
const RECIPE: &str = r#"import tomllib,json,sys; d=tomllib.load(open(sys.argv[1],"rb")); s=d[sys.argv[2]]; s=s[int(sys.argv[3])] if len(sys.argv)>3 else s; sys.stdout.write(json.dumps(s,sort_keys=True,separators=(",",":"),ensure_ascii=False,default=str))"#;

fn recipe_sha(file: &std::path::Path, args: &[&str]) -> String {
    let json = Command::new("python3")
        .args(["-c", RECIPE])
        .arg(file)
        .args(args)
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let mut sha = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    sha.stdin.take().unwrap().write_all(&json.stdout).unwrap();
    let out = sha.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

#[test]
fn the_python_recipe_reproduces_the_sha256() {
    if !python311() {
        return;
    }
    let repo = approved();
    // Non-ASCII, quotes, escapes and a date: what real reviews hold. And
    // a list, which no review field is but a hand-edited one may hold (a
    // schema finding, yet the signature covers it like any value).
    repo.edit(
        ORDER_PATH,
        "date = 2026-03-03\n",
        "date = 2026-03-03\nnote = \"交期確認 \\\"OK\\\"\\tcheck\\nline 2 ü\"\n",
    );
    repo.append(
        ORDER_PATH,
        "[[extra_review]]\ndepartment = \"rnd\"\nby = \"chen.rnd\"\ndate = 2026-03-04\nresult = \"feasible\"\nnote = \"α < β\"\nchecked = [\"圖面\", \"bom\", 3, [true, 2026-03-04]]\n",
    );
    repo.commit_as("wang.gm", "2026-03-04", "Review note; R&D");
    let log = log_json(&repo, "SO-2026-0001");
    let file = repo.path(ORDER_PATH);
    assert_eq!(
        signature(&log, "review")["sha256"],
        recipe_sha(&file, &["review"]).as_str()
    );
    assert_eq!(
        signature(&log, "extra_review[0]")["sha256"],
        recipe_sha(&file, &["extra_review", "0"]).as_str()
    );
}

/// `approved()` with Li changing the quantity on 2026-03-20 (after the
/// GM's approval), and a second order, received on 2026-06-10 and not
/// reviewed yet.
fn changed_after_approval() -> (Repo, git2::Oid) {
    let repo = approved();
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    let change = repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    let new = repo
        .read(ORDER_PATH)
        .replace("SO-2026-0001", "SO-2026-0002")
        .replace("received = 2026-03-02", "received = 2026-06-10")
        .replace(REVIEW, "");
    repo.write("orders/2026/SO-2026-0002.toml", &new);
    repo.commit_as("li.sales", "2026-06-10", "Order SO-2026-0002 received");
    (repo, change)
}

#[test]
fn an_approved_order_changed_since_awaits_re_review_everywhere() {
    let (repo, change) = changed_after_approval();

    // docket status: both wait; the re-review since the change (87 days
    // from 2026-03-20 to 2026-06-15), the new order since receipt.
    let run = repo.docket(&["status", "--format", "json", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let waiting = run.json()["orders"]["awaiting_review"].clone();
    assert_eq!(waiting.as_array().unwrap().len(), 2, "{waiting:#}");
    let again = &waiting[0];
    assert_eq!(again["order"], "SO-2026-0001");
    assert_eq!(again["days"], 87);
    assert_eq!(again["re_review"]["since"], change.to_string().as_str());
    assert_eq!(again["re_review"]["changed"], "2026-03-20");
    assert_eq!(
        again["re_review"]["fields"],
        serde_json::json!(["line[0].quantity"])
    );
    assert_eq!(waiting[1]["order"], "SO-2026-0002");
    assert!(waiting[1].get("re_review").is_none());
    let human = repo.docket(&["status", "--as-of", AS_OF]).stdout;
    assert!(
        human.contains(&format!(
            "awaiting review: SO-2026-0001 C-0001 waiting 87 days (late) (re-review: changed since approval in {}: line[0].quantity)",
            Repo::short(change)
        )),
        "{human}"
    );

    let site = build(&repo);
    // The order's badge and its row in the list.
    let order = page(&site, "orders/SO-2026-0001.html");
    let badge = order.split("class=\"badge\"").nth(1).expect("a badge");
    assert!(
        badge[..200.min(badge.len())].contains("status-awaiting-re-review\">awaiting re-review<"),
        "{}",
        &badge[..200.min(badge.len())]
    );
    let list = page(&site, "orders/index.html");
    let row = list
        .split("<tr>")
        .find(|r| r.contains("SO-2026-0001.html"))
        .unwrap();
    assert!(row.contains("awaiting re-review"), "{row}");
    // The dashboard counts both, and lists the days waiting.
    let index = page(&site, "index.html");
    assert!(
        index.contains("<dt>Awaiting review</dt><dd><a href=\"awaiting-review.html\">2</a></dd>"),
        "{index}"
    );
    let listed = page(&site, "awaiting-review.html");
    assert!(
        listed.contains("SO-2026-0001") && listed.contains("87 days"),
        "{listed}"
    );
    assert!(listed.contains("SO-2026-0002"), "{listed}");
    // data.json: the status stays a lifecycle value; the flag says why
    // the order waits.
    let data: Value = serde_json::from_str(&page(&site, "data.json")).unwrap();
    let status = data["derived"]["order_status"]["SO-2026-0001"]
        .as_str()
        .unwrap();
    assert!(
        [
            "received",
            "rejected",
            "approved",
            "in-production",
            "delivered",
            "closed",
            "cancelled"
        ]
        .contains(&status),
        "{status}"
    );
    assert_eq!(data["derived"]["awaiting_re_review"]["SO-2026-0001"], true);
    assert_eq!(data["derived"]["awaiting_re_review"]["SO-2026-0002"], false);
}

#[test]
fn a_rejected_or_fresh_order_is_not_awaiting_re_review() {
    let repo = approved();
    // A re-review by the GM after the change: covered again.
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-21");
    repo.commit_as("wang.gm", "2026-03-21", "Re-review SO-2026-0001");
    let run = repo.docket(&["status", "--format", "json", "--as-of", AS_OF]);
    assert_eq!(
        run.json()["orders"]["awaiting_review"],
        serde_json::json!([])
    );
    let s = signature(&log_json(&repo, "SO-2026-0001"), "review").clone();
    assert_eq!(s["covers"]["state"], "current");
}

/// The site-relative target of `href` on a page at the site root.
fn follow(site: &std::path::Path, href: &str) -> (String, Option<String>) {
    let (file, frag) = match href.split_once('#') {
        Some((f, a)) => (f, Some(a.to_string())),
        None => (href, None),
    };
    let path = site.join(file);
    let html = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("tile link {href}: {} ({e})", path.display()));
    if let Some(a) = &frag {
        assert!(
            html.contains(&format!("id=\"{a}\"")),
            "tile link {href}: no id {a}"
        );
    }
    (html, frag)
}

/// The rows of the first data table of a page.
fn rows(html: &str) -> usize {
    html.split("<tbody>").nth(1).map_or(0, |b| {
        b.split("</tbody>").next().unwrap().matches("<tr").count()
    })
}

#[test]
fn every_dashboard_tile_links_to_what_it_counts() {
    let (repo, _) = changed_after_approval();
    // An overdue order and an open CAPA, so every list has rows.
    repo.write(
        "orders/2026/SO-2026-0003.toml",
        &repo
            .read(ORDER_PATH)
            .replace("SO-2026-0001", "SO-2026-0003")
            .replace("delivery = 2026-08-15", "delivery = 2026-05-15"),
    );
    repo.write(CAPA_PATH, CAPA.split("\n[verification]").next().unwrap());
    repo.commit_as("li.sales", "2026-06-11", "More");
    let out = build(&repo);
    let site = out.path().join("site");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let tile = regex_lite::Regex::new(
        r#"<div class="figure[^"]*"><dt>([^<]*)</dt><dd>(?:<a href="([^"]*)">)?([^<]*)"#,
    )
    .unwrap();
    let mut seen = Vec::new();
    for c in tile.captures_iter(&index) {
        let label = c[1].to_string();
        let href = c
            .get(2)
            .unwrap_or_else(|| panic!("tile {label} links nowhere"));
        let (html, _) = follow(&site, href.as_str());
        let value = c[3].to_string();
        // Where a tile counts the rows of a list of its own, the list
        // has exactly that many.
        match label.as_str() {
            "Orders" => assert_eq!(href.as_str(), "orders/index.html"),
            "Awaiting review" | "Overdue deliveries" | "Open CAPAs" => {
                assert_eq!(
                    rows(&html).to_string(),
                    value,
                    "{label} -> {}",
                    href.as_str()
                )
            }
            _ => {}
        }
        if label == "Orders" {
            assert_eq!(rows(&html).to_string(), value);
        }
        seen.push(label);
    }
    for must in [
        "Orders",
        "Awaiting review",
        "Overdue deliveries",
        "errors",
        "warnings",
        "signed sections",
        "unproven",
        "broken",
    ] {
        assert!(seen.iter().any(|s| s == must), "no {must} tile in {seen:?}");
    }
}
