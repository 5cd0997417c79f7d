//! Times as docket shows them: git's seconds since 1970 at the company's
//! offset. Commits, lost commits and timestamp tokens all go through
//! here, so a time reads the same on every page and in every message.

/// A time (seconds since 1970, UTC) shown at `offset_seconds` (the
/// company's time zone), like `2026-03-03 09:15:00 +08:00`: commits,
/// lost commits and timestamp tokens are all shown this way.
pub fn time_at(time: i64, offset_seconds: i32) -> String {
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).unwrap_or(jiff::tz::Offset::UTC);
    match jiff::Timestamp::from_second(time) {
        Ok(ts) => {
            let (sign, secs) = if offset_seconds < 0 {
                ('-', -offset_seconds)
            } else {
                ('+', offset_seconds)
            };
            let dt = offset.to_datetime(ts);
            if (1000..=9999).contains(&dt.year()) && secs < 100 * 3600 {
                return written_out(dt, sign, secs);
            }
            let zone = format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60);
            format!("{} {zone}", dt.strftime("%Y-%m-%d %H:%M:%S"))
        }
        Err(_) => time.to_string(),
    }
}

/// [`time_at`]'s text, digit by digit, for a four-digit year and a zone
/// under a hundred hours: every page shows these times, and `strftime`
/// reads its format again for each (a tenth of a second of a rebuild at
/// 50,000 orders). Any other time takes `strftime`'s way, as it always did.
fn written_out(dt: jiff::civil::DateTime, sign: char, secs: i32) -> String {
    let mut s = String::with_capacity(26);
    for (n, width, then) in [
        (i32::from(dt.year()), 4, '-'),
        (dt.month().into(), 2, '-'),
        (dt.day().into(), 2, ' '),
        (dt.hour().into(), 2, ':'),
        (dt.minute().into(), 2, ':'),
        (dt.second().into(), 2, ' '),
    ] {
        push_digits(&mut s, n, width);
        s.push(then);
    }
    s.push(sign);
    push_digits(&mut s, secs / 3600, 2);
    s.push(':');
    push_digits(&mut s, secs % 3600 / 60, 2);
    s
}

/// `n` (not negative) in `width` digits, zeros first.
fn push_digits(s: &mut String, n: i32, width: u32) {
    for place in (0..width).rev() {
        let digit = n.unsigned_abs() / 10u32.pow(place) % 10;
        s.push(char::from(b'0' + digit as u8));
    }
}

/// The calendar date of a time (seconds since 1970, UTC) at
/// `offset_seconds`.
pub fn date_at(time: i64, offset_seconds: i32) -> Option<jiff::civil::Date> {
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).unwrap_or(jiff::tz::Offset::UTC);
    jiff::Timestamp::from_second(time)
        .ok()
        .map(|ts| offset.to_datetime(ts).date())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `time_at` wrote before it wrote digits itself.
    fn by_strftime(time: i64, offset_seconds: i32) -> String {
        let offset = jiff::tz::Offset::from_seconds(offset_seconds).unwrap();
        let ts = jiff::Timestamp::from_second(time).unwrap();
        let (sign, secs) = if offset_seconds < 0 {
            ('-', -offset_seconds)
        } else {
            ('+', offset_seconds)
        };
        let zone = format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60);
        format!(
            "{} {zone}",
            offset.to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S")
        )
    }

    #[test]
    fn times_written_out_read_as_strftime_writes_them() {
        let offsets = [
            0,
            8 * 3600,
            -(3 * 3600 + 1800),
            5 * 3600 + 2700,
            14 * 3600,
            -12 * 3600,
        ];
        // From 1970 past 2100, a prime step apart, so every field moves.
        let mut time = 0i64;
        while time < 4_200_000_000 {
            for offset in offsets {
                assert_eq!(
                    time_at(time, offset),
                    by_strftime(time, offset),
                    "{time} {offset}"
                );
            }
            time += 9_999_991;
        }
        assert_eq!(
            time_at(1_772_504_100, 8 * 3600),
            "2026-03-03 10:15:00 +08:00"
        );
        // Years of other lengths keep strftime's way.
        for time in [-62_135_596_800, -30_610_224_001, -30_610_224_000] {
            assert_eq!(time_at(time, 3600), by_strftime(time, 3600));
        }
        assert_eq!(time_at(-30_610_224_001, 0), "0999-12-31 23:59:59 +00:00");
    }
}
