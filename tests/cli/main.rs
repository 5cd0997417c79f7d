//! One test binary for the CLI (as mdBook does): each module is a group of
//! cases that write a records repository in a temp folder and run the real
//! `docket` binary on it.

mod check;
mod demo;
mod fixture;

mod history;
mod history_cmds;
mod hostile;
mod init;
mod publish;
mod rules;
mod site;
