use super::*;

fn oid(n: u8) -> Option<Oid> {
    Some(Oid::from_bytes(&[n; 20]).unwrap())
}

fn raw(path: &str, old: Option<Oid>, new: Option<Oid>) -> Raw {
    Raw {
        path: path.into(),
        old,
        new,
    }
}

#[test]
fn moves_pair_by_name_then_by_content() {
    let evs = pair_moves(vec![
        raw("orders/2026/SO-1.toml", oid(1), None),
        raw("orders/2026/X.toml", oid(2), None),
        raw("orders/2027/SO-1.toml", None, oid(9)),
        raw("orders/2027/Y.toml", None, oid(2)),
        raw("orders/2027/NEW.toml", None, oid(3)),
    ]);
    let kinds: Vec<(&str, &Change)> = evs.iter().map(|e| (e.path.as_str(), &e.change)).collect();
    assert_eq!(
        kinds,
        [
            (
                "orders/2027/SO-1.toml",
                &Change::Moved("orders/2026/SO-1.toml".into())
            ),
            (
                "orders/2027/Y.toml",
                &Change::Moved("orders/2026/X.toml".into())
            ),
            ("orders/2027/NEW.toml", &Change::Added),
        ]
    );
}

/// Neither away from a controlled document nor onto one.
#[test]
fn a_controlled_document_is_never_paired_in_a_move() {
    for (gone, came) in [
        ("people.toml", "archive/p.toml"),
        ("archive/x.toml", "tsa/a.pem"),
    ] {
        let evs = pair_moves(vec![raw(gone, oid(1), None), raw(came, None, oid(1))]);
        let got: Vec<(&str, &Change)> = evs.iter().map(|e| (e.path.as_str(), &e.change)).collect();
        assert_eq!(got, [(came, &Change::Added), (gone, &Change::Deleted)]);
    }
}

#[test]
fn a_file_keeps_one_history_across_moves_and_re_creation() {
    let ev = |path: &str, change: Change| Event {
        path: path.into(),
        blob: oid(1),
        change,
    };
    // newest first: moved b -> c, modified b, added b, deleted b, added b
    let files = keyed(
        lineage_state(vec![
            (4, vec![ev("c.toml", Change::Moved("b.toml".into()))]),
            (3, vec![ev("b.toml", Change::Modified)]),
            (2, vec![ev("b.toml", Change::Added)]),
            (
                1,
                vec![Event {
                    path: "b.toml".into(),
                    blob: None,
                    change: Change::Deleted,
                }],
            ),
            (0, vec![ev("b.toml", Change::Added)]),
        ])
        .0,
    );
    assert_eq!(files.len(), 1, "{files:#?}");
    let c = &files["c.toml"];
    assert_eq!(
        c.revisions.iter().map(|r| r.commit).collect::<Vec<_>>(),
        [4, 3, 2, 1, 0]
    );
    assert!(!c.deleted());
}
