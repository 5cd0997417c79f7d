//! A big page rendered in parts: the lists, the people page and the audit
//! page of a big company hold tables of tens of thousands of rows, and
//! tera renders from its own copy of the page's view, made whole before
//! the first byte is written. At 50,000 orders that copy of the audit
//! page alone was about 200 MiB on top of everything the build holds.
//!
//! So a table longer than [`part_rows`] leaves the page's view before the
//! copy is made and stands in it as one placeholder row. The page is
//! rendered (now small), and where the placeholder row came out the
//! table's rows are written instead, a part at a time, by the same
//! `ui.rows` component that `ui.table` renders every table's rows with:
//! the page is the same, byte for byte, as one rendered whole (a test
//! builds sites both ways and compares them).
//!
//! The placeholder row is found by what `ui.rows` makes of it, so a
//! template override that changes the markup of a row changes the text
//! looked for too. When a placeholder is not found exactly once (an
//! override that leaves tables out, or shows one twice, or a record whose
//! text is a placeholder's), the page is rendered whole instead.

use super::views::{Cell, Page, Row};
use std::io::Write;

/// Tables with more rows than this are rendered in parts of this many.
/// `DOCKET_PART_ROWS` sets it for tests (1: every table in parts; 0: none).
fn part_rows() -> usize {
    std::env::var("DOCKET_PART_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

/// The rows taken out of one block's table, and the text its placeholder
/// row will be found by.
struct Taken {
    block: usize,
    rows: Vec<Row>,
    mark: String,
}

/// Render `page` with `template` into `out`, its long tables in parts.
pub(super) fn render(
    tera: &tera::Tera,
    template: &str,
    root: &str,
    nav: &str,
    page: Page,
    out: &mut impl Write,
) -> tera::TeraResult<()> {
    render_with(tera, template, root, nav, page, out, part_rows())
}

fn render_with(
    tera: &tera::Tera,
    template: &str,
    root: &str,
    nav: &str,
    mut page: Page,
    out: &mut impl Write,
    limit: usize,
) -> tera::TeraResult<()> {
    let mut taken = Vec::new();
    for (i, b) in page.blocks.iter_mut().enumerate() {
        if let Some(t) = b
            .table
            .as_mut()
            .filter(|t| limit > 0 && t.rows.len() > limit)
        {
            let text = format!("docket-part-{i}-of-{}", t.rows.len());
            let rows = std::mem::replace(&mut t.rows, vec![placeholder(&text)]);
            taken.push(Taken {
                block: i,
                rows,
                mark: text,
            });
        }
    }
    let implicits = {
        let mut c = tera::Context::new();
        c.insert("root", root);
        c
    };
    let rows = |rows: &[Row], out: &mut dyn Write| {
        let mut args = tera::Context::new();
        args.insert("rows", rows);
        tera.render_component_with_implicits_to("ui.rows", &args, &implicits, None, true, out)
    };
    let page_ctx = |page: &Page| context(root, nav, page);
    if taken.is_empty() {
        return tera.render_to(template, &page_ctx(&page), out);
    }
    let html = tera.render(template, &page_ctx(&page))?;
    // Where each placeholder came out, in the page's order; `None` when
    // one is not there exactly once, or `ui.rows` is not a component of
    // these templates (an override of macros.html older than it).
    let found: Option<Vec<(usize, usize, &Taken)>> = taken
        .iter()
        .map(|t| {
            let mut row = Vec::new();
            rows(&[placeholder(&t.mark)], &mut row).ok()?;
            let row = String::from_utf8(row).ok()?;
            let mut at = html.match_indices(&row).map(|(i, _)| i);
            match (at.next(), at.next(), html.matches(&t.mark).count()) {
                (Some(i), None, 1) => Some((i, row.len(), t)),
                _ => None,
            }
        })
        .collect::<Option<Vec<_>>>()
        .map(|mut at| {
            at.sort_by_key(|(i, _, _)| *i);
            at
        })
        // Defensive: each placeholder row holds its own mark, found once,
        // so two cannot overlap; were they to, their rows would have no
        // one place, and slicing the page between them would panic.
        .filter(|at| at.windows(2).all(|w| w[0].0 + w[0].1 <= w[1].0));
    let Some(at) = found else {
        drop(html);
        for t in taken {
            if let Some(table) = page.blocks[t.block].table.as_mut() {
                table.rows = t.rows;
            }
        }
        return tera.render_to(template, &page_ctx(&page), out);
    };
    drop(page);
    let mut from = 0;
    for (i, len, t) in at {
        out.write_all(&html.as_bytes()[from..i])?;
        for part in t.rows.chunks(limit) {
            rows(part, out)?;
        }
        from = i + len;
    }
    out.write_all(&html.as_bytes()[from..])?;
    Ok(())
}

/// What a page's template is given: the way back to the site root
/// (`""` or `"../"`), the navigation entry it is under, and its view.
pub(super) fn context(root: &str, nav: &str, page: &Page) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("root", root);
    ctx.insert("current", nav);
    ctx.insert("page", page);
    ctx
}

fn placeholder(text: &str) -> Row {
    Row {
        anchor: None,
        cells: vec![Cell::text(text)],
    }
}

#[cfg(test)]
mod tests {
    use super::super::views::{Block, Table};
    use super::*;

    const ROWS: &str = "{% component ui.rows(rows, @root) %}{%- for row in rows %}\n\
        <tr>{% for c in row.cells %}<td>{{ c.text }}</td>{% endfor %}</tr>\n\
        {%- endfor %}{% endcomponent ui.rows %}";
    const PAGE: &str = "<h1>{{ page.title }}</h1>{% for b in page.blocks %}\
        <h2>{{ b.title }}</h2><table>{{ <ui.rows rows={b.table.rows} /> }}</table>{% endfor %}";

    fn tera(rows: &str) -> tera::Tera {
        let mut t = tera::Tera::new();
        t.add_raw_templates([("macros.html", rows), ("page.html", PAGE)])
            .unwrap();
        t
    }

    fn page(title: &str, tables: &[(&str, usize)]) -> Page {
        let mut page = Page {
            title: title.into(),
            ..Page::default()
        };
        for (name, n) in tables {
            let mut table = Table::new(vec!["n".into()]);
            for i in 0..*n {
                table.push(vec![Cell::text(format!("{name} <{i}>"))]);
            }
            page.blocks.push(Block::table(name.to_string(), table));
        }
        page
    }

    fn rendered(tera: &tera::Tera, page: Page, limit: usize) -> String {
        let mut out = Vec::new();
        render_with(tera, "page.html", "", "", page, &mut out, limit).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_page_in_parts_is_the_page_rendered_whole() {
        let t = tera(ROWS);
        let tables = [("a", 7), ("b", 1), ("c", 12)];
        let whole = rendered(&t, page("P", &tables), 0);
        assert_eq!(whole.matches("<tr>").count(), 20);
        assert!(whole.contains("<td>c &lt;11&gt;</td>"), "{whole}");
        for limit in [1, 2, 5, 7, 100] {
            assert_eq!(rendered(&t, page("P", &tables), limit), whole, "{limit}");
        }
    }

    #[test]
    fn text_that_reads_like_a_placeholder_makes_the_page_whole() {
        // A short table (not taken) whose one row is what the long
        // table's placeholder row renders to: the rows must not land there.
        let hostile = || {
            let mut p = page("P", &[("a", 7)]);
            let mut short = Table::new(vec!["n".into()]);
            short.push(vec![Cell::text("docket-part-1-of-7")]);
            p.blocks.insert(0, Block::table("b", short));
            p
        };
        let t = tera(ROWS);
        let whole = rendered(&t, hostile(), 0);
        assert_eq!(whole.matches("<td>docket-part-1-of-7</td>").count(), 1);
        assert_eq!(rendered(&t, hostile(), 2), whole);
    }

    #[test]
    fn tables_side_by_side_with_rows_of_bare_text_are_the_same_in_parts() {
        // An override whose rows are their text between bars, and a page
        // with nothing between its tables: one table's placeholder ends
        // where the next one's begins, and the parts must go where each
        // placeholder was, in order, none twice.
        let rows = "{% component ui.rows(rows, @root) %}{% for row in rows %}\
            |{{ row.cells[0].text }}|{% endfor %}{% endcomponent ui.rows %}";
        let mut t = tera::Tera::new();
        let page_tpl =
            "{% for b in page.blocks %}{{ <ui.rows rows={b.table.rows} /> }}{% endfor %}";
        t.add_raw_templates([("macros.html", rows), ("page.html", page_tpl)])
            .unwrap();
        let tables = [("a", 3), ("b", 4), ("c", 1)];
        let whole = rendered(&t, page("P", &tables), 0);
        assert_eq!(whole.matches('|').count(), 16);
        for limit in [1, 2, 3] {
            assert_eq!(rendered(&t, page("P", &tables), limit), whole, "{limit}");
        }
    }

    #[test]
    fn templates_without_the_rows_component_render_the_page_whole() {
        // An override of macros.html from before ui.rows: its own loop.
        let mut t = tera::Tera::new();
        let page_tpl = "{% for b in page.blocks %}<table>{% for r in b.table.rows %}\
            <tr><td>{{ r.cells[0].text }}</td></tr>{% endfor %}</table>{% endfor %}";
        t.add_raw_templates([("page.html", page_tpl)]).unwrap();
        let whole = rendered(&t, page("P", &[("a", 5)]), 0);
        assert_eq!(whole.matches("<tr>").count(), 5);
        assert_eq!(rendered(&t, page("P", &[("a", 5)]), 2), whole);
    }
}
