//! The OpenAPI 3.1 document of the API, generated from the handlers and the types
//! (`utoipa`), served at `/v1/openapi.json` and checked in as `docs/service.openapi.json`.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    ErrorBody, Health, PolicyName, RestrictionsChoice, RunMode, RunOutcome, RunRequest, RunState,
    RunStatus,
};

/// The API's document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "repy serve",
        description = "Runs untrusted Python 3 programs, each in a sandbox of its own, clamped to the server's ceiling policy. See docs/service.md.",
        license(name = "MIT", identifier = "MIT")
    ),
    paths(
        crate::routes::create_run,
        crate::routes::get_run,
        crate::routes::health,
        crate::routes::metrics,
        crate::routes::openapi
    ),
    components(schemas(
        RunRequest,
        RunMode,
        RestrictionsChoice,
        PolicyName,
        RunOutcome,
        RunState,
        RunStatus,
        ErrorBody,
        Health
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme the guarded routes name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document as pretty-printed JSON, with a final newline.
pub fn json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|err| format!("{{\"error\": \"cannot render the document: {err}\"}}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    /// The checked-in `docs/service.openapi.json` is the generated document
    /// (`REPY_BLESS=1` rewrites it).
    #[test]
    fn openapi_doc_matches_the_checked_in_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/service.openapi.json");
        let generated = super::json();
        if std::env::var_os("REPY_BLESS").is_some() {
            std::fs::write(path, &generated).expect("write docs/service.openapi.json");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            committed, generated,
            "docs/service.openapi.json drifted; rerun with REPY_BLESS=1"
        );
    }

    #[test]
    fn openapi_is_version_3_1_and_has_every_route() {
        let document: serde_json::Value = serde_json::from_str(&super::json()).expect("valid JSON");
        assert!(document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")));
        for path in [
            "/v1/runs",
            "/v1/runs/{id}",
            "/v1/health",
            "/metrics",
            "/v1/openapi.json",
        ] {
            assert!(document["paths"].get(path).is_some(), "{path}");
        }
    }
}
