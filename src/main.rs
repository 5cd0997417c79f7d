//! The `docket` binary: parse the command line, run a library command,
//! and decide the exit status in one place (0 clean, 1 findings, 2 failure).

use clap::{Parser, Subcommand};
use docket::cmd::{self, Outcome};
use docket::kind::Kind;
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
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::check::Format,
        /// "Today" for date rules (default: SOURCE_DATE_EPOCH, else the clock).
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
        /// Report findings on records changed since this revision first
        /// (the review gate of a pull request).
        #[arg(long, value_name = "REV")]
        base: Option<String>,
    },
    /// A record's history: revisions, authors, field changes, signatures.
    Log {
        /// The record id (or its file path below the records root).
        id: String,
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::log::Format,
    },
    /// What changed between two revisions, record by record (for PRs).
    Diff {
        /// REV1..REV2, e.g. main..HEAD
        range: String,
        #[arg(long, value_enum, default_value = "markdown")]
        format: cmd::diff::Format,
        /// "Today" for the date rules of both revisions.
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Render the records as a static HTML site (findings included).
    Build {
        /// The folder to publish; replaced only when the build is complete.
        #[arg(long, default_value = "site", value_name = "DIR")]
        out: PathBuf,
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// The dashboard's figures in the terminal.
    Status {
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::status::Format,
        #[arg(long, value_name = "DATE", value_parser = cmd::parse_date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// List the rule catalog.
    Rules {
        #[arg(long, value_enum, default_value = "human")]
        format: RulesFormat,
    },
    /// Scaffold a records repository (config, people, procedure, examples).
    Init { dir: PathBuf },
    /// Create the next record of a kind from a template.
    New {
        /// customer, product, order, flowsheet, capa, survey, property or report
        kind: String,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        order: Option<String>,
        #[arg(long)]
        part_number: Option<String>,
        /// The person filling the record (a people.toml id).
        #[arg(long)]
        by: Option<String>,
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
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to build the demo's site.
        #[arg(long, default_value = "site", value_name = "DIR")]
        out: PathBuf,
        /// Replace an earlier demo and the key files beside it.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RulesFormat {
    Human,
    Json,
    Markdown,
}

fn main() -> ExitCode {
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

fn run(cli: Cli) -> docket::Result<Outcome> {
    let root = || docket::load::find_root(cli.records.as_deref());
    match cli.command {
        Command::Log { id, format } => {
            print(&cmd::log::run(&root()?, &id, format)?);
            Ok(Outcome::Clean)
        }
        Command::Diff {
            range,
            format,
            as_of,
        } => {
            print(&cmd::diff::run(&root()?, &range, format, as_of)?);
            Ok(Outcome::Clean)
        }
        Command::Check {
            format,
            as_of,
            base,
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
            })?;
            print(&text);
            Ok(outcome)
        }
        Command::Build { out, as_of } => {
            let root = root()?;
            let progress = std::io::stderr().is_terminal();
            let (stats, _report) = cmd::build::run(&cmd::build::Options {
                root: &root,
                out: &out,
                as_of,
                progress,
            })?;
            print(&format!(
                "built {} pages ({} rendered, the rest unchanged; {} records, {} findings) in {}\n",
                stats.pages,
                stats.rendered,
                stats.records,
                stats.findings,
                out.display()
            ));
            Ok(Outcome::Clean)
        }
        Command::Status { format, as_of } => {
            print(&cmd::status::run(&root()?, format, as_of)?);
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
        Command::Init { dir } => {
            let written = cmd::init::init(&dir)?;
            print(&format!(
                "created a records repository in {} ({} files)\nnext: cd {} && git init && docket check\n",
                dir.display(),
                written.len(),
                dir.display()
            ));
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
            let today = match as_of {
                Some(d) => d,
                None => cmd::today(
                    docket::load::load(&root)
                        .map(|l| docket::model::build(l).0.config.company.offset_seconds)?,
                )?,
            };
            let opts = cmd::init::NewOptions {
                customer,
                order,
                part_number,
                by,
            };
            let path = cmd::init::new_record(&root, kind, today, &opts)?;
            print(&format!("{}\n", path.display()));
            Ok(Outcome::Clean)
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
    }
}

/// Print to stdout; a closed pipe (`docket check | head`) is not an error.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
