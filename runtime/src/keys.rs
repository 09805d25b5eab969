//! RSA keys for SNAP's SHA256withRSA signatures: PEM loading, signing and verification.
//!
//! Keys usually reach a service through environment variables or secret managers, which mangle
//! PEM (newlines escaped as `\n`, everything on one line, surrounding quotes, CRLF). The PEM
//! reader below therefore locates the `-----BEGIN/END <label>-----` markers itself and ignores
//! all whitespace in between, instead of insisting on RFC 7468's line structure. It also knows
//! the `RSA PUBLIC KEY` (PKCS#1) label, which `rustls-pki-types` does not.
//!
//! Cryptography is aws-lc-rs, whose RSA private-key operations are constant-time and blinded.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::error::KeyRejected;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, PublicKey as LcPublicKey};
use aws_lc_rs::signature::{KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::signature::SignatureError;

/// Smallest modulus accepted, in bits: the floor of SNAP's SHA256withRSA and of aws-lc-rs.
const MIN_RSA_BITS: usize = 2048;

const PRIVATE_LABELS: &str = "'PRIVATE KEY' (PKCS#8) or 'RSA PRIVATE KEY' (PKCS#1)";
const PUBLIC_LABELS: &str = "'PUBLIC KEY' (SubjectPublicKeyInfo) or 'RSA PUBLIC KEY' (PKCS#1)";

/// Why a key could not be loaded or used. Messages name PEM labels and formats, never key bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text contains no `-----BEGIN …-----` line at all.
    #[error("no PEM block found: expected a '-----BEGIN …-----' line with label {expected}")]
    NoPemBlock {
        /// The labels that would have been accepted.
        expected: &'static str,
    },
    /// PEM blocks were found, but none of an accepted kind.
    #[error("found PEM block(s) labelled {found}, expected {expected}{hint}")]
    WrongLabel {
        /// The labels that were found, quoted and comma-separated.
        found: String,
        /// The labels that would have been accepted.
        expected: &'static str,
        /// A suggestion for converting what was found, or empty.
        hint: &'static str,
    },
    /// A `BEGIN` line has no matching `END` line.
    #[error("PEM block '{label}' has no matching '-----END {label}-----' line")]
    UnterminatedPem {
        /// The label of the unterminated block.
        label: String,
    },
    /// The key is password-protected.
    #[error(
        "the private key is encrypted; decrypt it first, e.g. \
         `openssl pkey -in encrypted.pem -out key.pem`"
    )]
    Encrypted,
    /// The body between the PEM markers is not base64.
    #[error("the body of PEM block '{label}' is not valid base64")]
    InvalidBase64 {
        /// The label of the block.
        label: String,
    },
    /// The DER inside the PEM is not an acceptable RSA key.
    #[error("the {format} is not a usable RSA key: {reason}")]
    Rejected {
        /// The key format that was tried, e.g. `PKCS#8 private key`.
        format: &'static str,
        /// A fixed description of the problem, e.g. `malformed DER`.
        reason: &'static str,
    },
    /// The RSA modulus is too small for SNAP's SHA256withRSA.
    #[error("RSA key is {bits} bits; at least {MIN_RSA_BITS} bits are required")]
    KeyTooSmall {
        /// The modulus size found.
        bits: usize,
    },
    /// The RSA signing operation itself failed.
    #[error("RSA signing failed")]
    SigningFailed,
}

/// An RSA private key that produces SNAP's SHA256withRSA (RSASSA-PKCS1-v1_5) signatures.
///
/// Parsed once; cloning shares the parsed key. `Debug` never shows key material.
#[derive(Clone)]
pub struct PrivateKey {
    inner: Arc<PrivateInner>,
}

struct PrivateInner {
    pair: KeyPair,
    public: PublicKey,
}

