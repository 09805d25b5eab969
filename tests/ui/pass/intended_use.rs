// The intended use compiles and runs: build a checked request, match codes with `_`, configure a client (no
// network call), and expand the specs with `snap_api!` in a module of one's own.
use snapbi::types::{Amount, UrlParam, UrlParamIsDeepLink, UrlParamType};
use snapbi::{doku, rt};

mod api {
    snapbi_macros::snap_api!("../../../specs");
}

fn request() -> Result<doku::direct_debit_payment::Request, rt::BuildError> {
    use doku::direct_debit_payment::{AdditionalInfo, AdditionalInfoChannel, PointOfInitiation, Request};
    Request::builder()
        .partner_reference_no("INV-0001")
        .amount(Amount::builder().value("10000.00").currency("IDR"))
        .url_param([UrlParam::builder()
            .url("https://merchant.example/return")
            .r#type(UrlParamType::PayReturn)
            .is_deep_link(UrlParamIsDeepLink::N)])
        .point_of_initiation(PointOfInitiation::App)
        .additional_info(AdditionalInfo::builder().channel(AdditionalInfoChannel::EmoneyDanaSnap))
        .build()
}

fn describe(code: &doku::direct_debit_payment::Code) -> &'static str {
    use doku::direct_debit_payment::Code;
    match code {
        Code::Successful => "paid",
        Code::InconsistentRequest | Code::DuplicatePartnerReferenceNo => "ask the status endpoint",
        Code::Unknown(_) => "undeclared code",
        _ => code.outcome().as_str(),
    }
}

fn main() {
    let request = request().expect("a valid request");
    let body = rt::serde_json::to_value(&request).unwrap();
    assert_eq!(body["amount"]["value"], "10000.00");
    assert_eq!(body["urlParam"][0]["type"], "PAY_RETURN");

    assert_eq!(describe(&"2005400".into()), "paid");
    assert_eq!(describe(&"4045418".into()), "ask the status endpoint");
    assert_eq!(describe(&"4999999".into()), "undeclared code");

    // A DOKU client signs with its client secret and (for the B2B token) a private key: without the key it is
    // refused when it is built, naming what is missing.
    let client = doku::Client::new(rt::Config::new("id").client_secret("s").base_url("http://127.0.0.1:9"));
    let refused: rt::ConfigError = client.expect_err("the private key is missing");
    assert!(matches!(refused, rt::ConfigError::MissingCredential { credential: "private_key", .. }));

    // The macro's expansion has the same API as snapbi.
    let from_macro = api::doku::direct_debit_payment::Request::builder()
        .partner_reference_no("INV-0001")
        .build()
        .expect_err("amount and additionalInfo are missing");
    assert_eq!(from_macro.violations().len(), 2);
    assert_eq!(api::doku::direct_debit_payment::ENDPOINT.id, "doku.direct_debit.payment");
    let _code: api::doku::direct_debit_payment::Code = "2005400".into();
}
