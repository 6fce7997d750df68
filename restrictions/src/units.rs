//! Units: the strings a TOML file may use, parsed exactly, and the way values are written back.

use std::time::Duration;

use crate::error::{nearest, Issue};

/// Byte units accepted in strings: SI prefixes are powers of 1000, IEC prefixes powers of 1024.
/// Prefixes are case-sensitive: `KB`, `mb`, `Mb` are rejected rather than guessed.
pub const BYTE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("kB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
];

/// Duration units accepted in strings, with their length in nanoseconds.
pub const DURATION_UNITS: &[(&str, u64)] = &[
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// The largest byte count accepted (2^53, so every byte count is exact as an `f64`).
pub const MAX_BYTES: u64 = 1 << 53;

/// A non-negative decimal number exactly as written: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    mantissa: u128,
    scale: u32,
}

impl Decimal {
    /// Parses `digits[.digits]` (either side may be empty, not both). No sign, no exponent.
    pub(crate) fn parse(text: &str) -> Result<Decimal, Issue> {
        let mut mantissa: u128 = 0;
        let mut scale = 0u32;
        let mut seen_dot = false;
        let mut digits = 0usize;
        for c in text.chars() {
            match c {
                '0'..='9' => {
                    digits += 1;
                    mantissa = mantissa
                        .checked_mul(10)
                        .and_then(|m| m.checked_add(u128::from(c as u8 - b'0')))
                        .ok_or_else(|| Issue::new(format!("number `{text}` is too large")))?;
                    if seen_dot {
                        scale += 1;
                    }
                }
                '.' if !seen_dot => seen_dot = true,
                _ => return Err(Issue::new(format!("`{text}` is not a number"))),
            }
        }
        if digits == 0 {
            return Err(Issue::new(format!("`{text}` is not a number")));
        }
        Ok(Decimal { mantissa, scale })
    }

    pub(crate) fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// `self × factor × 10^-extra_scale`, correctly rounded to the nearest `f64`.
    pub(crate) fn to_f64(self, factor: u64, extra_scale: u32) -> Option<f64> {
        let numerator = self.mantissa.checked_mul(u128::from(factor))?;
        let exponent = self.scale.checked_add(extra_scale)?;
        let value: f64 = format!("{numerator}e-{exponent}").parse().ok()?;
        value.is_finite().then_some(value)
    }

    /// `self × factor` if it is a whole number (`Ok(None)` if it is not), `Err` on overflow.
    pub(crate) fn to_whole(self, factor: u64) -> Result<Option<u128>, ()> {
        let numerator = self.mantissa.checked_mul(u128::from(factor)).ok_or(())?;
        let divisor = 10u128.checked_pow(self.scale).ok_or(())?;
        if numerator.is_multiple_of(divisor) {
            Ok(Some(numerator / divisor))
        } else {
            Ok(None)
        }
    }

    /// `self × factor`, rounded down.
    pub(crate) fn to_floor(self, factor: u64) -> Option<u128> {
        let numerator = self.mantissa.checked_mul(u128::from(factor))?;
        let divisor = 10u128.checked_pow(self.scale)?;
        Some(numerator / divisor)
    }
}

/// Splits `" 15 MB "` into the number `15` and the unit `MB` (possibly empty).
/// Rejects a leading sign with a message about negative values.
pub(crate) fn split_quantity(text: &str) -> Result<(Decimal, &str), Issue> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err(Issue::new(format!(
            "negative values are not allowed, found `{text}`"
        )));
    }
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    if number.is_empty() {
        return Err(Issue::new(format!(
            "expected a number followed by a unit, found `{text}`"
        )));
    }
    Ok((Decimal::parse(number)?, unit.trim()))
}

