//! Charts as inline SVG, drawn at build time: the site needs no script
//! and no chart library to show them, they print, and they are the same
//! bytes for the same figures.
//!
//! One shape covers the dashboard: vertical bars with a label under each,
//! the value above it, and an optional horizontal target line (the survey
//! target). Colours come from the stylesheet (`.chart .bar`), so a
//! template override can restyle them.

/// One bar chart.
pub struct Bars<'a> {
    /// The accessible name (`<title>` and `aria-label`).
    pub title: &'a str,
    pub bars: Vec<(String, f64)>,
    /// A reference line, in the bars' unit.
    pub target: Option<f64>,
}

const W: f64 = 480.0;
const H: f64 = 220.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 34.0;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number for display: whole numbers without decimals, else one.
fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl Bars<'_> {
    pub fn to_svg(&self) -> String {
        let max = self
            .bars
            .iter()
            .map(|b| b.1)
            .chain(self.target)
            .fold(0.0_f64, f64::max);
        let scale = if max > 0.0 {
            (H - TOP - BOTTOM) / max
        } else {
            0.0
        };
        let n = self.bars.len().max(1) as f64;
        let slot = W / n;
        let bar_w = (slot * 0.6).min(48.0);
        let base = H - BOTTOM;
        let title = esc(self.title);
        let mut s = format!(
            "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{title}\" \
             xmlns=\"http://www.w3.org/2000/svg\"><title>{title}</title>\
             <line class=\"axis\" x1=\"0\" y1=\"{base}\" x2=\"{W}\" y2=\"{base}\"/>"
        );
        for (i, (label, value)) in self.bars.iter().enumerate() {
            let cx = slot * (i as f64 + 0.5);
            let h = value * scale;
            let (x, y) = (cx - bar_w / 2.0, base - h);
            s.push_str(&format!(
                "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\"/>\
                 <text class=\"value\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
                 <text class=\"label\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                y - 4.0,
                num(*value),
                H - BOTTOM + 16.0,
                esc(label)
            ));
        }
        if let Some(t) = self.target {
            let y = base - t * scale;
            s.push_str(&format!(
                "<line class=\"target\" x1=\"0\" y1=\"{y:.1}\" x2=\"{W}\" y2=\"{y:.1}\"/>\
                 <text class=\"target-label\" x=\"{W}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                y - 4.0,
                num(t)
            ));
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_highest_value() {
        let svg = Bars {
            title: "Orders <per> month",
            bars: vec![("2026-01".into(), 2.0), ("2026-02".into(), 4.0)],
            target: None,
        }
        .to_svg();
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert!(svg.contains("aria-label=\"Orders &lt;per&gt; month\""));
        assert_eq!(svg.matches("<rect").count(), 2);
        // The highest bar fills the plot height: 220 - 18 - 34.
        assert!(svg.contains("height=\"168.0\""), "{svg}");
        assert!(svg.contains("height=\"84.0\""));
    }

    #[test]
    fn empty_and_zero_charts_draw_no_nan() {
        let svg = Bars {
            title: "t",
            bars: vec![("a".into(), 0.0)],
            target: Some(0.0),
        }
        .to_svg();
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        let svg = Bars {
            title: "t",
            bars: vec![],
            target: None,
        }
        .to_svg();
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn target_line_and_hostile_labels() {
        let svg = Bars {
            title: "s",
            bars: vec![("<script>".into(), 70.0)],
            target: Some(80.0),
        }
        .to_svg();
        assert!(svg.contains("class=\"target\""));
        assert!(!svg.contains("<script>"));
    }
}
