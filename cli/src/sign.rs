//! `snapbi sign`: compute an `X-SIGNATURE` value with a signature recipe (the SNAP standard's, or a provider's
//! with `--provider`) and the runtime's `Sign`.
//!
//! The argument groups here are shared with `snapbi verify`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use snapbi_runtime::minify::minify;
use snapbi_runtime::secret::{AccessToken, ClientSecret};
use snapbi_runtime::signature::{Part, SignError, SignInput, SigningKey};
use snapbi_spec::ir::AuthKind;

use crate::error::{Error, Outcome, Status, print};
use crate::input::{self, Specs};
use crate::recipe::{Chosen, RecipeArgs};

/// Environment variable read when `--client-secret` is absent.
const SECRET_VAR: &str = "SNAPBI_CLIENT_SECRET";

/// The three kinds of signature; each signs with the SNAP standard's recipe unless `--provider` names another.
#[derive(Subcommand)]
pub enum Kind {
    /// Access-token request: SHA256withRSA over `{client_id}|{timestamp}`, or --provider's `token` recipe.
    Token {
        #[command(flatten)]
        input: TokenInput,
        /// PEM file with the RSA private key (PKCS#8 or PKCS#1).
        #[arg(long, value_name = "PEM_FILE")]
        private_key: PathBuf,
        #[command(flatten)]
        recipe: RecipeArgs,
    },
    /// Transaction with a B2B token: HMAC-SHA512 over `{method}:{path}:{token}:{body_sha256}:{timestamp}`, or
    /// --provider's `symmetric` recipe.
    Symmetric {
        #[command(flatten)]
        request: RequestInput,
        #[command(flatten)]
        hmac: HmacInput,
        #[command(flatten)]
        recipe: RecipeArgs,
    },
    /// Transaction without a token: SHA256withRSA over `{method}:{path}:{body_sha256}:{timestamp}`, or
    /// --provider's `asymmetric` recipe.
    Asymmetric {
        #[command(flatten)]
        request: RequestInput,
        /// PEM file with the RSA private key (PKCS#8 or PKCS#1).
        #[arg(long, value_name = "PEM_FILE")]
        private_key: PathBuf,
        #[command(flatten)]
        recipe: RecipeArgs,
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
    /// HTTP method, upper case (POST); with --endpoint, the endpoint's.
    #[arg(
        long,
        value_name = "M",
        required_unless_present = "endpoint",
        conflicts_with = "endpoint"
    )]
    pub method: Option<String>,
    /// Relative path exactly as requested, with any query; with --endpoint, the endpoint's.
    #[arg(
        long,
        value_name = "P",
        required_unless_present = "endpoint",
        conflicts_with = "endpoint"
    )]
    pub path: Option<String>,
    /// X-TIMESTAMP value exactly as sent.
    #[arg(long, value_name = "TS")]
    pub timestamp: String,
    /// JSON body (minified before hashing; `-` reads stdin); absent: the empty body.
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Client id, for a recipe that signs `{client_id}` (DOKU's non-SNAP `Client-Id`).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Request id exactly as sent, for a recipe that signs `{request_id}` (DOKU's non-SNAP `Request-Id`).
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

impl TokenInput {
    /// What the recipe may draw on: the client id and the timestamp.
    pub fn sign_input(&self) -> SignInput<'_> {
        SignInput {
            method: "",
            path: "",
            token: None,
            minified_body: &[],
            timestamp: &self.timestamp,
            client_id: &self.client_id,
            request_id: "",
        }
    }
}

/// The token and the HMAC key of a symmetric signature.
#[derive(clap::Args)]
pub struct HmacInput {
    /// B2B access token, without `Bearer ` (SNAP's symmetric recipe signs it; DOKU's non-SNAP one does not).
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// Client secret (the HMAC key); default: $SNAPBI_CLIENT_SECRET, which keeps it out of process lists.
    #[arg(long, value_name = "S")]
    pub client_secret: Option<String>,
}

impl HmacInput {
    /// The token as the runtime takes it, when given.
    pub fn token(&self) -> Option<AccessToken> {
        self.token.as_deref().map(AccessToken::from)
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
    /// The body to sign, minified (the file's bytes, or empty); a body that is not JSON names the file.
    pub fn minified_body(&self) -> Result<Vec<u8>, Error> {
        let body = input::body_or_empty(self.body_file.as_deref())?;
        minify(&body)
            .map(|minified| minified.into_owned())
            .map_err(|e| sign_error(SignError::Body(e), self.body_file.as_deref()))
    }

    /// What the recipe may draw on: the request (its method and path from `--endpoint` when `chosen` has
    /// them), the token when there is one, and the minified body.
    pub fn sign_input<'a>(
        &'a self,
        chosen: &'a Chosen,
        token: Option<&'a AccessToken>,
        minified_body: &'a [u8],
    ) -> SignInput<'a> {
        let (method, path) = chosen.request(self.method.as_deref(), self.path.as_deref());
        SignInput {
            method,
            path,
            token,
            minified_body,
            timestamp: &self.timestamp,
            client_id: self.client_id.as_deref().unwrap_or_default(),
            request_id: self.request_id.as_deref().unwrap_or_default(),
        }
    }

    /// A recipe drawing on a value no flag gave is refused naming the flag (rather than signing an empty one).
    pub fn check_given(&self, chosen: &Chosen, hmac: Option<&HmacInput>) -> Result<(), Error> {
        let token = hmac.is_some_and(|h| h.token.is_some());
        chosen.needs(&Part::Token, token, "--token")?;
        chosen.needs(&Part::ClientId, self.client_id.is_some(), "--client-id")?;
        chosen.needs(&Part::RequestId, self.request_id.is_some(), "--request-id")
    }
}

/// Prints the signature and nothing else on stdout (`--show` and `--explain` write to stderr).
pub fn run(specs: &Specs, kind: Kind) -> Outcome {
    let signature = match kind {
        Kind::Token {
            input,
            private_key,
            recipe,
        } => {
            let recipe = recipe.choose(specs, AuthKind::Token)?;
            let key = input::private_key(&private_key)?;
            recipe.sign(&input.sign_input(), &SigningKey::Rsa(&key), None)?
        }
        Kind::Symmetric { request, hmac, recipe } => {
            let recipe = recipe.choose(specs, AuthKind::Symmetric)?;
            request.check_given(&recipe, Some(&hmac))?;
            let secret = hmac.secret()?;
            let token = hmac.token();
            let body = request.minified_body()?;
            let input = request.sign_input(&recipe, token.as_ref(), &body);
            recipe.sign(&input, &SigningKey::Hmac(&secret), request.body_file.as_deref())?
        }
        Kind::Asymmetric {
            request,
            private_key,
            recipe,
        } => {
            let recipe = recipe.choose(specs, AuthKind::Asymmetric)?;
            request.check_given(&recipe, None)?;
            let key = input::private_key(&private_key)?;
            let body = request.minified_body()?;
            let input = request.sign_input(&recipe, None, &body);
            recipe.sign(&input, &SigningKey::Rsa(&key), request.body_file.as_deref())?
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
