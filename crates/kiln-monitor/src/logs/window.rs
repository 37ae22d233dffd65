//! Time windows over the prediction log: a fixed width (`30m`, `1h`, `1d`, `7d`) and an optional
//! `since` / `until` range.
//!
//! Windows are aligned to the Unix epoch, not to the first row: window `k` covers
//! `[k·width, (k+1)·width)` in UTC microseconds, so `1d` windows are calendar days (UTC) and
//! `1h` windows start on the hour, and two runs over a growing log put a row in the same window.
//! (A width that does not divide a day, such as `7d`, is still aligned to 1970-01-01, a
//! Thursday.) Every window from the one holding the first selected row to the one holding the
//! last is listed, empty ones included, so a gap in traffic shows as a gap.

use serde::{Deserialize, Serialize};

use crate::error::{MonitorError, Result};

/// Microseconds in one second.
const SECOND: i64 = 1_000_000;

/// The most windows one report lists; a narrower width over a long log is refused rather than
/// printing millions of rows.
pub const MAX_WINDOWS: usize = 100_000;

/// How rows are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// Window width in microseconds (positive).
    pub width_micros: i64,
    /// Rows scored before this instant (µs since the epoch) are left out.
    pub since: Option<i64>,
    /// Rows scored at or after this instant are left out.
    pub until: Option<i64>,
}

impl WindowSpec {
    /// Windows of `width` (e.g. `"1h"`), over the whole log.
    ///
    /// ```
    /// use kiln_monitor::logs::WindowSpec;
    /// assert_eq!(WindowSpec::parse("90m")?.width_micros, 90 * 60 * 1_000_000);
    /// assert!(WindowSpec::parse("1y").is_err());
    /// # Ok::<(), kiln_monitor::MonitorError>(())
    /// ```
    pub fn parse(width: &str) -> Result<Self> {
        Ok(WindowSpec {
            width_micros: parse_width(width)?,
            since: None,
            until: None,
        })
    }

    /// Checks the width and the range.
    pub fn check(&self) -> Result<()> {
        if self.width_micros <= 0 {
            return Err(MonitorError::InvalidParameter {
                name: "window",
                value: format!("{} µs", self.width_micros),
                expected: "a positive width such as 1h or 1d",
            });
        }
        if let (Some(s), Some(u)) = (self.since, self.until)
            && s >= u
        {
            return Err(MonitorError::spec(
                "since/until",
                format!(
                    "since {} is not before until {}; expected an earlier --since than --until",
                    kiln_data::datetime::format_micros(s),
                    kiln_data::datetime::format_micros(u)
                ),
            ));
        }
        Ok(())
    }

    /// True when a row scored at `t` is in the range.
    pub fn contains(&self, t: i64) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }

    /// The index of the window holding `t` (floor division, so times before 1970 work too).
    pub fn index_of(&self, t: i64) -> i64 {
        t.div_euclid(self.width_micros)
    }

    /// The windows from the one holding `first` to the one holding `last`, inclusive.
    pub(crate) fn span(&self, first: i64, last: i64) -> Result<(i64, usize)> {
        let (a, b) = (self.index_of(first), self.index_of(last));
        let count = (b - a + 1) as u64;
        if count > MAX_WINDOWS as u64 {
            return Err(MonitorError::spec(
                "window",
                format!(
                    "{} windows of {} from {} to {} is more than {MAX_WINDOWS}; choose a wider window or a shorter --since/--until range",
                    count,
                    format_width(self.width_micros),
                    kiln_data::datetime::format_micros(first),
                    kiln_data::datetime::format_micros(last)
                ),
            ));
        }
        Ok((a, count as usize))
    }
}

/// Parses a width: a positive whole number and a unit, `s`, `m` (or `min`), `h`, `d` or `w`.
pub fn parse_width(text: &str) -> Result<i64> {
    let bad = || MonitorError::InvalidParameter {
        name: "window",
        value: text.to_string(),
        expected: "a positive whole number and a unit s, m, h, d or w, e.g. 30m, 1h, 1d or 7d",
    };
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = t.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit_micros = match unit.trim().to_ascii_lowercase().as_str() {
        "s" | "sec" => SECOND,
        "m" | "min" => 60 * SECOND,
        "h" => 3_600 * SECOND,
        "d" => 86_400 * SECOND,
        "w" => 7 * 86_400 * SECOND,
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(bad());
    }
    n.checked_mul(unit_micros).ok_or_else(bad)
}

