//! `docket build` and `docket status`: the site as files on disk, read the
//! way a browser or an auditor would.

use crate::fixture::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CAPA: &str = r#"id = "CAPA-2026-0001"
kind = "corrective"
source = "complaint"
customer = "C-0001"
order = "SO-2026-0001"
opened = 2026-05-02
opened_by = "li.sales"
description = "Shafts *scratched* on arrival."
responsible_department = "manufacturing"

[investigation]
by = "zhao.mfg"
date = 2026-05-06
root_cause = "Packing without sleeves."
countermeasure = "Sleeves on every shaft."
"#;

const REPORT: &str = r#"id = "UR-2026-0001"
customer = "C-0001"
date = 2026-04-01
by = "li.sales"
to = "wang.gm"
summary = "Customer happy with the shafts."
"#;

const PROCEDURE: &str = "# Service responsibility\n\n## 3 Responsibilities {#c3}\n\nThe GM signs.\n\n\
## 4.2.1 Order review {#c4.2.1}\n\nThe GM reviews every order.\n\n## 4.5.2 CAPA {#c4.5.2}\n\nComplaints go on a CAPA.\n";

/// The base fixture with one record of every kind and a procedure.
fn full() -> Repo {
    let repo = Repo::base();
    repo.write("capa/2026/CAPA-2026-0001.toml", CAPA);
    repo.write(PROPERTY_PATH, PROPERTY);
    repo.write("reports/2026/UR-2026-0001.toml", REPORT);
    repo.write("procedure.md", PROCEDURE);
    repo
}

