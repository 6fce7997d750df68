//! RepyV2's legacy format (`resourcemanipulation.parse_resourcedict_from_string`), with every
//! problem reported at once at the line and column of the offending word.
//!
//! Rules: CRLF becomes LF; text after `#` is dropped; lines are split on whitespace and blank
//! ones skipped; a line starts with `resource` or `call` (`call` lines are ignored);
//! `resource <name> <value>` has exactly three words and one of the 17 RepyV2 names; rates
//! are floats, `memory`, `diskused` and item counts integers; only `connport`/`messport` may
//! repeat (they accumulate); `cpu`, `memory` and `diskused` are mandatory and every other
//! resource left out is 0. Unlike RepyV2, negative and non-finite values, a `cpu` of 0 and
//! ports outside 1–65535 are rejected. A legacy file has no profile: it is always `repyv2`.

use crate::error::{nearest, Issue, PolicyError, Report};
use crate::policy::Restrictions;
use crate::resources::{Kind, ResourceId, RESOURCES};
use crate::units::MAX_BYTES;

/// Resources RepyV2 refuses to start without.
const MANDATORY: [ResourceId; 3] = [ResourceId::Cpu, ResourceId::Memory, ResourceId::Diskused];

pub(crate) fn parse(text: &str, path: &str) -> Result<Restrictions, PolicyError> {
    let text = text.replace("\r\n", "\n");
    let mut report = Report::new(&text);
    let mut policy = Restrictions::legacy_zero();
    // Line where each resource was first given.
    let mut first_seen: [Option<usize>; ResourceId::COUNT] = [None; ResourceId::COUNT];

    for (index, line) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let content = line.split('#').next().unwrap_or("");
        let words = words(content);
        let Some(&(first_col, first)) = words.first() else {
            continue;
        };
        match first {
            "call" => continue,
            "resource" => {}
            "profile" | "python" | "[python]" => {
                report.at_line_col(
                    line_no,
                    first_col,
                    None,
                    Issue::new(
                        "a RepyV2 legacy file cannot select a profile: it always runs under \
                         `repyv2`. To run ordinary Python 3 programs, convert it to TOML \
                         (`repy restrictions convert FILE`) and add `profile = \"python\"` \
                         at its top",
                    ),
                );
                continue;
            }
            _ => {
                report.at_line_col(
                    line_no,
                    first_col,
                    None,
                    Issue::new(format!(
                        "expected `resource` or `call` at the start of the line, found `{first}`"
                    ))
                    .suggest(nearest(first, ["resource", "call"])),
                );
                continue;
            }
        }
        let key = words.get(1).map(|&(_, name)| name);
        match (words.get(1), words.get(2), words.get(3)) {
            (Some(&(name_col, name)), Some(&(value_col, value)), None) => {
                let Some(id) = resource(name, line_no, name_col, &mut report) else {
                    continue;
                };
                if id.kind() != Kind::Ports {
                    if let Some(Some(first_line)) = first_seen.get(id as usize) {
                        report.at_line_col(
                            line_no,
                            name_col,
                            key,
                            Issue::new(format!(
                                "given twice (first on line {first_line}); only `connport` \
                                 and `messport` may repeat"
                            )),
                        );
                        continue;
                    }
                }
                if let Some(slot @ None) = first_seen.get_mut(id as usize) {
                    *slot = Some(line_no);
                }
                if let Err(issue) = store(id, value, &mut policy) {
                    report.at_line_col(line_no, value_col, key, issue);
                }
            }
            (_, _, Some(&(extra_col, extra))) => report.at_line_col(
                line_no,
                extra_col,
                key,
                Issue::new(format!(
                    "expected `resource <name> <value>`, found {} extra word(s) starting \
                     with `{extra}`",
                    words.len() - 3
                )),
            ),
            _ => {
                let (last_col, last) = words.last().copied().unwrap_or((first_col, first));
                let end_col = last_col + last.chars().count();
                let missing = if words.len() == 1 {
                    "<name> <value>"
                } else {
                    "<value>"
                };
                report.at_line_col(
                    line_no,
                    end_col,
                    key,
                    Issue::new(format!(
                        "expected `resource <name> <value>`, missing {missing}"
                    )),
                );
            }
        }
    }

    for id in MANDATORY {
        if first_seen.get(id as usize).copied().flatten().is_none() {
            report.at_line_col(
                1,
                1,
                Some(id.key()),
                Issue::new(
                    "missing mandatory resource: RepyV2 files must set `cpu`, `memory` and \
                     `diskused`",
                ),
            );
        }
    }

    if report.is_empty() {
        Ok(policy)
    } else {
        Err(report.into_errors(path).into())
    }
}

