//! Minimal ISO-8601 date and date-time parsing and formatting, without a time zone.
//!
//! CSV type inference tries every cell of a candidate column, so this parser is strict and
//! allocation-free: `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.f…]]`,
//! optionally ending in `Z`. Anything else is not a datetime (the column stays text).

/// Microseconds since 1970-01-01T00:00:00 for an ISO date or date-time, or `None`.
pub fn parse_micros(s: &[u8]) -> Option<i64> {
    let s = s.strip_suffix(b"Z").unwrap_or(s);
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let year = digits(&s[0..4])? as i64;
    let month = digits(&s[5..7])?;
    let day = digits(&s[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut micros = days_from_civil(year, month, day) * 86_400_000_000;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(micros);
    }
    if rest[0] != b'T' && rest[0] != b' ' {
        return None;
    }
    let t = &rest[1..];
    if t.len() < 5 || t[2] != b':' {
        return None;
    }
    let hour = digits(&t[0..2])?;
    let minute = digits(&t[3..5])?;
    let mut second = 0;
    let mut frac_micros = 0;
    let mut tail = &t[5..];
    if !tail.is_empty() {
        if tail.len() < 3 || tail[0] != b':' {
            return None;
        }
        second = digits(&tail[1..3])?;
        tail = &tail[3..];
        if !tail.is_empty() {
            if tail[0] != b'.' || tail.len() < 2 || tail.len() > 10 {
                return None;
            }
            let frac = &tail[1..];
            let value = digits(frac)? as i64;
            // Scale to microseconds: pad or truncate the fraction to six digits.
            frac_micros = if frac.len() <= 6 {
                value * 10_i64.pow(6 - frac.len() as u32)
            } else {
                value / 10_i64.pow(frac.len() as u32 - 6)
            };
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    micros += ((hour as i64 * 60 + minute as i64) * 60 + second as i64) * 1_000_000 + frac_micros;
    Some(micros)
}

/// ISO text for microseconds since the epoch: a date alone when the time is midnight.
pub fn format_micros(micros: i64) -> String {
    let days = micros.div_euclid(86_400_000_000);
    let in_day = micros.rem_euclid(86_400_000_000);
    let (y, m, d) = civil_from_days(days);
    if in_day == 0 {
        return format!("{y:04}-{m:02}-{d:02}");
    }
    let secs = in_day / 1_000_000;
    let frac = in_day % 1_000_000;
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if frac == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:06}")
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    let mut v: u32 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u32;
    }
    Some(v)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of `days_from_civil`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_times_and_round_trips() {
        assert_eq!(parse_micros(b"1970-01-01"), Some(0));
        assert_eq!(parse_micros(b"1970-01-02T00:00:01"), Some(86_401_000_000));
        assert_eq!(parse_micros(b"1969-12-31 23:59:59.5Z"), Some(-500_000));
        for s in [
            "2024-02-29",
            "2001-09-09T01:46:40",
            "1900-03-01T12:00:00.000123",
        ] {
            let m = parse_micros(s.as_bytes()).unwrap();
            assert_eq!(format_micros(m), s);
        }
    }

    #[test]
    fn rejects_non_dates() {
        for s in [
            "2023-02-29",
            "2024-13-01",
            "20240101",
            "2024-01-01T25:00",
            "abc",
            "1.5",
        ] {
            assert_eq!(parse_micros(s.as_bytes()), None, "{s}");
        }
    }
}