impl PrivateKey {
    /// Loads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) RSA key.
    ///
    /// Tolerates newlines escaped as a literal `\n`, CRLF, a PEM squashed onto one line and
    /// surrounding quotes. Other PEM blocks (e.g. a certificate in the same file) are skipped.
    ///
    /// # Errors
    ///
    /// [`KeyError`] saying which labels were found if there is no usable private key, or why
    /// the key was rejected (encrypted, not RSA, smaller than 2048 bits, corrupt).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let blocks = pem_blocks(pem)?;
        let mut found = Vec::new();
        for block in &blocks {
            let (format, parsed) = match block.label.as_str() {
                "PRIVATE KEY" => ("PKCS#8 private key", KeyPair::from_pkcs8(&block.decode()?)),
                "RSA PRIVATE KEY" => {
                    if block.has_headers {
                        // Legacy OpenSSL encryption puts Proc-Type/DEK-Info headers here.
                        return Err(KeyError::Encrypted);
                    }
                    ("PKCS#1 private key", KeyPair::from_der(&block.decode()?))
                }
                "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
                other => {
                    found.push(other);
                    continue;
                }
            };
            let pair = parsed.map_err(|e| rejected(format, &e))?;
            return Self::from_key_pair(pair);
        }
        Err(wrong_label(&found, PRIVATE_LABELS))
    }

    fn from_key_pair(pair: KeyPair) -> Result<Self, KeyError> {
        let bits = pair.public_modulus_len() * 8;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::KeyTooSmall { bits });
        }
        // Derived now so that `public_key()` cannot fail later.
        let public = PublicKey::from_lc(pair.public_key())?;
        Ok(Self {
            inner: Arc::new(PrivateInner { pair, public }),
        })
    }

    /// Signs `msg` with RSASSA-PKCS1-v1_5 over SHA-256 and returns the raw signature bytes
    /// (as long as the modulus, e.g. 256 bytes for RSA-2048).
    ///
    /// # Errors
    ///
    /// [`KeyError::SigningFailed`] if aws-lc-rs reports a failure.
    pub fn sign_sha256(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let pair = &self.inner.pair;
        let mut signature = vec![0; pair.public_modulus_len()];
        // PKCS#1 v1.5 is deterministic; aws-lc-rs ignores the RNG argument.
        pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut signature)
            .map_err(|_| KeyError::SigningFailed)?;
        Ok(signature)
    }

    /// The matching public key, e.g. to verify one's own signatures in tests.
    pub fn public_key(&self) -> PublicKey {
        self.inner.public.clone()
    }

    /// Size of the RSA modulus in bits.
    pub fn bits(&self) -> usize {
        self.inner.pair.public_modulus_len() * 8
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey(RSA-{}, <redacted>)", self.bits())
    }
}

/// An RSA public key that verifies SHA256withRSA signatures, e.g. a provider's webhook
/// signatures.
///
/// Parsed once; cloning shares the parsed key.
#[derive(Clone)]
pub struct PublicKey {
    inner: Arc<PublicInner>,
}

struct PublicInner {
    parsed: ParsedPublicKey,
    bits: usize,
}

impl PublicKey {
    /// Loads a SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`)
    /// RSA public key, with the same tolerance for mangled PEM as [`PrivateKey::from_pem`].
    ///
    /// # Errors
    ///
    /// [`KeyError`] saying which labels were found if there is no public key (with a hint when
    /// a certificate or private key was given instead), or why the key was rejected.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let blocks = pem_blocks(pem)?;
        let mut found = Vec::new();
        for block in &blocks {
            let format = match block.label.as_str() {
                "PUBLIC KEY" => "SubjectPublicKeyInfo public key",
                "RSA PUBLIC KEY" => "PKCS#1 public key",
                other => {
                    found.push(other);
                    continue;
                }
            };
            // aws-lc-rs detects SPKI vs PKCS#1 from the DER itself; the label only picks the
            // wording of the error.
            let key = LcPublicKey::from_der(&block.decode()?).map_err(|e| rejected(format, &e))?;
            return Self::from_lc(&key);
        }
        Err(wrong_label(&found, PUBLIC_LABELS))
    }

    fn from_lc(key: &LcPublicKey) -> Result<Self, KeyError> {
        let bits = key.modulus_len() * 8;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::KeyTooSmall { bits });
        }
        // `as_ref()` is the canonical PKCS#1 encoding, so the parse below cannot disagree
        // with the one that produced `key`.
        let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.as_ref())
            .map_err(|e| rejected("PKCS#1 public key", &e))?;
        Ok(Self {
            inner: Arc::new(PublicInner { parsed, bits }),
        })
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature (raw bytes, not base64) over `msg`.
    ///
    /// # Errors
    ///
    /// [`SignatureError::Mismatch`] if the signature is not valid for `msg` under this key.
    pub fn verify_sha256(&self, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        self.inner
            .parsed
            .verify_sig(msg, sig)
            .map_err(|_| SignatureError::Mismatch)
    }

    /// Size of the RSA modulus in bits.
    pub fn bits(&self) -> usize {
        self.inner.bits
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(RSA-{})", self.bits())
    }
}

/// Translates aws-lc-rs's terse rejection codes; they are fixed strings, never key bytes.
fn rejected(format: &'static str, e: &KeyRejected) -> KeyError {
    let reason = match e.description_() {
        "InvalidEncoding" => "malformed DER",
        "WrongAlgorithm" | "Unspecified" => "not an RSA key, or an inconsistent one",
        "TooSmall" => "modulus smaller than 2048 bits",
        "TooLarge" => "modulus larger than 8192 bits",
        other => other,
    };
    KeyError::Rejected { format, reason }
}

