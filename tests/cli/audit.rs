//! The audit page: linked from the dashboard and every footer; its
//! provenance names the commit built and the SHA-256 of the data.json
//! beside it; its governance log marks the bootstrap and the ungoverned
//! change; its history sections list deleted records and suspicious times;
//! and every signature's commands, run as printed with the site's
//! `allowed_signers`, give what the page says they give.

use crate::fixture::*;
use std::path::Path;
use std::process::Command;

const REVIEW: &str = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";

/// Under policy "ssh": Wang starts the repository (the bootstrap), Li
/// receives an order, Wang approves it with his key, Li slips a key into
/// people.toml (ungoverned), Li approves a second order in Wang's name
/// with her key, a third order is deleted, and a commit is backdated.
fn company() -> Repo {
    let repo = Repo::empty();
    repo.set_policy("ssh");
    repo.write("people.toml", &people_toml_with_keys());
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    repo.git_init();
    repo.commit_with("wang.gm", "2026-01-05", "Start", Signing::KeyOf("wang.gm"));
    repo.write(ORDER_PATH, &ORDER.replace(REVIEW, ""));
    repo.commit_with(
        "li.sales",
        "2026-03-02",
        "Order received",
        Signing::KeyOf("li.sales"),
    );
    repo.write(ORDER_PATH, ORDER);
    repo.commit_with("wang.gm", "2026-03-03", "Review", Signing::KeyOf("wang.gm"));
    repo.append(
        "people.toml",
        &format!(
            "[[person]]\nid = \"eve.sales\"\nname = \"Eve <script>alert(1)</script>\"\nemails = [\"eve@acme.example\"]\n\
             roles = [\"gm\"]\ndepartment = \"sales\"\nkeys = [\"{}\"]\n",
            public_key("li.sales")
        ),
    );
    repo.commit_with(
        "li.sales",
        "2026-03-04",
        "People",
        Signing::KeyOf("li.sales"),
    );
    let second = "orders/2026/SO-2026-0002.toml";
    repo.write(second, &ORDER.replace("SO-2026-0001", "SO-2026-0002"));
    repo.commit_with(
        "wang.gm",
        "2026-03-05",
        "Second order, approved",
        Signing::KeyOf("li.sales"),
    );
    let third = "orders/2026/SO-2026-0003.toml";
    repo.write(
        third,
        &ORDER
            .replace(REVIEW, "")
            .replace("SO-2026-0001", "SO-2026-0003"),
    );
    repo.commit_with(
        "li.sales",
        "2026-03-06",
        "Third",
        Signing::KeyOf("li.sales"),
    );
    repo.remove(third);
    // Committed "before" its parent: a clock set back.
    repo.commit_with("li.sales", "2026-02-01", "Gone", Signing::KeyOf("li.sales"));
    repo
}

/// A company with `people` whose one order Li received (signed with her
/// key), not yet reviewed.
fn order_received(repo: &Repo, people: &str) {
    repo.write("people.toml", people);
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    repo.write(ORDER_PATH, &ORDER.replace(REVIEW, ""));
    repo.git_init();
    repo.commit_with(
        "li.sales",
        "2026-03-02",
        "Order received",
        Signing::KeyOf("li.sales"),
    );
}

