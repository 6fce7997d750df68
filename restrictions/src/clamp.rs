//! Clamping one policy to another: what a service does with a request's restrictions, so
//! that a request can only lower what the server's ceiling policy grants.

use std::time::Duration;

use crate::policy::{Restrictions, SourceFormat};
use crate::profile::{Profile, PythonSettings};
use crate::resources::{Kind, ResourceId};

/// Why a request's policy cannot be clamped to a ceiling: it asks for something the ceiling
/// does not let a request choose at all (rather than more of something, which is lowered).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClampError {
    /// The request's policy selects another profile than the ceiling's.
    #[error(
        "profile: a request may not change the profile: the server's is `{ceiling}`, the \
         request's `{request}`"
    )]
    Profile {
        /// The ceiling's profile.
        ceiling: Profile,
        /// The profile the request selected.
        request: Profile,
    },
    /// The request's policy names another `[python] site-packages` than the ceiling's.
    #[error(
        "python.site-packages: a request may not choose where packages are imported from \
         (leave the key out: the server's applies)"
    )]
    SitePackages,
}

impl ClampError {
    /// The key the problem is about (`profile`, `python.site-packages`).
    pub fn key(&self) -> &'static str {
        match self {
            ClampError::Profile { .. } => "profile",
            ClampError::SitePackages => "python.site-packages",
        }
    }
}

/// The limits a warm pool's request may set lower than its pool's (see
/// [`Restrictions::fits_pool`]): the ones a supervisor enforces on each run from outside.
pub const PER_RUN: [ResourceId; 4] = [
    ResourceId::Memory,
    ResourceId::WallTime,
    ResourceId::CpuTime,
    ResourceId::Output,
];

impl Restrictions {
    /// This policy lowered to `ceiling`: every rate, quota and item count the smaller of
    /// both, the ports the ones both grant, `wall-time`, `cpu-time`, `output` and `stdin` the
    /// smaller (no limit loses to any limit), and under the `python` profile the modules and
    /// packages both list, imported from the ceiling's `site-packages`. The result never
    /// grants more than `ceiling` in any respect.
    ///
    /// A policy of another profile than the ceiling's, or one naming another
    /// `site-packages`, is refused: those are not amounts a request can lower.
    pub fn clamp_to(&self, ceiling: &Restrictions) -> Result<Restrictions, ClampError> {
        if self.profile != ceiling.profile {
            return Err(ClampError::Profile {
                ceiling: ceiling.profile,
                request: self.profile,
            });
        }
        if self.python.site_packages.is_some()
            && self.python.site_packages != ceiling.python.site_packages
        {
            return Err(ClampError::SitePackages);
        }
        let mut amounts = [0.0; ResourceId::COUNT];
        for id in ResourceId::all() {
            if matches!(id.kind(), Kind::Rate | Kind::Quota | Kind::Items) {
                let index = id as usize;
                if let (Some(slot), Some(mine), Some(theirs)) = (
                    amounts.get_mut(index),
                    self.amounts.get(index),
                    ceiling.amounts.get(index),
                ) {
                    *slot = mine.min(*theirs);
                }
            }
        }
        Ok(Restrictions {
            format: SourceFormat::Toml,
            profile: ceiling.profile,
            python: PythonSettings {
                modules: self
                    .python
                    .modules
                    .intersection(&ceiling.python.modules)
                    .cloned()
                    .collect(),
                site_packages: ceiling.python.site_packages.clone(),
                packages: self
                    .python
                    .packages
                    .intersection(&ceiling.python.packages)
                    .cloned()
                    .collect(),
            },
            amounts,
            connport: self
                .connport
                .intersection(&ceiling.connport)
                .copied()
                .collect(),
            messport: self
                .messport
                .intersection(&ceiling.messport)
                .copied()
                .collect(),
            wall_time: smaller(self.wall_time, ceiling.wall_time),
            cpu_time: smaller(self.cpu_time, ceiling.cpu_time),
            output: smaller(self.output, ceiling.output),
            stdin: smaller(self.stdin, ceiling.stdin),
        })
    }

