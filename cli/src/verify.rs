//! `snapbi verify`: check an `X-SIGNATURE` value with a signature recipe (the SNAP standard's, or a provider's
//! with `--provider`) and the runtime's `Sign`.

use std::path::PathBuf;

use clap::Subcommand;
use snapbi_runtime::signature::{SignatureError, SigningKey, VerifyingKey};
use snapbi_spec::ir::AuthKind;

use crate::error::{Outcome, Status, print};
use crate::input::{self, Specs};
use crate::recipe::RecipeArgs;
use crate::sign::{HmacInput, RequestInput, TokenInput, sign_error};

/// The three kinds of signature; each is checked with the SNAP standard's recipe unless `--provider` names another.
#[derive(Subcommand)]
pub enum Kind {
    /// Access-token request: SHA256withRSA over `{client_id}|{timestamp}`, or --provider's `token` recipe.
    Token {
        #[command(flatten)]
        input: TokenInput,
        /// PEM file with the signer's RSA public key.
        #[arg(long, value_name = "PEM_FILE")]
        public_key: PathBuf,
        /// The X-SIGNATURE value to check.
        #[arg(long, value_name = "SIG")]
        signature: String,
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
        /// The X-SIGNATURE value to check.
        #[arg(long, value_name = "SIG")]
        signature: String,
        #[command(flatten)]
        recipe: RecipeArgs,
    },
    /// Transaction without a token: SHA256withRSA over `{method}:{path}:{body_sha256}:{timestamp}`, or
    /// --provider's `asymmetric` recipe.
    Asymmetric {
        #[command(flatten)]
        request: RequestInput,
        /// PEM file with the signer's RSA public key.
        #[arg(long, value_name = "PEM_FILE")]
        public_key: PathBuf,
        /// The X-SIGNATURE value to check.
        #[arg(long, value_name = "SIG")]
        signature: String,
        #[command(flatten)]
        recipe: RecipeArgs,
    },
}

/// Prints "valid" (exit 0) or "invalid signature" (exit 1); unusable input is exit 2.
pub fn run(specs: &Specs, kind: Kind) -> Outcome {
    let (checked, body_file) = match kind {
        Kind::Token {
            input,
            public_key,
            signature,
            recipe,
        } => {
            let recipe = recipe.choose(specs, AuthKind::Token)?;
            let key = input::public_key(&public_key)?;
            let checked = recipe.verify(&input.sign_input(), &signature, &VerifyingKey::Rsa(&key), None, None)?;
            (checked, None)
        }
        Kind::Symmetric {
            request,
            hmac,
            signature,
            recipe,
        } => {
            let recipe = recipe.choose(specs, AuthKind::Symmetric)?;
            request.check_given(&recipe, Some(&hmac))?;
            let secret = hmac.secret()?;
            let token = hmac.token();
            let body = request.minified_body()?;
            let input = request.sign_input(&recipe, token.as_ref(), &body);
            let key = VerifyingKey::Hmac(&secret);
            let remake = SigningKey::Hmac(&secret);
            let checked = recipe.verify(&input, &signature, &key, Some(&remake), request.body_file.as_deref())?;
            (checked, request.body_file)
        }
        Kind::Asymmetric {
            request,
            public_key,
            signature,
            recipe,
        } => {
            let recipe = recipe.choose(specs, AuthKind::Asymmetric)?;
            request.check_given(&recipe, None)?;
            let key = input::public_key(&public_key)?;
            let body = request.minified_body()?;
            let input = request.sign_input(&recipe, None, &body);
            let key = VerifyingKey::Rsa(&key);
            let checked = recipe.verify(&input, &signature, &key, None, request.body_file.as_deref())?;
            (checked, request.body_file)
        }
    };
    match checked {
        Ok(()) => print("valid\n").map(|()| Status::Pass),
        Err(SignatureError::Mismatch) => print("invalid signature\n").map(|()| Status::Fail),
        Err(SignatureError::InvalidBase64) => print("invalid signature: not standard base64\n").map(|()| Status::Fail),
        Err(SignatureError::InvalidHex) => print("invalid signature: not hexadecimal\n").map(|()| Status::Fail),
        Err(SignatureError::Input(e)) => Err(sign_error(e, body_file.as_deref())),
    }
}
