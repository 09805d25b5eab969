//! Which signature recipe `snapbi sign` and `snapbi verify` use, and `--show` / `--explain`.
//!
//! Without `--provider` a subcommand uses the SNAP standard's recipe for its kind (the runtime's `SNAP_TOKEN`,
//! `SNAP_SYMMETRIC`, `SNAP_ASYMMETRIC`); with it, the recipe the provider's file declares for that kind
//! (`signatures:` in `<provider>/provider.yaml`, read from `--specs`); with `--endpoint ID`, the recipe of that
//! endpoint's provider for the endpoint's auth kind, and the endpoint's method and path. Either way the
//! signature is made and checked by the runtime's [`Sign`] over that [`Recipe`]: there is one code path.

use std::fmt::Write as _;
use std::path::Path;

use snapbi_runtime::signature::{
    Part, Recipe, SNAP_ASYMMETRIC, SNAP_SYMMETRIC, SNAP_TOKEN, Sign, SignInput, SignatureError, SigningKey,
    VerifyingKey, body_sha256_hex,
};
use snapbi_spec::ir::AuthKind;

use crate::error::{Error, print_err};
use crate::input::Specs;
use crate::sign::sign_error;

/// Where the recipe comes from, and whether to show what it signs (shared by `sign` and `verify`).
#[derive(clap::Args)]
pub struct RecipeArgs {
    /// Use this provider's recipe for the kind (`signatures:` in its provider.yaml under --specs); default: the
    /// SNAP standard's.
    #[arg(long, value_name = "NAME", conflicts_with = "endpoint")]
    pub provider: Option<String>,
    /// Take the method, the path and the recipe from this endpoint's spec (its provider's recipe for its auth
    /// kind, which must be the subcommand's), instead of --method, --path and --provider.
    #[arg(long, value_name = "ID")]
    pub endpoint: Option<String>,
    /// Also print, on stderr, the recipe, the minified body, its SHA-256 and the exact string to sign (which holds
    /// the access token; the client secret and keys are never printed).
    #[arg(long)]
    pub show: bool,
    /// What --show prints, and the signature: the one made (`sign`), or the one expected (`verify` with a
    /// client secret; an RSA signature is checked, not remade, so the one given is printed).
    #[arg(long)]
    pub explain: bool,
}

/// The recipe a subcommand signs with, and where it came from.
pub struct Chosen {
    recipe: Recipe,
    kind: AuthKind,
    /// `the SNAP standard's` or `provider doku's`.
    origin: String,
    show: bool,
    explain: bool,
    /// The method and path of `--endpoint`.
    request: Option<(String, String)>,
}

impl RecipeArgs {
    /// The recipe for `kind`: `--provider`'s, else the SNAP standard's. An unknown provider, or one without a
    /// recipe for `kind` (or with one this subcommand cannot fill), is an input error.
    pub fn choose(&self, specs: &Specs, kind: AuthKind) -> Result<Chosen, Error> {
        if let Some(id) = &self.endpoint {
            return self.of_endpoint(specs, kind, id);
        }
        let Some(name) = &self.provider else {
            let recipe = match kind {
                AuthKind::Token => SNAP_TOKEN,
                AuthKind::Symmetric => SNAP_SYMMETRIC,
                AuthKind::Asymmetric => SNAP_ASYMMETRIC,
                AuthKind::Unsigned => return Err(unsigned()),
            };
            return Ok(Chosen {
                recipe,
                kind,
                origin: "the SNAP standard's".into(),
                show: self.show || self.explain,
                explain: self.explain,
                request: None,
            });
        };
        let api = specs.load()?.api;
        self.of_provider(specs, &api, kind, name)
    }