/// The factor of a byte unit, or an issue naming the accepted units.
pub(crate) fn byte_unit(unit: &str) -> Result<u64, Issue> {
    if let Some((_, factor)) = BYTE_UNITS.iter().find(|(name, _)| *name == unit) {
        return Ok(*factor);
    }
    if unit.is_empty() {
        return Err(Issue::new(format!(
            "missing unit; use one of {} (or write a plain number of bytes)",
            unit_list(BYTE_UNITS)
        )));
    }
    let message = if unit == "KB" {
        "unknown unit `KB`: write `kB` for 1000 bytes or `KiB` for 1024 bytes".to_owned()
    } else {
        format!(
            "unknown unit `{unit}`; use one of {} (prefixes are case-sensitive)",
            unit_list(BYTE_UNITS)
        )
    };
    let suggestion = case_insensitive(unit, BYTE_UNITS)
        .or_else(|| nearest(unit, BYTE_UNITS.iter().map(|(n, _)| *n)));
    Err(Issue::new(message).suggest(suggestion))
}

/// The factor (in nanoseconds) of a duration unit, or an issue naming the accepted units.
pub(crate) fn duration_unit(unit: &str) -> Result<u64, Issue> {
    if let Some((_, factor)) = DURATION_UNITS.iter().find(|(name, _)| *name == unit) {
        return Ok(*factor);
    }
    if unit.is_empty() {
        return Err(Issue::new(format!(
            "missing unit; use one of {} (or write a plain number of seconds)",
            unit_list(DURATION_UNITS)
        )));
    }
    let suggestion = case_insensitive(unit, DURATION_UNITS).or(match unit {
        "sec" | "secs" | "second" | "seconds" => Some("s"),
        "m" | "mins" | "minute" | "minutes" => Some("min"),
        "hr" | "hrs" | "hour" | "hours" => Some("h"),
        _ => None,
    });
    Err(Issue::new(format!(
        "unknown unit `{unit}`; use one of {}",
        unit_list(DURATION_UNITS)
    ))
    .suggest(suggestion))
}

