//! References across files: a provider's token endpoint, an endpoint's provider, status endpoint, envelope
//! and record kind, the status query against the status endpoint's fields, and names that must be unique
//! over the whole spec set (provider names, endpoint ids and the Rust modules they become).

use std::collections::HashMap;

use super::{Lowering, lowered, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{AuthKind, Endpoint, Envelope, HeaderSource, Provider};
use crate::yaml::raw::{EndpointFile, ProviderFile};
use crate::yaml::{Loaded, SpecSet};

impl Lowering {
    pub(super) fn cross_references(&mut self, set: &SpecSet, providers: &[Provider], endpoints: &[Endpoint]) {
        let names: Vec<&str> = set.providers.iter().map(|p| p.value.name.as_str()).collect();
        let ids: Vec<&str> = set.endpoints.iter().map(|e| e.value.id.as_str()).collect();
        for (i, file) in set.providers.iter().enumerate() {
            if names[..i].contains(&file.value.name.as_str()) {
                self.push(file.error("name", format!("provider `{}` is defined twice", file.value.name)));
            }
            self.token_endpoint(file, endpoints, &ids);
            self.bearer_needs_token(file, providers);
        }
        for (file, endpoint) in lowered(set, endpoints) {
            self.envelope_use(file, endpoint, providers);
        }
        for (file, endpoint) in lowered(set, endpoints) {
            self.status_query_use(file, endpoint, endpoints);
        }
        for (file, endpoint) in lowered(set, endpoints) {
            self.record_use(file, endpoint, providers, endpoints);
        }
        let mut modules: HashMap<(String, String), String> = HashMap::new();
        for (i, file) in set.endpoints.iter().enumerate() {
            if ids[..i].contains(&file.value.id.as_str()) {
                self.push(file.error("id", format!("endpoint id `{}` is used twice", file.value.id)));
            }
            self.endpoint_references(file, &names, &ids);
            self.module_name(file, &mut modules);
            self.signature_of_auth(file, providers);
        }
    }

    /// The token endpoint is an `auth: token` endpoint the runtime can call unasked (a fixed body).
    fn token_endpoint(&mut self, file: &Loaded<ProviderFile>, endpoints: &[Endpoint], ids: &[&str]) {
        let Some(token) = &file.value.token_endpoint else {
            return;
        };
        match endpoints.iter().find(|e| &e.info.id == token) {
            Some(e) if e.info.auth == AuthKind::Token => {
                if !e.params.is_empty() {
                    let msg = format!("`{token}` cannot be called unasked: it has path parameters");
                    self.push(file.error("token_endpoint", msg));
                } else if let Err(field) = e.fixed_body() {
                    let msg = format!(
                        "`{token}` cannot be called unasked: its required field `{field}` must allow exactly one \
                         value (`enum: [...]` with one entry)"
                    );
                    self.push(file.error("token_endpoint", msg));
                }
            }
            Some(_) => self.push(file.error("token_endpoint", format!("`{token}` is not an `auth: token` endpoint"))),
            None if !ids.contains(&token.as_str()) && !self.failed.endpoints.may_hold(token) => {
                let d = file.error("token_endpoint", format!("unknown endpoint `{token}`"));
                self.push(with_help(d, did_you_mean(token, ids.iter().copied())));
            }
            // The endpoint exists but did not load or lower: its own diagnostics say why.
            None => {}
        }
    }

    /// A header filled with the bearer token needs an endpoint that issues one.
    fn bearer_needs_token(&mut self, file: &Loaded<ProviderFile>, providers: &[Provider]) {
        let bearer = providers
            .iter()
            .filter(|p| p.name == file.value.name)
            .flat_map(|p| &p.headers)
            .find(|(_, set)| set.iter().any(|(_, source)| *source == HeaderSource::BearerToken));
        if let (Some((kind, _)), None) = (bearer, &file.value.token_endpoint) {
            let path = format!("headers.{}", kind.as_str());
            self.push(file.error(
                &path,
                "a `bearer_token` header needs `token_endpoint` (the endpoint that issues the token)",
            ));
        }
    }

    /// An enveloped endpoint names an envelope of its provider and lists the envelope's refusal codes.
    fn envelope_use(&mut self, file: &Loaded<EndpointFile>, endpoint: &Endpoint, providers: &[Provider]) {
        let Some(enveloped) = &endpoint.info.envelope else {
            return;
        };
        // A provider that did not lower has its own diagnostics; what its envelopes are is not known.
        if !providers.iter().any(|p| p.name == endpoint.info.provider) {
            return;
        }
        let envelopes: Vec<&Envelope> = providers
            .iter()
            .filter(|p| p.name == endpoint.info.provider)
            .flat_map(|p| &p.envelopes)
            .collect();
        let Some(envelope) = envelopes.iter().find(|e| e.name == enveloped.envelope) else {
            let msg = format!(
                "provider `{}` declares no envelope `{}`",
                endpoint.info.provider, enveloped.envelope
            );
            let known = envelopes.iter().map(|e| e.name.as_ref());
            self.push(with_help(
                file.error("envelope", msg),
                did_you_mean(&enveloped.envelope, known),
            ));
            return;
        };
        // The sandbox refuses calls with the envelope's refusal codes: the endpoint's enum must know them.
        let r = &envelope.refusals;
        for code in [&r.malformed, &r.client, &r.signature] {
            if !endpoint.codes.iter().any(|c| &c.code == code) {
                let msg = format!(
                    "envelope `{}` refuses calls with {code}: list it in `result_codes`",
                    envelope.name
                );
                self.push(file.error("result_codes", msg));
            }
        }
    }

    /// A status query names request fields and a response field of the status endpoint.
    fn status_query_use(&mut self, file: &Loaded<EndpointFile>, endpoint: &Endpoint, endpoints: &[Endpoint]) {
        let status = endpoint
            .status_endpoint
            .as_ref()
            .and_then(|id| endpoints.iter().find(|e| &e.info.id == id));
        let (Some(query), Some(status)) = (&endpoint.status_query, status) else {
            return;
        };
        if !status.params.is_empty() || !status.has_body() {
            let msg = format!(
                "`{}` takes path parameters or no body, which a `status_query` cannot fill yet",
                status.info.id
            );
            self.push(file.error("status_endpoint", msg));
            return;
        }
        for (name, _) in query.request.iter() {
            if !status.request.iter().any(|f| &f.wire == name) {
                let path = format!("status_query.request.{name}");
                let d = file.error_at(
                    file.positions.key(&path, 0),
                    &path,
                    format!("`{name}` is not a request field of `{}`", status.info.id),
                );
                let help = did_you_mean(name, status.request.iter().map(|f| f.wire.as_str()));
                self.push(with_help(d, help));
            }
        }
        if !status.response.iter().any(|f| f.wire == query.field) {
            let d = file.error(
                "status_query.field",
                format!("`{}` is not a response field of `{}`", query.field, status.info.id),
            );
            let help = did_you_mean(&query.field, status.response.iter().map(|f| f.wire.as_str()));
            self.push(with_help(d, help));
        }
    }

    /// The endpoint's provider and status endpoint exist.
    fn endpoint_references(&mut self, file: &Loaded<EndpointFile>, names: &[&str], ids: &[&str]) {
        let spec = &file.value;
        if !names.contains(&spec.provider.as_str()) && !self.failed.providers.may_hold(&spec.provider) {
            let d = file.error("provider", format!("unknown provider `{}`", spec.provider));
            self.push(with_help(d, did_you_mean(&spec.provider, names.iter().copied())));
        }
        if let Some(status) = &spec.status_endpoint
            && !ids.contains(&status.as_str())
            && !self.failed.endpoints.may_hold(status)
        {
            let d = file.error("status_endpoint", format!("unknown endpoint `{status}`"));
            self.push(with_help(d, did_you_mean(status, ids.iter().copied())));
        }
    }

    /// Two ids of one provider may not become the same Rust module (`a.b_c` and `a.b.c`).
    fn module_name(&mut self, file: &Loaded<EndpointFile>, modules: &mut HashMap<(String, String), String>) {
        let spec = &file.value;
        let module = spec
            .id
            .split_once('.')
            .map(|(_, rest)| rest.replace('.', "_"))
            .unwrap_or_default();
        if let Some(other) = modules.insert((spec.provider.clone(), module.clone()), spec.id.clone())
            && other != spec.id
        {
            let msg = format!("ids `{other}` and `{}` both become the Rust name `{module}`", spec.id);
            self.push(file.error("id", msg));
        }
    }

    /// The provider signs the endpoint's auth kind, or sends the headers of an `unsigned` one; and a call the
    /// provider makes to the merchant is checked by its signature, so it is not `unsigned`.
    fn signature_of_auth(&mut self, file: &Loaded<EndpointFile>, providers: &[Provider]) {
        let spec = &file.value;
        let Some(auth) = AuthKind::parse(&spec.auth) else {
            return;
        };
        if auth == AuthKind::Unsigned && spec.direction.as_deref() == Some("inbound") {
            let msg = "the merchant checks an inbound call by the provider's signature, and an `unsigned` one has none";
            self.push(file.error("auth", msg));
            return;
        }
        let Some(provider) = providers.iter().find(|p| p.name == spec.provider) else {
            return;
        };
        let (name, kind) = (&provider.name, auth.as_str());
        let missing = match auth {
            AuthKind::Unsigned if !provider.headers.iter().any(|(k, _)| *k == auth) => {
                format!("provider `{name}` has no `headers.{kind}`: an unsigned call sends its credential there")
            }
            AuthKind::Unsigned => return,
            _ if provider.signature_for(auth).is_none() => {
                format!("provider `{name}` has no `signatures.{kind}` recipe")
            }
            _ => return,
        };
        self.push(file.error("auth", missing));
    }
}
