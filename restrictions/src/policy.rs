//! [`Restrictions`]: a validated, unit-normalised policy, and how it is loaded and written.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use crate::error::{Issue, LineIndex, PolicyError, Report};
use crate::profile::{Catalog, Profile, PythonKeyId, PythonSettings, PYTHON_KEYS};
use crate::resources::{DefaultLimit, Kind, ResourceId, RESOURCES};
use crate::units::{format_bytes, format_duration, format_float, format_rate};
use crate::{legacy, toml_format};

/// Which syntax a policy was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// repy's TOML format (a `[resources]` table).
    Toml,
    /// RepyV2's `resource <name> <value>` lines.
    Legacy,
}

/// A validated policy with every value in its base unit (see [`crate::Unit`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Restrictions {
    pub(crate) format: SourceFormat,
    pub(crate) profile: Profile,
    /// The `[python]` table; empty unless the profile is `python`.
    pub(crate) python: PythonSettings,
    /// Values of the rate, quota and items resources, indexed by `ResourceId as usize`;
    /// the slots of port and limit resources are unused and stay 0.
    pub(crate) amounts: [f64; ResourceId::COUNT],
    pub(crate) connport: BTreeSet<u16>,
    pub(crate) messport: BTreeSet<u16>,
    pub(crate) wall_time: Option<Duration>,
    pub(crate) cpu_time: Option<Duration>,
    pub(crate) output: Option<u64>,
    pub(crate) stdin: Option<u64>,
}

impl Default for Restrictions {
    /// The documented defaults of the TOML format: what an empty `[resources]` table gives
    /// (under the default profile, `repyv2`).
    fn default() -> Restrictions {
        Restrictions::defaults_for(Profile::default())
    }
}

impl Restrictions {
    /// The documented defaults of the TOML format under `profile`: what a file with
    /// `profile` and an empty `[resources]` table gives. A resource not in force under the
    /// profile is left 0, so that two policies of one profile compare equal whatever their
    /// format.
    pub fn defaults_for(profile: Profile) -> Restrictions {
        let mut amounts = [0.0; ResourceId::COUNT];
        for spec in RESOURCES.iter().filter(|s| s.id.in_force(profile)) {
            if let (DefaultLimit::Value(value), Some(slot)) =
                (spec.default, amounts.get_mut(spec.id as usize))
            {
                *slot = value;
            }
        }
        Restrictions {
            format: SourceFormat::Toml,
            profile,
            python: PythonSettings::default(),
            amounts,
            connport: BTreeSet::new(),
            messport: BTreeSet::new(),
            wall_time: None,
            cpu_time: None,
            output: None,
            stdin: None,
        }
    }

    /// The starting point of a legacy file: every resource 0, nothing granted, no new limits.
    pub(crate) fn legacy_zero() -> Restrictions {
        Restrictions {
            format: SourceFormat::Legacy,
            amounts: [0.0; ResourceId::COUNT],
            ..Restrictions::default()
        }
    }

    pub(crate) fn set_amount(&mut self, id: ResourceId, value: f64) {
        if let Some(slot) = self.amounts.get_mut(id as usize) {
            *slot = value;
        }
    }

    /// Sets a byte total of kind [`Kind::Limit`] (`output`, `stdin`).
    pub(crate) fn set_total(&mut self, id: ResourceId, bytes: u64) {
        match id {
            ResourceId::Output => self.output = Some(bytes),
            ResourceId::Stdin => self.stdin = Some(bytes),
            _ => {}
        }
    }

    pub(crate) fn ports_mut(&mut self, id: ResourceId) -> Option<&mut BTreeSet<u16>> {
        match id {
            ResourceId::Connport => Some(&mut self.connport),
            ResourceId::Messport => Some(&mut self.messport),
            _ => None,
        }
    }

