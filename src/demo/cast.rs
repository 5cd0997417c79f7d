//! The demo company: its people, customers and part numbers.

use jiff::civil::{Date, date};

pub struct Person {
    pub id: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub role: &'static str,
    pub department: &'static str,
    pub left: Option<Date>,
}

pub const GM: usize = 0;
pub const LI: usize = 1;
pub const CHEN: usize = 2;
pub const HE: usize = 3;
pub const QC: usize = 4;
pub const MFG: usize = 5;
pub const RND: usize = 6;

/// The day He Ping leaves: he signs nothing after it.
pub const HE_LEFT: Date = date(2025, 9, 30);

pub const PEOPLE: [Person; 7] = [
    Person {
        id: "wang.gm",
        name: "Wang Daming",
        email: "wang@acme.example",
        role: "gm",
        department: "commerce",
        left: None,
    },
    Person {
        id: "li.sales",
        name: "Li Mei",
        email: "li@acme.example",
        role: "sales",
        department: "sales",
        left: None,
    },
    Person {
        id: "chen.sales",
        name: "Chen Jie",
        email: "chen@acme.example",
        role: "sales",
        department: "sales",
        left: None,
    },
    Person {
        id: "he.sales",
        name: "He Ping",
        email: "he@acme.example",
        role: "sales",
        department: "sales",
        left: Some(HE_LEFT),
    },
    Person {
        id: "sun.qc",
        name: "Sun Hui",
        email: "sun@acme.example",
        role: "qc",
        department: "qc",
        left: None,
    },
    Person {
        id: "zhao.mfg",
        name: "Zhao Gang",
        email: "zhao@acme.example",
        role: "manufacturing",
        department: "manufacturing",
        left: None,
    },
    Person {
        id: "lin.rnd",
        name: "Lin Yu",
        email: "lin@acme.example",
        role: "rnd",
        department: "rnd",
        left: None,
    },
];

/// (name, region, city line, contact, phone prefix)
pub const CUSTOMERS: [(&str, &str, &str, &str, &str); 12] = [
    (
        "Nordlicht Maschinenbau GmbH",
        "international",
        "Hafenstrasse 12, 20457 Hamburg, Germany",
        "Anna Keller",
        "+49 40",
    ),
    (
        "Kaneda Seiki K.K.",
        "international",
        "2-14-3 Shiba, Minato-ku, Tokyo, Japan",
        "Hiroshi Kaneda",
        "+81 3",
    ),
    (
        "Great Lakes Hydraulics Inc.",
        "international",
        "880 Industrial Pkwy, Toledo, OH, USA",
        "Megan Ortiz",
        "+1 419",
    ),
    (
        "Hsinchu Automation Co., Ltd.",
        "domestic",
        "No. 18, Gongye 2nd Rd, Hsinchu",
        "Tsai Wen-Hsiung",
        "+886 3",
    ),
    (
        "Taichung Tooling Works",
        "domestic",
        "No. 77, Jingke Rd, Taichung",
        "Huang Li-Chun",
        "+886 4",
    ),
    (
        "Rhein-Pumpen AG",
        "international",
        "Industriestrasse 5, 4052 Basel, Switzerland",
        "Jonas Brunner",
        "+41 61",
    ),
    (
        "Osaka Precision Drives",
        "international",
        "1-8 Nishikujo, Konohana-ku, Osaka, Japan",
        "Yuki Mori",
        "+81 6",
    ),
    (
        "Kaohsiung Marine Systems",
        "domestic",
        "No. 3, Chenggong 2nd Rd, Kaohsiung",
        "Lin Kuo-Wei",
        "+886 7",
    ),
    (
        "Lyon Robotique SAS",
        "international",
        "14 rue de Gerland, 69007 Lyon, France",
        "Camille Roux",
        "+33 4",
    ),
    (
        "Tainan Medical Devices",
        "domestic",
        "No. 9, Dasyue Rd, Tainan",
        "Chou Mei-Ling",
        "+886 6",
    ),
    (
        "Midwest Conveyor LLC",
        "international",
        "2200 Commerce Dr, Peoria, IL, USA",
        "Brian Walsh",
        "+1 309",
    ),
    (
        "Penang Electronics Sdn Bhd",
        "international",
        "Bayan Lepas FIZ, 11900 Penang, Malaysia",
        "Ahmad Rahman",
        "+60 4",
    ),
];

/// (code, name, spec pattern)
pub const FAMILIES: [(&str, &str, &str); 6] = [
    ("SH", "Stainless shaft", "D{a} x {b} mm, SUS304"),
    ("BU", "Bronze bushing", "ID{a} x OD{c} x {d} mm, CuSn8"),
    ("FL", "Mounting flange", "PCD{b}, t{d} mm, S45C"),
    ("PN", "Dowel pin", "D{a} x {d} mm, SUJ2 h6"),
    ("SL", "Guide sleeve", "ID{a} x {b} mm, SKD11 HRC58"),
    ("GA", "Thread plug gauge", "M{a} x 1.5 6H GO/NOGO"),
];

/// The part number, name and spec of the `k`th product of the catalogue.
pub fn part(k: usize) -> (String, String, String) {
    let (code, name, spec) = FAMILIES[k % FAMILIES.len()];
    let n = k / FAMILIES.len();
    let a = 6 + (n % 12) * 2;
    let spec = spec
        .replace("{a}", &a.to_string())
        .replace("{b}", &(100 + (n / 12) * 25).to_string())
        .replace("{c}", &(a + 6).to_string())
        .replace("{d}", &(10 + n % 7 * 5).to_string());
    // Dimensions repeat in a big catalogue; the drawing does not, so two
    // part numbers never describe one product (clause 1).
    let spec = format!("{spec}, drawing D-{:05}", k + 1);
    (
        format!("AP-{code}-{}", 1000 + n * 10),
        name.to_string(),
        spec,
    )
}

#[cfg(test)]
mod tests {
    /// A 50,000-order company has thousands of products; none may share a
    /// name and spec with another (`part-number-unique`).
    #[test]
    fn part_numbers_describe_distinct_products() {
        let mut seen = std::collections::HashSet::new();
        for k in 0..20_000 {
            let (pn, name, spec) = super::part(k);
            assert!(seen.insert((name, spec)), "{pn} repeats a product");
        }
    }
}
