//! The audit page (`audit.html`): what an auditor needs to check the site
//! without trusting docket.
//!
//! Everything docket concludes about signatures rests on git objects, so
//! the page gives the way back to them: the build's provenance (docket's
//! version, the commit built, the as-of date, the policy, whether caches
//! were used, and the SHA-256 of `data.json`, which the page can name
//! because it is written after it); the governance log (every change to
//! people.toml, docket.toml and procedure.md, who made it and whether it
//! took effect, the bootstrap marked); the history findings (records
//! deleted, history rewritten, commits with suspicious times, everything
//! else of clause 7.5.3); the signatures by state per month; and, on a
//! page per month (`audit/2026-03.html`), for every signature, the plain
//! git commands that reproduce its proof with the `allowed_signers` file
//! the build writes beside the audit page. Each is printable like every
//! other page: the paper form of the audit trail, a month to a sheaf.

use super::context::Cx;
use super::views::{Block, Cell, Field, Page, Table};
use crate::finding::{Message, RuleId};
use crate::history::{COVERAGE, History, Proof, Shown};
use std::collections::BTreeMap;

/// The script of the SHA-256 recipe, reading the file from stdin: the
/// section name, and an index for an array of sections (`extra_review 0`).
pub const RECIPE: &str = r#"import tomllib,json,sys; d=tomllib.loads(sys.stdin.read()); s=d[sys.argv[1]]; s=s[int(sys.argv[2])] if len(sys.argv)>2 else s; sys.stdout.write(json.dumps(s,sort_keys=True,separators=(",",":"),ensure_ascii=False,default=str))"#;

/// What the page says about the build besides the records.
pub struct Provenance<'a> {
    pub history: Option<&'a History>,
    /// The SHA-256 (hex) of the `data.json` published beside the page.
    pub data_sha256: String,
}

/// The audit page.
pub fn audit(cx: &Cx, p: &Provenance) -> Page {
    let mut blocks = vec![intro(cx), provenance(cx, p), how_to_check(cx)];
    if let Some(h) = p.history.filter(|h| h.unavailable.is_none()) {
        blocks.push(governance(cx, h));
    }
    blocks.extend(history_findings(cx));
    if let Some(h) = p.history.filter(|h| h.unavailable.is_none()) {
        blocks.extend(super::stamps::audit_blocks(cx, h));
        blocks.push(per_month(cx, h));
    }
    Page {
        title: cx.t("audit"),
        blocks,
        ..Page::default()
    }
}

/// The page of a month's signatures (`audit/2026-11.html`), or of those
/// not committed yet (`audit/working-tree.html`): where the per-month
/// table links.
fn month_page(month: Option<&str>) -> String {
    format!("audit/{}.html", month.unwrap_or("working-tree"))
}

/// How a month is named on the pages.
fn month_label(cx: &Cx, month: Option<&str>) -> String {
    match month {
        None => cx.t("working_tree"),
        Some(UNDATED) => cx.t("undated"),
        Some(m) => m.to_string(),
    }
}

/// Every signature with the commands that reproduce its proof, on one
/// page per month of signing (the uncommitted on a page of their own):
/// each page's path and the signatures it lists, in the history's order.
/// One page for every signature was 13 MB at 10,000 orders, more than a
/// browser opens comfortably or anyone prints, and it named the build's
/// commit, so each commit rendered all of it again; a month's page
/// changes only when one of its signatures does, and the next build takes
/// it unrendered. The pages are made one by one from this list
/// ([`signature_page`]), so that only those being rendered are in memory.
pub fn signature_months<'h>(cx: &Cx, h: &'h History) -> Vec<(Option<String>, Vec<&'h Proof>)> {
    let offset = cx.model.config.company.offset_seconds;
    let mut months: BTreeMap<Option<String>, Vec<&Proof>> = BTreeMap::new();
    for p in &h.proofs.sections {
        months.entry(month(h, p, offset)).or_default().push(p);
    }
    months.into_iter().collect()
}

/// The page of one month of [`signature_months`], and its path.
pub fn signature_page(
    cx: &Cx,
    h: &History,
    month: Option<&str>,
    proofs: &[&Proof],
) -> (String, Page) {
    let page = Page {
        title: format!("{}: {}", cx.t("signatures_all"), month_label(cx, month)),
        blocks: vec![every_signature(cx, h, proofs)],
        ..Page::default()
    };
    (month_page(month), page)
}