    /// `--endpoint`: its provider's recipe for its auth kind, which must be `kind`, and its method and path.
    fn of_endpoint(&self, specs: &Specs, kind: AuthKind, id: &str) -> Result<Chosen, Error> {
        let api = specs.load()?.api;
        let endpoint = crate::validate::find(&api, id)?;
        let auth = endpoint.info.auth;
        if auth != kind {
            return Err(Error::Input(format!(
                "endpoint `{id}` is signed `{}`, not `{}`: use the `{}` subcommand",
                auth.as_str(),
                kind.as_str(),
                auth.as_str()
            )));
        }
        let mut chosen = self.of_provider(specs, &api, kind, &endpoint.info.provider)?;
        chosen.origin = format!("endpoint {id}: provider {}'s", endpoint.info.provider);
        chosen.request = Some((endpoint.info.method.to_string(), endpoint.info.path.to_string()));
        Ok(chosen)
    }

    /// The recipe provider `name` declares for `kind`.
    fn of_provider(&self, specs: &Specs, api: &snapbi_spec::Api, kind: AuthKind, name: &str) -> Result<Chosen, Error> {
        let Some(provider) = api.providers.iter().find(|p| p.name == *name) else {
            let known: Vec<&str> = api.providers.iter().map(|p| p.name.as_str()).collect();
            return Err(Error::Input(format!(
                "unknown provider `{name}` in {}; known providers: {}",
                specs.display().display(),
                known.join(", ")
            )));
        };
        let Some(recipe) = provider.signature_for(kind) else {
            let kinds: Vec<&str> = AuthKind::ALL
                .iter()
                .filter(|(_, k)| provider.signature_for(*k).is_some())
                .map(|(spelling, _)| *spelling)
                .collect();
            let has = match kinds.is_empty() {
                true => "it has no signature recipes".to_owned(),
                false => format!("it has: {}", kinds.join(", ")),
            };
            return Err(Error::Input(format!(
                "provider `{name}` has no `{}` signature recipe (`signatures:` in its provider.yaml); {has}",
                kind.as_str()
            )));
        };
        let chosen = Chosen {
            recipe: recipe.clone(),
            kind,
            origin: format!("provider {name}'s"),
            show: self.show || self.explain,
            explain: self.explain,
            request: None,
        };
        chosen.fits()?;
        Ok(chosen)
    }
}

