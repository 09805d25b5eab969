//! The generated client against the sandbox over real HTTP on loopback, driven by the IR: every served
//! endpoint succeeds with a sample body, and every code it declares, forced through the scenario header and
//! through the admin endpoint, reaches the caller as the right typed `Code` variant. A few calls go through
//! the typed methods too.

mod common;

use std::fmt;

use common::*;
use serde_json::{Value, json};
use snapbi::rt::{self, EndpointCode, Outcome, ResponseCode};
use snapbi::{dana, doku, doku_nonsnap, types};
use snapbi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use snapbi_spec::ir::samples::{sample_object, sample_str};
use snapbi_spec::ir::{AnswerSource, Endpoint, FieldType, Operation};

/// A runtime client for `provider` (its profile from the generated client), pointed at the sandbox.
fn client_for(base: &str, provider: &str) -> rt::Client {
    let profile = snapbi::PROVIDERS
        .iter()
        .find(|p| p.name == provider)
        .expect("a generated profile");
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(private_key());
    rt::Client::new(profile, config).expect("client")
}

/// A code type for endpoints the test names no typed `Code` for: classified by the shared code table.
#[derive(Debug, Clone, PartialEq)]
struct AnyCode(String);

impl From<&str> for AnyCode {
    fn from(code: &str) -> Self {
        AnyCode(code.to_owned())
    }
}

impl From<ResponseCode> for AnyCode {
    fn from(code: ResponseCode) -> Self {
        AnyCode(code.as_str().to_owned())
    }
}

impl fmt::Display for AnyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl EndpointCode for AnyCode {
    fn code(&self) -> &str {
        &self.0
    }

    fn outcome(&self) -> Outcome {
        let explained = rt::ResponseCode::parse(&self.0).explain(&snapbi::CODE_TABLE);
        explained.outcome.unwrap_or(Outcome::Failed)
    }
}

/// Calls `endpoint` with a JSON body through the runtime client and returns the code, typed as `C`, from
/// the reply or the API error, checked against `expected`.
async fn call_as<C>(
    client: &rt::Client,
    endpoint: &Endpoint,
    body: &Value,
    headers: &[(String, String)],
    expected: &str,
) where
    C: EndpointCode + PartialEq,
{
    let info = snapbi::ENDPOINTS
        .iter()
        .find(|e| e.info.id == endpoint.info.id)
        .map(|e| e.info)
        .expect("the generated client has every served endpoint");
    // Path parameters from their samples (DOKU's check status names the sample order); a GET sends no body.
    let params: Vec<(String, String)> = endpoint
        .params
        .iter()
        .filter_map(|f| match &f.ty {
            FieldType::Str(rule) => Some((f.wire.clone(), sample_str(rule, f.example.as_deref())?)),
            _ => None,
        })
        .collect();
    let answer = match endpoint.has_body() {
        true => client.call_at::<Value, Value, C>(info, &params, body, headers).await,
        false => {
            client
                .call_at::<rt::NoBody, Value, C>(info, &params, &rt::NoBody, headers)
                .await
        }
    };
    let got: C = match answer {
        Ok(reply) => {
            assert!((200..300).contains(&reply.status));
            reply.code
        }
        Err(rt::Error::Api { status, code, .. }) => {
            assert_eq!(
                status.to_string(),
                expected_http(endpoint, expected),
                "{} answered HTTP {status} for {expected}",
                endpoint.info.id
            );
            code
        }
        Err(other) => panic!("{} {expected}: {other}", endpoint.info.id),
    };
    let want = C::from(expected);
    assert_eq!(got, want, "{} answered {got} for {expected}", endpoint.info.id);
    // The typed variant is the one the IR names (not the catch-all `Unknown`).
    let declared = endpoint.codes.iter().find(|c| c.code == expected);
    if let Some(declared) = declared {
        let variant = format!("{want:?}");
        let untyped = variant.starts_with("AnyCode");
        if !untyped {
            assert_eq!(variant, declared.name, "{expected} of {}", endpoint.info.id);
        }
        // The shared table classifies SNAP codes only: an untyped code of an envelope or of a provider's own JSON is
        // checked by its text and HTTP status (its typed `Code` by the provider's own test file).
        if !untyped || answers_snap(endpoint) {
            assert_eq!(want.outcome(), declared.outcome, "{expected} of {}", endpoint.info.id);
        }
    }
}