fn wrong_label(found: &[&str], expected: &'static str) -> KeyError {
    if found.is_empty() {
        return KeyError::NoPemBlock { expected };
    }
    let hint = if expected == PUBLIC_LABELS {
        if found.contains(&"CERTIFICATE") {
            "; extract the key from the certificate with `openssl x509 -pubkey -noout -in cert.pem`"
        } else if found.iter().any(|l| l.ends_with("PRIVATE KEY")) {
            "; derive the public key with `openssl pkey -pubout -in key.pem`"
        } else {
            ""
        }
    } else if found.iter().any(|l| l.ends_with("PUBLIC KEY") || *l == "CERTIFICATE") {
        "; signing needs the private key, not a public key or certificate"
    } else {
        ""
    };
    let found = found.iter().map(|l| format!("'{l}'")).collect::<Vec<_>>().join(", ");
    KeyError::WrongLabel { found, expected, hint }
}

/// One `-----BEGIN <label>----- … -----END <label>-----` block, body still base64.
struct PemBlock {
    label: String,
    body: String,
    /// RFC 1421 style `Name: value` header lines, which only legacy encrypted keys carry.
    has_headers: bool,
}

impl PemBlock {
    fn decode(&self) -> Result<Vec<u8>, KeyError> {
        STANDARD.decode(&self.body).map_err(|_| KeyError::InvalidBase64 {
            label: self.label.clone(),
        })
    }
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Splits (possibly mangled) PEM text into blocks.
fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, KeyError> {
    let text = text.trim().trim_matches(|c| c == '"' || c == '\'');
    // A backslash never occurs in PEM, so literal `\n`/`\r` can only be escaped line breaks.
    let text = text.replace("\\r", "").replace("\\n", "\n");

    let mut blocks = Vec::new();
    let mut rest = text.as_str();
    while let Some(begin) = rest.find(BEGIN) {
        let after_begin = &rest[begin + BEGIN.len()..];
        let Some(label_len) = after_begin.find(DASHES) else {
            break;
        };
        let label = after_begin[..label_len].trim().to_owned();
        let after_label = &after_begin[label_len + DASHES.len()..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_len) = after_label.find(&end_marker) else {
            return Err(KeyError::UnterminatedPem { label });
        };
        let raw_body = &after_label[..body_len];
        let has_headers = raw_body.contains(':');
        let body = raw_body
            .lines()
            .filter(|line| !line.contains(':'))
            .flat_map(|line| line.split_ascii_whitespace())
            .collect();
        blocks.push(PemBlock {
            label,
            body,
            has_headers,
        });
        rest = &after_label[body_len + end_marker.len()..];
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::KeySize;

    use super::*;

    /// PEM encodings of one throwaway key, generated per test run so no key is committed.
    /// PKCS#1 private keys are covered by `tests/signing_vectors.rs`, which has `openssl`.
    struct Pems {
        pkcs8: String,
        spki: String,
        pkcs1_public: String,
    }

    fn pems() -> &'static Pems {
        static PEMS: OnceLock<Pems> = OnceLock::new();
        PEMS.get_or_init(|| {
            let pair = KeyPair::generate(KeySize::Rsa2048).unwrap_or_else(|e| panic!("{e}"));
            let pkcs8 = pair.as_der().unwrap_or_else(|e| panic!("{e}"));
            let spki = pair.public_key().as_der().unwrap_or_else(|e| panic!("{e}"));
            Pems {
                pkcs8: to_pem("PRIVATE KEY", pkcs8.as_ref()),
                spki: to_pem("PUBLIC KEY", spki.as_ref()),
                pkcs1_public: to_pem("RSA PUBLIC KEY", pair.public_key().as_ref()),
            }
        })
    }

    fn to_pem(label: &str, der: &[u8]) -> String {
        let b64 = STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
    }

    fn private(pem: &str) -> PrivateKey {
        PrivateKey::from_pem(pem).unwrap_or_else(|e| panic!("{e}"))
    }

    fn public(pem: &str) -> PublicKey {
        PublicKey::from_pem(pem).unwrap_or_else(|e| panic!("{e}"))
    }

    fn sign(key: &PrivateKey, msg: &[u8]) -> Vec<u8> {
        key.sign_sha256(msg).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A run of base64 from the middle of the private key, to look for in error texts.
    fn key_material(pem: &str) -> &str {
        pem.lines().nth(2).map_or("", |l| &l[..32])
    }

    #[test]
    fn loads_every_public_format_and_they_agree() {
        let pems = pems();
        let key = private(&pems.pkcs8);
        assert_eq!(key.bits(), 2048);
        let sig = sign(&key, b"msg");
        assert_eq!(sig.len(), 256);
        for public_key in [public(&pems.spki), public(&pems.pkcs1_public), key.public_key()] {
            assert_eq!(public_key.bits(), 2048);
            assert_eq!(public_key.verify_sha256(b"msg", &sig), Ok(()));
            assert_eq!(public_key.verify_sha256(b"msh", &sig), Err(SignatureError::Mismatch));
            assert_eq!(public_key.verify_sha256(b"msg", &[]), Err(SignatureError::Mismatch));
        }
        // PKCS#1 v1.5 is deterministic: the same key and message sign identically.
        assert_eq!(sign(&key, b"msg"), sig);
    }

    #[test]
    fn tolerates_mangled_pem() {
        let pkcs8 = &pems().pkcs8;
        let reference = sign(&private(pkcs8), b"x");
        let escaped = pkcs8.trim().replace('\n', "\\n");
        let variants = [
            format!("\"{escaped}\""),
            pkcs8.trim().replace('\n', "\\r\\n"),
            escaped,
            pkcs8.replace('\n', "\r\n"),
            pkcs8.trim().replace('\n', " "),
            pkcs8.replace('\n', "\n    "),
        ];
        for variant in &variants {
            assert_eq!(sign(&private(variant), b"x"), reference, "{variant:.40}");
        }
        let escaped_public = pems().spki.trim().replace('\n', "\\n");
        assert_eq!(public(&escaped_public).bits(), 2048);
    }

    #[test]
    fn skips_unrelated_blocks() {
        let pems = pems();
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let bundle = format!("{cert}{}{}", pems.spki, pems.pkcs8);
        assert_eq!(private(&bundle).bits(), 2048);
        assert_eq!(public(&bundle).bits(), 2048);
    }

    #[test]
    fn wrong_labels_are_named_with_a_hint() {
        let pems = pems();
        let e = PublicKey::from_pem(&pems.pkcs8).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("'PRIVATE KEY'"), "{e}");
        assert!(e.contains("openssl pkey -pubout"), "{e}");
        assert!(!e.contains(key_material(&pems.pkcs8)), "{e}");

        let e = PrivateKey::from_pem(&pems.spki).err();
        assert!(
            matches!(&e, Some(KeyError::WrongLabel { found, .. }) if found == "'PUBLIC KEY'"),
            "{e:?}"
        );

        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----";
        let e = PublicKey::from_pem(cert).err().map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("openssl x509 -pubkey"));
    }

