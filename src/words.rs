//! Words for counts in docket's own output: "1 record", "2 records".
//!
//! A summary line is the first thing a person reads after a run, and "1
//! errors" reads as a slip; every count docket prints about itself goes
//! through [`count`], so none is left to chance.

/// `n` and the noun, singular for exactly one: `count(1, "record")` is
/// "1 record", `count(0, "record")` "0 records". Nouns whose plural is not
/// the singular plus "s" say so with [`count_as`].
pub fn count<N: Number>(n: N, noun: &str) -> String {
    if n == N::from(1) {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A whole number docket counts with (`usize`, `u32`, `i64`...).
pub trait Number: std::fmt::Display + PartialEq + From<u8> {}
impl<T: std::fmt::Display + PartialEq + From<u8>> Number for T {}

/// [`count`] with the plural spelled out: `count_as(2, "was", "were")`.
pub fn count_as<N: Number>(n: N, one: &str, many: &str) -> String {
    let word = if n == N::from(1) { one } else { many };
    format!("{n} {word}")
}

/// A field path as a person reads it: arrays counted from 1, dots as
/// spaces. `field("line[0].quantity")` is "line 1 quantity",
/// `field("capacity.stock")` "capacity stock". JSON output keeps the
/// machine path; messages and pages use this.
pub fn field(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 4);
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        match rest[open + 1..close].parse::<usize>() {
            Ok(i) => out.push_str(&format!(" {}", i + 1)),
            Err(_) => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.replace('.', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_count_from_one() {
        assert_eq!(field("line[0].quantity"), "line 1 quantity");
        assert_eq!(field("extra_review[1]"), "extra_review 2");
        assert_eq!(field("capacity.stock"), "capacity stock");
        assert_eq!(field("customer"), "customer");
    }

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(0, "error"), "0 errors");
        assert_eq!(count(1, "error"), "1 error");
        assert_eq!(count(2, "file"), "2 files");
        assert_eq!(count(11, "page"), "11 pages");
        assert_eq!(count(-1i64, "day"), "-1 days");
        assert_eq!(count(1u32, "day"), "1 day");
        assert_eq!(count_as(1, "entry", "entries"), "1 entry");
        assert_eq!(count_as(3, "entry", "entries"), "3 entries");
    }
}
