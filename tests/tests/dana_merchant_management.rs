//! DANA's merchant-management calls (Open API envelope) through the generated `snapbi::dana::Client` against the
//! in-process sandbox: shops and divisions are records the sandbox keeps (a create answers the id DANA would issue,
//! a query finds the record by that id or by the merchant's own id, an update changes it, an unknown one gets DANA's
//! documented failure), the merchant reads (query merchant info, resource, asset card list) answer the merchant the
//! tester registered or refuse an unknown one, the typed builder refuses an over-long field by name, and
//! the bodies DANA's own UAT suite sends (dana-id/uat-script `resource/request/components/MerchantManagement.json`,
//! CreateShop and CreateDivision) pass the generated validators (what DANA accepts must pass the spec).

use std::path::Path;

use serde_json::{Value, json};
use snapbi::dana::{
    self, merchant_management_create_division as create_division, merchant_management_create_shop as create_shop,
    merchant_management_query_division as query_division, merchant_management_query_merchant_info as merchant_info,
    merchant_management_query_shop as query_shop, merchant_management_update_division as update_division,
    merchant_management_update_shop as update_shop,
};
use snapbi::{rt, types};
use snapbi_sandbox::{
    Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle,
};

async fn dana_sandbox() -> (String, SandboxHandle) {
    let (_, base, handle) = dana_world().await;
    (base, handle)
}

/// A DANA sandbox on loopback, with the sandbox itself (to register what a tester registers), its URL and its handle.
async fn dana_world() -> (Sandbox, String, SandboxHandle) {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("dana")
        .expect("dana")
        .credentials(Credentials::demo())
        .build()
        .expect("sandbox");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("loopback");
    (sandbox, base, handle)
}

fn client(base: &str) -> dana::Client {
    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("key");
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(key);
    dana::Client::new(config).expect("client")
}

fn address() -> types::DanaAddressInfoBuilder {
    types::DanaAddressInfo::builder()
        .country("Indonesia")
        .province("DKI Jakarta")
        .city("Kota Jakarta Selatan")
        .area("Kebayoran Lama")
        .address1("address1")
        .address2("address2")
        .postcode("12710")
}

const MERCHANT: &str = "216620060017038045162";

fn shop(main_name: &str) -> create_shop::RequestBuilder {
    create_shop::Request::builder()
        .merchant_id(MERCHANT)
        .shop_parent_type(create_shop::ShopParentType::Merchant)
        .main_name(main_name)
        .shop_address(address())
        .external_shop_id("shop_20250101000000")
        .size_type(create_shop::SizeType::Umi)
}

/// `response.body.resultInfo` of a raw answer.
fn result_info(raw: &[u8]) -> Value {
    let answer: Value = serde_json::from_slice(raw).expect("JSON answer");
    answer["response"]["body"]["resultInfo"].clone()
}

#[tokio::test]
async fn create_shop_and_query_merchant_info_succeed_through_the_typed_client() {
    let (sandbox, base, _handle) = dana_world().await;
    let client = client(&base);
    sandbox
        .add_record("dana", "merchant", registered_merchant())
        .expect("the tester's merchant");

    let request = shop("awesome test shop").build().expect("a valid shop");
    let reply = client
        .merchant_management_create_shop(&request)
        .await
        .expect("create shop");
    assert_eq!((reply.status, reply.code.clone()), (200, create_shop::Code::Success));
    assert_eq!(reply.code.outcome(), rt::Outcome::Success);
    let info = reply.body.result_info.as_ref().expect("resultInfo");
    assert_eq!(
        (info.result_status.as_deref(), info.result_code.as_deref()),
        (Some("S"), Some("SUCCESS"))
    );
    assert_eq!(result_info(&reply.raw_body)["resultCodeId"], "00000000");
    // DANA issues the shop's id (at most 21 characters, the INNER_ID later calls name it by).
    let shop_id = reply.body.shop_id.as_deref().expect("the shop id DANA issued");
    assert!((1..=21).contains(&shop_id.chars().count()), "{shop_id}");
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert_eq!(answer["response"]["head"]["function"], "dana.merchant.shop.createShop");

    let request = merchant_info::Request::builder()
        .role_id(MERCHANT)
        .login_type(merchant_info::LoginType::Role)
        .is_query_account(true)
        .build()
        .expect("a valid query");
    let reply = client
        .merchant_management_query_merchant_info(&request)
        .await
        .expect("query merchant info");
    assert_eq!((reply.status, reply.code.clone()), (200, merchant_info::Code::Success));
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert_eq!(
        answer["response"]["head"]["function"],
        "dana.ap.bizprod.biz.service.openapi.merchant.queryMerchantInfo"
    );
    assert_eq!(result_info(&reply.raw_body)["resultStatus"], "S");
}

