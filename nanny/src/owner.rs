//! Who owns what a supervisor leaves on the host (cgroups, a temporary vessel): names that
//! carry `<pid>-<start>-<pidns>` let a later supervisor tell the leftovers of a dead one
//! (killed by SIGKILL, say, before it could clean up) from those of a live one, even when the
//! pid was reused: the start time (clock ticks after boot) then differs.

use std::fs;
use std::sync::OnceLock;

/// The supervisor that owns a group, as its name spells it: `repy-<pid>-<start>-<pidns>-…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    /// Its pid.
    pub pid: u32,
    /// Its start time, in clock ticks after boot (`/proc/PID/stat` field 22).
    pub start: u64,
    /// The inode of its pid namespace (the pid means nothing in another one).
    pub pidns: u64,
}

impl Owner {
    /// This process, or `None` if `/proc` does not describe it (a /proc of another pid
    /// namespace, say): then its groups carry no owner and nothing is swept.
    pub fn current() -> Option<Owner> {
        static CURRENT: OnceLock<Option<Owner>> = OnceLock::new();
        *CURRENT.get_or_init(|| {
            let pid = std::process::id();
            let stat = fs::read_to_string("/proc/self/stat").ok()?;
            let (stat_pid, start, _) = parse_stat(&stat)?;
            if stat_pid != pid {
                return None;
            }
            let link = fs::read_link("/proc/self/ns/pid").ok()?;
            let pidns = parse_ns_link(&link.to_string_lossy())?;
            Some(Owner { pid, start, pidns })
        })
    }

    /// The prefix of every cgroup name this owner gives: `repy-<pid>-<start>-<pidns>`.
    pub fn prefix(&self) -> String {
        format!("repy-{}", self.tag())
    }

    /// `<pid>-<start>-<pidns>`, the part of a name that says who owns it.
    pub fn tag(&self) -> String {
        format!("{}-{}-{}", self.pid, self.start, self.pidns)
    }

    /// The owner spelt by the first three `-`-separated fields of `text`, and the rest of
    /// `text` after them (empty if none), or `None`.
    pub fn parse_tag(text: &str) -> Option<(Owner, &str)> {
        let mut parts = text.splitn(4, '-');
        let mut number = || -> Option<u64> {
            let part = parts.next()?;
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        };
        let pid = u32::try_from(number()?).ok()?;
        let start = number()?;
        let pidns = number()?;
        Some((Owner { pid, start, pidns }, parts.next().unwrap_or("")))
    }

    /// Whether this owner still runs: `/proc/<pid>` shows a process that is not a zombie and
    /// started when the owner did.
    pub fn is_alive(&self) -> bool {
        fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .ok()
            .and_then(|stat| parse_stat(&stat))
            .is_some_and(|(_, start, zombie)| !zombie && start == self.start)
    }
}

/// The pid, start time and whether it is a zombie (or dead), from a `/proc/PID/stat` line.
pub(crate) fn parse_stat(stat: &str) -> Option<(u32, u64, bool)> {
    let (pid, rest) = stat.split_once(' ')?;
    // The command name may hold spaces and parentheses: the fields resume after the last ')'.
    let fields: Vec<&str> = rest.rsplit_once(')')?.1.split_whitespace().collect();
    let state = fields.first()?;
    // Field 3 is the state; field 22 the start time.
    let start = fields.get(19)?.parse().ok()?;
    Some((pid.parse().ok()?, start, matches!(*state, "Z" | "X" | "x")))
}

/// The inode of a namespace link such as `pid:[4026531836]`.
fn parse_ns_link(link: &str) -> Option<u64> {
    link.strip_prefix("pid:[")?.strip_suffix(']')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_tags_and_proc_stat_are_parsed() {
        let stat = "81 (a) b) (c) S 1 81 81 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0";
        assert_eq!(parse_stat(stat), Some((81, 123_456, false)));
        let zombie = stat.replace(" S ", " Z ");
        assert_eq!(parse_stat(&zombie), Some((81, 123_456, true)));
        assert_eq!(parse_ns_link("pid:[4026531836]"), Some(4_026_531_836));
        let owner = Owner {
            pid: 7,
            start: 8,
            pidns: 9,
        };
        assert_eq!(Owner::parse_tag("7-8-9-abc"), Some((owner, "abc")));
        assert_eq!(Owner::parse_tag("7-8-9"), Some((owner, "")));
        assert_eq!(Owner::parse_tag("7-x-9-1"), None);
        assert_eq!(Owner::parse_tag("abcdef"), None);
    }

    #[test]
    fn owner_is_alive_only_with_its_own_start_time() {
        // This process: alive with its own start time, not with another (a reused pid).
        let me = Owner::current().expect("/proc describes this process");
        assert_eq!(me.pid, std::process::id());
        assert!(me.is_alive());
        assert!(!Owner {
            start: me.start + 1,
            ..me
        }
        .is_alive());
    }
}
