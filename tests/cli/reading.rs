//! The site as people read it: what the pages promise a screen reader, a
//! search box and a reader in a hurry, checked in the HTML `docket build`
//! writes. (How they look on paper, on a phone and under a keyboard is
//! checked in a real browser by tests/browser.sh.)

use crate::fixture::*;
use std::collections::BTreeMap;
use std::path::Path;

/// One record of every kind, and a procedure.
fn company() -> Repo {
    let repo = Repo::base();
    repo.write(
        "capa/2026/CAPA-2026-0001.toml",
        "id = \"CAPA-2026-0001\"\nkind = \"corrective\"\nsource = \"complaint\"\ncustomer = \"C-0001\"\n\
         order = \"SO-2026-0001\"\nopened = 2026-05-02\nopened_by = \"li.sales\"\n\
         description = \"Shafts scratched.\"\nresponsible_department = \"manufacturing\"\n",
    );
    repo.write(PROPERTY_PATH, PROPERTY);
    repo.write(
        "reports/2026/UR-2026-0001.toml",
        "id = \"UR-2026-0001\"\ncustomer = \"C-0001\"\ndate = 2026-04-01\nby = \"li.sales\"\n\
         to = \"wang.gm\"\nsummary = \"Customer happy.\"\n",
    );
    repo.write(
        "procedure.md",
        "# Service responsibility\n\nIntro text before any clause.\n\n## 4.2.1 Order review {#c4.2.1}\n\n\
         The GM reviews every order.\n\n## 4.3 Order follow-up {#c4.3}\n\nSales follows every order.\n",
    );
    repo
}

fn build(repo: &Repo) -> (tempfile::TempDir, BTreeMap<String, String>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let run = repo.docket(&["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    let pages = pages(&out);
    (dir, pages)
}

/// Every HTML page of a site, by path.
fn pages(out: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// The opening tags named `name` (`<div ...>`), as written.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    html.match_indices(&open)
        .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap() + 1])
        .filter(|t| t[open.len()..].starts_with([' ', '>']))
        .collect()
}

/// The value of `attr` in an opening tag.
fn attr<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let key = format!(" {attr}=\"");
    let start = tag.find(&key)? + key.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The text between `from` and the next `to`, after `from`.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from} in {html}"))
        + from.len();
    &html[start..start + html[start..].find(to).unwrap()]
}

#[test]
fn every_page_has_a_description_an_inline_icon_and_headed_sections() {
    let (_dir, site) = build(&company());
    assert!(site.len() > 20, "{:?}", site.keys());
    let mut descriptions: BTreeMap<&str, &str> = BTreeMap::new();
    for (rel, html) in &site {
        let metas: Vec<_> = tags(html, "meta")
            .into_iter()
            .filter(|t| attr(t, "name") == Some("description"))
            .collect();
        assert_eq!(metas.len(), 1, "{rel}: one description: {metas:?}");
        let description = attr(metas[0], "content").unwrap();
        assert!(
            description.contains("Acme Precision Parts Co., Ltd.") && description.contains(AS_OF),
            "{rel}: {description}"
        );
        // Each page says what it is: no two pages share a description.
        if let Some(other) = descriptions.insert(description, rel) {
            panic!("{rel} and {other} both say {description}");
        }
        // The icon is inline, so nothing is requested from file:// that
        // is not there.
        let icons: Vec<_> = tags(html, "link")
            .into_iter()
            .filter(|t| attr(t, "rel") == Some("icon"))
            .collect();
        assert_eq!(icons.len(), 1, "{rel}: {icons:?}");
        assert!(
            attr(icons[0], "href")
                .unwrap()
                .starts_with("data:image/svg+xml,")
        );
        // A section is a landmark of its heading; one without a heading
        // is a div. The heading comes first, so a reader hears it first.
        for (i, _) in html.match_indices("<section") {
            let after = &html[i + html[i..].find('>').unwrap() + 1..];
            assert!(
                after.trim_start().starts_with("<h"),
                "{rel}: a section without a heading: {}",
                &html[i..(i + 200).min(html.len())]
            );
        }
    }
    let order = &site["orders/SO-2026-0001.html"];
    assert!(order.contains("<meta name=\"description\" content=\"Orders SO-2026-0001: "));
    // Pages that used to have a section without a heading now have divs.
    for rel in [
        "index.html",
        "orders/index.html",
        "rules.html",
        "findings.html",
        "changes.html",
    ] {
        assert!(site[rel].contains("<div class=\"block\">"), "{rel}");
    }
}