async fn query_shop(
    client: &dana::Client,
    shop_id: &str,
    by: query_shop::ShopIdType,
) -> rt::Reply<query_shop::Response, query_shop::Code> {
    let request = query_shop::Request::builder()
        .merchant_id(MERCHANT)
        .shop_id(shop_id)
        .shop_id_type(by)
        .build()
        .expect("a valid query");
    client
        .merchant_management_query_shop(&request)
        .await
        .expect("query shop")
}

fn shop_update(shop_id: &str, by: update_shop::ShopIdType) -> update_shop::RequestBuilder {
    update_shop::Request::builder()
        .merchant_id(MERCHANT)
        .shop_id(shop_id)
        .shop_id_type(by)
        .shop_address(address())
}

/// The shop a successful query answered.
fn found_shop(reply: &rt::Reply<query_shop::Response, query_shop::Code>) -> &query_shop::received::ShopResourceInfo {
    assert_eq!(reply.code, query_shop::Code::Success);
    reply.body.shop_resource_info.as_ref().expect("shopResourceInfo")
}

#[tokio::test]
async fn a_created_shop_is_found_by_either_id_and_shows_its_updates() {
    let (base, _handle) = dana_sandbox().await;
    let client = client(&base);
    let created = client
        .merchant_management_create_shop(&shop("awesome test shop").build().expect("a valid shop"))
        .await
        .expect("create shop");
    let shop_id = created.body.shop_id.clone().expect("the shop id DANA issued");

    let by_inner = query_shop(&client, &shop_id, query_shop::ShopIdType::InnerId).await;
    let by_external = query_shop(&client, "shop_20250101000000", query_shop::ShopIdType::ExternalId).await;
    for shop in [found_shop(&by_inner), found_shop(&by_external)] {
        assert_eq!(shop.main_name.as_deref(), Some("awesome test shop"));
        assert_eq!(shop.merchant_id.as_deref(), Some(MERCHANT));
        assert_eq!(shop.external_shop_id.as_deref(), Some("shop_20250101000000"));
        assert_eq!(shop.size_type.as_deref(), Some("UMI"));
        // Create shop's `shopParentType` is what DANA reports as the shop's `parentRoleType`.
        assert_eq!(shop.parent_role_type.as_deref(), Some("MERCHANT"));
        let postcode = shop.shop_address.as_ref().and_then(|a| a.postcode.as_deref());
        assert_eq!(postcode, Some("12710"));
        // Nothing the create did not send is made up.
        assert_eq!((shop.nmid.as_deref(), shop.ln.as_deref()), (None, None));
    }
    let body = |raw: &[u8]| serde_json::from_slice::<Value>(raw).expect("JSON")["response"]["body"].clone();
    assert_eq!(
        body(&by_inner.raw_body),
        body(&by_external.raw_body),
        "one shop, named two ways"
    );

    // Renamed through DANA's id; the query by the merchant's id shows it.
    let rename = shop_update(&shop_id, update_shop::ShopIdType::InnerId).main_name("renamed shop");
    let updated = client
        .merchant_management_update_shop(&rename.build().expect("a valid update"))
        .await
        .expect("update shop");
    assert_eq!(updated.code, update_shop::Code::Success);
    let after = query_shop(&client, "shop_20250101000000", query_shop::ShopIdType::ExternalId).await;
    assert_eq!(found_shop(&after).main_name.as_deref(), Some("renamed shop"));

    // A new external id: the shop answers to it, and no longer to the old one.
    let move_id =
        shop_update("shop_20250101000000", update_shop::ShopIdType::ExternalId).new_external_shop_id("shop-2");
    client
        .merchant_management_update_shop(&move_id.build().expect("a valid update"))
        .await
        .expect("update shop");
    let moved = query_shop(&client, "shop-2", query_shop::ShopIdType::ExternalId).await;
    assert_eq!(found_shop(&moved).main_name.as_deref(), Some("renamed shop"));
    let by_inner = query_shop(&client, &shop_id, query_shop::ShopIdType::InnerId).await;
    assert_eq!(found_shop(&by_inner).external_shop_id.as_deref(), Some("shop-2"));
    let old = query_shop_refused(&client, "shop_20250101000000", query_shop::ShopIdType::ExternalId).await;
    assert_eq!(old, query_shop::Code::ParamIllegal);
}

