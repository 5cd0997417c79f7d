//! The kept reads' file, and the noting of reads.

use super::*;

#[test]
fn reads_survive_their_text_whatever_the_id() {
    for r in [
        Read::Link("C-0001".into()),
        Read::Row(Kind::Order, "SO 2026 0001".into()),
        Read::Related(Kind::Customer, "C 1".into(), Kind::Capa),
        Read::Flowsheets("SO-2026-0001".into()),
        Read::Person("li sales \"x\"".into()),
    ] {
        assert_eq!(Read::parse(&r.text()), Some(r));
    }
    assert_eq!(Read::parse("row nowhere X"), None);
}

#[test]
fn reads_are_noted_only_while_recording() {
    note(|| Read::Link("lost".into()));
    let ((), reads) = recording(|| {
        note(|| Read::Link("B".into()));
        note(|| Read::Link("A".into()));
        note(|| Read::Link("B".into()));
    });
    assert_eq!(reads, vec![Read::Link("A".into()), Read::Link("B".into())]);
}

/// Each kept page with its reads, looked up in the table.
fn resolved(kept: &Kept) -> std::collections::BTreeMap<String, (u64, Vec<Read>)> {
    kept.pages
        .iter()
        .map(|(page, (view, numbers))| {
            let reads = numbers.iter().map(|&n| kept.reads[n as usize].clone());
            (page.clone(), (*view, reads.collect()))
        })
        .collect()
}

fn written(keeping: Keeping, seed: u64, previous: &[Read]) -> Vec<u8> {
    let mut bytes = Vec::new();
    keeping.write(&mut bytes, seed, previous).unwrap();
    bytes
}

fn link(id: &str) -> Read {
    Read::Link(id.into())
}

/// A rebuild keeps the very file a cold build would: pages taken by
/// their numbers in the previous table and pages laid out again, reads
/// the previous table held that no page makes any more, and new reads
/// merged in their place, all come out as the same bytes as every page
/// laid out; and the file reads back as the pages were kept.
#[test]
fn kept_reads_are_the_same_file_whichever_pages_were_taken() {
    let pages = [
        ("orders/B.html", 7u64, vec![link("C \"1\"\n")]),
        ("orders/A.html", u64::MAX, vec![]),
        (
            "customers/\u{8a02}.html",
            0,
            vec![
                link("C \"1\"\n"),
                Read::Row(Kind::Order, "SO-1".into()),
                Read::Flowsheets("SO-1".into()),
            ],
        ),
        ("orders/C.html", 2, vec![link("A"), link("Z")]),
    ];
    let seed = u64::MAX - 1;
    let cold = {
        let mut keeping = Keeping::default();
        // Kept twice: the later entry is the one written.
        keeping.keep("orders/B.html".into(), Entry::Made(1, vec![link("gone")]));
        for (page, view, reads) in &pages {
            keeping.keep(page.to_string(), Entry::Made(*view, reads.clone()));
        }
        written(keeping, seed, &[])
    };
    let (kept_seed, kept) = Kept::parse(&cold).expect("reads back");
    assert_eq!(kept_seed, seed);
    let expected: std::collections::BTreeMap<_, _> = pages
        .iter()
        .map(|(p, v, r)| (p.to_string(), (*v, r.clone())))
        .collect();
    assert_eq!(resolved(&kept), expected);
    let mut sorted = kept.reads.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(kept.reads, sorted, "each read once, in order");
    // A previous table with reads no page makes now ("gone", "M"),
    // and without some they make ("A", "Z"): each page either taken
    // by its numbers there or laid out again.
    let previous = vec![
        Read::Row(Kind::Order, "SO-1".into()),
        Read::Flowsheets("SO-1".into()),
        link("C \"1\"\n"),
        link("M"),
        link("gone"),
    ];
    let mut previous_sorted = previous.clone();
    previous_sorted.sort();
    let number = |r: &Read| previous_sorted.binary_search(r).unwrap() as u32;
    for taken in 0..1 << pages.len() {
        let mut keeping = Keeping::default();
        for (i, (page, view, reads)) in pages.iter().enumerate() {
            let entry = if taken & (1 << i) != 0 && reads.iter().all(|r| previous.contains(r)) {
                Entry::Kept(*view, reads.iter().map(number).collect())
            } else {
                Entry::Made(*view, reads.clone())
            };
            keeping.keep(page.to_string(), entry);
        }
        assert_eq!(
            String::from_utf8(written(keeping, seed, &previous_sorted)).unwrap(),
            String::from_utf8(cold.clone()).unwrap(),
            "pages taken: {taken:b}"
        );
    }
}

