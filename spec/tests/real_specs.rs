//! The shipped specs load and check cleanly.

use std::path::Path;

#[test]
fn shipped_specs_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    match snapbi_spec::load(&root, Path::new("specs")) {
        Ok(loaded) => {
            assert!(loaded.api.endpoints.len() >= 4);
            assert!(loaded.api.codes.services.len() >= 80);
        }
        Err(diagnostics) => panic!("{}", snapbi_spec::diagnostic::render_all(&diagnostics)),
    }
}

#[test]
fn dana_s_own_service_code_and_doku_s_va_records_are_wired() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = match snapbi_spec::load(&root, Path::new("specs")) {
        Ok(loaded) => loaded.api,
        Err(diagnostics) => panic!("{}", snapbi_spec::diagnostic::render_all(&diagnostics)),
    };
    // 00 is DANA's own, never the SNAP table's, and only DANA's endpoints use it.
    assert!(api.codes.service("00").is_none());
    assert!(api.codes.provider_service("dana", "00").is_some());
    assert!(api.codes.provider_service("doku", "00").is_none());
    let status = api
        .endpoint("dana.disbursement.transfer_to_bank_status")
        .expect("the status spec");
    assert_eq!(status.info.service_code, "00");
    let transfer = api
        .endpoint("dana.disbursement.transfer_to_bank")
        .expect("the transfer spec");
    assert_eq!(transfer.status_endpoint.as_deref(), Some(status.info.id.as_ref()));
    let query = transfer.status_query.as_ref().expect("a status query");
    assert!(query.request.iter().any(|(name, _)| name == "serviceCode"));

    // Every VA endpoint DOKU's merchant calls acts on the one record kind.
    use snapbi_spec::ir::Operation;
    let kind = api
        .provider("doku")
        .and_then(|p| p.record("virtual_account"))
        .expect("the VA record kind");
    assert_eq!(kind.key, ["partnerServiceId", "customerNo", "virtualAccountNo"]);
    for (id, operation) in [
        ("doku.va.create", Operation::Create),
        ("doku.va.update", Operation::Update),
        ("doku.va.delete", Operation::Delete),
        ("doku.va.status", Operation::Status),
        ("doku.va.payment_notify", Operation::Notify),
    ] {
        let endpoint = api.endpoint(id).expect("a VA endpoint");
        assert_eq!(
            (endpoint.operation, endpoint.record.as_deref()),
            (operation, Some("virtual_account")),
            "{id}"
        );
    }
    // A paid VA is reported with SNAP's paymentFlagStatus 00, and its payment is notified by DOKU's inbound call.
    let status = api.endpoint("doku.va.status").expect("the VA status");
    assert_eq!(status.paid, [("paymentFlagStatus".to_owned(), Some("00".to_owned()))]);
    let notify = api.endpoint("doku.va.payment_notify").expect("the VA notification");
    assert_eq!(notify.direction, snapbi_spec::ir::Direction::Inbound);
    assert!(
        !notify.is_payment_notification(),
        "a record's notification is not a payment's"
    );
    // A payment's notification is the inbound `notify` without a record, found by that and not by a service code.
    for (provider, id) in [
        ("doku", "doku.direct_debit.notify"),
        ("dana", "dana.payment_gateway.finish_notify"),
    ] {
        let found = api.payment_notification(provider).map(|e| e.info.id.as_ref());
        assert_eq!(found, Some(id), "{provider}");
    }
}
