//! `snapbi sign`: compute an `X-SIGNATURE` value with the runtime's signing functions.
//!
//! The argument groups here are shared with `snapbi verify`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use snapbi_runtime::secret::{AccessToken, ClientSecret};
use snapbi_runtime::signature::{SignError, sign_asymmetric, sign_symmetric, sign_token};

use crate::error::{Error, Outcome, Status, print};
use crate::input;

/// Environment variable read when `--client-secret` is absent.
const SECRET_VAR: &str = "SNAPBI_CLIENT_SECRET";

/// The three SNAP signatures.
#[derive(Subcommand)]
pub enum Kind {
    /// Access-token request: SHA256withRSA over `{client_id}|{timestamp}`.
    Token {
        #[command(flatten)]
        input: TokenInput,
        /// PEM file with the RSA private key (PKCS#8 or PKCS#1).
        #[arg(long, value_name = "PEM_FILE")]
        private_key: PathBuf,
    },
    /// Transaction with a B2B token: HMAC-SHA512 over `{method}:{path}:{token}:{body_sha256}:{timestamp}`.
    Symmetric {
        #[command(flatten)]
        request: RequestInput,
        #[command(flatten)]
        hmac: HmacInput,
    },
    /// Transaction without a token: SHA256withRSA over `{method}:{path}:{body_sha256}:{timestamp}`.
    Asymmetric {
        #[command(flatten)]
        request: RequestInput,
        /// PEM file with the RSA private key (PKCS#8 or PKCS#1).
        #[arg(long, value_name = "PEM_FILE")]
        private_key: PathBuf,
    },
}

/// What an access-token signature covers.
#[derive(clap::Args)]
pub struct TokenInput {
    /// Client id (X-CLIENT-KEY).
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// X-TIMESTAMP value exactly as sent, e.g. 2024-07-10T11:57:58+07:00.
    #[arg(long, value_name = "TS")]
    pub timestamp: String,
}

/// What a transaction signature covers.
#[derive(clap::Args)]
pub struct RequestInput {
    /// HTTP method, upper case (POST).
    #[arg(long, value_name = "M")]
    pub method: String,
    /// Relative path exactly as requested, with any query.
    #[arg(long, value_name = "P")]
    pub path: String,
    /// X-TIMESTAMP value exactly as sent.
    #[arg(long, value_name = "TS")]
    pub timestamp: String,
    /// JSON body (minified before hashing; `-` reads stdin); absent: the empty body.
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
}

/// The token and the HMAC key of a symmetric signature.
#[derive(clap::Args)]
pub struct HmacInput {
    /// B2B access token, without `Bearer `.
    #[arg(long, value_name = "T")]
    pub token: String,
    /// Client secret (the HMAC key); default: $SNAPBI_CLIENT_SECRET, which keeps it out of process lists.
    #[arg(long, value_name = "S")]
    pub client_secret: Option<String>,
}

impl HmacInput {
    /// The token as the runtime takes it.
    pub fn token(&self) -> AccessToken {
        AccessToken::from(self.token.as_str())
    }

    /// `--client-secret`, else `$SNAPBI_CLIENT_SECRET`; the value never appears in errors.
    pub fn secret(&self) -> Result<ClientSecret, Error> {
        if let Some(secret) = &self.client_secret {
            return Ok(ClientSecret::from(secret.as_str()));
        }
        match std::env::var(SECRET_VAR) {
            Ok(secret) => Ok(ClientSecret::from(secret)),
            Err(std::env::VarError::NotPresent) => Err(Error::Input(format!(
                "no client secret: pass --client-secret or set {SECRET_VAR}"
            ))),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::Input(format!("{SECRET_VAR} is not valid UTF-8"))),
        }
    }
}

impl RequestInput {
    /// The body to sign: the file's bytes, or empty.
    pub fn body(&self) -> Result<Vec<u8>, Error> {
        input::body_or_empty(self.body_file.as_deref())
    }
}

/// Prints the signature and nothing else.
pub fn run(kind: Kind) -> Outcome {
    let signature = match kind {
        Kind::Token { input, private_key } => {
            let key = input::private_key(&private_key)?;
            sign_token(&input.client_id, &input.timestamp, &key).map_err(|e| sign_error(e, None))?
        }
        Kind::Symmetric { request, hmac } => {
            let secret = hmac.secret()?;
            let body = request.body()?;
            sign_symmetric(
                &request.method,
                &request.path,
                &hmac.token(),
                &body,
                &request.timestamp,
                &secret,
            )
            .map_err(|e| sign_error(e, request.body_file.as_deref()))?
        }
        Kind::Asymmetric { request, private_key } => {
            let key = input::private_key(&private_key)?;
            let body = request.body()?;
            sign_asymmetric(&request.method, &request.path, &body, &request.timestamp, &key)
                .map_err(|e| sign_error(e, request.body_file.as_deref()))?
        }
    };
    print(&format!("{signature}\n"))?;
    Ok(Status::Pass)
}

/// A signing error as an input error; body problems name the body file.
pub fn sign_error(error: SignError, body_file: Option<&Path>) -> Error {
    match (&error, body_file) {
        (SignError::Body(_), Some(file)) => Error::Input(format!("{}: {error}", file.display())),
        _ => Error::Input(error.to_string()),
    }
}