fn build(repo: &Repo, out: &Path) -> Run {
    repo.docket(&["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF])
}

#[track_caller]
fn built(repo: &Repo, out: &Path) {
    let run = build(repo, out);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
}

/// Every file of the site, relative path -> bytes.
fn files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut map = BTreeMap::new();
    for e in walkdir::WalkDir::new(out).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            map.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    map
}

fn page(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The values of every `attr="..."` in an HTML text.
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').unwrap();
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn site_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    (dir, out)
}

#[test]
fn every_record_has_a_page_and_every_link_resolves_inside_the_site() {
    let repo = full();
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Hamburg\"\nattachments = [\"SO-2026-0001/po 88812.pdf\"]",
    );
    repo.write_bytes(
        "orders/2026/SO-2026-0001/po 88812.pdf",
        b"%PDF-1.4 the customer's own order",
    );
    let (_dir, out) = site_dir();
    built(&repo, &out);
    for rel in [
        "index.html",
        "customers/index.html",
        "customers/C-0001.html",
        "products/AP-SH-1020.html",
        "orders/SO-2026-0001.html",
        "flowsheets/MF-2026-0001.html",
        "capa/CAPA-2026-0001.html",
        "surveys/SV-2026-0001.html",
        "property/CP-2026-0001.html",
        "reports/UR-2026-0001.html",
        "people.html",
        "findings.html",
        "rules.html",
        "procedure.html",
        "changes.html",
        "feed.xml",
        "data.json",
        "site.css",
        "site.js",
    ] {
        assert!(out.join(rel).is_file(), "{rel} missing");
    }
    // The attachment is copied and linked with its size and blob id.
    assert!(
        out.join("files/orders/2026/SO-2026-0001/po 88812.pdf")
            .is_file()
    );
    let order = page(&out, "orders/SO-2026-0001.html");
    assert!(
        order.contains("href=\"../files/orders/2026/SO-2026-0001/po%2088812.pdf\""),
        "{order}"
    );

    let site = files(&out);
    let mut checked = 0;
    for (rel, bytes) in site.iter().filter(|(r, _)| r.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        let dir = Path::new(rel).parent().unwrap();
        for link in attrs(&html, "href").into_iter().chain(attrs(&html, "src")) {
            // The icon is inline: an SVG in a data: URL, not a request.
            if link.starts_with("data:") {
                assert!(link.starts_with("data:image/svg+xml,"), "{rel}: {link}");
                continue;
            }
            assert!(
                !link.contains("://") && !link.starts_with('/') && !link.starts_with("//"),
                "{rel}: absolute link {link}"
            );
            let target = link.split(['#', '?']).next().unwrap();
            if target.is_empty() {
                continue;
            }
            let decoded = target.replace("%20", " ");
            let mut parts: Vec<String> = dir
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            for seg in decoded.split('/') {
                match seg {
                    ".." => assert!(
                        parts.pop().is_some(),
                        "{rel}: {link} points outside the site"
                    ),
                    "." => {}
                    s => parts.push(s.to_string()),
                }
            }
            let resolved = parts.join("/");
            assert!(
                site.contains_key(&resolved),
                "{rel}: {link} -> {resolved} does not exist"
            );
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} links checked");
}

#[test]
fn the_customer_page_gathers_everything_of_that_customer() {
    let repo = full();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let customer = page(&out, "customers/C-0001.html");
    for id in [
        "SO-2026-0001",
        "MF-2026-0001",
        "CAPA-2026-0001",
        "SV-2026-0001",
        "CP-2026-0001",
        "UR-2026-0001",
    ] {
        assert!(customer.contains(id), "customer page lacks {id}");
    }
    let people = page(&out, "people.html");
    assert!(
        people.contains("order review: approved"),
        "the GM's review is listed under what he signed"
    );
}

#[test]
fn the_order_page_shows_its_signatures_and_timeline() {
    let repo = full();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let order = page(&out, "orders/SO-2026-0001.html");
    let sig = &order[order.find("id=\"signatures\"").expect("signature block")..];
    let sig = &sig[..sig.find("</section>").unwrap()];
    for want in [
        "Wang Daming",
        "gm",
        "2026-03-03",
        "order review: approved",
        "not verified",
    ] {
        assert!(sig.contains(want), "signature block lacks {want}:\n{sig}");
    }
    // Without git history nothing is proven: the row is styled (and
    // coloured) as unverified, never as proven.
    assert!(sig.contains("<tr class=\"sig-unverified\">"), "{sig}");
    assert!(!sig.contains("sig-proven"), "{sig}");
    assert!(order.contains("id=\"timeline\""));
    // Every field of the record is shown.
    for want in [
        "PO-88812",
        "Hamburg",
        "AP-SH-1020",
        "500",
        "2026-04-15",
        "2026-04-14",
        "2026-04-20",
    ] {
        assert!(order.contains(want), "order page lacks {want}");
    }
}

#[test]
fn findings_show_on_the_pages_they_concern() {
    let repo = full();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    let (_dir, out) = site_dir();
    // Findings are content: the build succeeds.
    built(&repo, &out);
    let order = page(&out, "orders/SO-2026-0001.html");
    let findings = &order[order.find("id=\"findings\"").unwrap()..];
    assert!(findings.contains("illegible-approved"));
    assert!(
        findings.contains("href=\"../procedure.html#c4.2.1\""),
        "clause links to the procedure"
    );
    let all = page(&out, "findings.html");
    assert!(all.contains("id=\"rule-illegible-approved\""));
    assert!(all.contains("SO-2026-0001"));
    let procedure = page(&out, "procedure.html");
    let clause = &procedure[procedure.find("id=\"c4.2.1\"").unwrap()..];
    let clause = &clause[..clause.find("</section>").unwrap()];
    assert!(
        clause.contains("review-missing") && clause.contains("illegible-approved"),
        "rules of 4.2.1 and 4.2.1 A"
    );
    assert!(
        clause.contains("SO-2026-0001"),
        "open finding under its clause"
    );
    assert!(!page(&out, "customers/C-0001.html").contains("illegible-approved"));
}

#[test]
fn hostile_text_is_rendered_inert() {
    let repo = full();
    let evil = r#"<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> <a href=\"javascript:alert(4)\" onclick=\"alert(5)\">y</a>"#;
    repo.edit(
        "capa/2026/CAPA-2026-0001.toml",
        "Shafts *scratched* on arrival.",
        evil,
    );
    repo.edit(ORDER_PATH, "PO-88812", evil);
    repo.edit(
        "customers/C-0001.toml",
        "Anna Keller",
        "<script>alert(6)</script>\\\" onerror=\\\"alert(7)' onfocus='alert(11) R&D",
    );
    // The company's name is in every page's print style too (the foot of
    // each printed sheet): it must not end the string or the element.
    repo.edit(
        "docket.toml",
        "Acme Precision Parts Co., Ltd.",
        "Acme\\\"; } }</style><script>alert(8)</script><style>",
    );
    let (_dir, out) = site_dir();
    built(&repo, &out);
    for (rel, bytes) in files(&out) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        // Escaped text never holds a raw `<`, so the tags are exactly the
        // `<...>` spans: none may carry an event handler or a script URL.
        // Attribute values (escaped, so they hold no `"`) are dropped
        // first: an aria-label may say "one"; a value that escaped its
        // quotes leaves its `on...=` outside them.
        for tag in html
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap().to_lowercase())
        {
            let names: String = tag.split('"').step_by(2).collect::<Vec<_>>().join("\"\"");
            let handler = names
                .split_whitespace()
                .skip(1)
                .any(|a| a.starts_with("on"));
            assert!(!handler, "{rel}: event handler in <{tag}>");
            assert!(!tag.contains("javascript:"), "{rel}: script URL in <{tag}>");
            assert!(!tag.starts_with("img"), "{rel}: <{tag}>");
            if tag.starts_with("script") {
                assert!(
                    tag.starts_with("script src=\"") && tag.ends_with("site.js\" defer"),
                    "{rel}: <{tag}>"
                );
            }
        }
    }
    let order = page(&out, "orders/SO-2026-0001.html");
    assert!(
        order.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "plain fields are escaped, not dropped"
    );
    // Each of the five characters HTML gives meaning to, single quotes
    // too (for an attribute a template quotes with them).
    let customer = page(&out, "customers/C-0001.html");
    assert!(
        customer.contains(
            "&lt;script&gt;alert(6)&lt;/script&gt;&quot; onerror=&quot;alert(7)&#39; onfocus=&#39;alert(11) R&amp;D"
        ),
        "{customer}"
    );
    assert!(
        order.contains(
            r#"content: "SO-2026-0001 · Acme\22 ; } }\3c /style\3e \3c script\3e alert(8)"#
        ),
        "the name is one CSS string: {}",
        &order[..order.find("</head>").unwrap()]
    );
}

