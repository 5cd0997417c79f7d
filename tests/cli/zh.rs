//! The site and `docket check` in Traditional Chinese: with
//! `language = "zh-Hant"` no English of docket's own catalog may show on
//! a page (rule summaries, labels, field names, finding messages, proof
//! and change texts), while the machine outputs (JSON `message`, which CI
//! fingerprints are made of) stay the English canonical text.
//!
//! The company is the demo's (`docket demo`): a signed history with
//! findings of many rules, so the check sees real messages, not a list
//! made up for the test.

use crate::fixture::*;
use docket::finding::RuleId;
use docket::model::Language;
use docket::render::i18n;
use std::collections::BTreeSet;
use std::path::Path;

const AS_OF: &str = "2026-11-20";

fn demo(dir: &Path) {
    let run = Run::from(
        docket_cmd()
            .args(["demo", "--orders", "30", "--seed", "7", "--repo"])
            .arg(dir.join("records"))
            .arg("--out")
            .arg(dir.join("site"))
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "demo failed: {}", run.stderr);
}

fn to_chinese(dir: &Path) {
    let path = dir.join("records/docket.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("language = \"en\""), "{text}");
    std::fs::write(
        &path,
        text.replace("language = \"en\"", "language = \"zh-Hant\""),
    )
    .unwrap();
}

/// Build the site of the records in `dir` into `out`; it must not fail.
fn build(dir: &Path, out: &Path) {
    let run = Run::from(
        docket_cmd()
            .args(["build", "--as-of", AS_OF, "--records"])
            .arg(dir.join("records"))
            .arg("--out")
            .arg(out)
            .output()
            .unwrap(),
    );
    assert!(run.code < 2, "build failed: {}", run.stderr);
}

fn check(dir: &Path, format: &str) -> Run {
    Run::from(
        docket_cmd()
            .args(["check", "--format", format, "--as-of", AS_OF, "--records"])
            .arg(dir.join("records"))
            .output()
            .unwrap(),
    )
}

fn messages(run: &Run) -> Vec<(String, String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The text a reader sees on a page: every text node (trimmed, entities
/// decoded) and the attributes read aloud or shown (`title`,
/// `aria-label`, `placeholder`, `content` of the description), outside
/// `<script>`, `<style>`, code (`<pre>`, `<code>`: git commands are
/// commands) and any element marked with a `lang` other than the page's.
fn visible(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut page_lang = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        if skip.is_empty() && !text.trim().is_empty() {
            out.push(unescape(text.trim()));
        }
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            depth = depth.saturating_sub(1);
            if skip.last().is_some_and(|(n, d)| *n == name && *d == depth) {
                skip.pop();
            }
            continue;
        }
        let name: String = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let void = tag.ends_with('/')
            || matches!(
                name.as_str(),
                "meta" | "link" | "br" | "img" | "input" | "hr" | "wbr" | "col" | "source"
            );
        if name == "html" {
            page_lang = attr(tag, "lang").unwrap_or_default();
        }
        let other_lang = name != "html" && attr(tag, "lang").is_some_and(|l| l != page_lang);
        if skip.is_empty() && !other_lang {
            for a in ["title", "aria-label", "placeholder"] {
                if let Some(v) = attr(tag, a) {
                    out.push(unescape(&v));
                }
            }
            if name == "meta" && attr(tag, "name").as_deref() == Some("description") {
                out.push(unescape(&attr(tag, "content").unwrap_or_default()));
            }
        }
        if void {
            continue;
        }
        if skip.is_empty()
            && (other_lang || matches!(name.as_str(), "script" | "style" | "pre" | "code"))
        {
            skip.push((name.clone(), depth));
        }
        depth += 1;
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_string())
}

fn pages(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in walkdir(root) {
        if e.extension().is_some_and(|x| x == "html") {
            let rel = e.strip_prefix(root).unwrap().display().to_string();
            out.push((rel, std::fs::read_to_string(&e).unwrap()));
        }
    }
    out.sort();
    out
}

