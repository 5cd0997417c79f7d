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
            let zone = format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60);
            format!(
                "{} {zone}",
                offset.to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S")
            )
        }
        Err(_) => time.to_string(),
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