    /// Whether a run under this policy can be a warm pool's request under `pool`: the same
    /// profile and ports, every limit the same but those of [`PER_RUN`], those at most the
    /// pool's, only modules the pool lists, no `site-packages` of its own. `Err` says what
    /// differs.
    pub fn fits_pool(&self, pool: &Restrictions) -> Result<(), String> {
        if self.profile != pool.profile {
            return Err("another profile".into());
        }
        if self.connport != pool.connport || self.messport != pool.messport {
            return Err("other ports".into());
        }
        for (id, limit) in self.limits() {
            let theirs = pool.limit(id);
            let fits = if PER_RUN.contains(&id) {
                limit <= theirs
            } else {
                limit == theirs
            };
            if !fits {
                return Err(format!("its `{}` differs from the pool's", id.key()));
            }
        }
        if !self.python.modules.is_subset(&pool.python.modules) {
            return Err("a module the pool does not list".into());
        }
        if self.python.site_packages.is_some() || !self.python.packages.is_empty() {
            return Err("packages of its own".into());
        }
        Ok(())
    }

    /// The ceiling of this policy where none is given (`repy job` without `--policy`): the
    /// documented defaults of its profile, with the modules it lists (each checked against
    /// the modules the build ships when it was loaded), and no `site-packages` nor packages.
    pub fn default_ceiling(&self) -> Restrictions {
        let mut ceiling = Restrictions::defaults_for(self.profile);
        ceiling.python.modules = self.python.modules.clone();
        ceiling
    }

    /// This policy with a `wall-time` of at most `max` (a policy without one gets `max`).
    pub fn with_wall_time_at_most(mut self, max: Duration) -> Restrictions {
        self.wall_time = smaller(self.wall_time, Some(max));
        self
    }
}