fn build(repo: &Repo, site: &Path) {
    let run = repo.docket(&["build", "--out", site.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The section of the page with this id, up to the next section.
fn section<'p>(page: &'p str, id: &str) -> &'p str {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &page[at..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

/// The every-signature tables of the pages the audit page's "by month"
/// block links to, one after another, as an auditor following the links
/// reads them; each page links back to the recipe on the audit page, and
/// no page of signatures is left unlinked.
fn signature_rows(site: &Path) -> String {
    let audit = std::fs::read_to_string(site.join("audit.html")).unwrap();
    let months: Vec<&str> = section(&audit, "by-month")
        .split("<a href=\"")
        .skip(1)
        .map(|a| a.split('"').next().unwrap())
        .collect();
    assert!(!months.is_empty(), "{audit}");
    let mut on_disk: Vec<String> = std::fs::read_dir(site.join("audit"))
        .unwrap()
        .map(|e| format!("audit/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    on_disk.sort();
    let mut linked: Vec<String> = months.iter().map(|m| m.to_string()).collect();
    linked.sort();
    assert_eq!(linked, on_disk);
    let mut rows = String::new();
    for m in months {
        let page = std::fs::read_to_string(site.join(m)).unwrap();
        assert!(page.contains("href=\"../audit.html#how-to-check\""), "{m}");
        // Named for its month: audit/2026-03.html is "Every signature: 2026-03".
        let month = m.trim_start_matches("audit/").trim_end_matches(".html");
        assert!(
            page.contains(&format!("<h1>Every signature: {month}</h1>")),
            "{m}"
        );
        rows.push_str(section(&page, "signatures"));
    }
    rows
}

/// The text of an HTML fragment, tags removed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    unescape(out.trim())
}

fn sh(dir: &Path, script: &str, recipe: &str) -> (bool, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("RECIPE", recipe)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The SHA-256 that `sha256sum` prints for `file`.
fn sha256sum(file: &Path) -> String {
    let out = Command::new("sha256sum").arg(file).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

/// The audit page names the hash of the data.json beside it whether the
/// build wrote data.json (hashed as it is written) or took it unchanged
/// from the previous build (read back), and after a commit changes it.
#[test]
fn the_audit_page_names_the_data_json_it_was_published_with() {
    let repo = company();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let mut seen = Vec::new();
    for round in 0..3 {
        if round == 2 {
            repo.write(
                "customers/C-0002.toml",
                &CUSTOMER.replace("C-0001", "C-0002"),
            );
            repo.commit_as("li.sales", "2026-03-20", "Add a customer");
        }
        build(&repo, &site);
        let sha = sha256sum(&site.join("data.json"));
        let page = std::fs::read_to_string(site.join("audit.html")).unwrap();
        assert!(section(&page, "provenance").contains(&sha), "round {round}");
        seen.push(sha);
    }
    assert_eq!(
        seen[0], seen[1],
        "an unchanged build publishes the same data.json"
    );
    assert_ne!(seen[1], seen[2], "the new customer is in data.json");
}

#[test]
fn the_audit_page_shows_provenance_governance_and_the_audit_trail() {
    let repo = company();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    build(&repo, &site);
    let page = std::fs::read_to_string(site.join("audit.html")).unwrap();
    // Linked from the dashboard and from every page's footer.
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("<a href=\"audit.html\">"), "dashboard");
    let order = std::fs::read_to_string(site.join("orders/SO-2026-0001.html")).unwrap();
    assert!(
        order.contains("<a href=\"../audit.html\">Audit</a>"),
        "footer"
    );

    let head = repo.git().head().unwrap().target().unwrap().to_string();
    let provenance = section(&page, "provenance");
    assert!(provenance.contains(env!("CARGO_PKG_VERSION")));
    assert!(provenance.contains(&head), "{provenance}");
    assert!(provenance.contains(AS_OF));
    assert!(provenance.contains("<dd>ssh</dd>"), "{provenance}");
    // The hash of the data.json published beside it.
    let data = std::fs::read(site.join("data.json")).unwrap();
    let out = Command::new("sha256sum")
        .arg(site.join("data.json"))
        .output()
        .unwrap();
    let sha = String::from_utf8(out.stdout).unwrap()[..64].to_string();
    assert!(!data.is_empty());
    assert!(provenance.contains(&sha), "{provenance}");

    // The governance log: the bootstrap marked, Li's change unproven and
    // her hostile name escaped.
    let gov = section(&page, "governance");
    assert!(gov.contains("bootstrap"), "{gov}");
    assert!(gov.contains("class=\"error long\">unproven: "), "{gov}");
    assert!(gov.contains("Li Mei (li.sales)"), "{gov}");
    assert!(!page.contains("<script>alert"), "unescaped user text");

    // Deleted records and suspicious times.
    assert!(section(&page, "deleted").contains("SO-2026-0003"));
    assert!(section(&page, "times").contains("history-time"));
    // Signatures by state per month: March 2026 has one proven review
    // and one unproven.
    let months = section(&page, "by-month");
    let march = months
        .split("<tr>")
        .find(|r| r.contains("2026-03"))
        .unwrap_or_else(|| panic!("{months}"));
    let cells: Vec<String> = march
        .split("<td>")
        .skip(1)
        .map(|c| text(c.split("</td>").next().unwrap()))
        .collect();
    // month, proven, stale, recorded, unproven, broken, total
    assert_eq!(cells, ["2026-03", "1", "0", "0", "1", "0", "2"], "{march}");
    // The site carries the allowed_signers that docket export writes.
    let exported = repo.docket(&["export", "allowed-signers"]);
    assert_eq!(
        std::fs::read_to_string(site.join("allowed_signers")).unwrap(),
        exported.stdout
    );
}

#[test]
fn every_signature_s_commands_give_what_the_page_says() {
    if Command::new("ssh-keygen").arg("-?").output().is_err() {
        eprintln!("skipped: ssh-keygen is not installed (apt-get install openssh-client)");
        return;
    }
    let repo = company();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    build(&repo, &site);
    let page = std::fs::read_to_string(site.join("audit.html")).unwrap();
    // The auditor's setup: the recipe from the page, allowed_signers
    // downloaded beside the repository.
    let how = unescape(section(&page, "how-to-check"));
    let recipe = how
        .lines()
        .find_map(|l| l.split("RECIPE='").nth(1))
        .and_then(|r| r.strip_suffix('\''))
        .expect("the page defines RECIPE")
        .to_string();
    std::fs::copy(
        site.join("allowed_signers"),
        repo.top.join("allowed_signers"),
    )
    .unwrap();
    let rows = signature_rows(&site);
    let (mut checked, mut verified) = (0, 0);
    for row in rows.split("<tr>").filter(|r| r.contains("class=\"proof-")) {
        let state = row
            .split("class=\"proof-")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let cmds = unescape(
            row.split("<span class=\"cmd cmds\">")
                .nth(1)
                .unwrap()
                .split("</span>")
                .next()
                .unwrap(),
        );
        for line in cmds.lines() {
            let (cmd, expected) = match line.split_once("  # ") {
                Some((c, e)) => (c, Some(e)),
                None => (line, None),
            };
            let (ok, out) = sh(&repo.top, cmd, &recipe);
            if cmd.contains("verify-commit") {
                // git says what the page expects, and only a proven
                // signature expects a good one for its signer.
                let e = expected.expect("an expectation for git verify-commit");
                let good = e.strip_prefix("expect: ");
                match good.filter(|g| g.starts_with("Good")) {
                    Some(g) => {
                        assert!(ok && out.contains(g), "{cmd}: {out}");
                        assert_eq!(state, "proven");
                    }
                    None => {
                        assert!(
                            !out.contains("Good \"git\" signature for wang@"),
                            "{cmd}: {out}"
                        );
                        assert_ne!(state, "proven");
                    }
                }
                verified += 1;
                continue;
            }
            assert!(ok, "{cmd} failed: {out}");
            if let Some(e) = expected {
                let got = out.split_whitespace().next().unwrap_or("");
                assert_eq!(got, e, "{cmd}");
                checked += 1;
            }
        }
    }
    // Two signatures, each with a blob and a SHA-256 to reproduce.
    assert_eq!(checked, 4, "{rows}");
    assert_eq!(verified, 2, "{rows}");
}

#[test]
fn a_hostile_email_cannot_add_a_command_to_the_page() {
    let repo = Repo::empty();
    repo.set_policy("ssh");
    // A newline in the GM's second email: pasted from the page, it would
    // end the "# expect:" comment and run what follows.
    let people = people_toml_with_keys().replacen(
        "emails = [\"wang@acme.example\"]",
        "emails = [\"wang@acme.example\", \"w@x\\ntouch pwned\"]",
        1,
    );
    assert!(people.contains("touch pwned"));
    order_received(&repo, &people);
    repo.write(ORDER_PATH, ORDER);
    repo.commit_with("wang.gm", "2026-03-03", "Review", Signing::KeyOf("wang.gm"));
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    build(&repo, &site);
    let page = unescape(&signature_rows(&site));
    let rows = page.as_str();
    let cmds = rows.split("<span class=\"cmd cmds\">").nth(1).unwrap();
    let cmds = cmds.split("</span>").next().unwrap();
    for line in cmds.lines() {
        assert!(line.starts_with("git "), "not a git command: {line:?}");
    }
    assert!(
        cmds.contains("# expect: Good \"git\" signature for wang@acme.example\n"),
        "{cmds}"
    );
    let exported = repo.docket(&["export", "allowed-signers"]);
    assert!(!exported.stdout.contains("touch"), "{}", exported.stdout);
    assert!(exported.stderr.contains("left out"), "{}", exported.stderr);
}

/// OpenSSH reads an allowed_signers principal as a pattern list: an email
/// "*@acme.example" would let Li's key sign as anyone at the company, and
/// one holding a comma would add a principal. Each such email is left
/// out of `docket export allowed-signers` (and said so); her plain email
/// stays.
#[test]
fn an_email_openssh_reads_as_a_pattern_is_left_out_of_allowed_signers() {
    let hostile = [
        "*@acme.example",
        "wang@acme.example,li2@acme.example",
        "w?ng@acme.example",
        "!li@acme.example",
        "li\"@acme.example",
        "li'@acme.example",
        "li#@acme.example",
    ];
    let repo = Repo::empty();
    repo.set_policy("ssh");
    let listed: Vec<String> = hostile.iter().map(|e| format!("{e:?}")).collect();
    let people = people_toml_with_keys().replacen(
        "emails = [\"li@acme.example\"]",
        &format!("emails = [\"li@acme.example\", {}]", listed.join(", ")),
        1,
    );
    assert!(people.contains("w?ng"), "{people}");
    repo.write("people.toml", &people);
    repo.git_init();
    repo.commit_with("wang.gm", "2026-01-05", "Start", Signing::KeyOf("wang.gm"));
    let exported = repo.docket(&["export", "allowed-signers"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let li = public_key("li.sales");
    let li = li.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let lines: Vec<&str> = exported
        .stdout
        .lines()
        .filter(|l| l.contains(&li))
        .collect();
    assert_eq!(lines.len(), 1, "{}", exported.stdout);
    assert!(lines[0].starts_with("li@acme.example "), "{}", lines[0]);
    for e in hostile {
        assert!(!exported.stdout.contains(e), "{e} in {}", exported.stdout);
        assert!(
            exported.stderr.contains(&format!("{e:?}")),
            "{e}: {}",
            exported.stderr
        );
    }
}

/// A key listed twice for one person, once plainly and once from a date
/// (a careless second entry when the GM "renewed" it), is one window:
/// always. `docket export allowed-signers` writes it as one line without
/// bounds, not a second, narrower line beside it.
#[test]
fn a_key_listed_twice_once_unbounded_exports_as_one_line() {
    let repo = Repo::empty();
    repo.set_policy("ssh");
    let wang = public_key("wang.gm");
    let people = people_toml_with_keys().replacen(
        &format!("keys = [\"{wang}\"]"),
        &format!("keys = [\"{wang}\", {{ key = \"{wang}\", valid_after = 2026-02-01 }}]"),
        1,
    );
    assert_ne!(people, people_toml_with_keys());
    repo.write("people.toml", &people);
    repo.git_init();
    repo.commit_with("wang.gm", "2026-01-05", "Start", Signing::KeyOf("wang.gm"));
    let exported = repo.docket(&["export", "allowed-signers"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let key = wang
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let lines: Vec<&str> = exported
        .stdout
        .lines()
        .filter(|l| l.contains(&key))
        .collect();
    assert_eq!(lines.len(), 1, "{}", exported.stdout);
    assert!(!lines[0].contains("valid-"), "{}", lines[0]);
}

#[test]
fn a_signature_whose_commit_date_is_out_of_range_has_a_month_of_its_own() {
    // A forged commit can carry a time no calendar holds (here the year
    // 14645): its signature is committed, so it is not the working
    // tree's, and it is listed on a page of its own.
    let repo = Repo::empty();
    order_received(&repo, &people_toml_with_keys());
    repo.write(ORDER_PATH, ORDER);
    // git's own command line: libgit2 writes a commit time as 32 bits.
    let out = Command::new("git")
        .current_dir(&repo.top)
        .env("GIT_AUTHOR_DATE", "@400000000000 +0800")
        .env("GIT_COMMITTER_DATE", "@400000000000 +0800")
        .args([
            "-c",
            "user.name=Wang Daming",
            "-c",
            "user.email=wang@acme.example",
        ])
        .args(["-c", "commit.gpgsign=false", "commit", "-qam", "Review"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    build(&repo, &site);
    let audit = std::fs::read_to_string(site.join("audit.html")).unwrap();
    assert!(
        section(&audit, "by-month")
            .contains("<a href=\"audit/undated.html\">date out of range</a>"),
        "{audit}"
    );
    assert!(!site.join("audit/working-tree.html").exists());
    let page = std::fs::read_to_string(site.join("audit/undated.html")).unwrap();
    assert!(
        page.contains("<h1>Every signature: date out of range</h1>"),
        "{page}"
    );
    assert!(
        section(&page, "signatures").contains("SO-2026-0001"),
        "{page}"
    );
}