impl Chosen {
    /// The method and path `--endpoint` gave, else `method` and `path` (clap requires them without it).
    pub fn request<'a>(&'a self, method: Option<&'a str>, path: Option<&'a str>) -> (&'a str, &'a str) {
        match &self.request {
            Some((method, path)) => (method, path),
            None => (method.unwrap_or_default(), path.unwrap_or_default()),
        }
    }

    /// Signs `input` (after `--show`'s lines, and with `--explain` the signature's); problems with the input
    /// are input errors naming `body_file`.
    pub fn sign(&self, input: &SignInput<'_>, key: &SigningKey<'_>, body_file: Option<&Path>) -> Result<String, Error> {
        self.show(input, body_file)?;
        let signature = self.recipe.sign(input, key).map_err(|e| sign_error(e, body_file))?;
        if self.explain {
            print_err(&format!("signature:      {signature}\n"));
        }
        Ok(signature)
    }

    /// Checks `signature` over `input` (after `--show`'s lines). With `--explain`, also the signature expected:
    /// remade with `remake` (the HMAC key) when there is one, else the one given, which the public key checks.
    pub fn verify(
        &self,
        input: &SignInput<'_>,
        signature: &str,
        key: &VerifyingKey<'_>,
        remake: Option<&SigningKey<'_>>,
        body_file: Option<&Path>,
    ) -> Result<Result<(), SignatureError>, Error> {
        self.show(input, body_file)?;
        if self.explain {
            let line = match remake.map(|key| self.recipe.sign(input, key)) {
                Some(Ok(expected)) => format!("expected signature: {expected}\n"),
                Some(Err(e)) => return Err(sign_error(e, body_file)),
                None => {
                    format!("signature:      {signature} (given; RSA is checked with the public key, not remade)\n")
                }
            };
            print_err(&line);
        }
        Ok(self.recipe.verify(input, signature, key))
    }

    /// With `--show`: the recipe, the body (for transaction signatures) and the string to sign, on stderr.
    fn show(&self, input: &SignInput<'_>, body_file: Option<&Path>) -> Result<(), Error> {
        if !self.show {
            return Ok(());
        }
        let string_to_sign = self
            .recipe
            .string_to_sign(input)
            .map_err(|e| sign_error(e, body_file))?;
        let mut text = format!(
            "recipe:         {} over {} ({} {})\n",
            self.recipe.algorithm.as_str(),
            template(&self.recipe),
            self.origin,
            self.kind.as_str()
        );
        if self.kind != AuthKind::Token {
            // Minified JSON is UTF-8 without raw line breaks: one line, exactly the bytes hashed.
            let body = String::from_utf8_lossy(input.minified_body);
            let _ = writeln!(text, "minified body:  {body}");
            let _ = writeln!(text, "body sha256:    {}", body_sha256_hex(input.minified_body));
        }
        let _ = writeln!(text, "string to sign: {string_to_sign}");
        print_err(&text);
        Ok(())
    }

    /// A recipe that signs `part` needs the value `flag` gives: refused naming the flag when it was not given.
    pub fn needs(&self, part: &Part, given: bool, flag: &str) -> Result<(), Error> {
        if given || !self.recipe.parts.contains(part) {
            return Ok(());
        }
        Err(Error::Input(format!(
            "{} {} recipe signs {}: pass {flag}",
            self.origin,
            self.kind.as_str(),
            placeholder(part)
        )))
    }

    /// A provider's recipe must draw only on what this subcommand takes, with the key it takes.
    fn fits(&self) -> Result<(), Error> {
        let subcommand = self.kind.as_str();
        if let Some(part) = self.recipe.parts.iter().find(|part| !takes(self.kind, part)) {
            return Err(Error::Input(format!(
                "{} {subcommand} recipe uses {}, which the `{subcommand}` subcommand does not take",
                self.origin,
                placeholder(part)
            )));
        }
        // The subcommand decides the key: a client secret for symmetric (any HMAC), an RSA key otherwise.
        let (keyed_by_secret, key) = match self.kind {
            AuthKind::Symmetric => (true, "a client secret (HMAC)"),
            AuthKind::Token | AuthKind::Asymmetric => (false, "an RSA key"),
            AuthKind::Unsigned => return Err(unsigned()),
        };
        if self.recipe.algorithm.uses_secret() != keyed_by_secret {
            return Err(Error::Input(format!(
                "{} {subcommand} recipe signs with {}, but the `{subcommand}` subcommand takes {key}",
                self.origin,
                self.recipe.algorithm.as_str()
            )));
        }
        Ok(())
    }
}

/// No subcommand signs an `unsigned` call (WooshPay's HTTP Basic): there is nothing to sign.
fn unsigned() -> Error {
    Error::Input("`unsigned` calls carry no signature: there is nothing to sign or verify".into())
}

/// Whether the `kind` subcommand has a value for `part`: token takes a client id and a timestamp; symmetric and
/// asymmetric take a request (method, path, body, timestamp, and when given a client id and a request id),
/// symmetric also the access token.
fn takes(kind: AuthKind, part: &Part) -> bool {
    match part {
        Part::Literal(_) | Part::Timestamp | Part::ClientId => true,
        Part::Token => kind == AuthKind::Symmetric,
        Part::Method | Part::Path | Part::BodySha256 | Part::Body | Part::BodyDigest | Part::RequestId => {
            kind != AuthKind::Token
        }
        Part::IfBody | Part::EndIf => kind != AuthKind::Token,
    }
}

/// `{method}` for a placeholder, the text itself for a literal.
fn placeholder(part: &Part) -> String {
    match part {
        Part::Literal(text) => text.to_string(),
        other => Part::PLACEHOLDERS
            .iter()
            .find(|(_, p)| p == other)
            .map_or_else(|| format!("{other:?}"), |(name, _)| format!("{{{name}}}")),
    }
}

/// The recipe's string to sign as the spec writes it: `{method}:{path}:…`.
fn template(recipe: &Recipe) -> String {
    recipe.parts.iter().map(placeholder).collect()
}
