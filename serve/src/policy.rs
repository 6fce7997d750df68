//! The server's policies: the ceiling every request is clamped to, and the named policies a
//! request may pick. A request can only lower what the ceiling grants.

use std::collections::BTreeMap;
use std::time::Duration;

use restrictions::{Catalog, Restrictions};

use crate::api::RestrictionsChoice;
use crate::error::ApiError;

/// How a request's restrictions text is named in its problems.
pub const REQUEST_POLICY_NAME: &str = "<restrictions>";

/// What a run's report names as its restrictions when the request gave none.
pub const CEILING_LABEL: &str = "ceiling";

/// A named policy that cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum PolicyConfigError {
    /// The name is not a plain word.
    #[error("policy name \"{0}\": use letters, digits, `-`, `_` and `.`")]
    BadName(String),
    /// The policy cannot be clamped to the ceiling.
    #[error("policy \"{name}\": {source}")]
    Clamp {
        /// The policy's name.
        name: String,
        /// Why.
        #[source]
        source: restrictions::ClampError,
    },
}

/// The ceiling and the named policies, each already clamped to it and to the deadline.
#[derive(Debug, Clone)]
pub struct Policies {
    ceiling: Restrictions,
    named: BTreeMap<String, Restrictions>,
    deadline: Duration,
}

impl Policies {
    /// The server's policies: `ceiling`, and `named` policies clamped to it; every run's
    /// `wall-time` is at most `deadline`.
    pub fn new(
        ceiling: Restrictions,
        named: BTreeMap<String, Restrictions>,
        deadline: Duration,
    ) -> Result<Policies, PolicyConfigError> {
        let ceiling = ceiling.with_wall_time_at_most(deadline);
        let mut clamped = BTreeMap::new();
        for (name, policy) in named {
            let plain = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !plain {
                return Err(PolicyConfigError::BadName(name));
            }
            let policy = policy
                .clamp_to(&ceiling)
                .map_err(|source| PolicyConfigError::Clamp {
                    name: name.clone(),
                    source,
                })?;
            clamped.insert(name, policy);
        }
        Ok(Policies {
            ceiling,
            named: clamped,
            deadline,
        })
    }

    /// The ceiling (its `wall-time` at most the deadline).
    pub fn ceiling(&self) -> &Restrictions {
        &self.ceiling
    }

    /// The names of the named policies.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.named.keys().map(String::as_str)
    }

    /// The longest a run may take.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// What a run's report names as the restrictions of a request that gave `choice`: the
    /// ceiling, the named policy, or the request's own text.
    pub fn label(choice: Option<&RestrictionsChoice>) -> String {
        match choice {
            None => CEILING_LABEL.to_owned(),
            Some(RestrictionsChoice::Named(name)) => name.name.clone(),
            Some(RestrictionsChoice::Text(_)) => REQUEST_POLICY_NAME.to_owned(),
        }
    }

    /// The policy a request runs under: its restrictions (text or name) clamped to the
    /// ceiling, or the ceiling when it gives none; `profile`, when given, must be the
    /// ceiling's.
    pub fn resolve(
        &self,
        choice: Option<&RestrictionsChoice>,
        profile: Option<&str>,
    ) -> Result<Restrictions, ApiError> {
        let ceiling_profile = self.ceiling.profile();
        if let Some(profile) = profile {
            if profile != ceiling_profile.key() {
                return Err(ApiError::unprocessable(
                    "profile",
                    format!(
                        "profile: a request may not change the profile: the server's is \
                         `{ceiling_profile}`, the request's `{profile}`"
                    ),
                ));
            }
        }
        match choice {
            None => Ok(self.ceiling.clone()),
            Some(RestrictionsChoice::Named(name)) => {
                self.named.get(&name.name).cloned().ok_or_else(|| {
                    let known: Vec<&str> = self.names().collect();
                    ApiError::unprocessable(
                        "restrictions",
                        format!(
                            "restrictions: the server has no policy named \"{}\" (it has: {})",
                            name.name,
                            if known.is_empty() {
                                "none".to_owned()
                            } else {
                                known.join(", ")
                            }
                        ),
                    )
                })
            }
            Some(RestrictionsChoice::Text(text)) => {
                let policy = Restrictions::parse_runnable_under(
                    text.as_bytes(),
                    REQUEST_POLICY_NAME,
                    &Catalog::default(),
                    ceiling_profile,
                )
                .map_err(|err| ApiError::unprocessable("restrictions", err.to_string()))?;
                policy
                    .clamp_to(&self.ceiling)
                    .map_err(|err| ApiError::Unprocessable {
                        message: err.to_string(),
                        key: Some(err.key().to_owned()),
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PolicyName;

    fn policies() -> Policies {
        let ceiling = Restrictions::parse(
            b"profile = \"python\"\n[resources]\nmemory = \"100 MB\"\nwall-time = \"60 s\"\n",
            "ceiling.toml",
        )
        .expect("valid");
        let small = Restrictions::parse(
            b"profile = \"python\"\n[resources]\nmemory = \"10 MB\"\n",
            "small.toml",
        )
        .expect("valid");
        Policies::new(
            ceiling,
            BTreeMap::from([("small".to_owned(), small)]),
            Duration::from_secs(5),
        )
        .expect("servable")
    }

    #[test]
    fn policies_clamp_requests_to_the_ceiling_and_the_deadline() {
        let policies = policies();
        let text = RestrictionsChoice::Text("[resources]\nmemory = \"1 GB\"\n".into());
        let policy = policies.resolve(Some(&text), None).expect("valid");
        assert_eq!(policy.limit(restrictions::ResourceId::Memory), 100e6);
        assert_eq!(policy.wall_time(), Some(Duration::from_secs(5)));
        let named = RestrictionsChoice::Named(PolicyName {
            name: "small".into(),
        });
        let policy = policies
            .resolve(Some(&named), Some("python"))
            .expect("valid");
        assert_eq!(policy.limit(restrictions::ResourceId::Memory), 10e6);
        assert_eq!(policy.wall_time(), Some(Duration::from_secs(5)));
        let ceiling = policies.resolve(None, None).expect("valid");
        assert_eq!(ceiling.wall_time(), Some(Duration::from_secs(5)));
    }

    #[test]
    fn policies_refuse_bad_text_another_profile_and_unknown_names() {
        let policies = policies();
        let bad = RestrictionsChoice::Text("[resources]\nmemroy = 1\n".into());
        let error = policies.resolve(Some(&bad), None).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("<restrictions>:2:1: error: memroy"),
            "{error}"
        );
        let other = RestrictionsChoice::Text("profile = \"repyv2\"\n[resources]\n".into());
        let error = policies.resolve(Some(&other), None).unwrap_err();
        assert_eq!(error.body().key.as_deref(), Some("profile"));
        let error = policies.resolve(None, Some("repyv2")).unwrap_err();
        assert_eq!(error.body().key.as_deref(), Some("profile"));
        let unknown = RestrictionsChoice::Named(PolicyName { name: "big".into() });
        let error = policies.resolve(Some(&unknown), None).unwrap_err();
        assert!(error.to_string().contains("(it has: small)"), "{error}");
    }
}
