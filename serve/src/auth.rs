//! Who may use the server: bearer tokens from a file, compared in constant time.
//!
//! Without a `Authorization` header, or with one that is not `Bearer <token>`, a request gets
//! 401; with a token the server does not know, 403. Neither answer says more.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq as _;

use crate::error::ApiError;

/// Why a tokens file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    /// The file cannot be read.
    #[error("{path}: cannot read the tokens file: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line holds something that cannot be a token.
    #[error("{path}:{line}: a token is one word of visible ASCII characters, at least 16 of them")]
    BadToken {
        /// The file.
        path: String,
        /// The 1-based line.
        line: usize,
    },
    /// The file holds no token: nobody could use the server.
    #[error("{path}: the tokens file holds no token (one per line; `#` starts a comment)")]
    Empty {
        /// The file.
        path: String,
    },
}

/// The shortest token accepted: a guessable token is no protection.
pub const MIN_TOKEN_LEN: usize = 16;

/// The bearer tokens the server accepts.
#[derive(Clone)]
pub struct Tokens {
    tokens: Arc<Vec<Vec<u8>>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} hidden)", self.tokens.len())
    }
}

impl Tokens {
    /// Reads a tokens file: one token per line; blank lines and lines starting with `#` are
    /// skipped, and surrounding whitespace is ignored.
    pub fn load(path: &Path) -> Result<Tokens, TokensError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TokensError::Read {
            path: shown.clone(),
            source,
        })?;
        Tokens::parse(&text, &shown)
    }

    /// Parses the text of a tokens file shown as `path` in errors.
    pub fn parse(text: &str, path: &str) -> Result<Tokens, TokensError> {
        let mut tokens = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let token = line.trim();
            if token.is_empty() || token.starts_with('#') {
                continue;
            }
            if token.len() < MIN_TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(TokensError::BadToken {
                    path: path.to_owned(),
                    line: index + 1,
                });
            }
            tokens.push(token.as_bytes().to_vec());
        }
        if tokens.is_empty() {
            return Err(TokensError::Empty {
                path: path.to_owned(),
            });
        }
        Ok(Tokens {
            tokens: Arc::new(tokens),
        })
    }

    /// Whether `presented` is one of the tokens. Every token is compared, each in constant
    /// time, so the time taken does not say which token matched or how much of one did.
    pub fn accepts(&self, presented: &[u8]) -> bool {
        let mut found = subtle::Choice::from(0u8);
        for token in self.tokens.iter() {
            found |= token.as_slice().ct_eq(presented);
        }
        found.into()
    }

    /// The answer to a request with these headers: `Ok` to let it through.
    pub fn check(&self, authorization: Option<&[u8]>) -> Result<(), ApiError> {
        let value = authorization.ok_or(ApiError::Unauthenticated)?;
        let token = value
            .strip_prefix(b"Bearer ")
            .filter(|token| !token.is_empty() && !token.contains(&b' '))
            .ok_or(ApiError::Unauthenticated)?;
        if self.accepts(token) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// Middleware: lets a request through only with a known bearer token (every request when the
/// server has no tokens, which it allows only on loopback).
pub async fn require_token(
    State(tokens): State<Option<Tokens>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(tokens) = &tokens {
        let header = request
            .headers()
            .get(header::AUTHORIZATION)
            .map(|value| value.as_bytes());
        if let Err(error) = tokens.check(header) {
            return error.into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "token-aaaaaaaaaaaaaaaa";
    const B: &str = "token-bbbbbbbbbbbbbbbb";

    fn tokens() -> Tokens {
        Tokens::parse(&format!("# comment\n\n  {A}  \n{B}\n"), "t").expect("valid")
    }

    #[test]
    fn tokens_accept_only_listed_tokens() {
        let tokens = tokens();
        assert!(tokens.accepts(A.as_bytes()));
        assert!(tokens.accepts(B.as_bytes()));
        assert!(!tokens.accepts(b"token-aaaaaaaaaaaaaaa"));
        assert!(!tokens.accepts(b"# comment"));
        assert!(!tokens.accepts(b""));
    }

    #[test]
    fn tokens_check_distinguishes_missing_malformed_and_wrong() {
        let tokens = tokens();
        let ok = format!("Bearer {A}");
        assert!(tokens.check(Some(ok.as_bytes())).is_ok());
        assert!(matches!(tokens.check(None), Err(ApiError::Unauthenticated)));
        assert!(matches!(
            tokens.check(Some(A.as_bytes())),
            Err(ApiError::Unauthenticated)
        ));
        assert!(matches!(
            tokens.check(Some(b"Basic dXNlcjpwYXNz")),
            Err(ApiError::Unauthenticated)
        ));
        assert!(matches!(
            tokens.check(Some(b"Bearer ")),
            Err(ApiError::Unauthenticated)
        ));
        assert!(matches!(
            tokens.check(Some(b"Bearer token-cccccccccccccccc")),
            Err(ApiError::Forbidden)
        ));
    }

    #[test]
    fn tokens_files_without_usable_tokens_are_refused() {
        assert!(matches!(
            Tokens::parse("# only a comment\n", "t"),
            Err(TokensError::Empty { .. })
        ));
        assert!(matches!(
            Tokens::parse("short\n", "t"),
            Err(TokensError::BadToken { line: 1, .. })
        ));
        assert!(matches!(
            Tokens::parse(&format!("{A}\ntwo words here xxxxxxxx\n"), "t"),
            Err(TokensError::BadToken { line: 2, .. })
        ));
    }
}
