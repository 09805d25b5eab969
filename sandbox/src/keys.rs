//! The sandbox's RSA keys, held as aws-lc-rs keys: a client's public key, which checks the token and asymmetric
//! signatures it sends ([`ClientKey`]), and the sandbox's own key as a provider, which signs what it sends
//! ([`ProviderKey`]: notifications, merchant-token calls, enveloped answers).
//!
//! The PEM armour is read here as well, so no runtime key type stands between the sandbox and aws-lc-rs: the
//! sandbox's signatures are its own from the string to sign down to the RSA operation (ARCHITECTURE.md, decision
//! 5). Keys often reach a service mangled by environment variables, so the reader ignores whitespace inside the
//! armour, accepts newlines escaped as `\n` and surrounding quotes.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaSubjectPublicKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Smallest RSA modulus accepted, in bits: SNAP's SHA256withRSA and aws-lc-rs's verifier both start there.
const MIN_BITS: usize = 2048;

/// Why a key could not be read or used. Never holds key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

/// A client's RSA public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`), checking SHA256withRSA signatures.
#[derive(Clone)]
pub struct ClientKey {
    parsed: Arc<ParsedPublicKey>,
    bits: usize,
}

impl ClientKey {
    /// Reads a PEM public key of at least 2048 bits.
    ///
    /// # Errors
    ///
    /// [`KeyError`] when there is no public key block, its base64 or DER is broken, or the key is too small.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (_, der) = pem_block(pem, &["PUBLIC KEY", "RSA PUBLIC KEY"])?;
        // Read once for its size; aws-lc-rs takes SPKI and PKCS#1 alike.
        let key = RsaSubjectPublicKey::from_der(&der).map_err(|e| rejected("public key", &e))?;
        let bits = key.modulus_len() * 8;
        if bits < MIN_BITS {
            return Err(too_small(bits));
        }
        let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &der).map_err(|e| rejected("public key", &e))?;
        Ok(Self {
            parsed: Arc::new(parsed),
            bits,
        })
    }

    /// Whether `signature` (raw bytes) is this key's SHA256withRSA signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.parsed.verify_sig(message, signature).is_ok()
    }
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientKey(RSA-{})", self.bits)
    }
}

/// The sandbox's RSA private key as a provider (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`), making
/// SHA256withRSA signatures. Cloning shares the key; `Debug` shows its size only.
#[derive(Clone)]
pub struct ProviderKey {
    pair: Arc<RsaKeyPair>,
}

impl ProviderKey {
    /// Reads a PEM private key of at least 2048 bits.
    ///
    /// # Errors
    ///
    /// [`KeyError`] when there is no (unencrypted) private key block, its base64 or DER is broken, or the key is
    /// too small.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let pair = match pem_block(pem, &["PRIVATE KEY", "RSA PRIVATE KEY"])? {
            ("PRIVATE KEY", der) => RsaKeyPair::from_pkcs8(&der),
            (_, der) => RsaKeyPair::from_der(&der),
        }
        .map_err(|e| rejected("private key", &e))?;
        let bits = pair.public_modulus_len() * 8;
        if bits < MIN_BITS {
            return Err(too_small(bits));
        }
        Ok(Self { pair: Arc::new(pair) })
    }

    /// The SHA256withRSA (RSASSA-PKCS1-v1_5) signature of `message`, raw bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError`] if aws-lc-rs reports a failure.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        // PKCS#1 v1.5 is deterministic; the generator is part of the signature of `sign` only.
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|_| KeyError("RSA signing failed".into()))?;
        Ok(signature)
    }
}

impl fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProviderKey(RSA-{}, <redacted>)", self.pair.public_modulus_len() * 8)
    }
}