/// The 1-based line and character column of the value of the first `resource KEY VALUE`
/// line, if the file has one.
pub(crate) fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    text.split('\n').enumerate().find_map(|(index, line)| {
        let content = line.split('#').next().unwrap_or("");
        match words(content).as_slice() {
            [(_, "resource"), (_, name), (value_col, _), ..] if *name == key => {
                Some((index + 1, *value_col))
            }
            _ => None,
        }
    })
}

/// The words of a line with the 1-based character column where each starts.
fn words(content: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte offset, column)
    let mut column = 0;
    for (offset, c) in content.char_indices() {
        column += 1;
        match (c.is_whitespace(), start) {
            (false, None) => start = Some((offset, column)),
            (true, Some((from, col))) => {
                words.push((col, content.get(from..offset).unwrap_or("")));
                start = None;
            }
            _ => {}
        }
    }
    if let Some((from, col)) = start {
        words.push((col, content.get(from..).unwrap_or("")));
    }
    words
}

/// The RepyV2 resource called `name`, or a reported problem.
fn resource(
    name: &str,
    line_no: usize,
    column: usize,
    report: &mut Report<'_>,
) -> Option<ResourceId> {
    match ResourceId::from_key(name) {
        Some(id) if id.spec().legacy => Some(id),
        Some(_) => {
            report.at_line_col(
                line_no,
                column,
                Some(name),
                Issue::new("not a RepyV2 resource: it can only be set in repy's TOML format"),
            );
            None
        }
        None => {
            let legacy_keys = RESOURCES.iter().filter(|s| s.legacy).map(|s| s.key);
            report.at_line_col(
                line_no,
                column,
                Some(name),
                Issue::new("unknown resource").suggest(nearest(name, legacy_keys)),
            );
            None
        }
    }
}

/// Parses `value` as RepyV2 would for `id` and stores it.
fn store(id: ResourceId, value: &str, policy: &mut Restrictions) -> Result<(), Issue> {
    match id.kind() {
        Kind::Rate => {
            let rate = float(value)?;
            if id == ResourceId::Cpu && rate == 0.0 {
                return Err(Issue::new(
                    "must be greater than 0: a program with no CPU share can never run",
                ));
            }
            policy.set_amount(id, rate);
        }
        Kind::Ports => {
            let port = integer(value)?;
            let port = u16::try_from(port)
                .ok()
                .filter(|&p| p >= 1)
                .ok_or_else(|| Issue::new(format!("port {port} is out of range 1-65535")))?;
            if let Some(set) = policy.ports_mut(id) {
                set.insert(port);
            }
        }
        Kind::Quota | Kind::Items | Kind::Limit => {
            let amount = integer(value)?;
            if amount > MAX_BYTES {
                return Err(Issue::new(format!("`{value}` is too large (at most 2^53)")));
            }
            policy.set_amount(id, amount as f64);
        }
    }
    Ok(())
}

/// A non-negative finite float, read like Python's `float()`.
fn float(value: &str) -> Result<f64, Issue> {
    match value.parse::<f64>() {
        Ok(f) if !f.is_finite() => Err(Issue::new(format!(
            "expected a finite number, found `{value}`"
        ))),
        Ok(f) if f < 0.0 => Err(negative(value)),
        Ok(f) => Ok(f + 0.0),
        Err(_) => Err(Issue::new(format!("expected a number, found `{value}`"))),
    }
}

/// A non-negative integer, read like Python's `int()` (so `1.5` is an error).
fn integer(value: &str) -> Result<u64, Issue> {
    match value.parse::<i128>() {
        Ok(i) if i < 0 => Err(negative(value)),
        Ok(i) => u64::try_from(i).map_err(|_| Issue::new(format!("`{value}` is too large"))),
        Err(_) if value.parse::<f64>().is_ok() => Err(Issue::new(format!(
            "expected a whole number (RepyV2 reads this resource with int()), found `{value}`"
        ))),
        Err(_) => Err(Issue::new(format!(
            "expected a whole number, found `{value}`"
        ))),
    }
}

fn negative(value: &str) -> Issue {
    Issue::new(format!("negative values are not allowed, found `{value}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_carry_character_columns() {
        assert_eq!(
            words("  resource\tcpu  .5 "),
            vec![(3, "resource"), (12, "cpu"), (17, ".5")]
        );
        assert_eq!(words("\u{e9} x"), vec![(1, "\u{e9}"), (3, "x")]);
        assert!(words("   ").is_empty());
    }

    #[test]
    fn numbers_follow_python() {
        assert_eq!(float(".10"), Ok(0.1));
        assert_eq!(float("1e3"), Ok(1000.0));
        assert_eq!(float("+2"), Ok(2.0));
        assert!(float("inf").is_err());
        assert!(float("nan").is_err());
        assert!(float("-1").unwrap_err().message.contains("negative"));
        assert_eq!(integer("15000000"), Ok(15_000_000));
        assert!(integer("1.5").unwrap_err().message.contains("int()"));
        assert!(integer("ten").is_err());
        assert!(integer("-3").unwrap_err().message.contains("negative"));
    }
}
