//! `docket check`: the output shapes, exit codes and the base fixture.

use crate::fixture::*;

#[test]
fn base_fixture_is_clean() {
    clean(&Repo::base().check());
}

#[test]
fn json_shape_and_exit_code() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    let run = repo.check();
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["as_of"], AS_OF);
    assert_eq!(json["summary"]["records"], 5);
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["warnings"], 0);
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "illegible-approved");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["clause"], "4.2.1 A");
    assert_eq!(f["file"], ORDER_PATH);
    assert_eq!(f["line"], 7);
    assert_eq!(f["column"], 11);
    assert_eq!(f["record"], "SO-2026-0001");
}
