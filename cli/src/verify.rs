//! `snapbi verify`: check an `X-SIGNATURE` value with the runtime's verification functions.

use std::path::PathBuf;

use clap::Subcommand;
use snapbi_runtime::signature::{SignatureError, verify_asymmetric, verify_symmetric, verify_token};

use crate::error::{Outcome, Status, print};
use crate::input;
use crate::sign::{HmacInput, RequestInput, TokenInput, sign_error};

/// The three SNAP signatures.
#[derive(Subcommand)]
pub enum Kind {
    /// Access-token request: SHA256withRSA over `{client_id}|{timestamp}`.
    Token {
        #[command(flatten)]
        input: TokenInput,
        /// PEM file with the signer's RSA public key.
        #[arg(long, value_name = "PEM_FILE")]
        public_key: PathBuf,
        /// The X-SIGNATURE value to check.
        #[arg(long, value_name = "SIG")]
        signature: String,
    },
    /// Transaction with a B2B token: HMAC-SHA512 over `{method}:{path}:{token}:{body_sha256}:{timestamp}`.
    Symmetric {
        #[command(flatten)]
        request: RequestInput,
        #[command(flatten)]
        hmac: HmacInput,
        /// The X-SIGNATURE value to check.
        #[arg(long, value_name = "SIG")]
        signature: String,
    },
    /// Transaction without a token: SHA256withRSA over `{method}:{path}:{body_sha256}:{timestamp}`.
    Asymmetric {
        #[command(flatten)]
        request: RequestInput,
        /// PEM file with the signer's RSA public key.
        #[arg(long, value_name = "PEM_FILE")]
        public_key: PathBuf,
        /// The X-SIGNATURE value to check.
        #[arg(long, value_name = "SIG")]
        signature: String,
    },
}

/// Prints "valid" (exit 0) or "invalid signature" (exit 1); unusable input is exit 2.
pub fn run(kind: Kind) -> Outcome {
    let (checked, body_file) = match kind {
        Kind::Token {
            input,
            public_key,
            signature,
        } => {
            let key = input::public_key(&public_key)?;
            (verify_token(&input.client_id, &input.timestamp, &signature, &key), None)
        }
        Kind::Symmetric {
            request,
            hmac,
            signature,
        } => {
            let secret = hmac.secret()?;
            let body = request.body()?;
            let checked = verify_symmetric(
                &request.method,
                &request.path,
                &hmac.token(),
                &body,
                &request.timestamp,
                &signature,
                &secret,
            );
            (checked, request.body_file)
        }
        Kind::Asymmetric {
            request,
            public_key,
            signature,
        } => {
            let key = input::public_key(&public_key)?;
            let body = request.body()?;
            let checked = verify_asymmetric(
                &request.method,
                &request.path,
                &body,
                &request.timestamp,
                &signature,
                &key,
            );
            (checked, request.body_file)
        }
    };
    match checked {
        Ok(()) => print("valid\n").map(|()| Status::Pass),
        Err(SignatureError::Mismatch) => print("invalid signature\n").map(|()| Status::Fail),
        Err(SignatureError::InvalidBase64) => print("invalid signature: not standard base64\n").map(|()| Status::Fail),
        Err(SignatureError::Input(e)) => Err(sign_error(e, body_file.as_deref())),
    }
}
