use super::*;

fn publish(out: &Path, root: &Path, pages: &[(&str, &[u8])]) {
    let p = Publisher::open(out, root, || {}).unwrap();
    for (rel, bytes) in pages {
        p.write(rel, bytes).unwrap();
    }
    p.finish(Vec::new()).unwrap();
}

/// Something puts a file where the new site needs a folder while it
/// is written (another process in the staging folder, a full or
/// broken disk looks the same): the page fails naming its own path,
/// and the unfinished build leaves the published site as it was and
/// no staging folder behind.
#[test]
fn a_folder_that_cannot_be_made_fails_the_page_and_keeps_the_published_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("records");
    std::fs::create_dir(&root).unwrap();
    let out = dir.path().join("site");
    publish(&out, &root, &[("orders/a.html", b"yesterday")]);
    let listing = || {
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = listing();

    let p = Publisher::open(&out, &root, || {}).unwrap();
    let staging = p.tmp.clone();
    std::fs::write(staging.join("capa"), b"in the way").unwrap();
    let err = p.write_page("capa/c.html", b"today").unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains(&*staging.join("capa/c.html").to_string_lossy()),
        "{shown}"
    );
    drop(p);

    assert!(!staging.exists(), "the staging folder was left behind");
    assert_eq!(listing(), before);
    assert_eq!(
        std::fs::read(out.join("orders/a.html")).unwrap(),
        b"yesterday"
    );
}