/// Whether the endpoint's answers are SNAP bodies (not an envelope, not its provider's own JSON).
fn answers_snap(endpoint: &Endpoint) -> bool {
    let own_json = api()
        .provider(&endpoint.info.provider)
        .is_some_and(|p| p.results.is_some());
    endpoint.info.envelope.is_none() && !own_json
}

/// The HTTP status an answer with `code` comes with: a SNAP code's first three digits; the declared status of
/// a result code (200 for every one of an envelope: DANA's Open API reports failures in the body).
fn expected_http(endpoint: &Endpoint, code: &str) -> String {
    match answers_snap(endpoint) {
        true => code[..3].to_owned(),
        false => endpoint
            .codes
            .iter()
            .find(|c| c.code == code)
            .map_or(0, |c| c.http)
            .to_string(),
    }
}

/// The code of a successful call of `endpoint`: `200xx00`; the value the endpoint documents answering at its status
/// field (DOKU's new Indodana order, and its check status of an unpaid order, are `PENDING`); else the first result
/// code of a 2xx answer meaning success, else pending.
fn success_code(endpoint: &Endpoint) -> String {
    if answers_snap(endpoint) {
        return format!("200{}00", endpoint.info.service_code);
    }
    let status_field = endpoint.info.status_field.as_ref().map(|path| path.join("."));
    let documented = endpoint.answers.iter().find_map(|a| match &a.source {
        AnswerSource::Value(value) if Some(&a.field) == status_field.as_ref() => Some(value.clone()),
        _ => None,
    });
    if let Some(value) = documented {
        return value;
    }
    // A call's own success first (WooShPay's cancel answers `canceled`), else a pending answer.
    let served = |outcome: Outcome| {
        let code = endpoint
            .codes
            .iter()
            .find(|c| (200..300).contains(&c.http) && c.outcome == outcome);
        code.map(|c| c.code.clone())
    };
    served(Outcome::Success)
        .or_else(|| served(Outcome::Pending))
        .unwrap_or_default()
}

/// Whether the sandbox runs the call when `declared` is forced (then recodes its success): a SNAP 2xx code, an
/// envelope's success, a code of a provider's own JSON answered with 2xx.
fn runs_the_call(endpoint: &Endpoint, declared: &snapbi_spec::ir::EndpointCode) -> bool {
    match (answers_snap(endpoint), &endpoint.info.envelope) {
        (true, _) => declared.code.starts_with('2'),
        (false, Some(_)) => declared.outcome == Outcome::Success,
        (false, None) => (200..300).contains(&declared.http),
    }
}

/// Dispatches to the endpoint's generated `Code` type; endpoints added later fall back to [`AnyCode`].
macro_rules! typed {
    ($endpoint:expr, $($provider:ident::$module:ident),*) => {
        async |client: &rt::Client, body: &Value, headers: &[(String, String)], expected: &str| {
            $(
                if $endpoint.info.id == $provider::$module::ENDPOINT.id {
                    return call_as::<$provider::$module::Code>(client, $endpoint, body, headers, expected).await;
                }
            )*
            call_as::<AnyCode>(client, $endpoint, body, headers, expected).await
        }
    };
}

/// Caller headers with sample values (required and optional).
fn caller_headers(endpoint: &Endpoint) -> Vec<(String, String)> {
    endpoint
        .headers
        .iter()
        .filter_map(|f| match &f.ty {
            FieldType::Str(rule) => Some((f.wire.clone(), sample_str(rule, f.example.as_deref())?)),
            _ => None,
        })
        .collect()
}

/// Whether the runtime refreshes its B2B token and replays the call on `code`: a `401xx01` / `401xx03` answer
/// to an endpoint whose provider sends a bearer token for its auth kind.
fn rejects_token(api: &snapbi_spec::ir::Api, endpoint: &Endpoint, code: &str) -> bool {
    let bearer = api.provider(&endpoint.info.provider).is_some_and(|p| {
        p.headers_for(endpoint.info.auth)
            .iter()
            .any(|(_, source)| *source == snapbi_spec::ir::HeaderSource::BearerToken)
    });
    bearer && code.starts_with("401") && (code.ends_with("01") || code.ends_with("03"))
}

