//! The company the demo plays: its plan, its people's keys, and how its
//! records are laid out in folders as it grows.

use super::plan::Plan;
use jiff::civil::Date;
use ssh_key::PrivateKey;

/// Every commit rewrites the tree of the folder its record is in, so the
/// folders must stay small as the company grows: a year folder for a small
/// company, month folders for a large one, and folders of a hundred ids
/// (`orders/2026/123xx/`) beyond that, where a month holds thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Year,
    Month,
    Hundreds,
}

impl Layout {
    pub fn for_orders(orders: usize) -> Layout {
        match orders {
            0..=2000 => Layout::Year,
            2001..=20000 => Layout::Month,
            _ => Layout::Hundreds,
        }
    }
}

pub struct Company<'a> {
    pub plan: &'a Plan,
    pub keys: &'a [PrivateKey],
    /// How records are spread below their year folder.
    pub layout: Layout,
    pub procedure: &'a str,
    /// The certificates of the demo TSA, trusted by its docket.toml.
    pub tsa_chain: &'a str,
}

impl Company<'_> {
    pub(super) fn path(&self, folder: &str, id: &str, date: Date) -> String {
        let year = date.year();
        match self.layout {
            Layout::Year => format!("{folder}/{year}/{id}.toml"),
            Layout::Month => format!("{folder}/{year}/{:02}/{id}.toml", date.month()),
            Layout::Hundreds => {
                let n: u32 = id
                    .rsplit('-')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                format!("{folder}/{year}/{:03}xx/{id}.toml", n / 100)
            }
        }
    }
}