fn intro(cx: &Cx) -> Block {
    let mut b = Block::new(String::new());
    b.note = Some(cx.t("audit_intro"));
    b
}

fn field(label: String, cell: Cell) -> Field {
    Field { label, cell }
}

fn provenance(cx: &Cx, p: &Provenance) -> Block {
    let t = |k: &str| cx.t(k);
    let config = &cx.model.config;
    let mut b = Block::new(t("provenance"));
    b.anchor = Some("provenance".into());
    let head = p
        .history
        .and_then(|h| h.head.clone())
        .unwrap_or_else(|| t("none"));
    let roles: Vec<String> = config
        .policy
        .governance
        .iter()
        .map(|r| cx.value(r.as_str()))
        .collect();
    let caches = p.history.is_some_and(|h| h.caches);
    b.fields = vec![
        field(t("docket_version"), Cell::text(env!("CARGO_PKG_VERSION"))),
        field(t("built_commit"), Cell::text(head).class("cmd")),
        field(t("as_of"), Cell::text(cx.report.as_of.to_string())),
        field(
            t("signature_policy"),
            Cell::text(config.policy.signatures.as_str()),
        ),
        field(t("governance_roles"), Cell::text(roles.join(", "))),
        field(
            t("caches"),
            Cell::text(t(if caches {
                "caches_used"
            } else {
                "caches_unused"
            })),
        ),
        field(
            t("data_sha256"),
            Cell::text(p.data_sha256.clone()).class("cmd"),
        ),
    ];
    // Written beside the page only when there is a history to take it from.
    if p.history.is_some_and(|h| h.unavailable.is_none()) {
        b.fields.push(field(
            t("allowed_signers"),
            Cell::link("allowed_signers", Some("allowed_signers".into())),
        ));
    }
    b
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// How to reproduce a proof, once for all rows, and what each signature
/// covers.
fn how_to_check(cx: &Cx) -> Block {
    let mut b = Block::new(cx.t("how_to_check"));
    b.anchor = Some("how-to-check".into());
    // Constant text only: nothing user-written reaches this HTML.
    let steps = format!(
        "RECIPE='{RECIPE}'\n\
         git -c gpg.ssh.allowedSignersFile=allowed_signers verify-commit COMMIT\n\
         git show COMMIT:PATH\n\
         git cat-file -p COMMIT\n\
         git rev-parse COMMIT:PATH\n\
         git show COMMIT:PATH | python3 -c \"$RECIPE\" SECTION [INDEX] | sha256sum"
    );
    b.html = Some(format!(
        "<p>{}</p><pre><code>{}</code></pre><p>{}</p>",
        escape(&cx.t("how_to_check_intro")),
        escape(&steps),
        escape(&cx.t("canonical_note")),
    ));
    let mut table = Table::new(vec![cx.t("kind"), cx.t("section"), cx.t("covers_also")]);
    for (kind, section, covers) in COVERAGE {
        table.push(vec![
            Cell::text(*kind),
            Cell::text(*section),
            Cell::text(*covers),
        ]);
    }
    b.table = Some(table);
    b.wide = true;
    b
}

fn governance(cx: &Cx, h: &History) -> Block {
    let t = |k: &str| cx.t(k);
    let offset = cx.model.config.company.offset_seconds;
    let mut table = Table::new(vec![
        t("date"),
        t("commit"),
        t("file"),
        t("author"),
        t("status"),
        t("changes_made"),
    ]);
    for l in h.governance_log(offset) {
        let class = match l.status {
            "unproven" => "error",
            "bootstrap" => "warning",
            _ => "ok",
        };
        let reason = match cx.lang {
            crate::model::Language::ZhHant => l.reason_zh.as_ref(),
            crate::model::Language::En => l.reason.as_ref(),
        };
        let status = match reason {
            Some(r) => format!("{}: {r}", cx.value(l.status)),
            None => cx.value(l.status),
        };
        let mut who = l.author.clone();
        if let Some(m) = &l.merged_by {
            who.push_str(&format!(" ({} {m})", t("merged_by")));
        }
        table.push(vec![
            Cell::text(l.time.clone()),
            Cell::text(crate::history::short(&l.commit)).class("cmd"),
            Cell::text(l.file.clone()),
            Cell::text(who),
            Cell::text(status).class(format!("{class} long")),
            Cell::text(match cx.lang {
                crate::model::Language::ZhHant => Message::join(&l.changes, "; ", "；").zh,
                crate::model::Language::En => Message::join(&l.changes, "; ", "；").en,
            })
            .class("long"),
        ]);
    }
    let mut b = Block::table(t("governance_log"), table);
    b.anchor = Some("governance".into());
    b.note = Some(t("bootstrap_note"));
    b.wide = true;
    if b.table.as_ref().is_some_and(|t| t.rows.is_empty()) {
        b.table = None;
        b.note = Some(t("none"));
    }
    b
}

/// Records deleted, history rewritten, suspicious commit times, and every
/// other finding of clause 7.5.3 (the audit trail).
fn history_findings(cx: &Cx) -> Vec<Block> {
    let all = &cx.report.findings;
    let named = [
        (RuleId::RecordDeleted, "records_deleted", "deleted"),
        (RuleId::HistoryRewritten, "rewritten", "rewritten"),
        (RuleId::HistoryTime, "suspicious_times", "times"),
    ];
    let mut out = Vec::new();
    let mut block = |title: String, anchor: &str, mine: Vec<&crate::report::Reported>| {
        let empty = mine.is_empty();
        let mut b = Block::table(title, cx.findings_table(mine.into_iter(), true));
        b.anchor = Some(anchor.into());
        b.wide = true;
        if empty {
            b.table = None;
            b.note = Some(cx.t("none"));
        }
        out.push(b);
    };
    for (rule, title, anchor) in named {
        let mine = all.iter().filter(|r| r.finding.rule == rule).collect();
        block(cx.t(title), anchor, mine);
    }
    let rest = all
        .iter()
        .filter(|r| r.finding.rule.clause() == "7.5.3")
        .filter(|r| !named.iter().any(|(rule, ..)| *rule == r.finding.rule))
        .collect();
    block(cx.t("clause_753"), "clause-7-5-3", rest);
    out
}

/// The month of a proof's signature commit (`2026-03`), in the company's
/// zone; `None` when not committed.
/// A committed signature whose commit date cannot be told (a time out of
/// range, which a forged commit can carry): its own month, not the
/// working tree's.
const UNDATED: &str = "undated";

/// The month a signature was made, `None` when it is not committed.
fn month(h: &History, p: &Proof, offset: i32) -> Option<String> {
    let c = &h.commits[p.commit?];
    Some(c.signed_on(offset).map_or_else(
        || UNDATED.to_string(),
        |d| format!("{:04}-{:02}", d.year(), d.month()),
    ))
}

fn shown_label(cx: &Cx, s: Shown) -> String {
    match s {
        Shown::Proven => cx.t("proof_proven"),
        Shown::Stale => cx.t("stale"),
        Shown::Unverified => cx.t("recorded"),
        Shown::Unproven => cx.t("unproven"),
        Shown::Broken => cx.t("broken"),
    }
}

fn per_month(cx: &Cx, h: &History) -> Block {
    let offset = cx.model.config.company.offset_seconds;
    let mut counts: BTreeMap<Option<String>, [usize; 5]> = BTreeMap::new();
    for p in &h.proofs.sections {
        let i = Shown::ALL.iter().position(|s| *s == p.shown()).unwrap_or(0);
        counts.entry(month(h, p, offset)).or_default()[i] += 1;
    }
    let mut headers = vec![cx.t("month")];
    headers.extend(Shown::ALL.iter().map(|s| shown_label(cx, *s)));
    headers.push(cx.t("total"));
    let mut table = Table::new(headers);
    // Uncommitted last, after the newest month.
    let mut rows: Vec<_> = counts.into_iter().collect();
    let uncommitted = usize::from(rows.first().is_some_and(|(m, _)| m.is_none()));
    rows.rotate_left(uncommitted);
    for (m, n) in rows {
        let href = Some(month_page(m.as_deref()));
        let mut row = vec![Cell::link(month_label(cx, m.as_deref()), href)];
        for (i, v) in n.iter().enumerate() {
            let cell = Cell::text(v.to_string());
            row.push(if *v > 0 && i >= 1 {
                cell.class(if i >= 3 { "error" } else { "warning" })
            } else {
                cell
            });
        }
        row.push(Cell::text(n.iter().sum::<usize>().to_string()));
        table.push(row);
    }
    let mut b = Block::table(cx.t("signatures_by_month"), table);
    b.anchor = Some("by-month".into());
    b.note = Some(cx.t("signatures_by_month_note"));
    b.wide = true;
    b
}

/// The signatures `proofs` with the commands that reproduce each proof.
fn every_signature(cx: &Cx, h: &History, proofs: &[&Proof]) -> Block {
    let t = |k: &str| cx.t(k);
    let mut table = Table::new(vec![
        t("record"),
        t("section"),
        t("signed_by"),
        t("proof"),
        t("commands"),
    ]);
    for p in proofs {
        let shown = p.shown();
        let mut state = shown_label(cx, shown);
        if let crate::history::Covers::Stale { since, fields } = &p.covers {
            let at = since.map_or_else(|| t("working_tree"), |c| h.commits[c].short().to_string());
            let fields = super::trail::fields_in(fields, cx.lang);
            state = format!("{state}: {} {at}: {fields}", t("stale_since"));
        }
        let commands = p
            .commit
            .map(|c| commands(h, p, c, expect(h, p, c)))
            .unwrap_or_else(|| t("proof_uncommitted"));
        table.push(vec![
            cx.record(&p.record),
            Cell::text(p.section.clone()),
            cx.person(&p.by),
            Cell::text(state).class(format!("proof-{}", shown.as_str())),
            Cell::text(commands).class("cmd cmds"),
        ]);
    }
    table.filter = table.rows.len() > 5;
    let mut b = Block::table(t("signatures_all"), table);
    b.anchor = Some("signatures".into());
    b.note = Some(t("signatures_all_note"));
    // The recipe and allowed_signers the commands use are on the audit
    // page.
    b.links = vec![Cell::link(
        t("how_to_check"),
        Some("audit.html#how-to-check".into()),
    )];
    b.wide = true;
    b
}

/// What `git verify-commit` must say about commit `c` under policy
/// "ssh": a good signature for the signer's emails when docket found its
/// SSH signature theirs and valid then (the verdict kept with the proof),
/// else no good signature for them.
fn expect(h: &History, p: &Proof, c: usize) -> Option<String> {
    let regime = h.regime_for(c);
    if regime.signatures != crate::model::SignaturePolicy::Ssh {
        return None;
    }
    if !p.ssh.as_ref()?.valid {
        return Some(format!("no good signature for {}", p.by));
    }
    // As allowed_signers lists them: an email that is not plain text (a
    // newline would end the comment and start a command in a pasted
    // block) is in neither.
    let emails: Vec<&str> = regime
        .person(&p.by)?
        .emails
        .iter()
        .map(String::as_str)
        .filter(|e| crate::history::signers::plain(e))
        .collect();
    if emails.is_empty() {
        return Some(format!("no good signature for {}", p.by));
    }
    Some(format!("Good \"git\" signature for {}", emails.join(",")))
}

/// The commands reproducing the proof of `p`, signed in commit `c`, one
/// per line, and the blob and SHA-256 they must give.
fn commands(h: &History, p: &Proof, c: usize, expect: Option<String>) -> String {
    let id = &h.commits[c].id;
    // The file's path (from the repository's top) at the signature commit.
    let path = h
        .file(&p.file)
        .and_then(|f| f.revisions.iter().find(|r| r.commit == c))
        .map_or(p.file.as_str(), |r| r.path.as_str());
    let path = format!("{}{path}", h.prefix);
    let (section, index) = match p.section.split_once('[') {
        Some((s, i)) => (s, format!(" {}", i.trim_end_matches(']'))),
        None => (p.section.as_str(), String::new()),
    };
    let quote = |s: &str| {
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:".contains(c))
        {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let object = quote(&format!("{id}:{path}"));
    let verify = format!("git -c gpg.ssh.allowedSignersFile=allowed_signers verify-commit {id}");
    let mut lines = vec![
        match expect {
            Some(e) => format!("{verify}  # expect: {e}"),
            None => verify,
        },
        format!("git show {object}"),
        format!("git cat-file -p {id}"),
    ];
    if let Some(blob) = &p.blob {
        lines.push(format!("git rev-parse {object}  # {blob}"));
    }
    if let Some(sha) = &p.sha256 {
        lines.push(format!(
            "git show {object} | python3 -c \"$RECIPE\" {section}{index} | sha256sum  # {sha}"
        ));
    }
    lines.join("\n")
}
