//! The golden generated code (`codegen/tests/snapshots/specs.rs`, compared byte for byte by the codegen
//! tests) is compiled here as well, and a few items are used so that it is type-checked, not just parsed.

#[path = "../../codegen/tests/snapshots/specs.rs"]
#[allow(dead_code, unused_imports, missing_docs, clippy::all)]
#[rustfmt::skip]
mod golden;

#[test]
fn the_golden_code_compiles_and_validates() {
    use golden::{doku, types};
    let request = doku::dana_payment::Request::builder()
        .partner_reference_no("INV-1")
        .amount(types::Amount::builder().value("1.00").currency("IDR"))
        .build();
    let error = request.expect_err("urlParam and additionalInfo are missing");
    assert_eq!(error.paths(), ["urlParam", "additionalInfo"]);
    assert_eq!(golden::ENDPOINTS.len(), snapbi_client::ENDPOINTS.len());
    assert_eq!(
        doku::dana_payment::Code::from("4045418"),
        doku::dana_payment::Code::InconsistentRequest
    );
}