#[test]
fn every_table_box_is_a_named_region_a_keyboard_can_reach() {
    let (_dir, site) = build(&company());
    let mut boxes = 0;
    for (rel, html) in &site {
        let mut names = Vec::new();
        for tag in tags(html, "div")
            .into_iter()
            .filter(|t| t.contains("table-wrap"))
        {
            boxes += 1;
            assert_eq!(attr(tag, "tabindex"), Some("0"), "{rel}: {tag}");
            assert_eq!(attr(tag, "role"), Some("region"), "{rel}: {tag}");
            let name = match (attr(tag, "aria-label"), attr(tag, "aria-labelledby")) {
                (Some(label), None) => label.to_string(),
                (None, Some(id)) => {
                    // The heading it points at exists and says something.
                    let heading = format!("id=\"{id}\">");
                    between(html, &heading, "<").to_string()
                }
                _ => panic!("{rel}: a table box without one name: {tag}"),
            };
            assert!(!name.trim().is_empty(), "{rel}: {tag}");
            names.push(name);
        }
        // A screen reader lists regions by name: two alike could not be
        // told apart.
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{rel}: {names:?}");
    }
    assert!(boxes > 30, "only {boxes} table boxes");
    let order = &site["orders/SO-2026-0001.html"];
    assert!(order.contains("role=\"region\" aria-labelledby=\"signatures-h\""));
    assert!(order.contains("role=\"region\" aria-label=\"Lines\""));
    // A list's table has no heading of its own: the page's title names it.
    assert!(site["orders/index.html"].contains("role=\"region\" aria-label=\"Orders\""));
}

#[test]
fn findings_show_errors_first_on_the_findings_page_and_record_pages() {
    let repo = company();
    // Overdue (a warning) is found on the order's line, before its
    // follow-up at risk without an action (an error) further down the
    // file, and its rule comes first in the catalog: in the report's
    // order the warning would lead.
    repo.edit(
        ORDER_PATH,
        "\n[delivery]\ndate = 2026-04-14\n\n[closed]\ndate = 2026-04-20\n",
        "\n",
    );
    repo.append(
        ORDER_PATH,
        "\n[[followup]]\ndate = 2026-04-01\nby = \"li.sales\"\nnote = \"Supplier late.\"\nrisk = true\n",
    );
    let json = repo.check().json();
    let mine: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["record"] == "SO-2026-0001")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [
            ("overdue".into(), "warning".into()),
            ("risk-unhandled".into(), "error".into())
        ],
        "the report's own order, which the site must not keep"
    );
    let (_dir, site) = build(&repo);

    let order = between(
        &site["orders/SO-2026-0001.html"],
        "id=\"findings\"",
        "</section>",
    );
    let risk = order.find("risk-unhandled").expect("the error is listed");
    let overdue = order.find(">overdue<").expect("the warning is listed");
    assert!(risk < overdue, "errors first on the record page: {order}");

    let findings = &site["findings.html"];
    let by_rule = between(findings, "id=\"by-rule\"", "id=\"by-clause\"");
    let risk = by_rule
        .find("id=\"rule-risk-unhandled\"")
        .expect("the error's rule");
    let overdue = by_rule
        .find("id=\"rule-overdue\"")
        .expect("the warning's rule");
    assert!(risk < overdue, "rules with errors first: {by_rule}");
    // Both rules cite clause 4.3.2: one table, the error first.
    let clause = between(findings, "Clause 4.3.2 (2)", "</table>");
    assert!(
        clause.find("risk-unhandled").unwrap() < clause.find(">overdue<").unwrap(),
        "{clause}"
    );
    // And on the procedure, under the clause the rules belong to.
    let procedure = between(&site["procedure.html"], "id=\"c4.3\"", "</section>");
    assert!(
        procedure
            .find("SO-2026-0001.html\">SO-2026-0001</a></td><td>orders/2026/SO-2026-0001.toml")
            .is_some(),
        "{procedure}"
    );
    let errors_at = procedure.find(">error<").unwrap();
    let warnings_at = procedure.find(">warning<").unwrap();
    assert!(errors_at < warnings_at, "{procedure}");
}