/// The first of `labels` that `pem` has a `-----BEGIN <label>-----` block of, and the DER inside it.
fn pem_block<'l>(pem: &str, labels: &[&'l str]) -> Result<(&'l str, Vec<u8>), KeyError> {
    // A backslash never occurs in PEM, so a literal `\n` can only be an escaped line break.
    let text = pem
        .trim()
        .trim_matches(['"', '\''])
        .replace("\\r", "")
        .replace("\\n", "\n");
    for label in labels {
        let begin = format!("-----BEGIN {label}-----");
        let Some(start) = text.find(&begin) else {
            continue;
        };
        let rest = &text[start + begin.len()..];
        let end = format!("-----END {label}-----");
        let Some(stop) = rest.find(&end) else {
            return Err(KeyError(format!("the PEM block '{label}' has no '{end}' line")));
        };
        let base64: String = rest[..stop].split_ascii_whitespace().collect();
        return STANDARD.decode(base64).map(|der| (*label, der)).map_err(|_| {
            KeyError(format!(
                "the PEM block '{label}' is not valid base64 (is it encrypted?)"
            ))
        });
    }
    let expected: Vec<String> = labels.iter().map(|l| format!("'{l}'")).collect();
    Err(KeyError(format!("no PEM block labelled {}", expected.join(" or "))))
}

fn rejected(what: &str, e: &aws_lc_rs::error::KeyRejected) -> KeyError {
    KeyError(format!("the {what} is not a usable RSA key ({e})"))
}

fn too_small(bits: usize) -> KeyError {
    KeyError(format!("the RSA key is {bits} bits; at least {MIN_BITS} are required"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_PUBLIC_KEY_PEM, DEMO_PROVIDER_PRIVATE_KEY_PEM};

    fn ok<T>(result: Result<T, KeyError>) -> T {
        result.unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_demo_pairs_sign_and_verify() {
        let private = ok(ProviderKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM));
        let public = ok(ClientKey::from_pem(DEMO_CLIENT_PUBLIC_KEY_PEM));
        let signature = ok(private.sign(b"x"));
        assert_eq!(signature.len(), 256);
        assert!(public.verifies(b"x", &signature));
        assert!(!public.verifies(b"y", &signature));
        assert!(!public.verifies(b"x", &[]));
        let other = ok(ProviderKey::from_pem(DEMO_PROVIDER_PRIVATE_KEY_PEM));
        assert!(!public.verifies(b"x", &ok(other.sign(b"x"))));
        assert_eq!(format!("{public:?}"), "ClientKey(RSA-2048)");
        assert!(format!("{private:?}").contains("redacted"));
    }

    #[test]
    fn mangled_pem_still_reads() {
        let escaped = format!("\"{}\"", DEMO_CLIENT_PUBLIC_KEY_PEM.trim().replace('\n', "\\n"));
        let squashed = DEMO_CLIENT_PUBLIC_KEY_PEM.replace('\n', " ");
        for pem in [escaped, squashed, DEMO_CLIENT_PUBLIC_KEY_PEM.replace('\n', "\r\n")] {
            ok(ClientKey::from_pem(&pem));
        }
    }

    #[test]
    fn bad_keys_are_refused_with_a_reason() {
        let e = |r: Result<ClientKey, KeyError>| r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e(ClientKey::from_pem("not a key")).contains("no PEM block"));
        assert!(e(ClientKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM)).contains("'PUBLIC KEY'"));
        let cut = DEMO_CLIENT_PUBLIC_KEY_PEM.replace("-----END PUBLIC KEY-----", "");
        assert!(e(ClientKey::from_pem(&cut)).contains("no '-----END"));
        let broken = DEMO_CLIENT_PUBLIC_KEY_PEM.replacen("MII", "M!I", 1);
        assert!(e(ClientKey::from_pem(&broken)).contains("base64"));
        let wrong = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----";
        assert!(e(ClientKey::from_pem(wrong)).contains("not a usable RSA key"));
        assert!(ProviderKey::from_pem(DEMO_CLIENT_PUBLIC_KEY_PEM).is_err());
    }
}
