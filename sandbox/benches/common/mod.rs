//! What the sandbox's benchmarks share: the shipped specs, the paths they call, and the payment they send.

pub const PAYMENT_PATH: &str = "/direct-debit/core/v1/debit/payment-host-to-host";
pub const TOKEN_PATH: &str = "/authorization/v1/access-token/b2b";

/// The shipped specs (`specs/` of the workspace).
pub fn api() -> Result<snapbi_spec::Api, String> {
    let specs = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs"));
    snapbi_spec::load(specs, specs)
        .map(|loaded| loaded.api)
        .map_err(|d| format!("specs: {d:?}"))
}

/// A DANA payment through DOKU's direct debit, its partnerReferenceNo `{prefix}-{a}-{b}`: unique per connection
/// (or turn) `a` and request `b`.
pub fn payment_body(prefix: &str, a: usize, b: u64) -> String {
    format!(
        concat!(
            r#"{{"partnerReferenceNo":"{}-{}-{}","amount":{{"value":"10000.00","currency":"IDR"}},"#,
            r#""urlParam":[{{"url":"https://merchant.example/return","type":"PAY_RETURN","isDeepLink":"N"}}],"#,
            r#""validUpTo":"2030-07-10T11:57:58+07:00","pointOfInitiation":"app","#,
            r#""additionalInfo":{{"channel":"EMONEY_DANA_SNAP","productCode":"51051000100000000001","#,
            r#""supportDeepLinkCheckoutUrl":"true","order":{{"orderTitle":"Bench order"}},"#,
            r#""envInfo":{{"sourcePlatform":"IPG","terminalType":"SYSTEM"}}}}}}"#
        ),
        prefix, a, b
    )
}

/// Runs `bench` on `runtime` and exits non-zero, saying why, when the runtime cannot start or the bench fails.
pub fn run_on(
    runtime: &mut tokio::runtime::Builder,
    bench: impl std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
) {
    let Ok(runtime) = runtime.enable_all().build() else {
        eprintln!("cannot start a Tokio runtime");
        std::process::exit(1);
    };
    if let Err(e) = runtime.block_on(bench) {
        eprintln!("benchmark failed: {e}");
        std::process::exit(1);
    }
}