    /// Reads and parses the file at `path`, auto-detecting its format (see [`Restrictions::parse`]).
    pub fn load(path: &Path) -> Result<Restrictions, PolicyError> {
        let bytes = std::fs::read(path).map_err(|source| PolicyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Restrictions::parse(&bytes, &path.display().to_string())
    }

    /// Parses a restrictions file given as bytes; `display_path` is used in messages.
    ///
    /// The text must be UTF-8 without NUL bytes (a leading byte-order mark is ignored). A file
    /// whose first meaningful line starts with the word `resource` or `call` is read as RepyV2's
    /// legacy format, anything else as TOML. The names of a `[python]` table are checked for
    /// their syntax only (the default [`Catalog`]).
    pub fn parse(bytes: &[u8], display_path: &str) -> Result<Restrictions, PolicyError> {
        Restrictions::parse_with(bytes, display_path, &Catalog::default(), Profile::default())
    }

    /// [`Restrictions::parse`], checking the names of a `[python]` table against `catalog`; a
    /// TOML file without `profile` has `default_profile`.
    fn parse_with(
        bytes: &[u8],
        display_path: &str,
        catalog: &Catalog<'_>,
        default_profile: Profile,
    ) -> Result<Restrictions, PolicyError> {
        let text = decode(bytes).map_err(|(line, column, issue)| {
            let mut report = Report::new("");
            report.at_line_col(line, column, None, issue);
            report.into_errors(display_path)
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            let mut report = Report::new(text);
            report.at_line_col(
                1,
                1,
                None,
                Issue::new(
                    "empty file: expected a `[resources]` table (TOML) \
                     or `resource <name> <value>` lines (RepyV2 format)",
                ),
            );
            return Err(report.into_errors(display_path).into());
        }
        if is_legacy(text) {
            Restrictions::from_legacy(text, display_path)
        } else {
            toml_format::parse(text, display_path, catalog, default_profile)
        }
    }

    /// Reads and parses the file at `path` like [`Restrictions::load`], then refuses a
    /// policy no run can start under (see [`Restrictions::parse_runnable`]). Both a run and
    /// `repy restrictions check` validate with this, so they agree.
    pub fn load_runnable(path: &Path) -> Result<Restrictions, PolicyError> {
        Restrictions::load_runnable_with(path, &Catalog::default())
    }

    /// [`Restrictions::load_runnable`], with the names of a `[python]` table checked against
    /// what the build provides (`catalog`): a run and `repy restrictions check` pass the same.
    pub fn load_runnable_with(
        path: &Path,
        catalog: &Catalog<'_>,
    ) -> Result<Restrictions, PolicyError> {
        let bytes = std::fs::read(path).map_err(|source| PolicyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Restrictions::parse_runnable_with(&bytes, &path.display().to_string(), catalog)
    }

    /// Parses like [`Restrictions::parse`], then refuses a policy that is well-formed but
    /// under which no program can start: `events` below 1 (the main program itself holds
    /// one event), whether given as 0 or left out of a RepyV2 legacy file (where a resource
    /// left out is 0). The problem names the key and, where the file gives it, its line and
    /// column.
    pub fn parse_runnable(bytes: &[u8], display_path: &str) -> Result<Restrictions, PolicyError> {
        Restrictions::parse_runnable_with(bytes, display_path, &Catalog::default())
    }

    /// [`Restrictions::parse_runnable`], with the names of a `[python]` table checked against
    /// `catalog`: a module it does not list is a problem at the name, with the nearest name
    /// it lists suggested.
    pub fn parse_runnable_with(
        bytes: &[u8],
        display_path: &str,
        catalog: &Catalog<'_>,
    ) -> Result<Restrictions, PolicyError> {
        Restrictions::parse_runnable_under(bytes, display_path, catalog, Profile::default())
    }

    /// [`Restrictions::parse_runnable_with`], where a TOML file without `profile` has
    /// `default_profile` instead of `repyv2` (a legacy file is always `repyv2`): how a
    /// service reads a request's restrictions, whose profile is the server's unless it says
    /// otherwise (see [`Restrictions::clamp_to`]).
    pub fn parse_runnable_under(
        bytes: &[u8],
        display_path: &str,
        catalog: &Catalog<'_>,
        default_profile: Profile,
    ) -> Result<Restrictions, PolicyError> {
        let policy = Restrictions::parse_with(bytes, display_path, catalog, default_profile)?;
        let problems = policy.runnable_problems(bytes);
        if problems.is_empty() {
            Ok(policy)
        } else {
            Err(crate::PolicyErrors::new(display_path, problems).into())
        }
    }

    /// What keeps a parsed policy from starting any run, located in its source `bytes`.
    fn runnable_problems(&self, bytes: &[u8]) -> Vec<crate::Problem> {
        let mut problems = Vec::new();
        if self.limit(ResourceId::Events) >= 1.0 {
            return problems;
        }
        let text = decode(bytes).unwrap_or_default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let key = ResourceId::Events.key();
        let given = match self.format {
            SourceFormat::Legacy => legacy::locate(text, key),
            SourceFormat::Toml => toml_format::locate(text, key),
        };
        let (line, column, message) = match given {
            Some((line, column)) => (
                line,
                column,
                "must be at least 1: the main program itself holds one event, so nothing \
                 could run"
                    .to_owned(),
            ),
            None => (
                1,
                1,
                "missing: a RepyV2 file gives a resource left out 0, and the main program \
                 itself holds one event, so nothing could run (add `resource events 10`)"
                    .to_owned(),
            ),
        };
        problems.push(crate::Problem {
            line,
            column,
            key: Some(key.to_owned()),
            message,
            suggestion: None,
        });
        problems
    }

    /// Parses repy's TOML format; keys left out take their documented defaults.
    pub fn from_toml(text: &str, path: &str) -> Result<Restrictions, PolicyError> {
        toml_format::parse(text, path, &Catalog::default(), Profile::default())
    }

    /// Parses RepyV2's legacy format; resources left out are 0, as in RepyV2.
    pub fn from_legacy(text: &str, path: &str) -> Result<Restrictions, PolicyError> {
        legacy::parse(text, path)
    }

    /// The format the policy was read from.
    pub fn source_format(&self) -> SourceFormat {
        self.format
    }

    /// The profile the policy runs programs under: the file's top-level `profile`, else
    /// [`Profile::Repyv2`] (always for a legacy file).
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The `python` profile's settings (the `[python]` table, empty when the file has
    /// none); `None` under any other profile.
    pub fn python(&self) -> Option<&PythonSettings> {
        (self.profile == Profile::Python).then_some(&self.python)
    }

    /// The limit of `id` in its base unit: bytes, bytes/s, fraction of a core or a count.
    ///
    /// For `connport`/`messport` it is the number of ports granted; for `wall-time` and
    /// `cpu-time` seconds, for `output` and `stdin` bytes, and `f64::INFINITY` when those are
    /// unlimited. A resource not in force under the policy's profile (`stdin` and
    /// `stdinrate` under `repyv2`) is 0: nothing of it is granted.
    pub fn limit(&self, id: ResourceId) -> f64 {
        if !id.in_force(self.profile) {
            return 0.0;
        }
        match id {
            ResourceId::Connport => self.connport.len() as f64,
            ResourceId::Messport => self.messport.len() as f64,
            ResourceId::WallTime => self.wall_time.map_or(f64::INFINITY, |d| d.as_secs_f64()),
            ResourceId::CpuTime => self.cpu_time.map_or(f64::INFINITY, |d| d.as_secs_f64()),
            ResourceId::Output => self.output.map_or(f64::INFINITY, |b| b as f64),
            ResourceId::Stdin => self.stdin.map_or(f64::INFINITY, |b| b as f64),
            _ => self.amounts.get(id as usize).copied().unwrap_or(0.0),
        }
    }

    /// Every resource in force under the policy's profile with its
    /// [`limit`](Restrictions::limit), in table order (under `repyv2`, RepyV2's resources
    /// and repy's run limits; under `python`, `stdin` and `stdinrate` too).
    pub fn limits(&self) -> impl Iterator<Item = (ResourceId, f64)> + '_ {
        ResourceId::all()
            .filter(|id| id.in_force(self.profile))
            .map(|id| (id, self.limit(id)))
    }

    /// Local TCP ports the program may use.
    pub fn connport(&self) -> &BTreeSet<u16> {
        &self.connport
    }

    /// Local UDP ports the program may use.
    pub fn messport(&self) -> &BTreeSet<u16> {
        &self.messport
    }

    /// Wall-clock time allowed, `None` for no limit.
    pub fn wall_time(&self) -> Option<Duration> {
        self.wall_time
    }

    /// Sets the wall-clock limit (a caller's default, such as a grader's for tests that give
    /// none); a zero duration is no limit, as a restrictions file cannot give one.
    pub fn set_wall_time(&mut self, limit: Option<Duration>) {
        self.wall_time = limit.filter(|d| !d.is_zero());
    }

    /// Total CPU time allowed, `None` for no limit.
    pub fn cpu_time(&self) -> Option<Duration> {
        self.cpu_time
    }

    /// Total bytes the program may write to stdout and stderr, `None` for no limit.
    pub fn output(&self) -> Option<u64> {
        self.output
    }

    /// Total bytes of standard input relayed to the program, `None` for no limit; always
    /// `Some(0)` under a profile without standard input (`repyv2`).
    pub fn stdin(&self) -> Option<u64> {
        if ResourceId::Stdin.in_force(self.profile) {
            self.stdin
        } else {
            Some(0)
        }
    }

    /// Whether both policies grant exactly the same (their profile and its settings
    /// included), whatever format each was read from.
    pub fn same_limits(&self, other: &Restrictions) -> bool {
        Restrictions {
            format: other.format,
            ..self.clone()
        } == *other
    }

    /// A commented TOML document equivalent to this policy, its profile and every resource
    /// in force under it written out (a key left out would take the TOML default, not the
    /// legacy 0), then the `[python]` table of a `python` policy.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# repy restrictions file (TOML); the format is described in docs/restrictions.md.\n\
             # Every resource is written out: a key left out would take repy's default,\n\
             # whereas RepyV2's legacy format gave a missing resource 0.\n\
             \n",
        );
        out.push_str(&format!(
            "# The profile: {}.\nprofile = \"{}\"\n\n[resources]\n",
            self.profile.description(),
            self.profile.key()
        ));
        for spec in RESOURCES.iter().filter(|s| s.id.in_force(self.profile)) {
            out.push_str(&format!("\n# {} ({}).\n", spec.doc, spec.unit.name()));
            let id = spec.id;
            let value = match id {
                ResourceId::Connport | ResourceId::Messport => {
                    let ports = if id == ResourceId::Connport {
                        &self.connport
                    } else {
                        &self.messport
                    };
                    if ports.is_empty() {
                        out.push_str("# Empty: no port is granted.\n");
                    }
                    format_ports(ports)
                }
                ResourceId::WallTime
                | ResourceId::CpuTime
                | ResourceId::Output
                | ResourceId::Stdin => {
                    let value = match id {
                        ResourceId::WallTime => self.wall_time.map(format_duration),
                        ResourceId::CpuTime => self.cpu_time.map(format_duration),
                        ResourceId::Stdin => self.stdin.map(|b| format_bytes(b, "")),
                        _ => self.output.map(|b| format_bytes(b, "")),
                    };
                    match value {
                        Some(value) => value,
                        None => {
                            let example = match id {
                                ResourceId::Output | ResourceId::Stdin => "\"1 MB\"",
                                _ => "\"60 s\"",
                            };
                            out.push_str(&format!(
                                "# Not set: no limit. To set one: {} = {example}\n",
                                spec.key
                            ));
                            continue;
                        }
                    }
                }
                _ => {
                    let amount = self.limit(id);
                    match spec.kind {
                        Kind::Rate if id == ResourceId::Cpu => format_float(amount),
                        Kind::Rate => format_rate(amount),
                        // Quotas and counts are whole numbers below 2^53: exact as u64.
                        Kind::Quota => format_bytes(amount as u64, ""),
                        _ => (amount as u64).to_string(),
                    }
                }
            };
            out.push_str(&format!("{} = {value}\n", spec.key));
        }
        if let Some(python) = self.python() {
            out.push_str("\n[python]\n");
            for key in PYTHON_KEYS {
                out.push_str(&format!("\n# {}.\n", key.doc));
                let value = match key.id {
                    PythonKeyId::Modules => format_names(&python.modules),
                    PythonKeyId::Packages => format_names(&python.packages),
                    PythonKeyId::SitePackages => match &python.site_packages {
                        Some(dir) => toml_string(&dir.to_string_lossy()),
                        None => {
                            out.push_str(&format!(
                                "# Not set. To set it: {} = {}\n",
                                key.key, key.example
                            ));
                            continue;
                        }
                    },
                };
                out.push_str(&format!("{} = {value}\n", key.key));
            }
        }
        out
    }
}