fn walkdir(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Every record-format key the site names as a field or column.
const KEYS: &[&str] = &[
    "account_manager",
    "action",
    "active",
    "address",
    "analysis",
    "batch",
    "by",
    "cancelled",
    "capa",
    "capacity",
    "change",
    "channel",
    "closed",
    "comments",
    "complaint",
    "confirmation",
    "contact",
    "countermeasure",
    "custodian",
    "customer",
    "customer_confirmed",
    "customer_ref",
    "date",
    "decision",
    "delivery",
    "delivery_place",
    "department",
    "description",
    "design_record",
    "done",
    "due",
    "effective",
    "email",
    "evidence",
    "extra_review",
    "fax",
    "feedback",
    "followup",
    "gm_signed",
    "incidents",
    "investigation",
    "issued",
    "item",
    "kind",
    "legible",
    "line",
    "location",
    "materials_ready",
    "name",
    "new_product",
    "note",
    "notified",
    "opened",
    "opened_by",
    "oral",
    "order",
    "owner",
    "part_number",
    "phone",
    "producible",
    "product",
    "quantity",
    "received",
    "region",
    "report",
    "reported_to_customer",
    "resolution",
    "respondent",
    "responsible_department",
    "result",
    "returned",
    "review",
    "revision",
    "risk",
    "root_cause",
    "scores",
    "sent",
    "sent_by",
    "serious",
    "since",
    "source",
    "spec",
    "special_requirements",
    "status",
    "step",
    "steps",
    "stock",
    "summary",
    "survey",
    "to",
    "unit",
    "verification",
    "verified",
    "what",
    "written_complaint",
    "written_order_due",
    "written_order_received",
    "year",
];

/// What may never show on a zh-Hant page, as whole text (a short word is
/// English only when it is all a cell or heading says: "Department",
/// "Done") or anywhere in a text (a sentence of docket's).
struct Catalog {
    whole: BTreeSet<String>,
    anywhere: BTreeSet<String>,
}

fn catalog(findings: &[(String, String, String)]) -> Catalog {
    let mut whole = BTreeSet::new();
    let mut anywhere = BTreeSet::new();
    let zh = i18n::labels(Language::ZhHant);
    for (key, en) in i18n::labels(Language::En) {
        // Labels that are the same in both languages (a file name, "Git
        // blob") and the language code are not English left behind.
        if zh.get(key) == Some(&en) || key == "lang" || !en.chars().any(|c| c.is_ascii_lowercase())
        {
            continue;
        }
        whole.insert(en.to_string());
        // A template's fixed words before its first placeholder, when
        // they are a phrase of their own ("signed {time}" gives only
        // "signed", a word the company's own text may hold).
        let fixed = en.split(" {").next().unwrap();
        if fixed.len() > 12 {
            anywhere.insert(fixed.to_string());
        }
    }
    for key in KEYS {
        let en = i18n::field(Language::En, key);
        if en != i18n::field(Language::ZhHant, key) {
            whole.insert(en);
        }
    }
    for rule in RuleId::ALL {
        anywhere.insert(rule.summary().to_string());
    }
    for (_, _, m) in findings {
        anywhere.insert(m.clone());
    }
    // The proof and change texts of the history.
    for s in [
        "SSH-signed by",
        "SSH signature by",
        "commit author",
        ": added",
        ": removed",
        "not one of",
        "unsigned",
        "not verified",
        // The governance log's account of a change to a controlled file.
        "keys added:",
        "people added:",
        "roles changed:",
        "procedure clauses",
        "TSA certificate",
    ] {
        anywhere.insert(s.to_string());
    }
    Catalog { whole, anywhere }
}

/// Texts on `pages` that are docket's English; a text the company wrote
/// itself (`written`: its procedure.md, in whatever language it is) is
/// the company's, not docket's.
fn english_on(pages: &[(String, String)], catalog: &Catalog, written: &str) -> Vec<String> {
    let mut found = BTreeSet::new();
    for (rel, html) in pages {
        for text in visible(html) {
            if written.contains(text.as_str()) {
                continue;
            }
            if catalog.whole.contains(&text) {
                found.insert(format!("{rel}: {text:?}"));
            }
            for s in &catalog.anywhere {
                if text.contains(s.as_str()) {
                    found.insert(format!("{rel}: {s:?} in {text:?}"));
                }
            }
        }
    }
    found.into_iter().collect()
}

#[test]
fn zh_hant_site_shows_no_english_of_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let en = check(dir.path(), "json");
    let findings = messages(&en);
    let rules: BTreeSet<&str> = findings.iter().map(|(r, _, _)| r.as_str()).collect();
    assert!(
        rules.len() >= 5,
        "the demo's findings cover several rules: {rules:?}"
    );
    to_chinese(dir.path());
    let out = dir.path().join("site-zh");
    build(dir.path(), &out);
    let pages = pages(&out);
    assert!(pages.len() > 50, "a whole site: {}", pages.len());
    // The proofs made by that build are in the cache now, their reasons
    // in both languages: a second build into a new folder renders every
    // page from them, and must show what the first showed, byte for byte.
    let warm = dir.path().join("site-zh-warm");
    build(dir.path(), &warm);
    let warm_pages = self::pages(&warm);
    let paths = |p: &[(String, String)]| p.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&warm_pages), paths(&pages));
    for ((path, cold), (_, warm)) in pages.iter().zip(&warm_pages) {
        assert!(cold == warm, "{path} differs when built from the caches");
    }
    let catalog = catalog(&findings);
    let procedure = std::fs::read_to_string(dir.path().join("records/procedure.md")).unwrap();
    // The test can fail: the English site is full of what it looks for.
    let english_site = self::pages(&dir.path().join("site"));
    assert!(
        english_on(&english_site, &catalog, &procedure).len() > 100,
        "the catalog finds English on the English site"
    );
    let left = english_on(&pages, &catalog, &procedure);
    assert!(
        left.is_empty(),
        "{} English texts on zh-Hant pages:\n{}",
        left.len(),
        left.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
    // The audit page's governance log says why each change was proven or
    // not in Chinese, not only "proven" or "unproven".
    let audit = unescape(&std::fs::read_to_string(out.join("audit.html")).unwrap());
    let governance = &audit[audit.find("id=\"governance\"").expect("governance log")..];
    let governance = &governance[..governance.find("</section>").expect("its end")];
    for why in ["所做的 SSH 簽章", "不具受控文件變更所需的"] {
        assert!(governance.contains(why), "{why} not in the governance log");
    }
    // Every finding is on the findings page, in Chinese.
    let findings_page = &pages.iter().find(|(r, _)| r == "findings.html").unwrap().1;
    assert!(findings_page.contains("<html lang=\"zh-Hant\">"));
    for rule in RuleId::ALL {
        let zh = rule.summary_in(Language::ZhHant);
        assert_ne!(zh, rule.summary());
        assert!(
            !zh.chars().any(|c| c.is_ascii_lowercase())
                || zh.chars().filter(|c| !c.is_ascii()).count() > 5,
            "{rule}: {zh}"
        );
    }
}