/// Token first, then payments and record creations (the later calls refer to the sample payment or record),
/// status and updates, refunds, cancels and the updates served from some states only (WooShPay's cancel: after it,
/// the record reports another state), the rest, and deletions last.
fn rank(endpoint: &Endpoint) -> u8 {
    if !endpoint.record_from.is_empty() {
        return 4;
    }
    match endpoint.operation {
        Operation::Token => 0,
        Operation::Payment | Operation::Create => 1,
        Operation::Status | Operation::Update => 2,
        Operation::Refund => 3,
        Operation::Cancel => 4,
        // Notify endpoints are inbound: the client never calls them.
        Operation::Notify | Operation::Other => 5,
        Operation::Delete => 6,
    }
}

#[tokio::test]
async fn every_endpoint_succeeds_and_every_declared_code_is_typed() {
    // Every provider of the specs, each in a sandbox of its own (their sample bodies share references).
    let mut forced = 0;
    for provider in api().providers.iter().map(|p| p.name.clone()) {
        // A cancelled payment cannot be refunded and a refunded one cannot be cancelled: cancels run in a
        // sandbox of their own, after a payment of their own.
        forced += every_code_of(&provider, |op| op != Operation::Cancel).await;
        forced += every_code_of(&provider, |op| {
            matches!(op, Operation::Token | Operation::Payment | Operation::Cancel)
        })
        .await;
    }
    assert!(forced >= 2 * 100, "{forced} forced calls");
}

/// Runs the served endpoints of `provider` whose operation passes `wanted`: the sample succeeds, and every
/// declared code is forced and typed. Returns the number of forced calls.
async fn every_code_of(provider: &str, wanted: impl Fn(Operation) -> bool) -> usize {
    let run = start_provider(provider, |b| b).await;
    let client = client_for(&run.base, provider);
    let mut endpoints: Vec<Endpoint> = run
        .sandbox
        .endpoints()
        .map(|id| run.endpoint(id).clone())
        .filter(|e| wanted(e.operation))
        .collect();
    endpoints.sort_by_key(rank);
    run.register_back_office();
    let mut forced = 0;
    for endpoint in &endpoints {
        let call = typed!(
            endpoint,
            doku::direct_debit_payment,
            doku::direct_debit_refund,
            doku::direct_debit_status,
            doku::token_b2b,
            dana::widget_query_user_profile,
            dana::merchant_management_create_shop,
            dana::merchant_management_update_shop,
            dana::merchant_management_query_shop,
            dana::merchant_management_create_division,
            dana::merchant_management_update_division,
            dana::merchant_management_query_division,
            dana::merchant_management_query_merchant_resource,
            dana::merchant_management_query_merchant_info,
            dana::merchant_management_query_asset_card_list,
            doku_nonsnap::checkout_payment,
            doku_nonsnap::paylater_indodana_generate_order,
            doku_nonsnap::orders_check_status
        );
        let body = sample_object(run.api(), &endpoint.request);
        // A B2B2C token endpoint takes each auth code once: every call gets a fresh one from the sandbox.
        let fresh = || {
            let mut body = body.clone();
            if endpoint.request.iter().any(|f| f.wire == "authCode") {
                body["authCode"] = json!(run.sandbox.issue_auth_code(None).expect("auth code").1);
            }
            body
        };
        let caller = caller_headers(endpoint);
        // A call with a customer token carries a fresh one of a registered customer (an unbinding revokes it).
        let prepared = async || run.with_customer_token(endpoint, fresh(), caller.clone()).await;
        let success = success_code(endpoint);
        let (body_now, headers) = prepared().await;
        call(&client, &body_now, &headers, &success).await;
        // Refunds need a paid payment; a cancel needs one the customer has not paid yet.
        if endpoint.operation == Operation::Payment && wanted(Operation::Refund) {
            let reference = body["partnerReferenceNo"].as_str().unwrap_or_default();
            run.sandbox
                .complete_payment(reference)
                .expect("complete the sample payment");
        }
        for declared in &endpoint.codes {
            // A forced success runs the call for real, and a payment can be cancelled (a record deleted) only
            // once: the cancel's (the delete's) own success was the sample call above. Likewise a record is created
            // once, unless an idempotency key replays its first answer (a second create is refused as existing).
            let succeeds = runs_the_call(endpoint, declared) || declared.code == success_code(endpoint);
            let once = match endpoint.operation {
                Operation::Cancel | Operation::Delete => true,
                // After it the record reports the state it set, which it is not served from again.
                Operation::Update => !endpoint.record_from.is_empty(),
                Operation::Create => endpoint.idempotency_keys.is_empty(),
                _ => false,
            };
            if once && succeeds {
                continue;
            }
            // An enveloped call's caller values travel in its head, not in HTTP headers: it is armed only.
            if endpoint.info.envelope.is_none() {
                let (body_now, mut with_scenario) = prepared().await;
                with_scenario.push(("X-Sandbox-Scenario".into(), declared.code.clone()));
                call(&client, &body_now, &with_scenario, &declared.code).await;
            }
            // The runtime refreshes its token and replays once on 401xx01 / 401xx03: arm both calls.
            let times = if rejects_token(run.api(), endpoint, &declared.code) {
                2
            } else {
                1
            };
            run.sandbox
                .arm_scenario(&endpoint.info.id, &declared.code, times)
                .expect("declared");
            let (body_now, headers) = prepared().await;
            call(&client, &body_now, &headers, &declared.code).await;
            forced += 2;
        }
    }
    assert!(
        run.sandbox.armed_scenarios().is_empty(),
        "every armed scenario was used"
    );
    forced
}