#[test]
fn survey_scores_follow_the_configured_question_order() {
    let repo = company();
    repo.append(
        "docket.toml",
        "survey_questions = [\"service\", \"quality\", \"price\", \"delivery\", \"communication\"]\n",
    );
    repo.edit(
        "surveys/2026/SV-2026-0001.toml",
        "service = 4",
        "service = 5",
    );
    let (_dir, site) = build(&repo);
    let survey = &site["surveys/SV-2026-0001.html"];
    let scores = between(survey, "<h2>Scores</h2>", "</dl>");
    let order: Vec<&str> = scores
        .split("<dt>")
        .skip(1)
        .map(|s| s.split("</dt>").next().unwrap())
        .collect();
    assert_eq!(
        order,
        ["Service", "Quality", "Price", "Delivery", "Communication"],
        "{scores}"
    );
    assert!(scores.contains("<dt>Service</dt><dd>5</dd>"), "{scores}");
}

#[test]
fn follow_ups_are_named_as_the_procedure_names_them() {
    let repo = company();
    repo.append(
        ORDER_PATH,
        "\n[[followup]]\ndate = 2026-04-01\nby = \"li.sales\"\nnote = \"Supplier late.\"\nrisk = true\naction = \"Second supplier.\"\n",
    );
    let (_dir, site) = build(&repo);
    let order = &site["orders/SO-2026-0001.html"];
    assert!(order.contains("<h2>Follow-ups</h2>"), "{order}");
    assert!(site["index.html"].contains("Follow-ups at risk"));
    for (rel, html) in &site {
        assert!(!html.contains("Followup"), "{rel} spells it Followup");
    }
    repo.edit("docket.toml", "language = \"en\"", "language = \"zh-Hant\"");
    let (_dir, site) = build(&repo);
    assert!(site["orders/SO-2026-0001.html"].contains("<h2>追蹤</h2>"));
}

#[test]
fn a_commit_that_touches_several_records_is_one_row_of_recent_changes() {
    let repo = company();
    repo.git_init();
    repo.commit_as("li.sales", "2026-05-02", "Records as of May");
    // One commit: the order's follow-up and the CAPA it opened.
    repo.append(
        ORDER_PATH,
        "\n[[followup]]\ndate = 2026-05-03\nby = \"li.sales\"\nnote = \"Scratches.\"\nrisk = false\n",
    );
    repo.edit(
        "capa/2026/CAPA-2026-0001.toml",
        "Shafts scratched.",
        "Shafts scratched on arrival.",
    );
    // A hostile file name in the same commit: its name is listed, escaped.
    repo.write("orders/2026/\"><b>x.toml", "id = \"x\"\n");
    let both = repo.commit_as(
        "li.sales",
        "2026-05-03",
        "Follow-up and CAPA for the scratches",
    );
    repo.edit(PROPERTY_PATH, "QC lab cabinet 2", "QC lab cabinet 3");
    repo.commit_as("li.sales", "2026-05-04", "Gauge moved");
    let (_dir, site) = build(&repo);
    let changes = &site["changes.html"];
    let body = between(changes, "<tbody>", "</tbody>");
    let rows: Vec<&str> = body.split("<tr").skip(1).collect();
    assert_eq!(rows.len(), 3, "one row per commit: {body}");
    let short = &both.to_string()[..10];
    let row = rows
        .iter()
        .find(|r| r.contains(&format!("id=\"commit-{short}\"")))
        .unwrap_or_else(|| panic!("no row for {short}: {body}"));
    assert!(
        row.contains("Follow-up and CAPA for the scratches"),
        "{row}"
    );
    assert!(
        row.contains("<ul class=\"records\"><li><a href=\"capa/CAPA-2026-0001.html\">CAPA-2026-0001</a></li><li>&quot;&gt;&lt;b&gt;x</li><li><a href=\"orders/SO-2026-0001.html\">SO-2026-0001</a></li></ul>"),
        "both records in the commit's row: {row}"
    );
    assert!(!changes.contains("<b>"), "{row}");
    // No row without its commit, so sorting or filtering cannot part them.
    for r in &rows {
        assert!(r.starts_with(" id=\"commit-"), "{r}");
    }
    let first = rows.iter().find(|r| r.contains("Gauge moved")).unwrap();
    assert!(
        first.contains("<a href=\"property/CP-2026-0001.html\">CP-2026-0001</a>"),
        "{first}"
    );
}
