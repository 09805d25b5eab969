//! Choosing part of the shipped API keeps what the chosen endpoints need, and only the shared types they use.

use std::collections::BTreeSet;
use std::path::Path;

use snapbi_spec::Api;
use snapbi_spec::ir::{Field, FieldType};

fn shipped() -> Api {
    snapbi_spec::load(Path::new(snapbi_specs::DIR), Path::new("specs"))
        .expect("the shipped specs are valid")
        .api
}

/// The shared types named anywhere in `api`: by its endpoints' fields and by its shared types' fields.
fn named(api: &Api) -> BTreeSet<String> {
    fn walk(ty: &FieldType, out: &mut BTreeSet<String>) {
        match ty {
            FieldType::Named(name) => {
                out.insert(name.clone());
            }
            FieldType::Object(fields) => fields.iter().for_each(|f| walk(&f.ty, out)),
            FieldType::List { items, .. } => walk(items, out),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    let endpoint_fields = api
        .endpoints
        .iter()
        .flat_map(|e| e.headers.iter().chain(&e.request).chain(&e.response));
    let type_fields = api.types.iter().flat_map(|t| &t.fields);
    endpoint_fields
        .chain(type_fields)
        .for_each(|f: &Field| walk(&f.ty, &mut out));
    out
}

/// Every type named is kept, and every type kept is named: nothing dangles, nothing is unused.
fn assert_types_exactly_used(api: &Api) {
    let kept: BTreeSet<String> = api.types.iter().map(|t| t.name.clone()).collect();
    assert_eq!(kept, named(api));
}

#[test]
fn one_provider_keeps_its_endpoints_and_only_the_types_they_use() {
    let all = shipped();
    let mut dana = all.clone();
    dana.retain_providers(&["dana"]);
    assert!(dana.endpoints.iter().all(|e| e.info.provider == "dana"));
    assert_eq!(
        dana.endpoints.len(),
        all.endpoints.iter().filter(|e| e.info.provider == "dana").count()
    );
    assert_eq!(
        dana.providers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["dana"]
    );
    assert_types_exactly_used(&dana);
    assert!(dana.types.len() < all.types.len(), "DOKU's types are left out");
    assert_eq!(dana.codes, all.codes, "the code tables stay whole");
}

#[test]
fn one_endpoint_keeps_its_status_and_token_endpoints() {
    let mut api = shipped();
    api.retain_endpoints(&["doku.direct_debit.payment"]);
    let ids: Vec<&str> = api.endpoints.iter().map(|e| e.info.id.as_ref()).collect();
    assert_eq!(
        ids,
        [
            "doku.direct_debit.payment",
            "doku.direct_debit.status",
            "doku.token.b2b"
        ]
    );
    assert_types_exactly_used(&api);
}