/// A query the sandbox refuses: its result code.
async fn query_shop_refused(client: &dana::Client, shop_id: &str, by: query_shop::ShopIdType) -> query_shop::Code {
    let request = query_shop::Request::builder()
        .merchant_id(MERCHANT)
        .shop_id(shop_id)
        .shop_id_type(by)
        .build()
        .expect("a valid query");
    match client.merchant_management_query_shop(&request).await {
        Err(rt::Error::Api {
            status: 200,
            code,
            raw_body,
            ..
        }) => {
            // DANA's SDK models require the published id of the code, which the answer carries.
            assert_eq!(result_info(&raw_body)["resultStatus"], "F");
            assert!(
                result_info(&raw_body)["resultCodeId"].is_string(),
                "{}",
                String::from_utf8_lossy(&raw_body)
            );
            code
        }
        other => panic!("the query must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_or_existing_shop_gets_danas_documented_failure() {
    let (base, _handle) = dana_sandbox().await;
    let client = client(&base);

    // Query shop: DANA documents no code for an unknown shop; its failure for a parameter to correct.
    for (id, by) in [
        ("216660000003429526679", query_shop::ShopIdType::InnerId),
        ("nobody's", query_shop::ShopIdType::ExternalId),
    ] {
        let code = query_shop_refused(&client, id, by).await;
        assert_eq!(
            (code.clone(), code.outcome()),
            (query_shop::Code::ParamIllegal, rt::Outcome::Failed)
        );
    }

    // Update shop: SHOP_NOT_EXIST, with DANA's id and message.
    let update = shop_update("216660000003429526679", update_shop::ShopIdType::InnerId)
        .build()
        .expect("valid");
    match client.merchant_management_update_shop(&update).await {
        Err(rt::Error::Api {
            code,
            message,
            raw_body,
            ..
        }) => {
            assert_eq!(code, update_shop::Code::ShopNotExist);
            assert_eq!(message.as_deref(), Some("shop not exist"));
            assert_eq!(result_info(&raw_body)["resultCodeId"], "00000004");
        }
        other => panic!("an unknown shop cannot be updated: {other:?}"),
    }

    // The same external id twice: ROLE_HAS_EXIST, and the first shop stays as it was.
    let first = shop("first").build().expect("valid");
    client
        .merchant_management_create_shop(&first)
        .await
        .expect("create shop");
    let again = shop("second").build().expect("valid");
    match client.merchant_management_create_shop(&again).await {
        Err(rt::Error::Api { code, raw_body, .. }) => {
            assert_eq!(code, create_shop::Code::RoleHasExist);
            assert_eq!(result_info(&raw_body)["resultCodeId"], "12015206");
            assert!(serde_json::from_slice::<Value>(&raw_body).expect("JSON")["response"]["body"]["shopId"].is_null());
        }
        other => panic!("a second shop under the same external id must be refused: {other:?}"),
    }
    let kept = query_shop(&client, "shop_20250101000000", query_shop::ShopIdType::ExternalId).await;
    assert_eq!(found_shop(&kept).main_name.as_deref(), Some("first"));
}

fn division(external_id: &str) -> create_division::RequestBuilder {
    use create_division as d;
    let doc = types::DanaBusinessDocs::builder()
        .doc_type(types::DanaBusinessDocsDocType::Ktp)
        .doc_id("3172010000000000")
        .doc_file("JVBERi0xLjMNCiXi48/TDQoNCjEgMCBvYmoNCjw8");
    let pic = |name: &str, position: &str| types::DanaPicInfo::builder().pic_name(name).pic_position(position);
    d::Request::builder()
        .api_version("3")
        .merchant_id(MERCHANT)
        .parent_role_type(d::ParentRoleType::Merchant)
        .division_name("uat division")
        .division_address(address())
        .division_type(d::DivisionType::Region)
        .external_division_id(external_id)
        .ext_info(json!({ "PIC_EMAIL": "admin_merchant123@email.com", "USECASE": "QRIS_DIGITAL" }))
        .mcc_codes(["0783"])
        .business_docs([doc])
        .business_entity(d::BusinessEntity::Individu)
        .owner_name(types::DanaUserName::builder().first_name("Udin").last_name("Sukiman"))
        .owner_phone_number(types::DanaMobileNoInfo::builder().mobile_no("62800000000"))
        .owner_id_type(d::OwnerIdType::Ktp)
        .owner_id_no("3172010000000000")
        .owner_address(address())
        .director_pics([pic("John", "CTO")])
        .non_director_pics([pic("Ethan", "CEO")])
        .size_type(d::SizeType::Ure)
        .pg_division_flag(d::PgDivisionFlag::True)
}

async fn query_division(
    client: &dana::Client,
    id: &str,
    by: query_division::DivisionIdType,
) -> Result<rt::Reply<query_division::Response, query_division::Code>, rt::Error<query_division::Code>> {
    let request = query_division::Request::builder()
        .merchant_id(MERCHANT)
        .division_id(id)
        .division_id_type(by)
        .build()
        .expect("a valid query");
    client.merchant_management_query_division(&request).await
}

fn division_update(by: update_division::DivisionIdType, new_external_id: &str) -> update_division::RequestBuilder {
    use update_division as u;
    u::Request::builder()
        .merchant_id(MERCHANT)
        .division_id_type(by)
        .division_name("renamed division")
        .division_address(address().postcode("10110"))
        .division_type(u::DivisionType::Region)
        .new_external_division_id(new_external_id)
        .mcc_codes(["0783"])
        .ext_info(json!({}))
}

#[tokio::test]
async fn a_created_division_is_found_by_either_id_and_shows_its_updates() {
    use query_division::DivisionIdType::{ExternalId, InnerId};
    let (base, _handle) = dana_sandbox().await;
    let client = client(&base);
    let created = client
        .merchant_management_create_division(&division("division-0001").build().expect("a valid division"))
        .await
        .expect("create division");
    assert_eq!(created.code, create_division::Code::Success);
    let division_id = created.body.division_id.clone().expect("the division id DANA issued");
    assert!((1..=21).contains(&division_id.chars().count()), "{division_id}");

    for (id, by) in [(division_id.as_str(), InnerId), ("division-0001", ExternalId)] {
        let reply = query_division(&client, id, by).await.expect("query division");
        assert_eq!(reply.code, query_division::Code::Success);
        let found = reply
            .body
            .division_resource_info
            .as_ref()
            .expect("divisionResourceInfo");
        assert_eq!(found.division_id.as_deref(), Some(division_id.as_str()));
        assert_eq!(found.external_division_id.as_deref(), Some("division-0001"));
        assert_eq!(found.division_name.as_deref(), Some("uat division"));
        assert_eq!(found.division_type.as_deref(), Some("REGION"));
        assert_eq!(found.parent_role_type.as_deref(), Some("MERCHANT"));
        assert_eq!(found.pg_division_flag.as_deref(), Some("true"));
        // Create division's `divisionAddress` is what DANA reports as the division's `contactAddress`.
        let postcode = found.contact_address.as_ref().and_then(|a| a.postcode.as_deref());
        assert_eq!(postcode, Some("12710"));
    }

    // Updated through DANA's id, with a new external id: the division answers to it with the new name and address.
    let update = division_update(update_division::DivisionIdType::InnerId, "division-0002").division_id(&division_id);
    let updated = client
        .merchant_management_update_division(&update.build().expect("a valid update"))
        .await
        .expect("update division");
    assert_eq!(updated.code, update_division::Code::Success);
    let reply = query_division(&client, "division-0002", ExternalId)
        .await
        .expect("query division");
    let found = reply
        .body
        .division_resource_info
        .as_ref()
        .expect("divisionResourceInfo");
    assert_eq!(found.division_name.as_deref(), Some("renamed division"));
    assert_eq!(
        found.contact_address.as_ref().and_then(|a| a.postcode.as_deref()),
        Some("10110")
    );
    assert_eq!(found.division_id.as_deref(), Some(division_id.as_str()));
    match query_division(&client, "division-0001", ExternalId).await {
        Err(rt::Error::Api { code, .. }) => assert_eq!(code, query_division::Code::ParamIllegal),
        other => panic!("the old external id names no division now: {other:?}"),
    }

    // Through the merchant's id (EXTERNAL_ID names it by externalDivisionId).
    let update = division_update(update_division::DivisionIdType::ExternalId, "division-0002")
        .external_division_id("division-0002")
        .division_name("third name");
    client
        .merchant_management_update_division(&update.build().expect("a valid update"))
        .await
        .expect("update division");
    let reply = query_division(&client, &division_id, InnerId)
        .await
        .expect("query division");
    let found = reply
        .body
        .division_resource_info
        .as_ref()
        .expect("divisionResourceInfo");
    assert_eq!(found.division_name.as_deref(), Some("third name"));
}

#[tokio::test]
async fn an_unknown_or_existing_division_gets_danas_documented_failure() {
    let (base, _handle) = dana_sandbox().await;
    let client = client(&base);

    // Query division: DANA's codes for the call are SUCCESS, PARAM_ILLEGAL and SYSTEM_ERROR only.
    match query_division(&client, "nobody's", query_division::DivisionIdType::ExternalId).await {
        Err(rt::Error::Api { code, raw_body, .. }) => {
            assert_eq!(code, query_division::Code::ParamIllegal);
            assert_eq!(result_info(&raw_body)["resultCodeId"], "00000004");
            assert!(
                serde_json::from_slice::<Value>(&raw_body).expect("JSON")["response"]["body"]
                    .get("divisionResourceInfo")
                    .is_none()
            );
        }
        other => panic!("an unknown division must be refused: {other:?}"),
    }

    // Update division: DIVISION_NOT_EXIST.
    let update =
        division_update(update_division::DivisionIdType::InnerId, "division-0001").division_id("216650000000000000000");
    match client
        .merchant_management_update_division(&update.build().expect("valid"))
        .await
    {
        Err(rt::Error::Api { code, raw_body, .. }) => {
            assert_eq!(code, update_division::Code::DivisionNotExist);
            assert_eq!(result_info(&raw_body)["resultCodeId"], "12015980");
        }
        other => panic!("an unknown division cannot be updated: {other:?}"),
    }

    // The same external id twice: ROLE_HAS_EXIST. Another division cannot take an external id either.
    for external_id in ["division-a", "division-b"] {
        let create = division(external_id).build().expect("valid");
        client
            .merchant_management_create_division(&create)
            .await
            .expect("create division");
    }
    match client
        .merchant_management_create_division(&division("division-a").build().expect("valid"))
        .await
    {
        Err(rt::Error::Api { code, .. }) => assert_eq!(code, create_division::Code::RoleHasExist),
        other => panic!("a second division under the same external id must be refused: {other:?}"),
    }
    let take =
        division_update(update_division::DivisionIdType::ExternalId, "division-a").external_division_id("division-b");
    match client
        .merchant_management_update_division(&take.build().expect("valid"))
        .await
    {
        Err(rt::Error::Api { code, .. }) => assert_eq!(code, update_division::Code::ParamIllegal),
        other => panic!("an external id another division has cannot be taken: {other:?}"),
    }
}

#[test]
fn the_builder_refuses_an_over_long_shop_name_by_name() {
    let refused = shop(&"x".repeat(257))
        .build()
        .expect_err("mainName is at most 256 characters");
    let paths: Vec<&str> = refused.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["mainName"], "{refused}");
    assert!(shop(&"x".repeat(256)).build().is_ok(), "256 characters are allowed");

    let long_postcode = shop("a shop").shop_address(address().postcode("123456")).build();
    let refused = long_postcode.expect_err("a postcode is 5 characters");
    assert_eq!(refused.violations()[0].path, "shopAddress.postcode", "{refused}");
}

/// A body through the generated validator of `endpoint` (what `build()` checks).
fn generated_violations(endpoint: &str, body: &Value) -> Vec<String> {
    let entry = snapbi::ENDPOINTS
        .iter()
        .find(|e| e.info.id == endpoint)
        .expect("a generated endpoint");
    match (entry.validate_body)(body.clone()) {
        Ok(()) => Vec::new(),
        Err(e) => e.violations().iter().map(|v| v.to_string()).collect(),
    }
}

fn uat_address() -> Value {
    json!({
        "country": "Indonesia", "province": "DKI Jakarta", "city": "Kota Jakarta Selatan", "area": "Kebayoran Lama",
        "address1": "address1", "address2": "address2", "postcode": "12710"
    })
}

/// DANA's UAT CreateShop and CreateDivision bodies (uat-script 05d2169), placeholders filled; `docFile` is shortened
/// (the suite sends a whole PDF in Base64, which no limit bounds).
#[test]
fn the_bodies_of_danas_uat_suite_pass_the_specs() {
    let ext_info = json!({
        "PIC_EMAIL": "admin_merchant123@email.com", "PIC_PHONENUMBER": "62-81234567890",
        "SUBMITTER_EMAIL": "admin_merchant@email.com", "GOODS_SOLD_TYPE": "DIGITAL", "USECASE": "QRIS_DIGITAL",
        "USER_PROFILING": "B2B", "AVG_TICKET": "100000-500000", "OMZET": "5BIO-10BIO",
        "EXT_URLS": "https://www.instagram.com"
    });
    let docs = json!([{ "docType": "KTP", "docId": "3172010000000000", "docFile": "JVBERi0xLjMNCiXi48/TDQoNCjEgMCBvYmoNCjw8" }]);
    let phone = json!({ "mobileNo": "62800000000", "mobileId": "mobileId", "verified": "true" });
    let shop = json!({
        "apiVersion": "3", "merchantId": "216620060017038045162", "shopParentType": "MERCHANT",
        "mainName": "uat shop", "shopAddress": uat_address(), "shopDesc": "description",
        "externalShopId": "shop_20250101000000", "logoUrlMap": { "PC_LOGO": "base64ImageCodexxxxxxxxxxx" },
        "extInfo": ext_info, "sizeType": "UMI", "ownerAddress": uat_address(),
        "ownerName": { "firstName": "Jane", "lastName": "Doe" }, "ownerPhoneNumber": phone, "ownerIdType": "KTP",
        "ownerIdNo": "3172010000000000", "deviceNumber": "0", "posNumber": "0", "mccCodes": ["0783"],
        "businessEntity": "individu", "shopOwning": "DIRECT_OWNED", "shopBizType": "ONLINE", "businessDocs": docs,
        "taxNo": "123456789012345", "taxAddress": uat_address(), "brandName": "XXX",
        "directorPics": [{ "picName": "Agus", "picPosition": "DIRECTOR_FINANCE" }],
        "nonDirectorPics": [{ "picName": "Budi", "picPosition": "OPERATION" }]
    });
    assert_eq!(
        generated_violations(&create_shop::ENDPOINT.id, &shop),
        Vec::<String>::new()
    );

    let mut owner_address = uat_address();
    owner_address["subDistrict"] = json!("test");
    let mut division_ext_info = ext_info.clone();
    division_ext_info["BRAND_NAME"] = json!("MY SHOP");
    let division = json!({
        "apiVersion": "3", "merchantId": "216620060017038045162", "parentDivisionId": "216620060017038045162",
        "parentRoleType": "MERCHANT", "divisionName": "uat division", "divisionAddress": uat_address(),
        "divisionDescription": "description", "divisionType": "REGION", "externalDivisionId": "test1uat division",
        "logoUrlMap": { "PC_LOGO": "base64ImageCodexxxxxxxxxxx" }, "extInfo": division_ext_info,
        "mccCodes": ["0783"], "businessDocs": docs, "businessEntity": "individu",
        "ownerName": { "firstName": "Udin", "lastName": "Sukiman" }, "ownerPhoneNumber": phone,
        "ownerIdType": "KTP", "ownerIdNo": "3172010000000000", "ownerAddress": owner_address,
        "directorPics": [{ "picName": "John", "picPosition": "CTO" }],
        "nonDirectorPics": [{ "picName": "Ethan", "picPosition": "CEO" }], "sizeType": "URE", "pgDivisionFlag": "true"
    });
    assert_eq!(
        generated_violations(&create_division::ENDPOINT.id, &division),
        Vec::<String>::new()
    );
}

/// The merchant as a tester registers it (`POST /_sandbox/records/dana/merchant`): no call creates it. Its profile
/// members, its balances and its asset cards, in the shapes DANA's SDK models them.
fn registered_merchant() -> Value {
    let amount = r#"{"amount":"150000.00","currency":"IDR"}"#;
    json!({
        "merchantId": MERCHANT,
        "officialName": "PT Registered Merchant",
        "merchantStatus": "ACTIVE",
        "accounts": [{ "accountNo": "2166000001", "accountType": "MERCHANT_DEPOSIT_ACCOUNT", "availableAmount": amount }],
        "merchantResourceInformations": [
            { "resourceType": "MERCHANT_DEPOSIT_BALANCE", "value": amount },
            { "resourceType": "MERCHANT_AVAILABLE_BALANCE", "value": amount },
        ],
        "assetCardList": [
            { "assetType": "VA_ACCOUNT", "contactBizType": "GENERAL_CARD", "cardIndexNo": "8808000012345678", "instId": "BNIC1ID" },
            { "assetType": "DEBIT_CARD", "contactBizType": "DIRECTPAY_CARD", "cardIndexNo": "5264000011112222", "instId": "BNIC1ID" },
        ],
    })
}

/// Calls an endpoint of the merchant reads through the runtime client: the result code and the answer's body member.
async fn merchant_read(base: &str, info: &'static rt::EndpointInfo, body: Value) -> (String, Value) {
    let profile = snapbi::PROVIDERS
        .iter()
        .find(|p| p.name == "dana")
        .expect("DANA's profile");
    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("key");
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(key);
    let client = rt::Client::new(profile, config).expect("client");
    let answer = client
        .call_at::<Value, Value, rt::ResponseCode>(info, &[], &body, &[])
        .await;
    let (code, raw) = match answer {
        Ok(reply) => (reply.code, reply.raw_body),
        Err(rt::Error::Api { code, raw_body, .. }) => (code, raw_body),
        Err(other) => panic!("{}: {other}", info.id),
    };
    let answer: Value = serde_json::from_slice(&raw).expect("JSON answer");
    (code.as_str().to_owned(), answer["response"]["body"].clone())
}

#[tokio::test]
async fn the_merchant_reads_answer_the_registered_merchant_and_refuse_an_unknown_one() {
    use snapbi::dana::{
        merchant_management_query_asset_card_list as cards, merchant_management_query_merchant_resource as resource,
    };
    let (sandbox, base, _handle) = dana_world().await;
    let info = json!({ "roleId": MERCHANT, "loginType": "ROLE", "isQueryAccount": true });
    let balances = json!({ "requestMerchantId": MERCHANT, "merchantResourceInfoList": ["MERCHANT_DEPOSIT_BALANCE"] });
    let asset_cards = json!({ "memberId": MERCHANT, "enableOnly": "true", "assetTypeList": ["VA_ACCOUNT"] });
    let calls = [
        (&merchant_info::ENDPOINT, info),
        (&resource::ENDPOINT, balances),
        (&cards::ENDPOINT, asset_cards),
    ];

    // Nobody registered the merchant: DANA's failure for a parameter that names nothing, with nothing made up.
    for (endpoint, body) in &calls {
        let (code, answer) = merchant_read(&base, endpoint, body.clone()).await;
        assert_eq!(code, "PARAM_ILLEGAL", "{}: {answer}", endpoint.id);
        // With its published id, which DANA's SDK models of these calls require.
        assert_eq!(answer["resultInfo"]["resultCodeId"], "00000004", "{answer}");
        assert_eq!(
            answer.as_object().map(|o| o.len()),
            Some(1),
            "resultInfo only: {answer}"
        );
    }

    // Registered: each read answers what the tester gave, and nothing else.
    sandbox
        .add_record("dana", "merchant", registered_merchant())
        .expect("the tester's merchant");
    let registered = registered_merchant();
    let (code, answer) = merchant_read(&base, calls[0].0, calls[0].1.clone()).await;
    assert_eq!(code, "SUCCESS", "{answer}");
    let profile = &answer["merchantInformation"];
    assert_eq!(profile["merchantId"], MERCHANT);
    assert_eq!(profile["officialName"], registered["officialName"]);
    assert_eq!(profile["accounts"], registered["accounts"]);
    assert!(profile.get("merchantType").is_none(), "nothing made up: {profile}");
    // The balances and cards the request asks for, of those the tester registered (`record_picks`).
    let (code, answer) = merchant_read(&base, calls[1].0, calls[1].1.clone()).await;
    assert_eq!(code, "SUCCESS", "{answer}");
    let kept =
        |list: &str, items: &[usize]| json!(items.iter().map(|&i| registered[list][i].clone()).collect::<Vec<_>>());
    assert_eq!(
        answer["merchantResourceInformations"],
        kept("merchantResourceInformations", &[0])
    );
    let (code, answer) = merchant_read(&base, calls[2].0, calls[2].1.clone()).await;
    assert_eq!(code, "SUCCESS", "{answer}");
    assert_eq!(answer["assetCardList"], kept("assetCardList", &[0]));
    let picked = [
        (
            &resource::ENDPOINT,
            json!({ "requestMerchantId": MERCHANT, "merchantResourceInfoList":
            ["MERCHANT_AVAILABLE_BALANCE", "MERCHANT_DEPOSIT_BALANCE"] }),
            "merchantResourceInformations",
            vec![0, 1],
        ),
        // Asked for, not registered: absent, not made up.
        (
            &resource::ENDPOINT,
            json!({ "requestMerchantId": MERCHANT, "merchantResourceInfoList":
            ["MERCHANT_TOTAL_BALANCE"] }),
            "merchantResourceInformations",
            vec![],
        ),
        (
            &cards::ENDPOINT,
            json!({ "memberId": MERCHANT }),
            "assetCardList",
            vec![0, 1],
        ),
        (
            &cards::ENDPOINT,
            json!({ "memberId": MERCHANT, "contactBizTypeList": ["DIRECTPAY_CARD"] }),
            "assetCardList",
            vec![1],
        ),
        (
            &cards::ENDPOINT,
            json!({ "memberId": MERCHANT, "assetTypeList": ["VA_ACCOUNT"],
            "contactBizTypeList": ["DIRECTPAY_CARD"] }),
            "assetCardList",
            vec![],
        ),
    ];
    for (endpoint, body, list, items) in picked {
        let (code, answer) = merchant_read(&base, endpoint, body.clone()).await;
        assert_eq!(code, "SUCCESS", "{body}: {answer}");
        assert_eq!(answer[list], kept(list, &items), "{body}");
    }

    // Another merchant's id finds nothing.
    let other = json!({ "roleId": "216620000000000000001", "loginType": "ROLE" });
    let (code, _) = merchant_read(&base, &merchant_info::ENDPOINT, other).await;
    assert_eq!(code, "PARAM_ILLEGAL");
}