/// Reads kept under another seed lend nothing, whichever way the
/// seeds differ (one a prefix of the other's digits included); a file
/// of the first format (every read a text in every page) lends
/// nothing either.
#[test]
fn reads_kept_under_another_seed_are_not_read() {
    let mut keeping = Keeping::default();
    keeping.keep("orders/A.html".into(), Entry::Made(3, vec![link("C-1")]));
    let bytes = written(keeping, 12, &[]);
    assert_eq!(Kept::under(Kept::parse(&bytes), 12).pages.len(), 1);
    for other in [1, 120, 2, 0, u64::MAX] {
        assert!(
            Kept::under(Kept::parse(&bytes), other).pages.is_empty(),
            "{other}"
        );
    }
    let first = br#"{"format":1,"seed":12,"pages":{"orders/A.html":[3,["link C-1"]]}}"#;
    assert!(Kept::parse(first).is_none());
    let reordered =
        br#"{"pages":{"orders/A.html":[3,[0]]},"reads":["link C-1"],"seed":7,"format":2}"#;
    assert!(Kept::under(Kept::parse(reordered), 12).pages.is_empty());
    assert_eq!(Kept::under(Kept::parse(reordered), 7).pages.len(), 1);
}

/// A file naming a read this docket does not know, or holding
/// anything but texts where the reads go, a table out of order or
/// with a read twice, a page's numbers out of order or past the
/// table's end, or of another format, lends no page: every page is
/// laid out, none taken on a read misread.
#[test]
fn a_kept_file_with_a_read_unknown_lends_nothing() {
    let good = br#"{"format":2,"seed":1,"reads":["link C-1","link C-2"],"pages":{"a.html":[3,[0,1]],"b.html":[4,[]]}}"#;
    assert_eq!(Kept::under(Kept::parse(good), 1).pages.len(), 2);
    for bad in [
        &br#"{"format":2,"seed":1,"reads":["link C-1","mystery x"],"pages":{"a.html":[3,[0]]}}"#[..],
        br#"{"format":2,"seed":1,"reads":["link C-1",7],"pages":{"a.html":[3,[0]]}}"#,
        br#"{"format":2,"seed":1,"reads":["row nowhere C-1"],"pages":{"a.html":[3,[0]]}}"#,
        br#"{"format":2,"seed":1,"reads":["link C-2","link C-1"],"pages":{"a.html":[3,[0]]}}"#,
        br#"{"format":2,"seed":1,"reads":["link C-1","link C-1"],"pages":{"a.html":[3,[0]]}}"#,
        br#"{"format":2,"seed":1,"reads":["link C-1","link C-2"],"pages":{"a.html":[3,[1,0]]}}"#,
        br#"{"format":2,"seed":1,"reads":["link C-1","link C-2"],"pages":{"a.html":[3,[0,0]]}}"#,
        br#"{"format":2,"seed":1,"reads":["link C-1","link C-2"],"pages":{"a.html":[3,[2]]}}"#,
        br#"{"format":2,"seed":1,"reads":["link C-1"],"pages":{"a.html":[3,[-1]]}}"#,
        br#"{"format":2,"reads":["link C-1"],"pages":{"a.html":[3,[0]]}}"#,
        br#"{"format":3,"seed":1,"reads":["link C-1"],"pages":{"a.html":[3,[0]]}}"#,
        br#"{"format":2,"seed":1,"reads":["link C-1"],"pages":{"a.html":[3,[0]]}"#,
    ] {
        assert!(
            Kept::parse(bad).is_none(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// A file cut short, at any length (a full disk, a copy interrupted, a
/// hand that trimmed it), lends no page: it is read whole or not at all.
#[test]
fn a_kept_file_cut_at_any_length_lends_nothing() {
    let mut keeping = Keeping::default();
    keeping.keep(
        "a.html".into(),
        Entry::Made(3, vec![link("C-1"), link("C-2")]),
    );
    keeping.keep(
        "orders/\u{8a02}.html".into(),
        Entry::Made(u64::MAX, vec![Read::Row(Kind::Order, "SO-1".into())]),
    );
    keeping.keep("b.html".into(), Entry::Made(0, vec![]));
    let whole = written(keeping, 9, &[]);
    assert_eq!(Kept::under(Kept::parse(&whole), 9).pages.len(), 3);
    for len in 0..whole.len() {
        assert!(
            Kept::parse(&whole[..len]).is_none(),
            "cut to {len} bytes: {}",
            String::from_utf8_lossy(&whole[..len])
        );
    }
}

/// A rebuild numbers the reads of its few pages laid out by searching
/// the table, a cold build by a map of the whole table: the same file
/// either way.
#[test]
fn a_few_pages_laid_out_are_numbered_as_every_page_laid_out_is() {
    let reads: Vec<Read> = (0..8).map(|i| link(&format!("C-{i}"))).collect();
    let keeping = |made: &dyn Fn(usize) -> bool| {
        let mut keeping = Keeping::default();
        for (i, read) in reads.iter().enumerate() {
            let entry = if made(i) {
                Entry::Made(i as u64, vec![read.clone()])
            } else {
                Entry::Kept(i as u64, vec![i as u32])
            };
            keeping.keep(format!("p{i}.html"), entry);
        }
        keeping
    };
    let cold = written(keeping(&|_| true), 5, &[]);
    let (_, kept) = Kept::parse(&cold).expect("reads back");
    assert_eq!(kept.reads, reads);
    for laid_out in 0..reads.len() {
        assert_eq!(
            written(keeping(&|i| i == laid_out), 5, &kept.reads),
            cold,
            "page {laid_out} laid out again"
        );
    }
}
