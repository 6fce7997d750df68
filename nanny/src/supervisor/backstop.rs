//! Sizing the kernel's backstops under the supervisor's own checks: the cgroup memory cap, the
//! address-space rlimit, the CFS period of a CPU quota, and how each was enforced.

use std::time::Duration;

/// The CFS period of a cgroup CPU quota (longer for tiny shares: a quota is at least 1 ms).
const CFS_PERIOD: Duration = Duration::from_millis(20);
/// The smallest CPU share a cgroup quota can express (1 ms per 1 s period).
pub(super) const MIN_CGROUP_SHARE: f64 = 0.001;

/// How the CPU share was enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuMechanism {
    /// A cgroup CPU quota (`cpu.cfs_quota_us` or `cpu.max`).
    Cgroup,
    /// SIGSTOP/SIGCONT from the supervisor.
    StopResume,
    /// No throttling: the share is at least the number of usable cores.
    None,
}

impl CpuMechanism {
    /// The name used in the report: `cgroup`, `stop-resume` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            CpuMechanism::Cgroup => "cgroup",
            CpuMechanism::StopResume => "stop-resume",
            CpuMechanism::None => "none",
        }
    }
}

/// What the kernel holds against a memory burst between two samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryBackstop {
    /// A cgroup memory cap of [`cgroup_memory_cap`] bytes.
    Cgroup,
    /// RLIMIT_AS of [`rlimit_as_bytes`] bytes, set in the child before the sandbox runs.
    Rlimit,
    /// Nothing (disabled by the configuration, or the cgroup could not take the child).
    None,
}

impl MemoryBackstop {
    /// The name used in the report: `cgroup`, `rlimit` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryBackstop::Cgroup => "cgroup",
            MemoryBackstop::Rlimit => "rlimit",
            MemoryBackstop::None => "none",
        }
    }
}

/// The cgroup memory cap for a `memory` limit: the limit plus 1/16 and 8 MiB, so that the
/// supervisor's own sampling (with its exact message) normally acts first, and the kernel
/// only when an allocation burst outruns it. The cgroup also counts the child's page cache
/// and kernel memory, which the kernel reclaims before it kills.
pub fn cgroup_memory_cap(memory_limit: u64) -> u64 {
    memory_limit
        .saturating_add(memory_limit / 16)
        .saturating_add(8 << 20)
}

/// The RLIMIT_AS for a `memory` limit when no cgroup is available: the limit, plus 128 MiB
/// for the interpreter's and the binary's own mappings (an embedded CPython 3.11 starts at
/// about 17 MB of address space, measured with `VmSize` of `python3.11`), plus 9 MiB per
/// thread allowed (`events`) for its 8 MiB stack and guard. It assumes one malloc arena,
/// which the child sets when it applies this limit (glibc reserves 64 MiB per extra arena).
pub fn rlimit_as_bytes(memory_limit: u64, max_threads: u64) -> u64 {
    memory_limit
        .saturating_add(128 << 20)
        .saturating_add(max_threads.saturating_mul(9 << 20))
}

/// A policy quantity in bytes as an integer (policy values are whole and non-negative).
pub(super) fn whole_bytes(value: f64) -> u64 {
    if value.is_nan() {
        0
    } else {
        value.max(0.0).floor() as u64
    }
}

/// The CFS period for a share: 20 ms, longer when the quota would be under 1 ms.
pub(super) fn cfs_period(share: f64) -> Duration {
    let needed = Duration::from_micros(1_000).div_f64(share.max(MIN_CGROUP_SHARE));
    CFS_PERIOD.max(needed).min(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backstops_sit_above_the_limits_they_back() {
        let limit = 100_000_000;
        let cap = cgroup_memory_cap(limit);
        assert_eq!(cap, limit + limit / 16 + (8 << 20));
        assert_eq!(cgroup_memory_cap(u64::MAX), u64::MAX, "no overflow");
        assert_eq!(
            rlimit_as_bytes(limit, 10),
            limit + (128 << 20) + 10 * (9 << 20)
        );
    }

    #[test]
    fn tiny_shares_get_a_longer_cfs_period() {
        assert_eq!(cfs_period(0.5), CFS_PERIOD);
        // A quota is at least 1 ms: 0.01 of a core needs a 100 ms period.
        assert_eq!(cfs_period(0.01), Duration::from_millis(100));
        assert_eq!(cfs_period(MIN_CGROUP_SHARE), Duration::from_secs(1));
    }

    #[test]
    fn policy_quantities_become_whole_bytes() {
        assert_eq!(whole_bytes(1.9), 1);
        assert_eq!(whole_bytes(-3.0), 0);
        assert_eq!(whole_bytes(f64::NAN), 0);
    }
}