/// A width as the largest whole unit that divides it (`3600000000` → `1h`).
pub fn format_width(micros: i64) -> String {
    for (unit, size) in [
        ("w", 7 * 86_400 * SECOND),
        ("d", 86_400 * SECOND),
        ("h", 3_600 * SECOND),
        ("m", 60 * SECOND),
        ("s", SECOND),
    ] {
        if micros % size == 0 {
            return format!("{}{unit}", micros / size);
        }
    }
    format!("{micros}us")
}

/// One window of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Start, inclusive, ISO 8601 UTC.
    pub start: String,
    /// End, exclusive, ISO 8601 UTC.
    pub end: String,
    /// Start in microseconds since the epoch.
    pub start_micros: i64,
    /// Rows scored in the window.
    pub rows: usize,
    /// Model versions that scored them, ascending.
    pub versions: Vec<u32>,
}

/// Rows grouped by window: `rows[w]` are the row positions of window `w`.
pub(crate) struct Grouped {
    pub windows: Vec<Window>,
    pub rows: Vec<Vec<usize>>,
}

/// Groups rows (their times and versions) into consecutive windows.
pub(crate) fn group(spec: &WindowSpec, times: &[i64], versions: &[u32]) -> Result<Grouped> {
    let (Some(&first), Some(&last)) = (times.iter().min(), times.iter().max()) else {
        return Ok(Grouped {
            windows: Vec::new(),
            rows: Vec::new(),
        });
    };
    let (start_index, count) = spec.span(first, last)?;
    let mut rows = vec![Vec::new(); count];
    for (i, &t) in times.iter().enumerate() {
        rows[(spec.index_of(t) - start_index) as usize].push(i);
    }
    let windows = rows
        .iter()
        .enumerate()
        .map(|(k, members)| {
            let start = (start_index + k as i64) * spec.width_micros;
            let mut seen: Vec<u32> = members.iter().map(|&i| versions[i]).collect();
            seen.sort_unstable();
            seen.dedup();
            Window {
                start: kiln_data::datetime::format_micros(start),
                end: kiln_data::datetime::format_micros(start + spec.width_micros),
                start_micros: start,
                rows: members.len(),
                versions: seen,
            }
        })
        .collect();
    Ok(Grouped { windows, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600 * SECOND;

    #[test]
    fn widths_parse_and_bad_ones_are_named() {
        assert_eq!(parse_width("1h").unwrap(), HOUR);
        assert_eq!(parse_width("15min").unwrap(), 15 * 60 * SECOND);
        assert_eq!(parse_width(" 2D ").unwrap(), 48 * HOUR);
        assert_eq!(parse_width("1w").unwrap(), 168 * HOUR);
        for bad in [
            "",
            "h",
            "0h",
            "1.5h",
            "-1h",
            "1y",
            "10",
            "99999999999999999999d",
        ] {
            let e = parse_width(bad).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("window = {bad}; expected a positive whole number")),
                "{bad}: {e}"
            );
        }
        assert_eq!(format_width(HOUR), "1h");
        assert_eq!(format_width(90 * 60 * SECOND), "90m");
        assert_eq!(format_width(7 * 24 * HOUR), "1w");
    }

    #[test]
    fn windows_align_to_the_epoch_and_keep_empty_ones() {
        let spec = WindowSpec::parse("1h").unwrap();
        // 10:59:59.999999 and 11:00 fall in two windows; 13:xx leaves 12:00 empty.
        let day = 20_000 * 24 * HOUR;
        let times = [
            day + 11 * HOUR - 1,
            day + 11 * HOUR,
            day + 11 * HOUR + 5,
            day + 13 * HOUR + 30 * 60 * SECOND,
        ];
        let g = group(&spec, &times, &[1, 1, 2, 2]).unwrap();
        let summary: Vec<(&str, usize, Vec<u32>)> = g
            .windows
            .iter()
            .map(|w| (w.start.as_str(), w.rows, w.versions.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("2024-10-04T10:00:00", 1, vec![1]),
                ("2024-10-04T11:00:00", 2, vec![1, 2]),
                ("2024-10-04T12:00:00", 0, vec![]),
                ("2024-10-04T13:00:00", 1, vec![2]),
            ]
        );
        assert_eq!(g.windows[0].end, "2024-10-04T11:00:00");
        assert_eq!(g.rows[1], vec![1, 2]);
    }

    #[test]
    fn ranges_are_checked_and_huge_spans_refused() {
        let mut spec = WindowSpec::parse("1s").unwrap();
        spec.since = Some(10);
        spec.until = Some(10);
        assert!(
            spec.check()
                .unwrap_err()
                .to_string()
                .contains("is not before")
        );
        spec.until = Some(11);
        assert!(spec.contains(10) && !spec.contains(11) && !spec.contains(9));
        let e = group(&spec, &[0, 400 * 86_400 * SECOND], &[1, 1])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("choose a wider window"), "{e}");
    }
}
