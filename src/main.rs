//! The `docket` binary: parse the command line, run a library command,
//! and decide the exit status in one place (0 clean, 1 findings, 2 failure).

use clap::{CommandFactory, Parser, Subcommand};
use docket::cmd::{self, Outcome};
use docket::kind::Kind;
use docket::words::count;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

// docket allocates many small values from both cores at once (parsed
// records, page views); with mimalloc a warm build of the 10,000-order demo
// went from 2.1 s to 1.6 s and its peak from 400 to 270 MiB (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "docket",
    version,
    about = "Check and publish a git repository of quality records"
)]
struct Cli {
    /// The records root (the folder holding docket.toml). Default: the
    /// current folder, or its records/ child.
    #[arg(long, global = true, value_name = "DIR")]
    records: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check every record against the procedure; exit 1 if there are errors.
    Check {
        /// How to print the findings.
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::check::Format,
        /// "Today" for date rules (default: SOURCE_DATE_EPOCH, else the clock).
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
        /// Report findings on records changed since this revision first
        /// (the review gate of a pull request); with --format json each
        /// finding says whether its file changed.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Also check that the commit this site (a folder `docket build`
        /// wrote) was built from is still in the history.
        #[arg(long, value_name = "SITE")]
        published: Option<PathBuf>,
        /// Read everything from git: use no cache in .git/docket, write none.
        #[arg(long)]
        no_cache: bool,
    },
    /// A record's history: revisions, authors, field changes, signatures.
    Log {
        /// The record id (or its file path below the records root).
        id: String,
        /// human (a readable trail) or json.
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::log::Format,
        /// Read everything from git: use no cache in .git/docket, write none.
        #[arg(long)]
        no_cache: bool,
    },
    /// What changed between two revisions, record by record (for PRs).
    Diff {
        /// REV1..REV2, e.g. main..HEAD
        range: String,
        /// markdown (for a pull-request comment or job summary) or json.
        #[arg(long, value_enum, default_value = "markdown")]
        format: cmd::diff::Format,
        /// "Today" for the date rules of both revisions.
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
        /// Accepted for scripts: diff reads everything from git and never
        /// uses the caches in .git/docket.
        #[arg(long)]
        no_cache: bool,
    },
    /// Render the records as a static HTML site (findings included).
    Build {
        /// The folder to publish; replaced only when the build is complete.
        #[arg(long, default_value = "site", value_name = "DIR")]
        out: PathBuf,
        /// "Today" for date rules and the site's figures (default:
        /// SOURCE_DATE_EPOCH, else the clock).
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
        /// Read everything from git: use no cache in .git/docket, write none.
        #[arg(long)]
        no_cache: bool,
    },
    /// Write evidence for checking docket without docket: `allowed-signers`
    /// is the OpenSSH allowed_signers file of people.toml's governed
    /// history, for `git -c gpg.ssh.allowedSignersFile=FILE verify-commit`.
    Export {
        /// What to export: allowed-signers.
        #[arg(value_enum)]
        what: cmd::export::What,
        /// The revision whose governed people.toml (and every version
        /// before it) the file holds (default: HEAD).
        #[arg(long, value_name = "REV")]
        at: Option<String>,
        /// Write to FILE (whole or not at all) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Ask a timestamping authority (RFC 3161) for a token over every
    /// signing commit that has none, into timestamps/<commit id>.tsr.
    Stamp {
        /// The TSA's http:// address (default: `url` under [timestamps] in
        /// docket.toml).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// The dashboard's figures in the terminal.
    Status {
        /// human (a table) or json.
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::status::Format,
        /// "Today" for the figures (default: SOURCE_DATE_EPOCH, else the clock).
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
        /// Read everything from git: use no cache in .git/docket, write none.
        #[arg(long)]
        no_cache: bool,
    },
    /// List the rule catalog.
    Rules {
        /// human (a table), json, or markdown (the README's table).
        #[arg(long, value_enum, default_value = "human")]
        format: RulesFormat,
    },
    /// Start a records repository: configuration, placeholder people, the
    /// procedure and a folder per record kind (no records).
    Init {
        /// The folder to create the records repository in (made if missing;
        /// refused if it already holds a docket.toml).
        dir: PathBuf,
        /// Write the example company's records instead, for looking around
        /// (not a start for your own records).
        #[arg(long)]
        example: bool,
        /// Also write the CI file that makes `docket check` the gate of
        /// every pull request: .github/workflows/docket.yml (github) or
        /// .gitlab-ci.yml (gitlab).
        #[arg(long, value_enum, value_name = "SYSTEM")]
        ci: Option<cmd::ci::Ci>,
    },
    /// Create the next record of a kind from a template.
    New {
        /// customer, product, order, flowsheet, capa, survey, property or report
        kind: String,
        /// The customer the record is for (a customer id, C-NNNN).
        #[arg(long, value_name = "ID")]
        customer: Option<String>,
        /// The order the record belongs to (an order id, SO-YYYY-NNNN).
        #[arg(long, value_name = "ID")]
        order: Option<String>,
        /// The part number: a product's id, or the part an order line orders.
        #[arg(long, value_name = "PART")]
        part_number: Option<String>,
        /// The person filling the record (a people.toml id; default: the
        /// person whose emails hold `git config user.email`).
        #[arg(long, value_name = "PERSON")]
        by: Option<String>,
        /// The record's date and the year of its id (default: today).
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Sign a section of a record as the person whose `git config
    /// user.email` this is (e.g. the GM re-signing a changed order:
    /// `docket sign SO-2026-0050 review --decision approved --commit`).
    Sign {
        /// The record id, e.g. SO-2026-0050.
        id: String,
        /// The signed section: review, extra_review[N], gm_signed,
        /// investigation, verification, confirmation, feedback, analysis,
        /// verified.
        section: String,
        /// The section's outcome: approved|rejected (review),
        /// feasible|not-feasible (extra_review), effective|not-effective
        /// (verification).
        #[arg(long, value_name = "D")]
        decision: Option<String>,
        /// A note written into the section (review, extra_review), e.g.
        /// what was checked again.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Make the signature commit (git commit, -S under policy ssh),
        /// committing only the record's file.
        #[arg(long)]
        commit: bool,
        /// The date to sign on (default: today in the company's time zone).
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Validate a docket binary: build the scenario suite (a clean signed
    /// company, then one attack per scenario) in a temporary folder, run
    /// the binary on each, and write the report; exit 1 if any fails.
    Selftest {
        /// Write the report to FILE: Markdown if it ends in .md, HTML if
        /// .html (default: Markdown to stdout).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// The docket binary to validate (default: this one), e.g. a
        /// candidate before installing it.
        #[arg(long, value_name = "PATH")]
        binary: Option<PathBuf>,
        /// The report's date (default: SOURCE_DATE_EPOCH, else the clock).
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Generate a sample company's records repository with signed history.
    Demo {
        /// Where to create the records repository (a git repository).
        #[arg(long, default_value = "target/demo/records")]
        repo: PathBuf,
        /// How many orders; customers, parts, CAPAs and surveys scale with it.
        #[arg(long, default_value_t = 120)]
        orders: usize,
        /// Another seed makes another company; the same seed, the same
        /// repository, commit ids included.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to build the demo's site.
        #[arg(long, default_value = "site", value_name = "DIR")]
        out: PathBuf,
        /// Replace an earlier demo and the key files beside it.
        #[arg(long)]
        force: bool,
    },
    /// Write JSON Schemas of every file of the format and a .taplo.toml,
    /// so editors complete and check fields while you type.
    Schema {
        /// Where to write .taplo.toml and the .docket-schema/ folder: the
        /// records root (the default) or a folder above it, where your
        /// editor opens the repository.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script (e.g. `docket completions bash >
    /// ~/.local/share/bash-completion/completions/docket`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to stdout, e.g. `docket man | man -l -`.
    Man {
        /// A subcommand whose own page to print (docket-check(1) for
        /// `check`); without it, docket(1).
        command: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RulesFormat {
    Human,
    Json,
    Markdown,
}

fn main() -> ExitCode {
    docket::history::libgit2_uses_mimalloc();
    docket::timing::begin();
    no_transparent_huge_pages();
    docket::load::more_open_files();
    docket::render::seed_maps_per_thread();
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "docket: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// mimalloc asks the kernel for transparent huge pages, and the kernel
/// zeroes each 2 MiB page whole the first time any byte of it is touched,
/// and again after mimalloc gives it back. docket's memory comes and goes
/// in many small pieces: a no-op rebuild of the 10,000-order demo spent a
/// third of its CPU time zeroing pages, and without them took about a
/// second less (BENCHMARKS.md).
/// The kernel checks the flag when a page is first touched, so setting it
/// here also covers what mimalloc reserved before `main`; children (git,
/// when `sign --commit` runs it) inherit it.
fn no_transparent_huge_pages() {
    // Without the flag docket is as correct, only slower: nothing to report.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

fn run(cli: Cli) -> docket::Result<Outcome> {
    let root = || docket::load::find_root(cli.records.as_deref());
    match cli.command {
        Command::Log {
            id,
            format,
            no_cache,
        } => {
            print(&cmd::log::run(&root()?, &id, format, no_cache)?);
            Ok(Outcome::Clean)
        }
        // diff reads no cache whatever --no-cache says.
        Command::Diff {
            range,
            format,
            as_of,
            no_cache: _,
        } => {
            print(&cmd::diff::run(&root()?, &range, format, as_of)?);
            Ok(Outcome::Clean)
        }
        Command::Check {
            format,
            as_of,
            base,
            published,
            no_cache,
        } => {
            let root = root()?;
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let (text, outcome) = cmd::check::run(&cmd::check::Options {
                root: &root,
                format,
                as_of,
                color,
                base,
                no_cache,
                published: published.as_deref(),
            })?;
            print(&text);
            Ok(outcome)
        }
        Command::Build {
            out,
            as_of,
            no_cache,
        } => {
            let root = root()?;
            let progress = std::io::stderr().is_terminal();
            let (stats, _report, remains) = cmd::build::run(&cmd::build::Options {
                root: &root,
                out: &out,
                as_of,
                progress,
                no_cache,
                exits: true,
            })?;
            print(&format!(
                "built {} ({} rendered, the rest unchanged; {}, {}) in {}\n",
                count(stats.pages, "page"),
                stats.rendered,
                count(stats.records, "record"),
                count(stats.findings, "finding"),
                out.display()
            ));
            // The process ends here: its memory goes back to the system
            // whole, faster than freed piece by piece.
            std::mem::forget(remains);
            docket::timing::end();
            Ok(Outcome::Clean)
        }
        Command::Export { what, at, out } => {
            let cmd::export::What::AllowedSigners = what;
            let (text, skipped) = cmd::export::allowed_signers(&root()?, at.as_deref())?;
            for why in skipped {
                let _ = writeln!(
                    std::io::stderr(),
                    "docket: left out of allowed_signers: {why}"
                );
            }
            match out {
                Some(path) => cmd::export::write(&path, &text)?,
                None => print(&text),
            }
            Ok(Outcome::Clean)
        }
        Command::Stamp { url } => {
            print(&cmd::stamp::run(&root()?, url.as_deref())?);
            Ok(Outcome::Clean)
        }
        Command::Status {
            format,
            as_of,
            no_cache,
        } => {
            print(&cmd::status::run(&root()?, format, as_of, no_cache)?);
            Ok(Outcome::Clean)
        }
        Command::Rules { format } => {
            print(&match format {
                RulesFormat::Human => cmd::rules::table(),
                RulesFormat::Json => cmd::rules::json(),
                RulesFormat::Markdown => cmd::rules::markdown(),
            });
            Ok(Outcome::Clean)
        }
        Command::Init { dir, example, ci } => {
            let opts = cmd::init::InitOptions { example, ci };
            let written = cmd::init::init(&dir, &opts)?;
            print(&cmd::init::summary(&dir, &opts, written.len()));
            Ok(Outcome::Clean)
        }
        Command::New {
            kind,
            customer,
            order,
            part_number,
            by,
            as_of,
        } => {
            let root = root()?;
            let kind = Kind::from_name(&kind).ok_or_else(|| {
                docket::Error::Usage(format!(
                    "unknown kind \"{kind}\"; use one of {}",
                    Kind::ALL.map(|k| k.name()).join(", ")
                ))
            })?;
            let opts = cmd::new::NewOptions {
                customer,
                order,
                part_number,
                by,
                as_of,
            };
            let path = cmd::new::new_record(&root, kind, &opts)?;
            print(&format!("{}\n", path.display()));
            Ok(Outcome::Clean)
        }
        Command::Sign {
            id,
            section,
            decision,
            note,
            commit,
            as_of,
        } => {
            print(&cmd::sign::run(&cmd::sign::Options {
                root: &root()?,
                id: &id,
                section: &section,
                decision: decision.as_deref(),
                note: note.as_deref(),
                commit,
                as_of,
            })?);
            Ok(Outcome::Clean)
        }
        Command::Selftest {
            report,
            binary,
            as_of,
        } => {
            let (text, outcome) = cmd::selftest::run(&cmd::selftest::Options {
                report: report.as_deref(),
                binary,
                as_of,
            })?;
            print(&text);
            Ok(outcome)
        }
        Command::Demo {
            repo,
            orders,
            seed,
            out,
            force,
        } => {
            let progress = std::io::stderr().is_terminal();
            let opts = docket::demo::Options {
                repo,
                orders,
                seed,
                force,
            };
            print(&cmd::demo::run(&opts, &out, progress)?);
            Ok(Outcome::Clean)
        }
        Command::Schema { out } => {
            let root = match &cli.records {
                Some(_) => Some(root()?),
                None => docket::load::find_root(None).ok(),
            };
            let written = cmd::schema::run(root.as_deref(), out.as_deref())?;
            let taplo = written.last().map(|p| p.display().to_string());
            print(&format!(
                "wrote {} and {} in {}\n",
                taplo.unwrap_or_default(),
                count(written.len().saturating_sub(1), "schema"),
                cmd::schema::SCHEMA_DIR
            ));
            Ok(Outcome::Clean)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "docket", &mut buf);
            print(&String::from_utf8_lossy(&buf));
            Ok(Outcome::Clean)
        }
        Command::Man { command } => {
            print(&man_page(command.as_deref())?);
            Ok(Outcome::Clean)
        }
    }
}

/// The roff page of docket, or of one of its subcommands.
fn man_page(sub: Option<&str>) -> docket::Result<String> {
    let mut cli = Cli::command();
    // Building names the subcommands `docket-check` and so on, which become
    // their pages' titles.
    cli.build();
    let page = match sub {
        None => cli,
        Some(name) => cli
            .find_subcommand(name)
            .filter(|c| !c.is_hide_set())
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = cli
                    .get_subcommands()
                    .map(|c| c.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                docket::Error::Usage(format!(
                    "no subcommand \"{name}\"; use one of {}",
                    names.join(", ")
                ))
            })?,
    };
    let mut buf = Vec::new();
    // Rendering fails only when its writer does, and a Vec never does.
    clap_mangen::Man::new(page)
        .source(format!("docket {}", env!("CARGO_PKG_VERSION")))
        .render(&mut buf)
        .expect("writing to memory");
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Print to stdout; a closed pipe (`docket check | head`) is not an error.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every command, argument and option says what it is for: walk the
    /// whole command tree and name each one that does not.
    #[test]
    fn every_command_and_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            if cmd.get_about().is_none() && cmd.get_long_about().is_none() {
                missing.push(format!("{path} (the command itself)"));
            }
            for arg in cmd.get_arguments() {
                let help = arg
                    .get_help()
                    .or(arg.get_long_help())
                    .map(|h| h.to_string());
                if help.is_none_or(|h| h.trim().is_empty()) {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        Cli::command().debug_assert();
        let mut cli = Cli::command();
        cli.build();
        let mut missing = Vec::new();
        walk(&cli, "docket", &mut missing);
        assert!(missing.is_empty(), "without help text: {missing:#?}");
        // The walk saw the tree: the commands docket is known by are there.
        let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
        for name in ["check", "init", "new", "completions", "man"] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
    }
}