/// The markup of a cell is written three times in the built-in
/// `macros.html`: the `ui.cell` component, and inlined (a component call
/// costs tera about as much as the cell) in a block's fields and a
/// table's cells. The three must stay word for word the same.
#[test]
fn the_inlined_cells_are_the_cell_component_word_for_word() {
    let macros = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/macros.html"
    ))
    .unwrap();
    let open = "{% component ui.cell(c, @root) -%}\n";
    let start = macros.find(open).expect("the ui.cell component") + open.len();
    let end = macros.find("\n{%- endcomponent ui.cell %}").unwrap();
    let cell = &macros[start..end];
    for part in [
        "c.html | safe",
        "{{ root }}{{ c.href }}",
        "c.class",
        "{{ c.text }}",
    ] {
        assert!(cell.contains(part), "{part} in {cell}");
    }
    assert_eq!(
        macros.matches(cell).count(),
        2,
        "the component and a table's cells"
    );
    let field = format!("<dd>{}</dd>", cell.replace("c.", "f.cell."));
    assert_eq!(macros.matches(&field).count(), 1, "a block's fields");
}

#[test]
fn two_builds_are_byte_identical() {
    let repo = full();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let first = files(&out);
    built(&repo, &out);
    assert_eq!(first, files(&out));
    let data: serde_json::Value = serde_json::from_slice(&first["data.json"]).unwrap();
    assert_eq!(data["as_of"], AS_OF);
    assert_eq!(data["derived"]["order_status"]["SO-2026-0001"], "closed");
    assert_eq!(data["model"]["orders"][0]["id"], "SO-2026-0001");
}

#[test]
fn a_broken_template_override_fails_the_build_and_keeps_the_published_site() {
    let repo = full();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let before = files(&out);
    repo.write(
        "templates/record.html",
        "{% extends \"base.html\" %}{% block content %}{% if %}{% endblock content %}",
    );
    let run = build(&repo, &out);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("template") && run.stderr.contains("record.html"),
        "{}",
        run.stderr
    );
    assert_eq!(before, files(&out), "the previous site is untouched");
    // Beside the site only its build lock, which stays (docs/site.md).
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != ".site.docket-lock")
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary folder left behind: {leftovers:?}"
    );
}

#[test]
fn a_template_override_replaces_the_builtin_by_name() {
    let repo = full();
    repo.write(
        "templates/changes.html",
        "{% extends \"base.html\" %}{% block content %}<p>our own changes page</p>{% endblock content %}",
    );
    repo.write("templates/site.css", "body { color: black; }\n");
    let (_dir, out) = site_dir();
    built(&repo, &out);
    assert!(page(&out, "changes.html").contains("our own changes page"));
    assert_eq!(page(&out, "site.css"), "body { color: black; }\n");
}

