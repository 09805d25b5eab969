//! An endpoint's `aliases` (the route an official SDK calls where the provider's documents name another) are
//! served like its path: a request sent to an alias and signed over that alias is answered as the same request
//! at the endpoint's path, and one signed over another path is refused, since the signature covers the path actually requested.
//! Driven by the IR: every alias of every served endpoint is checked.

mod common;

use common::*;
use snapbi_spec::ir::{AuthKind, Endpoint};

#[tokio::test]
async fn every_alias_answers_as_its_endpoint() {
    let mut checked = 0;
    for (run, endpoints) in every_provider().await {
        for endpoint in endpoints {
            for alias in &endpoint.aliases {
                at_alias(&run, &endpoint, alias).await;
                checked += 1;
            }
        }
    }
    let declared: usize = api().endpoints.iter().map(|e| e.aliases.len()).sum();
    assert!(
        declared > 0,
        "the shipped specs declare aliases (DANA's disbursement routes)"
    );
    assert_eq!(checked, declared, "every declared alias is served");
}

async fn at_alias(run: &Running, endpoint: &Endpoint, alias: &str) {
    let body = serde_json::to_vec(&sample(run.api(), &endpoint.info.id)).expect("json");
    let signed_for = |path: &str| {
        let mut there = endpoint.clone();
        there.info.path = path.to_owned().into();
        there
    };
    let token = match endpoint.info.auth {
        AuthKind::Symmetric => Some(run.token().await),
        _ => None,
    };
    let token = token.as_deref();
    let service = &endpoint.refusal_service_code;
    // Signed over the alias: answered as at the endpoint's path (whatever its business answer is: an inquiry
    // about an account nobody registered is refused the same way at both).
    let headers = signed_headers(run.api(), &signed_for(alias), &body, token, &now());
    let at_alias = run.send(&endpoint.info.method, alias, &headers, body.clone()).await;
    let headers = signed_headers(run.api(), endpoint, &body, token, &now());
    let at_path = run
        .send(&endpoint.info.method, &endpoint.info.path, &headers, body.clone())
        .await;
    assert_eq!(
        (at_alias.code(), at_alias.message()),
        (at_path.code(), at_path.message()),
        "{} at {alias} ({})",
        endpoint.info.id,
        at_alias.reason()
    );
    assert_ne!(at_alias.code(), format!("401{service}00"), "{}", at_alias.reason());
    // Signed over the canonical path but sent to the alias: not what was requested.
    let headers = signed_headers(run.api(), endpoint, &body, token, &now());
    let reply = run.send(&endpoint.info.method, alias, &headers, body).await;
    reply.expect(&format!("401{service}00"), "Unauthorized. Invalid Signature");
}