#[test]
fn check_speaks_the_configured_language_and_json_stays_english() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let en_json = check(dir.path(), "json");
    let en_human = check(dir.path(), "human");
    to_chinese(dir.path());
    let zh_json = check(dir.path(), "json");
    let zh_human = check(dir.path(), "human");
    let zh_github = Run::from(
        docket_cmd()
            .args(["check", "--format", "github", "--as-of", AS_OF, "--records"])
            .arg(dir.path().join("records"))
            .output()
            .unwrap(),
    );
    // JSON: the same English messages whatever the language (but the
    // finding that docket.toml itself is not committed).
    let keep = |v: Vec<(String, String, String)>| -> Vec<(String, String, String)> {
        v.into_iter()
            .filter(|(_, f, _)| f != "docket.toml")
            .collect()
    };
    let (en, zh) = (keep(messages(&en_json)), keep(messages(&zh_json)));
    assert!(!en.is_empty());
    assert_eq!(en, zh, "JSON messages do not follow the language");
    // Human output: every English message of the JSON is gone, and the
    // summary line is Chinese.
    for (_, _, m) in &en {
        assert!(
            en_human.stdout.contains(m.as_str()),
            "English human output has {m}"
        );
        assert!(
            !zh_human.stdout.contains(m.as_str()),
            "zh-Hant human output has {m}"
        );
        assert!(
            !zh_github.stdout.contains(m.as_str()),
            "zh-Hant annotations have {m}"
        );
    }
    assert!(zh_human.stdout.contains("筆紀錄"), "{}", zh_human.stdout);
    assert!(
        zh_human.stdout.contains("程序書條款"),
        "{}",
        zh_human.stdout
    );
    assert!(!zh_human.stdout.contains("records checked"));
    assert_eq!(en_human.code, zh_human.code);
    // The demo's governance lapse says, in Chinese, who may make the
    // change: the governance roles by their Chinese names.
    let lapse = zh_human
        .stdout
        .lines()
        .find(|l| l.contains("governance-unproven"))
        .unwrap_or_else(|| panic!("{}", zh_human.stdout));
    assert!(
        lapse.contains(&format!(
            "請由具{}角色者提交",
            docket::lexicon::roles(["gm"])
        )),
        "{lapse}"
    );
    // An unsigned signature commit names, in Chinese, whose SSH signature
    // it needs: the signer the file names.
    let unsigned: Vec<&str> = zh_human
        .stdout
        .lines()
        .filter(|l| l.contains("簽核政策 \"ssh\" 需要"))
        .collect();
    assert!(!unsigned.is_empty(), "{}", zh_human.stdout);
    for line in unsigned {
        let signer = line
            .split_once("由 ")
            .and_then(|(_, rest)| rest.split_once(" 簽核，"))
            .map(|(who, _)| who)
            .unwrap_or_else(|| panic!("no signer in {line}"));
        assert!(
            line.contains(&format!("需要 {signer} 的 SSH 簽章")),
            "{line}"
        );
    }
}