#[test]
fn build_refuses_to_replace_a_folder_that_is_not_a_site() {
    let repo = full();
    let (_dir, out) = site_dir();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    let run = build(&repo, &out);
    assert_eq!(run.code, 2);
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn zh_hant_sites_use_the_procedures_terms() {
    let repo = full();
    repo.edit("docket.toml", "language = \"en\"", "language = \"zh-Hant\"");
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let index = page(&out, "index.html");
    assert!(index.contains("<html lang=\"zh-Hant\">"));
    for term in [
        "訂單",
        "客戶一覽表",
        "料號",
        "製造流程單",
        "糾正/預防措施處理單",
        "顧客滿意度調查表",
    ] {
        assert!(index.contains(term), "dashboard lacks {term}");
    }
    let order = page(&out, "orders/SO-2026-0001.html");
    assert!(order.contains("已結案"), "status in Chinese");
    assert!(order.contains("簽核"));
    assert!(
        order.contains("訂單審查：已核准"),
        "the signature's meaning too"
    );
}

#[test]
fn status_prints_the_dashboard_figures() {
    let repo = full();
    repo.write(
        "orders/2026/SO-2026-0002.toml",
        &ORDER
            .replace("SO-2026-0001", "SO-2026-0002")
            .replace("received = 2026-03-02", "received = 2026-06-10")
            .split("\n[capacity]")
            .next()
            .unwrap()
            .replace("2026-04-15", "2026-06-30"),
    );
    let run = repo.docket(&["status", "--format", "json", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["orders"]["total"], 2);
    assert_eq!(
        json["orders"]["awaiting_review"][0]["order"],
        "SO-2026-0002"
    );
    assert_eq!(json["orders"]["awaiting_review"][0]["days"], 5);
    assert_eq!(json["capa"]["open"][0]["stage"], "investigation");
    assert_eq!(json["surveys"]["coverage"][0]["year"], 2026);
    let human = repo.docket(&["status", "--as-of", AS_OF]);
    assert!(
        human.stdout.contains("awaiting review: SO-2026-0002"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_template_that_fails_to_render_fails_the_build() {
    let repo = full();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let before = files(&out);
    // Compiles, but names a label that does not exist: caught when rendering.
    repo.write(
        "templates/people.html",
        "{% extends \"base.html\" %}{% block content %}{{ t.no_such_label }}{% endblock content %}",
    );
    let run = build(&repo, &out);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("people.html"), "{}", run.stderr);
    assert_eq!(before, files(&out));
}

/// The base records committed as the procedure means: Li writes the order,
/// the GM adds his review in his own commit, then someone else edits it.
fn committed() -> Repo {
    let repo = full();
    repo.set_policy("author");
    let review = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";
    repo.write(ORDER_PATH, &ORDER.replace(review, ""));
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Order SO-2026-0001 <received>");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("wang.gm", "2026-03-03", "Review SO-2026-0001");
    repo
}

#[test]
fn the_order_page_shows_proofs_and_timeline_from_git_history() {
    let repo = committed();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let order = page(&out, "orders/SO-2026-0001.html");
    let sig = &order[order.find("id=\"signatures\"").unwrap()..];
    let sig = &sig[..sig.find("</section>").unwrap()];
    assert!(sig.contains("class=\"sig-proven\""), "{sig}");
    assert!(
        sig.contains("wang@acme.example"),
        "how it was proven: {sig}"
    );
    let head = repo.git().head().unwrap().target().unwrap().to_string();
    assert!(sig.contains(&head[..10]), "the signature commit: {sig}");
    let timeline = &order[order.find("id=\"timeline\"").unwrap()..];
    assert!(timeline.contains("Wang Daming (wang.gm)") && timeline.contains("Li Mei (li.sales)"));
    assert!(
        timeline.contains("review: added"),
        "field-level change: {timeline}"
    );
    assert!(timeline.contains("2026-03-03"));
    // Recent changes and the feed list both commits, escaped.
    let changes = page(&out, "changes.html");
    assert!(changes.contains("Review SO-2026-0001"));
    assert!(changes.contains("Order SO-2026-0001 &lt;received&gt;"));
    let feed = page(&out, "feed.xml");
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    // History included, the same commit still gives the same bytes.
    let first = files(&out);
    built(&repo, &out);
    assert_eq!(first, files(&out));
}

#[test]
fn a_signed_section_changed_by_someone_else_shows_as_broken() {
    let repo = committed();
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-04");
    repo.commit_as("li.sales", "2026-03-05", "Fix the review date");
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let order = page(&out, "orders/SO-2026-0001.html");
    assert!(
        order.contains("class=\"sig-broken\"") || order.contains("class=\"sig-unproven\""),
        "{order}"
    );
    let index = page(&out, "index.html");
    let broken = index
        .contains("<dt>broken</dt><dd><a href=\"findings.html#rule-signature-broken\">1</a></dd>")
        || index.contains(
            "<dt>unproven</dt><dd><a href=\"findings.html#rule-signature-unproven\">1</a></dd>",
        );
    assert!(broken, "the dashboard counts it");
}

#[cfg(unix)]
#[test]
fn unchanged_files_keep_their_identity_across_builds() {
    use std::os::unix::fs::MetadataExt;
    let repo = full();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let ino = |rel: &str| std::fs::metadata(out.join(rel)).unwrap().ino();
    let (customer, order) = (
        ino("customers/C-0001.html"),
        ino("orders/SO-2026-0001.html"),
    );
    // A rebuild of the same records reuses every file: an rsync mirror
    // of the site copies nothing.
    built(&repo, &out);
    assert_eq!(ino("customers/C-0001.html"), customer);
    assert_eq!(ino("orders/SO-2026-0001.html"), order);
    // Changing one order rewrites its page, not an unrelated product's.
    let product = ino("products/AP-SH-1020.html");
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Bremen\"",
    );
    built(&repo, &out);
    assert_ne!(
        ino("orders/SO-2026-0001.html"),
        order,
        "the changed page was not rewritten"
    );
    assert!(
        std::fs::read_to_string(out.join("orders/SO-2026-0001.html"))
            .unwrap()
            .contains("Bremen")
    );
    assert_eq!(ino("products/AP-SH-1020.html"), product);
}

#[test]
fn review_turnaround_counts_a_re_review_from_the_change() {
    // Received 03-02, changed 03-10, reviewed again 03-11: one day, as the
    // review-missing rule counts it, not nine from receipt.
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-11");
    repo.append(
        ORDER_PATH,
        "[[change]]\ndate = 2026-03-10\nby = \"li.sales\"\nwhat = [\"quantity\"]\nnotified = [\"manufacturing\"]\n",
    );
    let json = repo
        .docket(&["status", "--format", "json", "--as-of", AS_OF])
        .json();
    assert_eq!(
        json["orders"]["turnaround"]["max_days"], 1,
        "{:#}",
        json["orders"]["turnaround"]
    );
    assert_eq!(json["orders"]["turnaround"]["within_policy"], 1);
    assert!(repo.check().of("review-missing").is_empty());
}

/// Everything below `git_dir/docket`, removed: the next run starts cold.
fn drop_caches(repo: &Repo) {
    let dir = repo.git().path().join("docket");
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[track_caller]
fn rendered(run: &Run) -> usize {
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    let (_, rest) = run.stdout.split_once(" pages (").expect(&run.stdout);
    rest.split_once(" rendered").unwrap().0.parse().unwrap()
}

#[test]
fn an_incremental_build_equals_a_cold_one() {
    let repo = committed();
    let (_dir, out) = site_dir();
    let first = rendered(&build(&repo, &out));
    assert!(first > 10, "a first build renders every page");
    // Nothing changed: every page comes from the previous build.
    assert_eq!(rendered(&build(&repo, &out)), 0);
    // A commit that changes no value changes only the order's timeline,
    // which is not part of the page's view: its inputs must be.
    assert!(!page(&out, "orders/SO-2026-0001.html").contains("2026-03-05"));
    repo.append(ORDER_PATH, "# checked against the customer's fax\n");
    repo.commit_as("li.sales", "2026-03-05", "Note the fax");
    build(&repo, &out);
    assert!(page(&out, "orders/SO-2026-0001.html").contains("2026-03-05"));

    // Someone other than the GM edits the approved review: the history
    // caches (index, proofs) and the page manifest are all behind now.
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-04");
    repo.commit_as("li.sales", "2026-03-07", "Fix the review date");
    let again = rendered(&build(&repo, &out));
    assert!(
        again > 0 && again < first,
        "{again} of {first} pages rendered"
    );
    let order = page(&out, "orders/SO-2026-0001.html");
    assert!(order.contains("2026-03-07"), "the timeline moved on");
    assert!(
        order.contains("class=\"sig-broken\"") || order.contains("class=\"sig-unproven\""),
        "the cached proof was not reused: {order}"
    );
    let incremental = files(&out);

    // The same commit built from nothing gives the same bytes.
    drop_caches(&repo);
    let (_cold_dir, cold) = site_dir();
    built(&repo, &cold);
    assert_eq!(incremental, files(&cold));
}

/// A build reads each old revision once: the proofs, which read every
/// revision of a signed record, keep what each one changed for the
/// record's timeline; when the proofs come from the cache, the page reads
/// the revisions itself. Both ways give the same page, down to a revision
/// that is not TOML (a merge conflict committed), the one after it, and a
/// deletion (which, as in `docket log`, is not every field removed).
#[test]
fn a_timeline_is_the_same_whether_the_proofs_or_the_page_read_the_revisions() {
    let repo = committed();
    repo.write(ORDER_PATH, &format!("<<<<<<< HEAD\n{ORDER}"));
    repo.commit_as(
        "li.sales",
        "2026-03-04",
        "Order SO-2026-0001, conflict committed",
    );
    let mended = ORDER.replace("\"Hamburg\"", "\"Bremen\"");
    repo.write(ORDER_PATH, &mended);
    repo.commit_as("li.sales", "2026-03-05", "Order SO-2026-0001 mended");
    repo.remove(ORDER_PATH);
    repo.commit_as(
        "li.sales",
        "2026-03-06",
        "Order SO-2026-0001 deleted by mistake",
    );
    repo.write(ORDER_PATH, &mended);
    repo.commit_as("li.sales", "2026-03-07", "Order SO-2026-0001 restored");
    drop_caches(&repo);
    let (_cold_dir, cold) = site_dir();
    built(&repo, &cold);
    // The proofs of this build come from the cache the first one wrote.
    let (_warm_dir, warm) = site_dir();
    built(&repo, &warm);
    let order = page(&cold, "orders/SO-2026-0001.html");
    assert_eq!(order, page(&warm, "orders/SO-2026-0001.html"));
    let timeline = &order[order.find("id=\"timeline\"").expect(&order)..];
    let rows: Vec<&str> = timeline.split("<tr><td>").skip(1).collect();
    assert_eq!(rows.len(), 6, "{timeline}");
    // Newest first: the restored order lists what it holds; the deletion
    // says so and lists nothing removed; the mended order lists what it
    // holds (the revision before it could not be read); the conflict says
    // why it was not read; the review and the order as received list
    // their fields.
    assert!(
        rows[0].contains("delivery_place: added &quot;Bremen&quot;"),
        "{}",
        rows[0]
    );
    assert!(rows[1].contains("<li>deleted</li>"), "{}", rows[1]);
    assert!(!rows[1].contains("removed"), "{}", rows[1]);
    assert!(
        rows[2].contains("delivery_place: added &quot;Bremen&quot;"),
        "{}",
        rows[2]
    );
    assert!(rows[3].contains("not read (parse): "), "{}", rows[3]);
    assert!(!rows[3].contains("<li>"), "{}", rows[3]);
    assert!(rows[4].contains("<li>review: added</li>"), "{}", rows[4]);
    assert!(
        rows[5].contains("delivery_place: added &quot;Hamburg&quot;"),
        "{}",
        rows[5]
    );
}

/// A hostile value committed into a record reaches its page's timeline
/// through the lines the proofs keep (a cold build) as escaped text, as
/// it does through the page's own reading: a field change is data, never
/// markup.
#[test]
fn a_hostile_value_in_a_kept_timeline_line_is_escaped() {
    let repo = committed();
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    repo.write(
        ORDER_PATH,
        &ORDER.replace("\"Hamburg\"", &format!("\"Hamburg {evil}\"")),
    );
    repo.commit_as("li.sales", "2026-03-04", "Order SO-2026-0001 <b>place</b>");
    drop_caches(&repo);
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let order = page(&out, "orders/SO-2026-0001.html");
    let timeline = &order[order.find("id=\"timeline\"").expect(&order)..];
    assert!(
        timeline.contains(
            "delivery_place: &quot;Hamburg&quot; -&gt; &quot;Hamburg &lt;script&gt;alert(1)&lt;"
        ),
        "{timeline}"
    );
    assert!(!order.contains("<script>alert"), "{order}");
    assert!(!order.contains("<img src=x"), "{order}");
}

#[test]
fn a_corrupt_cache_changes_nothing_but_speed_and_a_garbled_manifest_is_refused() {
    let repo = committed();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let reference = files(&out);
    let git_cache = repo.git().path().join("docket");
    let cached: Vec<_> = std::fs::read_dir(&git_cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        cached.len() >= 2,
        "history and proofs are cached: {cached:?}"
    );
    // Truncated, garbage, and valid JSON of the wrong shape.
    let manifest = page(&out, ".docket-manifest");
    for junk in [
        "{\"format\":",
        "\u{0}\u{1}binary",
        "{\"format\": 2, \"files\": 7}",
    ] {
        for file in &cached {
            std::fs::write(file, junk).unwrap();
        }
        built(&repo, &out);
        assert_eq!(files(&out), reference, "with {junk:?} as cache");
        // A garbled manifest no longer proves the folder is docket's
        // own: the build refuses it and leaves it as it is.
        std::fs::write(out.join(".docket-manifest"), junk).unwrap();
        let run = build(&repo, &out);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("damaged"), "{}", run.stderr);
        let mut damaged = reference.clone();
        damaged.insert(".docket-manifest".into(), junk.as_bytes().to_vec());
        assert_eq!(files(&out), damaged);
        std::fs::write(out.join(".docket-manifest"), &manifest).unwrap();
    }
    // A manifest that claims a page is up to date when it is not: the
    // page's fingerprint no longer matches, so it is rendered again.
    let manifest = page(&out, ".docket-manifest");
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Bremen\"",
    );
    repo.commit_as("li.sales", "2026-03-06", "Deliver to Bremen");
    std::fs::write(out.join(".docket-manifest"), manifest).unwrap();
    built(&repo, &out);
    assert!(page(&out, "orders/SO-2026-0001.html").contains("Bremen"));
}

/// A person's name is text someone typed into people.toml: in the history
/// messages, signature blocks and timelines it names the person, escaped.
#[test]
fn a_hostile_name_in_people_toml_stays_text_in_history_messages() {
    let repo = Repo::base();
    repo.set_policy("author");
    let evil = "<script>alert(9)</script><img src=x onerror=alert(10)>";
    let people = repo.read("people.toml");
    assert!(people.contains("\"Li Mei\""), "{people}");
    repo.write(
        "people.toml",
        &people.replace("\"Li Mei\"", &format!("\"{evil}\"")),
    );
    repo.git_init();
    repo.commit_as("wang.gm", "2026-03-03", "Records and the review");
    // Li changes the approved order without a [[change]] entry: the
    // finding says who did it, by name.
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 520");
    repo.commit_as("li.sales", "2026-03-09", "Quantity 520");
    let check = repo.check();
    let f = fires(&check, "change-unrecorded");
    assert!(
        f[0].message.contains(evil),
        "the name is in the message: {}",
        f[0].message
    );
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let mut seen = false;
    for (rel, bytes) in files(&out) {
        // data.json is data (JSON-escaped, read by no page); the pages and
        // the feed are markup.
        if rel.ends_with(".json") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("<script>alert"),
            "{rel}: raw script from a name"
        );
        assert!(!text.contains("<img src=x"), "{rel}: raw tag from a name");
        seen |= text.contains("&lt;script&gt;alert(9)&lt;/script&gt;");
    }
    assert!(seen, "the name is shown, escaped, somewhere");
    let order = page(&out, "orders/SO-2026-0001.html");
    assert!(
        order.contains("&lt;script&gt;alert(9)"),
        "the order page names Li, escaped"
    );
}

/// Each commit's signature on the site is what git would say of it, and
/// the same bytes whether the walk verified it (a build that renders every
/// page) or the page did when first shown (a page rendered again into a
/// published site): a good signature, one over altered content, one by a
/// key nobody held then (held later: that must not lend it a name), and
/// one by somebody else's key than the author's.
#[test]
fn a_signature_reads_the_same_verified_by_the_walk_or_by_the_page() {
    let repo = Repo::empty();
    repo.set_policy("ssh");
    repo.write("people.toml", &people_toml_with_keys());
    for (path, text) in [
        ("customers/C-0001.toml", CUSTOMER.to_string()),
        ("products/AP-SH-1020.toml", PRODUCT.to_string()),
        (ORDER_PATH, ORDER.to_string()),
        (SURVEY_PATH, SURVEY.to_string()),
    ] {
        repo.write(path, &text);
    }
    repo.git_init();
    repo.commit_with(
        "wang.gm",
        "2026-03-02",
        "Records",
        Signing::KeyOf("wang.gm"),
    );
    // Published before the commits below: their pages are rendered again
    // into it, each signature verified as the page shows it.
    let (_early, republished) = site_dir();
    built(&repo, &republished);
    assert!(republished.join(".docket-manifest").exists());

    let edits = [
        (
            "customers/C-0001.toml",
            "Anna Keller",
            "Anna Kellerman",
            Signing::Tampered("li.sales"),
        ),
        (
            "products/AP-SH-1020.toml",
            "Stainless shaft",
            "Steel shaft",
            Signing::KeyOf("li.laptop"),
        ),
        (
            SURVEY_PATH,
            "year = 2026",
            "year = 2026\n",
            Signing::KeyOf("wang.gm"),
        ),
    ];
    for (i, (path, from, to, signing)) in edits.into_iter().enumerate() {
        repo.edit(path, from, to);
        let date = format!("2026-03-0{}", i + 3);
        repo.commit_with("li.sales", &date, &format!("Edit {path}"), signing);
    }
    let li = format!("\"{}\"", public_key("li.sales"));
    let laptop = format!("{li}, \"{}\"", public_key("li.laptop"));
    repo.edit("people.toml", &li, &laptop);
    let add = Signing::KeyOf("wang.gm");
    repo.commit_with("wang.gm", "2026-03-09", "Li's laptop key", add);
    repo.edit(ORDER_PATH, "Hamburg", "Hamburg-Altona");
    repo.commit_with(
        "li.sales",
        "2026-03-10",
        "Delivery place",
        Signing::KeyOf("li.laptop"),
    );
    // A signed commit that changed no record is on no page: not verified.
    repo.write(".editorconfig", "root = true\n");
    repo.commit_with("wang.gm", "2026-03-11", "Editor", Signing::KeyOf("wang.gm"));
    // Where each signature was verified, as DOCKET_TIMINGS counts it.
    let verified = |out: &Path| -> (usize, usize) {
        let run = Run::from(
            docket_cmd()
                .env("DOCKET_TIMINGS", "1")
                .args(["build", "--as-of", AS_OF, "--out", out.to_str().unwrap()])
                .arg("--records")
                .arg(&repo.root)
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let count = |name: &str| -> usize {
            let prefix = format!("count {name} ");
            let line = run.stderr.lines().find_map(|l| l.strip_prefix(&prefix));
            let n = line.and_then(|n| n.trim().parse().ok());
            n.unwrap_or_else(|| panic!("no count of {name}:\n{}", run.stderr))
        };
        (
            count("signatures in the walk"),
            count("signatures when asked"),
        )
    };
    let (walked, asked) = verified(&republished);
    assert_eq!(
        walked, 0,
        "a build into a published site verifies when asked"
    );
    assert!(asked > 0, "the pages rendered again verified their commits");
    // A first build: no site to take pages from, no cached history.
    std::fs::remove_dir_all(repo.git().path().join("docket")).unwrap();
    let (_fresh, fresh) = site_dir();
    let (walked, asked) = verified(&fresh);
    assert_eq!(
        (walked, asked),
        (6, 0),
        "the walk verified all six SSH signatures"
    );

    let shown = |rel: &str, says: &str| {
        let html = page(&fresh, rel);
        assert!(html.contains(says), "{rel} should say {says:?}:\n{html}");
    };
    shown(
        "customers/C-0001.html",
        "bad signature: the SSH signature by li.sales does not verify",
    );
    shown(
        "products/AP-SH-1020.html",
        "SSH-signed with an unknown key (SHA256:",
    );
    shown(
        "surveys/SV-2026-0001.html",
        "SSH-signed by wang.gm (SHA256:",
    );
    // The laptop's key, once listed, is Li's.
    shown(
        "orders/SO-2026-0001.html",
        "SSH-signed by li.sales (SHA256:",
    );
    let (a, b) = (files(&fresh), files(&republished));
    let differ: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    assert!(differ.is_empty(), "the two sites differ in {differ:?}");
}