    #[test]
    fn malformed_pem_is_rejected_without_echoing_it() {
        let pkcs8 = &pems().pkcs8;
        assert!(matches!(
            PrivateKey::from_pem("not a key"),
            Err(KeyError::NoPemBlock { .. })
        ));
        assert!(matches!(PrivateKey::from_pem(""), Err(KeyError::NoPemBlock { .. })));

        let cut = &pkcs8[..pkcs8.len() / 2];
        let e = PrivateKey::from_pem(cut).err();
        assert!(
            matches!(&e, Some(KeyError::UnterminatedPem { label }) if label == "PRIVATE KEY"),
            "{e:?}"
        );

        let material = key_material(pkcs8);
        let corrupt = pkcs8.replacen(&material[..4], "!!!!", 1);
        let e = PrivateKey::from_pem(&corrupt).err();
        assert!(matches!(e, Some(KeyError::InvalidBase64 { .. })), "{e:?}");

        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
        let e = PrivateKey::from_pem(garbage).err();
        assert!(
            matches!(
                e,
                Some(KeyError::Rejected {
                    format: "PKCS#8 private key",
                    ..
                })
            ),
            "{e:?}"
        );
        let garbage = "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----";
        let e = PublicKey::from_pem(garbage).err();
        assert!(matches!(e, Some(KeyError::Rejected { .. })), "{e:?}");
    }

    #[test]
    fn encrypted_keys_are_reported_as_such() {
        let pkcs8 = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----";
        assert!(matches!(PrivateKey::from_pem(pkcs8), Err(KeyError::Encrypted)));
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                      DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert!(matches!(PrivateKey::from_pem(legacy), Err(KeyError::Encrypted)));
    }

    #[test]
    fn debug_is_redacted() {
        let pkcs8 = &pems().pkcs8;
        let key = private(pkcs8);
        let shown = format!("{key:?} {:?}", key.public_key());
        assert_eq!(shown, "PrivateKey(RSA-2048, <redacted>) PublicKey(RSA-2048)");
        assert!(!shown.contains(key_material(pkcs8)));
    }
}