#[tokio::test]
async fn typed_methods_end_to_end() {
    let run = start(|b| b).await;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(&run.base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(private_key());
    let client = doku::Client::new(config).expect("client");

    let token = rt::from_json::<doku::token_b2b::Request>(json!({"grantType": "client_credentials"}));
    let granted = client.token_b2b(&token.expect("valid")).await.expect("token");
    assert_eq!(granted.code, doku::token_b2b::Code::Successful);
    assert_eq!(granted.body.token_type.as_deref(), Some("Bearer"));

    let request = doku::direct_debit_payment::Request::builder()
        .partner_reference_no("INV-TYPED-1")
        .amount(types::Amount::builder().value("50000.00").currency("IDR"))
        .url_param([types::UrlParam::builder()
            .url("https://merchant.example/return")
            .r#type(types::UrlParamType::PayReturn)
            .is_deep_link(types::UrlParamIsDeepLink::N)])
        .additional_info(
            doku::direct_debit_payment::AdditionalInfo::builder()
                .channel(doku::direct_debit_payment::AdditionalInfoChannel::EmoneyDanaSnap),
        )
        .build()
        .expect("valid payment");
    let headers = doku::direct_debit_payment::Headers::builder()
        .x_device_id("95221")
        .build()
        .expect("valid headers");
    let paid = client.direct_debit_payment(&request, &headers).await.expect("payment");
    let paid = paid.into_answered().expect("answered by the payment itself");
    assert_eq!(paid.code, doku::direct_debit_payment::Code::Successful);
    let reference_no = paid.body.reference_no.clone().unwrap_or_default();
    run.sandbox.complete_payment("INV-TYPED-1").expect("complete");

    let status = json!({
        "originalReferenceNo": reference_no,
        "serviceCode": "54",
        "additionalInfo": {"channel": "EMONEY_DANA_SNAP"}
    });
    let status = rt::from_json::<doku::direct_debit_status::Request>(status).expect("valid status");
    let reply = client.direct_debit_status(&status).await.expect("status");
    assert_eq!(reply.body.latest_transaction_status.as_deref(), Some("00"));
    assert_eq!(reply.body.original_partner_reference_no.as_deref(), Some("INV-TYPED-1"));

    let mut refund = sample(run.api(), REFUND);
    refund["originalPartnerReferenceNo"] = json!("INV-TYPED-1");
    refund["refundAmount"] = json!({"value": "60000.00", "currency": "IDR"});
    let refund = rt::from_json::<doku::direct_debit_refund::Request>(refund).expect("valid refund");
    let refund_headers = rt::from_json::<doku::direct_debit_refund::Headers>(json!({"X-DEVICE-ID": "95221"}));
    let refund_headers = refund_headers.expect("valid headers");
    match client.direct_debit_refund(&refund, &refund_headers).await {
        Err(rt::Error::Api { status: 404, code, .. }) => assert_eq!(code.code(), "4045813"),
        other => panic!("a refund above the payment must fail: {other:?}"),
    }

    run.sandbox
        .arm_scenario("doku.direct_debit.payment", "4035402", 1)
        .expect("declared");
    match client.direct_debit_payment(&request, &headers).await {
        Err(rt::Error::Api { code, .. }) => {
            assert_eq!(code, doku::direct_debit_payment::Code::ExceedsTransactionAmountLimit)
        }
        other => panic!("the armed scenario must answer: {other:?}"),
    }
    let again = client
        .direct_debit_payment(&request, &headers)
        .await
        .expect("idempotent replay");
    let again = again.answered().and_then(|reply| reply.body.reference_no.as_deref());
    assert_eq!(again, Some(reference_no.as_str()));
}

/// DANA's widget through the typed client: the auth code becomes a customer token (apply token B2B2C, signed
/// `clientId|timestamp`), the token buys a one-time token, and a widget payment goes through the ledger like a
/// payment-gateway order: initiated, paid, partly refunded; a second one is cancelled.
#[tokio::test]
async fn dana_widget_binding_and_payment_end_to_end() {
    let run = start_provider("dana", |b| b).await;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(&run.base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(private_key());
    let client = dana::Client::new(config).expect("client");

    let runtime = client_for(&run.base, "dana");
    // The customer bound their account on DANA's page, which redirected with an auth code naming them.
    run.register_customers();
    let (_, auth_code) = run
        .sandbox
        .issue_customer_auth_code(None, "dana", "6281100000001")
        .expect("auth code");
    let session = rt::customer::CustomerSession::start(&runtime, &dana::widget_apply_token::ENDPOINT, &auth_code)
        .await
        .expect("customer token");
    let token = session.access_token().await.expect("token");
    let ott =
        json!({"userResources": ["OTT"], "additionalInfo": {"accessToken": token.expose(), "deviceId": "device-1"}});
    let ott = rt::from_json::<dana::widget_apply_ott::Request>(ott).expect("valid apply OTT");
    let customer = session.authorization_customer().await.expect("header");
    let ott_headers = json!({"Authorization-Customer": customer, "X-DEVICE-ID": "device-1"});
    let ott_headers = rt::from_json::<dana::widget_apply_ott::Headers>(ott_headers).expect("valid headers");
    let reply = client.widget_apply_ott(&ott, &ott_headers).await.expect("apply OTT");
    assert_eq!(reply.code, dana::widget_apply_ott::Code::Successful);

    let pay = |reference: &str| {
        let mut body = sample(run.api(), "dana.widget.payment");
        body["partnerReferenceNo"] = json!(reference);
        rt::from_json::<dana::widget_payment::Request>(body).expect("valid payment")
    };
    let status = async |reference: &str| {
        let query = json!({"originalPartnerReferenceNo": reference, "serviceCode": "54", "merchantId": "216620000000000000000"});
        let query = rt::from_json::<dana::widget_query_payment::Request>(query).expect("valid query");
        let reply = client.widget_query_payment(&query).await.expect("query payment");
        reply.body.latest_transaction_status.unwrap_or_default()
    };

    let created = client.widget_payment(&pay("WGT-E2E-1")).await.expect("payment");
    let created = created.into_answered().expect("answered by the payment itself");
    assert_eq!(created.code, dana::widget_payment::Code::Successful);
    assert!(created.body.web_redirect_url.is_some(), "the customer confirms at DANA");
    assert_eq!(status("WGT-E2E-1").await, "01");
    run.sandbox.complete_payment("WGT-E2E-1").expect("complete");
    assert_eq!(status("WGT-E2E-1").await, "00");

    let mut refund = sample(run.api(), "dana.widget.refund_order");
    refund["originalPartnerReferenceNo"] = json!("WGT-E2E-1");
    refund["refundAmount"] = json!({"value": "4000.00", "currency": "IDR"});
    let refund = rt::from_json::<dana::widget_refund_order::Request>(refund).expect("valid refund");
    let refunded = client.widget_refund_order(&refund).await.expect("refund");
    assert_eq!(refunded.code, dana::widget_refund_order::Code::Successful);
    assert_eq!(status("WGT-E2E-1").await, "04");

    let cancel = |reference: &str| {
        let mut body = sample(run.api(), "dana.widget.cancel_order");
        body["originalPartnerReferenceNo"] = json!(reference);
        rt::from_json::<dana::widget_cancel_order::Request>(body).expect("valid cancel")
    };
    match client.widget_cancel_order(&cancel("WGT-E2E-1")).await {
        Err(rt::Error::Api { code, .. }) => assert_eq!(code.code(), "4045700"),
        other => panic!("a refunded payment cannot be cancelled: {other:?}"),
    }
    client.widget_payment(&pay("WGT-E2E-2")).await.expect("second payment");
    let cancelled = client.widget_cancel_order(&cancel("WGT-E2E-2")).await.expect("cancel");
    assert_eq!(cancelled.code, dana::widget_cancel_order::Code::Successful);
    assert_eq!(status("WGT-E2E-2").await, "05");
}
