//! One test binary for the CLI (as mdBook does): each module is a group of
//! cases that write a records repository in a temp folder and run the real
//! `docket` binary on it.

mod architecture;
mod audit;
mod blobs;
mod caches;
mod caches_people;
mod check;
mod ci_formats;
mod ci_stamp;
mod ci_templates;
mod coverage;
mod demo;
mod first_hour;
mod fixture;
mod format_doc;
mod help;

mod history;
mod history_cmds;
mod hostile;
mod init;
mod kept_records;
mod memory;
mod new;
mod oracle;
mod publish;
mod reading;
mod rewrites;
mod rules;
mod schema;
mod selftest;
mod sign;
mod site;
mod site_parts;
mod site_reads;
mod timestamps;
mod timestamps_cache;
mod timestamps_openssl;
mod timestamps_revoked;
mod timestamps_site;
mod trees;
mod trust;
mod trust_closed;
mod trust_lineage;
mod trust_merge;
mod trust_time;
mod worktree;
mod zh;
