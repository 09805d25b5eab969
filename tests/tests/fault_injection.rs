//! The reliability proof: a thousand payments through the generated client against the sandbox, with
//! faults injected on the way — the connection dropped after the provider committed, answers delayed past
//! the client's timeout, 5xx answers, B2B tokens refused as expired — and afterwards the sandbox's ledger
//! holds exactly one payment per successful call and none for a refused one (none duplicated, none lost),
//! and every call ended with a definitive typed result. The counts are printed (`cargo test -p snapbi-tests --test fault_injection --
//! --nocapture`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use snapbi::doku::{self, direct_debit_payment};
use snapbi::{rt, types};
use snapbi_sandbox::{
    Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, Fault, FaultKind, Sandbox,
};

const PAYMENTS: usize = 1000;
const CONCURRENCY: usize = 8;

fn request(reference: &str) -> direct_debit_payment::Request {
    direct_debit_payment::Request::builder()
        .partner_reference_no(reference)
        .amount(types::Amount::builder().value("25000.00").currency("IDR"))
        .url_param([types::UrlParam::builder()
            .url("https://merchant.example/return")
            .r#type(types::UrlParamType::PayReturn)
            .is_deep_link(types::UrlParamIsDeepLink::N)])
        .additional_info(
            direct_debit_payment::AdditionalInfo::builder()
                .channel(direct_debit_payment::AdditionalInfoChannel::EmoneyDanaSnap),
        )
        .build()
        .expect("a valid payment")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_payments_through_faults_are_each_recorded_exactly_once() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("doku")
        .expect("doku")
        .credentials(Credentials::demo())
        .build()
        .expect("sandbox");
    let (base_url, handle) = sandbox.spawn_on_loopback().await.expect("loopback");

    let payment: &'static str = &direct_debit_payment::ENDPOINT.id;
    // Faults are armed as the run goes (one before every few payments), so they are spread over it like
    // flaky infrastructure; armed all at once they would all hit the first calls, an outage, which ends in
    // "outcome unknown" by design.
    let faults = [
        Some(Fault {
            kind: FaultKind::DropAfterCommit,
            ms: 0,
        }),
        Some(Fault {
            kind: FaultKind::Status5xx,
            ms: 0,
        }),
        None,
        Some(Fault {
            kind: FaultKind::DropAfterCommit,
            ms: 0,
        }),
        Some(Fault {
            kind: FaultKind::Status5xx,
            ms: 0,
        }),
        Some(Fault {
            kind: FaultKind::Delay,
            ms: 450,
        }),
    ];
    let sandbox = Arc::new(sandbox);
    let armed = Arc::new(std::sync::Mutex::new(HashMap::<&'static str, usize>::new()));

    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("demo key");
    let ms = Duration::from_millis;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(key)
        .base_url(&base_url)
        .timeout(ms(250))
        .retry_policy(rt::RetryPolicy {
            budget: 12,
            first_wait: ms(10),
            max_wait: ms(150),
        });
    let client = doku::Client::new(config).expect("client");
    let headers = Arc::new(
        direct_debit_payment::Headers::builder()
            .x_device_id("fault42")
            .build()
            .expect("headers"),
    );

    let started = Instant::now();
    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..PAYMENTS {
        let (client, headers, permits) = (client.clone(), headers.clone(), permits.clone());
        let (sandbox, armed) = (sandbox.clone(), armed.clone());
        calls.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore");
            if i % 4 == 0 {
                let kind = match faults[(i / 4) % faults.len()] {
                    Some(fault) => {
                        sandbox.arm_fault(payment, fault, 1).expect("fault armed");
                        match fault.kind {
                            FaultKind::DropAfterCommit => "connection dropped after commit",
                            FaultKind::Status5xx => "5xx answer",
                            FaultKind::Delay => "answer delayed past the client timeout",
                        }
                    }
                    // The provider refusing the B2B token as expired (401xx01): refresh and replay.
                    None => {
                        sandbox.arm_scenario(payment, "4015401", 1).expect("scenario armed");
                        "token refused as expired"
                    }
                };
                *armed.lock().expect("lock").entry(kind).or_default() += 1;
            }
            let reference = format!("INV-FAULT-{i:05}");
            (
                reference.clone(),
                client.direct_debit_payment(&request(&reference), &headers).await,
            )
        });
    }
    let mut outcomes: HashMap<&'static str, usize> = HashMap::new();
    let mut succeeded = Vec::new();
    let mut refused = Vec::new();
    let mut not_definitive = Vec::new();
    while let Some(joined) = calls.join_next().await {
        let (reference, result) = joined.expect("the call task");
        let kind = match &result {
            Ok(rt::Settled::ConfirmedByStatus(_)) => "succeeded, confirmed by status after a lost answer",
            Ok(rt::Settled::Answered(_)) => "succeeded, answered",
            // Two armed token refusals can land on one call: its first attempt and the replay after the
            // refresh. The client refreshes once per call by design, so that call fails definitively.
            Err(rt::Error::Api { code, .. }) if *code == direct_debit_payment::Code::InvalidToken => {
                "refused twice as expired (definitive)"
            }
            Err(rt::Error::OutcomeUnknown { .. }) => "outcome unknown",
            Err(_) => "failed otherwise",
        };
        *outcomes.entry(kind).or_default() += 1;
        match &result {
            Ok(_) => succeeded.push(reference),
            Err(rt::Error::Api { code, .. }) if *code == direct_debit_payment::Code::InvalidToken => {
                refused.push(reference)
            }
            Err(_) => not_definitive.push(format!("{reference}: {result:?}")),
        }
    }
    let elapsed = started.elapsed();

    let ledger = sandbox.ledger();
    let mut per_reference: HashMap<&str, usize> = HashMap::new();
    for record in ledger.iter().filter(|r| r.endpoint == payment) {
        *per_reference.entry(record.partner_reference_no.as_str()).or_default() += 1;
    }
    let duplicated = per_reference.values().filter(|n| **n > 1).count();
    // Lost: a call that succeeded without a payment in the ledger; phantom: a refused call that was paid.
    let lost = succeeded
        .iter()
        .filter(|r| !per_reference.contains_key(r.as_str()))
        .count();
    let phantom = refused
        .iter()
        .filter(|r| per_reference.contains_key(r.as_str()))
        .count();
    println!("{PAYMENTS} payments in {elapsed:.1?}, {CONCURRENCY} at a time");
    let mut injected: Vec<_> = armed.lock().expect("lock").clone().into_iter().collect();
    injected.sort();
    println!("faults injected: {injected:?}");
    let mut kinds: Vec<_> = outcomes.iter().collect();
    kinds.sort();
    for (kind, count) in kinds {
        println!("  {kind}: {count}");
    }
    println!(
        "ledger: {} payments for {} successful calls, {} duplicated, {} lost; {} refused calls, {} of them paid",
        per_reference.len(),
        succeeded.len(),
        duplicated,
        lost,
        refused.len(),
        phantom
    );
    handle.abort();
    for line in &not_definitive {
        println!("  not definitive: {}", line.chars().take(300).collect::<String>());
    }

    assert!(
        sandbox.armed_faults().is_empty(),
        "every armed fault was met: {:?}",
        sandbox.armed_faults()
    );
    assert_eq!((duplicated, lost, phantom), (0, 0, 0));
    assert_eq!(per_reference.len(), succeeded.len());
    assert!(refused.len() <= 2, "double token refusals are rare: {refused:?}");
    assert!(
        not_definitive.is_empty(),
        "calls without a definitive success: {not_definitive:#?}"
    );
}
