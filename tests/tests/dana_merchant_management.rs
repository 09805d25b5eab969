//! DANA's merchant-management calls (Open API envelope) through the generated `snapbi::dana::Client` against the
//! in-process sandbox: create shop and query merchant info get the sandbox's SUCCESS, the typed builder refuses an
//! over-long field by name, and the bodies DANA's own UAT suite sends (dana-id/uat-script
//! `resource/request/components/MerchantManagement.json`, CreateShop and CreateDivision) pass the generated
//! validators (what DANA accepts must pass the spec).

use std::path::Path;

use serde_json::{Value, json};
use snapbi::dana::{
    self, merchant_management_create_division as create_division, merchant_management_create_shop as create_shop,
    merchant_management_query_merchant_info as merchant_info,
};
use snapbi::{rt, types};
use snapbi_sandbox::{
    Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle,
};

async fn dana_sandbox() -> (String, SandboxHandle) {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("dana")
        .expect("dana")
        .credentials(Credentials::demo())
        .build()
        .expect("sandbox");
    sandbox.spawn_on_loopback().await.expect("loopback")
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

fn shop(main_name: &str) -> create_shop::RequestBuilder {
    create_shop::Request::builder()
        .merchant_id("216620060017038045162")
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
    let (base, _handle) = dana_sandbox().await;
    let client = client(&base);

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
    // The sandbox keeps no shops for an enveloped call: it makes no shop id up.
    assert!(reply.body.shop_id.is_none(), "{:?}", reply.body.shop_id);
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert_eq!(answer["response"]["head"]["function"], "dana.merchant.shop.createShop");

    let request = merchant_info::Request::builder()
        .role_id("216620060017038045162")
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