/// `["a", "b"]`: names as a TOML array of strings.
fn format_names(names: &BTreeSet<String>) -> String {
    let items: Vec<String> = names.iter().map(|name| toml_string(name)).collect();
    format!("[{}]", items.join(", "))
}

/// `text` as a TOML basic string: quoted, with `"`, `\\` and control characters escaped.
pub(crate) fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Consecutive ports compressed into inclusive runs.
pub(crate) fn port_runs(ports: impl IntoIterator<Item = u16>) -> Vec<(u16, u16)> {
    let mut runs: Vec<(u16, u16)> = Vec::new();
    for port in ports {
        match runs.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(port) => *end = port,
            _ => runs.push((port, port)),
        }
    }
    runs
}

/// `[12345, "63100-63199"]`: single ports as integers, runs as range strings.
fn format_ports(ports: &BTreeSet<u16>) -> String {
    let items: Vec<String> = port_runs(ports.iter().copied())
        .into_iter()
        .map(|(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("\"{start}-{end}\"")
            }
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// Whether the first meaningful line starts with the word `resource` or `call`.
fn is_legacy(text: &str) -> bool {
    for line in text.lines() {
        let content = line.split('#').next().unwrap_or("");
        if let Some(first) = content.split_whitespace().next() {
            return first == "resource" || first == "call";
        }
    }
    false
}

/// The bytes as text, or the line, column and description of the first NUL or invalid byte.
fn decode(bytes: &[u8]) -> Result<&str, (usize, usize, Issue)> {
    let nul_at = bytes.iter().position(|&b| b == 0);
    let invalid_at = match std::str::from_utf8(bytes) {
        Ok(text) if nul_at.is_none() => return Ok(text),
        Ok(_) => None,
        Err(error) => Some(error.valid_up_to()),
    };
    let offset = nul_at.into_iter().chain(invalid_at).min().unwrap_or(0);
    let message = if nul_at == Some(offset) {
        "binary data (NUL byte): a restrictions file must be UTF-8 text".to_owned()
    } else {
        format!(
            "invalid UTF-8 (byte 0x{:02x}): a restrictions file must be UTF-8 text",
            bytes.get(offset).copied().unwrap_or(0)
        )
    };
    let prefix = String::from_utf8_lossy(bytes.get(..offset).unwrap_or(bytes));
    let (line, column) = LineIndex::new(&prefix).position(prefix.len());
    Err((line, column, Issue::new(message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_runs_compress_consecutive_ports() {
        assert_eq!(
            port_runs([1, 2, 3, 5, 7, 8, 65535]),
            vec![(1, 3), (5, 5), (7, 8), (65535, 65535)]
        );
        assert_eq!(port_runs([]), vec![]);
        let set: BTreeSet<u16> = [12345, 63100, 63101, 63102].into_iter().collect();
        assert_eq!(format_ports(&set), "[12345, \"63100-63102\"]");
        assert_eq!(format_ports(&BTreeSet::new()), "[]");
    }

    #[test]
    fn legacy_is_detected_by_first_meaningful_word() {
        assert!(is_legacy("# c\n\n  resource cpu 1\n"));
        assert!(is_legacy("call foo allow\n"));
        assert!(!is_legacy("[resources]\n"));
        assert!(!is_legacy("resources = 1\n"));
        assert!(!is_legacy("# resource cpu 1\n"));
        assert!(!is_legacy(""));
    }

    #[test]
    fn decode_reports_first_bad_byte() {
        assert_eq!(decode(b"ok"), Ok("ok"));
        let (line, column, issue) = decode(b"ab\ncd\0").unwrap_err();
        assert_eq!((line, column), (2, 3));
        assert!(issue.message.contains("NUL"));
        let (line, column, issue) = decode(b"\xc3\xa9x\xff\0").unwrap_err();
        assert_eq!((line, column), (1, 3));
        assert!(issue.message.contains("0xff"), "{}", issue.message);
    }

    #[test]
    fn default_is_the_documented_table() {
        let r = Restrictions::default();
        assert_eq!(r.limit(ResourceId::Cpu), 1.0);
        assert_eq!(r.limit(ResourceId::Memory), 150e6);
        assert_eq!(r.limit(ResourceId::Connport), 0.0);
        assert_eq!(r.limit(ResourceId::WallTime), f64::INFINITY);
        assert_eq!(r.source_format(), SourceFormat::Toml);
    }
}
