//! An optional caller header sent with an empty value is not given: DANA's SDK copies X-IP-ADDRESS,
//! X-LATITUDE and X-LONGITUDE from `additionalInfo` and sends them empty when the caller has none, and DANA
//! accepts those calls (dana-id/uat-script Widget.json, ApplyOttSuccess). A required header sent empty is
//! missing (`400xx02`). Driven by the IR: every optional caller header of every served endpoint.

mod common;

use common::*;

#[tokio::test]
async fn an_empty_optional_header_is_not_given() {
    let mut checked = 0;
    for (run, endpoints) in every_provider().await {
        for endpoint in endpoints {
            let id = endpoint.info.id.clone();
            if endpoint.info.envelope.is_some() {
                continue;
            }
            let body = serde_json::to_vec(&sample(run.api(), &id)).expect("json");
            let service = &endpoint.refusal_service_code;
            for header in &endpoint.headers {
                let mut headers = run.headers_for(&id, &body).await;
                set_header(&mut headers, &header.wire, "");
                let reply = run.send_to(&id, &headers, body.clone()).await;
                match header.required {
                    // Whatever else the call meets (a payment that is not paid yet), not this header.
                    false => assert!(
                        !reply.message().ends_with(header.wire.as_str()) && !reply.reason().contains(&header.wire),
                        "{id}: empty optional {} refused: {} {} ({})",
                        header.wire,
                        reply.code(),
                        reply.message(),
                        reply.reason()
                    ),
                    true => reply.expect(
                        &format!("400{service}02"),
                        &format!("Invalid Mandatory Field {}", header.wire),
                    ),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "the shipped specs have caller headers");
}
