//! Choosing part of an API: some providers, or some endpoints with what they need, and then only the shared
//! types the chosen endpoints use. A DANA-only build, or one endpoint checked alone, generates nothing else.

use std::collections::BTreeSet;

use super::{Api, Field, FieldType};

impl Api {
    /// Keeps the providers named in `names` (profiles and endpoints) and the shared types their endpoints
    /// use. The code tables and the standard stay whole: they describe any answer.
    pub fn retain_providers(&mut self, names: &[&str]) {
        self.providers.retain(|p| names.contains(&p.name.as_str()));
        self.endpoints.retain(|e| names.contains(&e.info.provider.as_ref()));
        self.retain_used_types();
    }

    /// Keeps the endpoints with these ids and what they need: their status endpoints and their providers
    /// (with each provider's token endpoint), and the shared types all of those use.
    pub fn retain_endpoints(&mut self, ids: &[&str]) {
        let chosen: Vec<_> = self
            .endpoints
            .iter()
            .filter(|e| ids.contains(&e.info.id.as_ref()))
            .collect();
        let providers: BTreeSet<String> = chosen.iter().map(|e| e.info.provider.to_string()).collect();
        let mut keep: BTreeSet<String> = chosen.iter().map(|e| e.info.id.to_string()).collect();
        keep.extend(chosen.iter().filter_map(|e| e.status_endpoint.clone()));
        keep.extend(
            self.providers
                .iter()
                .filter(|p| providers.contains(&p.name))
                .filter_map(|p| p.token_endpoint.clone()),
        );
        self.endpoints.retain(|e| keep.contains(e.info.id.as_ref()));
        self.providers.retain(|p| providers.contains(&p.name));
        self.retain_used_types();
    }

    /// Drops the shared types no endpoint uses, directly or through another shared type.
    fn retain_used_types(&mut self) {
        let mut used = BTreeSet::new();
        let mut pending: Vec<String> = Vec::new();
        for e in &self.endpoints {
            for field in e.headers.iter().chain(&e.params).chain(&e.request).chain(&e.response) {
                names_in(&field.ty, &mut pending);
            }
        }
        while let Some(name) = pending.pop() {
            if used.insert(name.clone())
                && let Some(ty) = self.shared_type(&name)
            {
                ty.fields.iter().for_each(|f: &Field| names_in(&f.ty, &mut pending));
            }
        }
        self.types.retain(|t| used.contains(&t.name));
    }
}

/// The shared types `ty` names, at any depth of lists and inline objects.
fn names_in(ty: &FieldType, out: &mut Vec<String>) {
    match ty {
        FieldType::Named(name) => out.push(name.clone()),
        FieldType::Object(fields) => fields.iter().for_each(|f| names_in(&f.ty, out)),
        FieldType::List { items, .. } => names_in(items, out),
        _ => {}
    }
}
