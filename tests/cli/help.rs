//! `docket completions SHELL`, `docket man`, and the help text every
//! command shows. (That every argument in the command tree has help is
//! also checked exhaustively by the unit test in `src/main.rs`, which walks
//! clap's command tree; these cases run the real binary.)

use crate::fixture::*;

/// The subcommands `docket --help` lists, less clap's own `help`.
fn subcommands() -> Vec<String> {
    let run = Run::from(docket_cmd().arg("--help").output().unwrap());
    assert_eq!(run.code, 0);
    let list = run
        .stdout
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands: section")
        .split("\n\n")
        .next()
        .unwrap();
    let names: Vec<String> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(String::from)
        .collect();
    for expected in ["check", "build", "init", "new", "completions", "man"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    names
}

fn docket(args: &[&str]) -> Run {
    Run::from(docket_cmd().args(args).output().unwrap())
}

#[test]
fn every_option_of_every_subcommand_shows_a_sentence() {
    for sub in subcommands() {
        let run = docket(&[&sub, "--help"]);
        assert_eq!(run.code, 0, "{sub}: {}", run.stderr);
        // clap prints an argument as `  --name <V>  help` on one line, or,
        // when some argument has a long help, as `      --name <V>` with the
        // help on the next line, indented further. An argument without
        // help is its name alone.
        let lines: Vec<&str> = run.stdout.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            let indent = line.len() - t.len();
            let is_entry = (2..=6).contains(&indent)
                && (t.starts_with('-') || t.starts_with('<') || t.starts_with('['));
            if !is_entry {
                continue;
            }
            let same_line = t.split_once("  ").map(|(_, h)| h.trim()).unwrap_or("");
            let next_line = lines
                .get(i + 1)
                .filter(|n| n.len() - n.trim_start().len() > indent + 2)
                .map(|n| n.trim())
                .unwrap_or("");
            assert!(
                same_line.len() > 3 || next_line.len() > 3,
                "`docket {sub} --help`: `{t}` has no help text:\n{}",
                run.stdout
            );
        }
    }
    // The arguments the first users found bare.
    let new = docket(&["new", "--help"]).stdout;
    for (arg, words) in [
        ("--customer", "a customer id"),
        ("--order", "an order id"),
        ("--part-number", "The part number"),
        ("--as-of", "The record's date"),
    ] {
        let line = new.lines().find(|l| l.contains(arg)).unwrap();
        assert!(line.contains(words), "{line}");
    }
    let init = docket(&["init", "--help"]).stdout;
    let dir = init
        .lines()
        .find(|l| l.trim_start().starts_with("<DIR>"))
        .unwrap();
    assert!(dir.contains("The folder to create"), "{init}");
    let check = docket(&["check", "--help"]).stdout;
    for format in ["sarif", "gitlab", "github", "json", "human"] {
        assert!(
            check.contains(format),
            "check --help names {format}:\n{check}"
        );
    }
}

#[test]
fn bash_completion_knows_every_subcommand() {
    let run = docket(&["completions", "bash"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("complete -F _docket"),
        "a bash completion script"
    );
    for sub in subcommands() {
        assert!(
            run.stdout.contains(&format!("docket__subcmd__{sub}")),
            "{sub} missing"
        );
    }
    // The values of --format are completed too.
    assert!(run.stdout.contains("human json github sarif gitlab"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let run = docket(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(
            run.stdout.contains("completions"),
            "{shell} script names the subcommands"
        );
    }
    let bad = docket(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn man_page_is_roff_naming_every_subcommand() {
    let run = docket(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = &run.stdout;
    // roff: requests only, the title before any section; the first two
    // lines define the apostrophe string clap_mangen's text uses.
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH docket 1 "),
        "{page}"
    );
    let th = page.find("\n.TH ").unwrap();
    assert!(th < page.find("\n.SH NAME").unwrap());
    assert!(page.contains(".SH SYNOPSIS") && page.contains(".SH OPTIONS"));
    for sub in subcommands() {
        assert!(
            page.contains(&format!("docket\\-{sub}(1)")),
            "{sub} missing:\n{page}"
        );
    }
    // Each subcommand has its own page, with its options and their help.
    let check = docket(&["man", "check"]);
    assert!(
        check.stdout.contains("\n.TH docket-check 1 "),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("\\-\\-base"));
    assert!(check.stdout.contains("sarif"));
    let unknown = docket(&["man", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("use one of check"),
        "{}",
        unknown.stderr
    );
}