/// The smaller of two optional limits, where `None` (no limit) loses to any limit.
fn smaller<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    fn policy(text: &str) -> Restrictions {
        Restrictions::parse(text.as_bytes(), "t.toml").expect("a valid test policy")
    }

    #[test]
    fn the_default_ceiling_is_the_profiles_defaults_with_the_policys_modules() {
        let greedy = policy(
            "profile = \"python\"\n[resources]\nmemory = \"10 GB\"\n\
             [python]\nmodules = [\"math\"]\n",
        );
        let clamped = greedy
            .clamp_to(&greedy.default_ceiling())
            .expect("same profile");
        assert_eq!(clamped.limit(ResourceId::Memory), 150e6);
        assert!(clamped
            .python()
            .is_some_and(|p| p.modules().contains("math")));
        let sited = policy("profile = \"python\"\n[resources]\n[python]\nsite-packages = \"/x\"\n");
        assert_eq!(
            sited.clamp_to(&sited.default_ceiling()),
            Err(ClampError::SitePackages)
        );
    }

    const CEILING: &str = "profile = \"python\"\n[resources]\ncpu = 0.5\nmemory = \"100 MB\"\n\
        events = 5\nconnport = [\"1000-1010\"]\nwall-time = \"10 s\"\noutput = \"1 MB\"\n\
        [python]\nmodules = [\"math\", \"heapq\"]\n";

    #[test]
    fn clamp_to_takes_the_smaller_of_every_amount() {
        let ceiling = policy(CEILING);
        let request = policy(
            "profile = \"python\"\n[resources]\ncpu = 2.0\nmemory = \"50 MB\"\nevents = 50\n\
             lograte = \"1 MB/s\"\n",
        );
        let clamped = request.clamp_to(&ceiling).expect("same profile");
        assert_eq!(clamped.limit(ResourceId::Cpu), 0.5);
        assert_eq!(clamped.limit(ResourceId::Memory), 50e6);
        assert_eq!(clamped.limit(ResourceId::Events), 5.0);
        // Neither sets lograte: both have the default, 300 kB/s; the request's 1 MB/s loses.
        assert_eq!(clamped.limit(ResourceId::Lograte), 300_000.0);
        for id in ResourceId::all() {
            assert!(
                clamped.limit(id) <= ceiling.limit(id),
                "{id}: {} > {}",
                clamped.limit(id),
                ceiling.limit(id)
            );
        }
    }

    #[test]
    fn clamp_to_limits_unlimited_totals_and_keeps_the_smaller_limit() {
        let ceiling = policy(CEILING);
        // The request sets no wall-time (unlimited): the ceiling's 10 s wins.
        let unlimited = policy("profile = \"python\"\n[resources]\n");
        let clamped = unlimited.clamp_to(&ceiling).expect("same profile");
        assert_eq!(clamped.wall_time(), Some(Duration::from_secs(10)));
        assert_eq!(clamped.output(), Some(1_000_000));
        assert_eq!(clamped.cpu_time(), None, "neither limits cpu-time");
        // A smaller request limit is kept; a larger one is lowered.
        let lower = policy("profile = \"python\"\n[resources]\nwall-time = \"2 s\"\noutput = \"5 MB\"\ncpu-time = \"3 s\"\n");
        let clamped = lower.clamp_to(&ceiling).expect("same profile");
        assert_eq!(clamped.wall_time(), Some(Duration::from_secs(2)));
        assert_eq!(clamped.output(), Some(1_000_000));
        assert_eq!(clamped.cpu_time(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn clamp_to_grants_only_the_ports_both_grant() {
        let ceiling = policy(CEILING);
        let request = policy("profile = \"python\"\n[resources]\nconnport = [999, 1000, \"1005-2000\"]\nmessport = [5]\n");
        let clamped = request.clamp_to(&ceiling).expect("same profile");
        let ports: Vec<u16> = clamped.connport().iter().copied().collect();
        assert_eq!(ports, [1000, 1005, 1006, 1007, 1008, 1009, 1010]);
        assert!(clamped.messport().is_empty());
    }

    #[test]
    fn clamp_to_keeps_the_modules_both_list() {
        let ceiling = policy(CEILING);
        let request = policy(
            "profile = \"python\"\n[resources]\n[python]\nmodules = [\"math\", \"itertools\"]\n",
        );
        let clamped = request.clamp_to(&ceiling).expect("same profile");
        let modules: Vec<&str> = clamped
            .python()
            .expect("python profile")
            .modules()
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(modules, ["math"]);
    }

    #[test]
    fn clamp_to_refuses_another_profile_or_site_packages() {
        let ceiling = policy(CEILING);
        let repyv2 = policy("profile = \"repyv2\"\n[resources]\n");
        let error = repyv2.clamp_to(&ceiling).unwrap_err();
        assert_eq!(error.key(), "profile");
        assert!(error.to_string().contains("`python`"), "{error}");
        let legacy = policy(
            "resource cpu 0.5\nresource memory 1000000\nresource diskused 1000000\nresource events 10\n",
        );
        assert_eq!(legacy.clamp_to(&ceiling).unwrap_err().key(), "profile");
        let site =
            policy("profile = \"python\"\n[resources]\n[python]\nsite-packages = \"/tmp/x\"\n");
        assert_eq!(
            site.clamp_to(&ceiling).unwrap_err(),
            ClampError::SitePackages
        );
    }

    #[test]
    fn a_request_without_a_profile_has_the_ceilings() {
        let ceiling = policy(CEILING);
        let request = Restrictions::parse_runnable_under(
            b"[resources]\nmemory = \"10 MB\"\n",
            "<request>",
            &Catalog::default(),
            ceiling.profile(),
        )
        .expect("valid");
        assert_eq!(request.profile(), Profile::Python);
        let clamped = request.clamp_to(&ceiling).expect("same profile");
        assert_eq!(clamped.limit(ResourceId::Memory), 10e6);
    }

    #[test]
    fn a_clamped_policy_survives_its_toml() {
        let ceiling = policy(CEILING);
        let clamped = policy("profile = \"python\"\n[resources]\ncpu = 0.25\n")
            .clamp_to(&ceiling)
            .expect("same profile")
            .with_wall_time_at_most(Duration::from_secs(3));
        let again = policy(&clamped.to_toml());
        assert!(again.same_limits(&clamped), "{}", clamped.to_toml());
        assert_eq!(again.wall_time(), Some(Duration::from_secs(3)));
        let longer = clamped.with_wall_time_at_most(Duration::from_secs(60));
        assert_eq!(longer.wall_time(), Some(Duration::from_secs(3)));
    }
}
