//! The golden generated code (`codegen/tests/snapshots/specs.rs`, compared byte for byte by the codegen
//! tests) is compiled here as well, and a few items are used so that it is type-checked, not just parsed.

#[path = "../../codegen/tests/snapshots/specs.rs"]
#[allow(dead_code, unused_imports, missing_docs, clippy::all)]
#[rustfmt::skip]
mod golden;

#[test]
fn the_golden_code_compiles_and_validates() {
    use golden::{doku, types};
    let request = doku::direct_debit_payment::Request::builder()
        .partner_reference_no("INV-1")
        .amount(types::Amount::builder().value("1.00").currency("IDR"))
        .build();
    let error = request.expect_err("additionalInfo is missing");
    assert_eq!(error.paths(), ["additionalInfo"]);
    // The spec's cross-field rules are compiled in: a DANA jump-app payment needs urlParam.
    let jump_app = doku::direct_debit_payment::Request::builder()
        .partner_reference_no("INV-1")
        .amount(types::Amount::builder().value("1.00").currency("IDR"))
        .additional_info(
            doku::direct_debit_payment::AdditionalInfo::builder()
                .channel(doku::direct_debit_payment::AdditionalInfoChannel::EmoneyDanaSnap),
        )
        .build()
        .expect_err("urlParam is required for DANA");
    assert_eq!(jump_app.paths(), ["urlParam"]);
    assert_eq!(golden::ENDPOINTS.len(), snapbi::ENDPOINTS.len());
    assert_eq!(
        doku::direct_debit_payment::Code::from("4045418"),
        doku::direct_debit_payment::Code::InconsistentRequest
    );
}

/// The non-SNAP test provider's golden (`codegen/tests/snapshots/nonsnap.rs`): path parameters and a bodiless GET.
#[path = "../../codegen/tests/snapshots/nonsnap.rs"]
#[allow(dead_code, unused_imports, missing_docs, clippy::all)]
#[rustfmt::skip]
mod nonsnap_golden;

#[test]
fn the_nonsnap_golden_compiles_and_validates_its_params() {
    use nonsnap_golden::acme::status;
    let too_long = status::Params::builder()
        .invoice_number("I".repeat(65))
        .build()
        .expect_err("at most 64 characters");
    assert_eq!(too_long.paths(), ["invoice_number"]);
    let params = status::Params::builder()
        .invoice_number("INV/1")
        .build()
        .expect("valid");
    assert_eq!(
        snapbi::rt::param_pairs(&params),
        [("invoice_number".to_owned(), "INV/1".to_owned())]
    );
    // A GET's method takes its params and no request (the future is never run: its type is what is checked).
    fn status_call<'a>(
        client: &'a nonsnap_golden::acme::Client,
        params: &'a status::Params,
    ) -> impl Future<Output = Result<snapbi::rt::Reply<status::Response, status::Code>, snapbi::rt::Error<status::Code>>> + 'a
    {
        client.status(params)
    }
    let _ = status_call;
}
