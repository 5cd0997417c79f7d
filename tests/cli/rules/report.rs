//! Several faults in one run, `[rules]` severities, exit codes and the
//! output formats (src/report, src/finding.rs).

use super::*;

// ---------------------------------------------------------------------------
// Several faults, positions, configuration, exit codes and formats.

#[test]
pub(super) fn every_fault_is_reported_in_one_run() {
    // Four schema problems in one order, a rule finding in another file.
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2
            .replace("channel = \"fax\"", "channel = \"webiste\"")
            .replace("legible = true", "legible = true\ncolour = \"red\"")
            .replace("quantity = 100", "quantity = \"100\"")
            .replace("delivery = 2026-08-01", "delivery = \"2026-08-01\""),
    );
    repo.edit(CUSTOMER_PATH, "contact = \"Anna Keller\"\n", "");
    let run = repo.check();
    assert_eq!(run.code, 1);
    let schema: Vec<(Option<u64>, Option<u64>, String)> = run
        .of("schema")
        .into_iter()
        .map(|f| {
            assert_eq!(f.file, ORDER2_PATH);
            (f.line, f.column, f.message)
        })
        .collect();
    assert_eq!(schema.len(), 4, "{schema:#?}");
    let at = |needle: &str| {
        schema
            .iter()
            .find(|(_, _, m)| m.contains(needle))
            .map(|(l, c, _)| (l.unwrap_or(0), c.unwrap_or(0)))
            .unwrap_or_else(|| panic!("no schema finding about {needle}: {schema:#?}"))
    };
    // channel = "webiste": the value, with a suggestion.
    assert_eq!(at("did you mean \"website\""), (3, 11));
    // colour = "red": the key.
    assert_eq!(at("unknown field `colour`"), (7, 1));
    // quantity = "100": the value.
    assert_eq!(at("`line[0].quantity` must be a whole number"), (13, 12));
    // delivery = "2026-08-01": a quoted date.
    assert_eq!(at("quoted string"), (14, 12));
    fired(&run, "customer-incomplete", CUSTOMER_PATH, Some(2));
    // The broken order is left out of the rules; nothing else is reported.
    assert_eq!(rule_set(&run), ["customer-incomplete", "schema"]);
    assert_eq!(run.json()["summary"]["errors"], 5);
}

#[test]
pub(super) fn rules_config_overrides_a_severity() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    repo.append("docket.toml", "[rules]\nillegible-approved = \"warning\"\n");
    let run = repo.check();
    let f = fired(&run, "illegible-approved", ORDER_PATH, Some(7));
    assert_eq!(f.severity, "warning");
    assert_eq!(run.json()["summary"]["errors"], 0);
    // and history-unavailable: the repository is not under git
    assert_eq!(run.json()["summary"]["warnings"], 2);
    assert_eq!(run.code, 0);
}

#[test]
pub(super) fn rules_config_raises_a_warning_to_an_error() {
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("delivery = 2026-08-01", "delivery = 2026-06-14"),
    );
    repo.append("docket.toml", "[rules]\noverdue = \"error\"\n");
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "delivery = ");
    assert_eq!(
        fired(&run, "overdue", ORDER2_PATH, Some(line)).severity,
        "error"
    );
    assert_eq!(run.code, 1);
}

#[test]
pub(super) fn rules_config_turns_a_rule_off() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    repo.edit(CUSTOMER_PATH, "phone = \"+49 40 123456\"\n", "");
    repo.append(
        "docket.toml",
        "[rules]\nillegible-approved = \"off\"\ncustomer-incomplete = \"off\"\n",
    );
    clean(&repo.check());
}

#[test]
pub(super) fn rules_config_turns_a_format_rule_off() {
    let repo = base_with("notes/todo.toml", "x = 1\n");
    repo.append("docket.toml", "[rules]\nunknown-file = \"off\"\n");
    clean(&repo.check());
}

/// A configuration docket cannot read stops the check (exit 2), with the
/// problem at its line: nothing is judged under a policy docket cannot
/// read (it was a `schema` finding before failing closed).
#[test]
pub(super) fn rules_config_with_an_unknown_rule_id_stops_the_check() {
    let repo = Repo::base();
    repo.append("docket.toml", "[rules]\novredue = \"off\"\n");
    let run = repo.check();
    let line = line_of(&repo, "docket.toml", "ovredue");
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!("docket.toml:{line}:"))
            && run.stderr.contains("did you mean `overdue`"),
        "{}",
        run.stderr
    );
}

#[test]
pub(super) fn exit_code_is_0_with_only_warnings_and_1_with_an_error() {
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("delivery = 2026-08-01", "delivery = 2026-06-14"),
    );
    for format in ["json", "human", "github"] {
        let run = repo.docket(&["check", "--format", format, "--as-of", AS_OF]);
        assert_eq!(run.code, 0, "{format}: {}{}", run.stdout, run.stderr);
    }
    repo.edit(ORDER2_PATH, "legible = true", "legible = false");
    repo.append(ORDER2_PATH, &format!("\n{ORDER2_APPROVED}"));
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    for format in ["json", "human", "github"] {
        let run = repo.docket(&["check", "--format", format, "--as-of", AS_OF]);
        assert_eq!(run.code, 1, "{format}: {}{}", run.stdout, run.stderr);
    }
    assert_eq!(rule_set(&repo.check()), ["illegible-approved", "overdue"]);
}

#[test]
pub(super) fn github_format_prints_annotations() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    repo.write("notes/todo.toml", "x = 1\n");
    let run = repo.docket(&["check", "--format", "github", "--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.contains(
            &"::error file=orders/2026/SO-2026-0001.toml,line=7,col=11,\
              title=illegible-approved (4.2.1 A)::approved although marked `legible = false`"
        ),
        "{}",
        run.stdout
    );
    // No position: no line property; a warning is a ::warning.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=notes,title=unknown-file (-)::")),
        "{}",
        run.stdout
    );
    assert_eq!(
        lines.last(),
        // 2 warnings: unknown-file, and history-unavailable (not under git)
        Some(&"5 records checked: 1 error, 2 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
pub(super) fn human_format_shows_the_source_line() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    let run = repo.docket(&["check", "--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    let msg = out
        .find("approved although marked `legible = false`")
        .unwrap_or_else(|| panic!("no message:\n{out}"));
    let path = out
        .find("orders/2026/SO-2026-0001.toml:7:11")
        .unwrap_or_else(|| panic!("no file:line:col:\n{out}"));
    let source = out
        .find("7 | legible = false")
        .unwrap_or_else(|| panic!("no source line:\n{out}"));
    assert!(msg < path && path < source, "out of order:\n{out}");
    assert!(out.contains("illegible-approved"), "{out}");
    assert!(out.contains("4.2.1 A"), "{out}");
    assert!(
        // the one warning: history-unavailable (not under git)
        out.contains("5 records checked as of 2026-06-15: 1 error, 1 warning"),
        "{out}"
    );
}