fn case_insensitive(unit: &str, units: &[(&'static str, u64)]) -> Option<&'static str> {
    units
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .map(|(name, _)| *name)
}

/// "`B`, `kB`, ..." for messages and docs.
pub(crate) fn unit_list(units: &[(&str, u64)]) -> String {
    units
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A byte count as TOML: the largest unit that divides it exactly, else a plain integer.
pub(crate) fn format_bytes(bytes: u64, suffix: &str) -> String {
    const PREFERRED: [&str; 6] = ["GB", "GiB", "MB", "MiB", "kB", "KiB"];
    if bytes > 0 {
        for name in PREFERRED {
            if let Some((_, factor)) = BYTE_UNITS.iter().find(|(n, _)| *n == name) {
                if bytes.is_multiple_of(*factor) {
                    return format!("\"{} {name}{suffix}\"", bytes / factor);
                }
            }
        }
    }
    bytes.to_string()
}

/// A rate in bytes/s as TOML: `"300 kB/s"` when that is exact, else a plain number.
pub(crate) fn format_rate(rate: f64) -> String {
    if rate.fract() == 0.0 && rate >= 0.0 && rate <= MAX_BYTES as f64 {
        // Whole and below 2^53: the conversion is exact.
        let whole = rate as u64;
        if whole.is_multiple_of(1000) || whole.is_multiple_of(1024) {
            return format_bytes(whole, "/s");
        }
        return whole.to_string();
    }
    format_float(rate)
}

/// An `f64` as a TOML float that parses back to the same value.
pub(crate) fn format_float(value: f64) -> String {
    // `{:?}` is the shortest text that round-trips and always has a `.` or an exponent.
    format!("{value:?}")
}

/// A duration as TOML: the largest unit that is exact, down to nanoseconds as decimal seconds.
pub(crate) fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    let nanos = duration.subsec_nanos();
    if nanos == 0 {
        if secs > 0 && secs.is_multiple_of(3600) {
            format!("\"{} h\"", secs / 3600)
        } else if secs > 0 && secs.is_multiple_of(60) {
            format!("\"{} min\"", secs / 60)
        } else {
            format!("\"{secs} s\"")
        }
    } else if nanos.is_multiple_of(1_000_000) {
        format!("\"{} ms\"", duration.as_millis())
    } else {
        format!("\"{secs}.{nanos:09} s\"")
    }
}

/// A byte count for prose (docs): `150 MB`, `4 KiB`, `12345 B`.
pub(crate) fn human_bytes(bytes: u64) -> String {
    let toml = format_bytes(bytes, "");
    match toml.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(with_unit) => with_unit.to_owned(),
        None => format!("{bytes} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_parses_exactly() {
        let d = Decimal::parse("1.5").unwrap();
        assert_eq!(d.to_whole(1_000_000), Ok(Some(1_500_000)));
        assert_eq!(d.to_whole(1), Ok(None));
        assert_eq!(d.to_whole(1 << 20), Ok(Some(1_572_864)));
        assert_eq!(Decimal::parse(".10").unwrap().to_f64(1, 0), Some(0.1));
        assert_eq!(Decimal::parse("10.").unwrap().to_f64(1, 2), Some(0.1));
        assert_eq!(Decimal::parse("33.3").unwrap().to_f64(1, 2), Some(0.333));
        assert!(Decimal::parse("").is_err());
        assert!(Decimal::parse(".").is_err());
        assert!(Decimal::parse("1.2.3").is_err());
        assert!(Decimal::parse("1e5").is_err());
        assert!(Decimal::parse("99999999999999999999999999999999999999999").is_err());
        assert_eq!(
            Decimal::parse("2.5").unwrap().to_floor(1_000_000_000),
            Some(2_500_000_000)
        );
    }

    #[test]
    fn split_quantity_handles_spacing_and_signs() {
        let (n, unit) = split_quantity(" 15MB ").unwrap();
        assert_eq!((n.to_whole(1), unit), (Ok(Some(15)), "MB"));
        let (_, unit) = split_quantity("100 kB/s").unwrap();
        assert_eq!(unit, "kB/s");
        assert!(split_quantity("-5 MB")
            .unwrap_err()
            .message
            .contains("negative"));
        assert!(split_quantity("MB").is_err());
        assert!(split_quantity("+5 MB").is_err());
    }

    #[test]
    fn units_are_case_sensitive_with_hints() {
        assert_eq!(byte_unit("kB"), Ok(1000));
        assert_eq!(byte_unit("KiB"), Ok(1024));
        assert_eq!(byte_unit("GiB"), Ok(1 << 30));
        let kb = byte_unit("KB").unwrap_err();
        assert!(kb.message.contains("`kB` for 1000"), "{}", kb.message);
        assert_eq!(
            byte_unit("mb").unwrap_err().suggestion.as_deref(),
            Some("MB")
        );
        assert!(byte_unit("").unwrap_err().message.contains("missing unit"));
        assert_eq!(duration_unit("min"), Ok(60_000_000_000));
        assert_eq!(
            duration_unit("sec").unwrap_err().suggestion.as_deref(),
            Some("s")
        );
        assert_eq!(
            duration_unit("MS").unwrap_err().suggestion.as_deref(),
            Some("ms")
        );
    }

    #[test]
    fn formatting_picks_exact_units() {
        assert_eq!(format_bytes(150_000_000, ""), "\"150 MB\"");
        assert_eq!(format_bytes(1 << 20, ""), "\"1 MiB\"");
        assert_eq!(format_bytes(1_000_000_000, ""), "\"1 GB\"");
        assert_eq!(format_bytes(12_345, ""), "12345");
        assert_eq!(format_bytes(0, ""), "0");
        assert_eq!(format_rate(300_000.0), "\"300 kB/s\"");
        assert_eq!(format_rate(12_345.0), "12345");
        assert_eq!(format_rate(0.0), "0");
        assert_eq!(format_rate(0.5), "0.5");
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_duration(Duration::from_secs(60)), "\"1 min\"");
        assert_eq!(format_duration(Duration::from_secs(7200)), "\"2 h\"");
        assert_eq!(format_duration(Duration::from_secs(90)), "\"90 s\"");
        assert_eq!(format_duration(Duration::from_millis(1500)), "\"1500 ms\"");
        assert_eq!(format_duration(Duration::new(1, 5)), "\"1.000000005 s\"");
        assert_eq!(human_bytes(4096), "4 KiB");
        assert_eq!(human_bytes(12_345), "12345 B");
        assert_eq!(human_bytes(150_000_000), "150 MB");
        assert_eq!(human_bytes(0), "0 B");
    }
}
