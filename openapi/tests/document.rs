//! The OpenAPI document of the shipped specs, read back as OpenAPI: every endpoint is one operation, every field
//! rule is a keyword, every declared code is a response example under its HTTP status, every `$ref` resolves, and a
//! provider's document holds only that provider. The example provider's document is a golden file
//! (`snapshots/nusantara.json`, refreshed with `UPDATE_SNAPSHOTS=1`).

// The golden comparison is the spec library's test helper (one copy for every crate's goldens).
#[path = "../../spec/tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

use serde_json::{Value, json};
use snapbi_openapi::{Error, document};
use snapbi_spec::Api;
use snapbi_spec::ir::{Direction, Endpoint, FieldType};

static API: LazyLock<Api> =
    LazyLock::new(
        || match snapbi_spec::load(Path::new(snapbi_specs::DIR), Path::new("specs")) {
            Ok(loaded) => loaded.api,
            Err(d) => panic!("{}", snapbi_spec::diagnostic::render_all(&d)),
        },
    );

static DOC: LazyLock<Value> = LazyLock::new(|| document(&API, None).unwrap_or_else(|e| panic!("{e}")));

fn endpoint(id: &str) -> &'static Endpoint {
    API.endpoint(id).unwrap_or_else(|| panic!("no endpoint {id}"))
}

/// The operation of an endpoint: under `paths` (outbound) or `webhooks` (inbound).
fn operation<'d>(doc: &'d Value, e: &Endpoint) -> &'d Value {
    let method = e.info.method.to_ascii_lowercase();
    match e.direction {
        Direction::Outbound => &doc["paths"][&*e.info.path][&method],
        Direction::Inbound => &doc["webhooks"][&*e.info.id][&method],
    }
}

fn schema<'d>(doc: &'d Value, name: &str) -> &'d Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "no schema {name}");
    schema
}

#[test]
fn every_endpoint_is_one_operation_named_by_its_id() {
    let mut operations = 0;
    for e in &API.endpoints {
        let op = operation(&DOC, e);
        assert_eq!(op["operationId"], json!(e.info.id), "{}", e.info.id);
        assert_eq!(op["tags"], json!([e.info.provider]), "{}", e.info.id);
        assert_eq!(op["summary"], json!(e.info.summary), "{}", e.info.id);
        operations += 1;
    }
    let counted: usize = ["paths", "webhooks"]
        .iter()
        .flat_map(|part| DOC[part].as_object().into_iter().flat_map(|items| items.values()))
        .map(|item| item.as_object().map_or(0, |methods| methods.len()))
        .sum();
    assert_eq!(counted, operations, "one operation per endpoint, no more");
    let ids: BTreeSet<&str> = API.endpoints.iter().map(|e| &*e.info.id).collect();
    assert_eq!(ids.len(), operations, "operation ids are unique");
}

#[test]
fn string_limits_and_required_fields_are_keywords_of_every_request() {
    let mut checked = 0;
    for e in API.endpoints.iter().filter(|e| e.has_body()) {
        let request = schema(&DOC, &format!("{}.Request", e.info.id));
        for field in &e.request {
            let property = &request["properties"][&field.wire];
            if let FieldType::Str(rule) = &field.ty {
                assert_eq!(
                    property["maxLength"].as_u64(),
                    rule.max_length.map(u64::from),
                    "{field:?}"
                );
                assert_eq!(
                    property["minLength"].as_u64(),
                    rule.min_length.map(u64::from),
                    "{field:?}"
                );
                if !rule.enum_values.is_empty() {
                    // An optional member may also be null (snapbi reads null as absent).
                    let mut values = json!(rule.enum_values);
                    if let (false, Some(values)) = (field.required, values.as_array_mut()) {
                        values.push(Value::Null);
                    }
                    assert_eq!(property["enum"], values, "{field:?}");
                }
                let ty = if field.required {
                    json!("string")
                } else {
                    json!(["string", "null"])
                };
                assert_eq!(property["type"], ty, "{field:?}");
                checked += 1;
            }
            let required = request["required"]
                .as_array()
                .is_some_and(|r| r.contains(&json!(field.wire)));
            assert_eq!(required, field.required, "{} {}", e.info.id, field.wire);
        }
    }
    assert!(checked > 100, "only {checked} string fields checked");
}

#[test]
fn a_refund_carries_its_rules_as_keywords() {
    let request = schema(&DOC, "doku.direct_debit.refund.Request");
    assert_eq!(request["properties"]["partnerRefundNo"]["maxLength"], 64);
    assert_eq!(request["properties"]["partnerRefundNo"]["minLength"], 1);
    assert_eq!(
        request["properties"]["refundAmount"]["$ref"],
        "#/components/schemas/Amount"
    );
    // Amount: a decimal of 16 integer and exactly 2 fraction digits, and a three-letter currency.
    let amount = schema(&DOC, "Amount");
    assert_eq!(amount["properties"]["value"]["pattern"], "^[0-9]{1,16}\\.[0-9]{2}$");
    assert_eq!(amount["required"], json!(["value", "currency"]));
    // The per-channel limits: when the channel is CIMB or BRI, partnerRefundNo has at most 12 characters.
    let rules = request["allOf"].as_array().map_or(&[][..], Vec::as_slice);
    assert_eq!(rules.len(), endpoint("doku.direct_debit.refund").rules.len());
    let cimb = rules
        .iter()
        .find(|r| r["then"]["properties"]["partnerRefundNo"]["maxLength"] == 12)
        .unwrap_or_else(|| panic!("no CIMB/BRI limit in {rules:?}"));
    let channel = &cimb["if"]["properties"]["additionalInfo"]["properties"]["channel"];
    assert_eq!(
        channel["enum"],
        json!(["DIRECT_DEBIT_CIMB_SNAP", "DIRECT_DEBIT_BRI_SNAP"])
    );
    assert_eq!(cimb["if"]["required"], json!(["additionalInfo"]));
    // A header of the endpoint's own, with its charset and length.
    let op = operation(&DOC, endpoint("doku.direct_debit.refund"));
    let params = op["parameters"].as_array().map_or(&[][..], Vec::as_slice);
    let device = params.iter().find(|p| p["name"] == "X-DEVICE-ID").expect("X-DEVICE-ID");
    assert_eq!(device["in"], "header");
    assert_eq!(device["required"], true);
    assert_eq!(device["schema"]["maxLength"], 400);
    assert_eq!(device["schema"]["pattern"], "^[A-Za-z0-9]*$");
}

/// snapbi reads `null` as absent (the runtime's decoding, the sandbox's validator): an optional member may be null, a
/// required one may not.
#[test]
fn optional_members_may_be_null() {
    let status = schema(&DOC, "doku.direct_debit.status.Response");
    let optional = status["properties"].as_object().into_iter().flatten();
    for (name, member) in optional {
        let allows_null = member["type"].as_array().is_some_and(|t| t.contains(&json!("null")))
            || member["anyOf"]
                .as_array()
                .is_some_and(|a| a.contains(&json!({ "type": "null" })))
            || member.get("type").is_none() && member.get("anyOf").is_none();
        assert!(allows_null, "{name}: {member}");
    }
    let refund = schema(&DOC, "doku.direct_debit.refund.Request");
    assert_eq!(refund["properties"]["partnerRefundNo"]["type"], "string");
    assert_eq!(refund["properties"]["reason"]["type"], json!(["string", "null"]));
}

#[test]
fn datetimes_integers_and_lists_keep_their_rules() {
    let mut seen = BTreeSet::new();
    for (name, schema) in DOC["components"]["schemas"].as_object().into_iter().flatten() {
        walk(schema, &mut |s| {
            if s["format"] == "date-time" {
                assert!(
                    s["pattern"].as_str().is_some_and(|p| p.starts_with("^[0-9]{4}-")),
                    "{name}: {s}"
                );
                seen.insert("datetime");
            }
            if s["type"] == "integer" && s.get("minimum").is_some() {
                seen.insert("integer range");
            }
            if s["type"] == "array" && (s.get("minItems").is_some() || s.get("maxItems").is_some()) {
                seen.insert("list size");
            }
        });
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    // WooshPay's DANA amount: whole rupiah from 100 to 300,000,000.
    let amount = &schema(&DOC, "wooshpay.payment_intents.create.Request")["properties"]["amount"];
    assert_eq!(
        (amount["minimum"].as_i64(), amount["maximum"].as_i64()),
        (Some(100), Some(300_000_000))
    );
    assert_eq!(amount["examples"], json!([100]));
}

#[test]
fn every_declared_code_is_an_example_under_its_status() {
    for e in &API.endpoints {
        let responses = &operation(&DOC, e)["responses"];
        for code in &e.codes {
            let media = &responses[code.http.to_string()]["content"]["application/json"];
            let examples = media["examples"]
                .as_object()
                .unwrap_or_else(|| panic!("{} {}", e.info.id, code.code));
            // Under its code, or in a refusal's published body that holds it.
            let shown = examples.contains_key(&code.code) || examples.values().any(|x| holds(&x["value"], &code.code));
            assert!(shown, "{} {} not among {:?}", e.info.id, code.code, examples.keys());
        }
    }
}

#[test]
fn a_snap_status_allows_only_the_codes_declared_under_it() {
    let e = endpoint("doku.direct_debit.refund");
    let responses = &operation(&DOC, e)["responses"];
    let declared: Vec<&str> = e
        .codes
        .iter()
        .filter(|c| c.http == 401)
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(declared, ["4015800", "4015801", "4015802", "4015803"]);
    let schema = &responses["401"]["content"]["application/json"]["schema"];
    assert_eq!(
        schema["allOf"][0]["$ref"],
        "#/components/schemas/doku.direct_debit.refund.Response"
    );
    assert_eq!(
        schema["allOf"][1]["properties"]["responseCode"]["enum"],
        json!(declared)
    );
    let example = &responses["401"]["content"]["application/json"]["examples"]["4015803"];
    assert_eq!(
        example["value"],
        json!({ "responseCode": "4015803", "responseMessage": "Token Not Found (B2B)" })
    );
}

#[test]
fn an_enveloped_endpoint_is_framed_and_answers_every_code_with_200() {
    let e = endpoint("dana.merchant_management.query_shop");
    let op = operation(&DOC, e);
    let body = &op["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], json!(["request", "signature"]));
    let head = &body["properties"]["request"]["properties"]["head"];
    assert_eq!(head["properties"]["function"]["const"], "dana.merchant.shop.queryShop");
    assert_eq!(head["properties"]["reqMsgId"]["maxLength"], 64);
    assert_eq!(
        body["properties"]["request"]["properties"]["body"]["$ref"],
        "#/components/schemas/dana.merchant_management.query_shop.Request"
    );
    assert!(op.get("security").is_none() && op.get("parameters").is_none(), "{op}");
    let responses = op["responses"].as_object().expect("responses");
    assert_eq!(responses.keys().collect::<Vec<_>>(), ["200"]);
    let media = &responses["200"]["content"]["application/json"];
    let result = &media["examples"]["PARAM_ILLEGAL"]["value"]["response"]["body"]["resultInfo"];
    assert_eq!(
        *result,
        json!({ "resultStatus": "F", "resultCodeId": "00000004", "resultCode": "PARAM_ILLEGAL", "resultMsg": "parameter illegal" })
    );
}

#[test]
fn an_own_json_provider_answers_its_refusals_and_its_codes() {
    let e = endpoint("doku_nonsnap.orders.check_status");
    let op = operation(&DOC, e);
    let param = &op["parameters"][0];
    assert_eq!(
        (&param["name"], &param["in"], &param["required"]),
        (&json!("invoice_number"), &json!("path"), &json!(true))
    );
    let responses = &op["responses"];
    // 2xx: the status field holds one of the declared codes.
    let ok = &responses["200"]["content"]["application/json"]["schema"]["allOf"][1];
    assert_eq!(
        ok["properties"]["transaction"]["properties"]["status"]["enum"][0],
        "SUCCESS"
    );
    // Refusals: the provider's published bodies, at the provider's code places.
    let refused = &responses["400"]["content"]["application/json"];
    assert_eq!(refused["schema"]["$ref"], "#/components/schemas/doku_nonsnap.Result");
    let missing = &refused["examples"]["missing_field (header)"]["value"];
    assert_eq!(missing["error"]["code"], "invalid_header_request");
    assert_eq!(
        responses["404"]["content"]["application/json"]["examples"]["Not Found"]["value"],
        json!({ "message": ["Not Found"] })
    );
    // DOKU signs its answers: the headers that carry the signature.
    assert!(
        responses["200"]["headers"]["Response-Timestamp"].is_object(),
        "{}",
        responses["200"]
    );
    // WooshPay's refusals carry no code; they are answers all the same.
    let pi = operation(&DOC, endpoint("wooshpay.payment_intents.create"));
    assert!(pi["responses"]["401"]["content"]["application/json"]["examples"]["unauthorized"].is_object());
}

#[test]
fn credentials_are_security_schemes_and_other_headers_parameters() {
    let schemes = &DOC["components"]["securitySchemes"];
    assert_eq!(schemes["doku.symmetric.Authorization"]["scheme"], "bearer");
    assert_eq!(schemes["wooshpay.unsigned.Authorization"]["scheme"], "basic");
    let signature = &schemes["doku.symmetric.X-SIGNATURE"];
    assert_eq!(
        (&signature["type"], &signature["in"]),
        (&json!("apiKey"), &json!("header"))
    );
    assert!(
        signature["description"]
            .as_str()
            .is_some_and(|d| d.contains("{method}:{path}:{token}:{body_sha256}:{timestamp}")),
        "{signature}"
    );
    let op = operation(&DOC, endpoint("doku.direct_debit.refund"));
    assert_eq!(
        op["security"],
        json!([{ "doku.symmetric.Authorization": [], "doku.symmetric.X-SIGNATURE": [] }])
    );
    let names: Vec<&str> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names[..4],
        ["X-TIMESTAMP", "X-PARTNER-ID", "X-EXTERNAL-ID", "CHANNEL-ID"],
        "the profile's headers but the credentials, in profile order"
    );
    // What a tool needs to fill and sign the request, as data.
    assert_eq!(op["parameters"][0]["schema"]["x-snapbi-source"], "timestamp");
    assert_eq!(
        op["parameters"][0]["schema"]["x-snapbi-timestamp"],
        json!({ "form": "iso8601", "offset": "+07:00", "fraction_digits": 0 })
    );
    assert_eq!(
        signature["x-snapbi-signature"],
        json!({
            "algorithm": "hmac-sha512",
            "string_to_sign": "{method}:{path}:{token}:{body_sha256}:{timestamp}",
            "encoding": "base64",
            "value": "{signature}",
        })
    );
    assert_eq!(
        schemes["doku.symmetric.Authorization"]["x-snapbi-token-operation"],
        "doku.token.b2b"
    );
    let channel = &op["parameters"][3]["schema"];
    assert_eq!(
        (&channel["maxLength"], &channel["examples"]),
        (&json!(5), &json!(["H2H"]))
    );
    // WooshPay's Idempotency-Key is optional.
    let pi = operation(&DOC, endpoint("wooshpay.payment_intents.create"));
    assert_eq!(pi["parameters"][0]["name"], "Idempotency-Key");
    assert_eq!(pi["parameters"][0]["required"], false);
}

#[test]
fn every_ref_resolves() {
    let mut refs = 0;
    walk(&DOC, &mut |node| {
        if let Some(target) = node.get("$ref").and_then(Value::as_str) {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{target}"));
            assert!(
                DOC["components"]["schemas"][name].is_object(),
                "{target} does not resolve"
            );
            refs += 1;
        }
    });
    assert!(refs > 100, "{refs}");
    for op in DOC["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
    {
        for requirement in op.1["security"].as_array().into_iter().flatten() {
            for scheme in requirement.as_object().into_iter().flatten().map(|(name, _)| name) {
                assert!(DOC["components"]["securitySchemes"][scheme].is_object(), "{scheme}");
            }
        }
    }
}

#[test]
fn one_providers_document_holds_that_provider_alone() {
    let dana = document(&API, Some("dana")).unwrap_or_else(|e| panic!("{e}"));
    let outbound = API
        .endpoints
        .iter()
        .filter(|e| e.info.provider == "dana" && e.direction == Direction::Outbound);
    let mut paths = 0;
    for e in outbound {
        assert_eq!(operation(&dana, e)["operationId"], json!(e.info.id));
        paths += 1;
    }
    let operations: Vec<&Value> = dana["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten().map(|(_, op)| op))
        .collect();
    assert_eq!(operations.len(), paths);
    assert!(
        operations
            .iter()
            .all(|op| op["tags"] == json!(["dana"]) && op.get("servers").is_none())
    );
    assert_eq!(dana["servers"][0]["url"], "https://api.sandbox.dana.id");
    assert_eq!(dana["tags"].as_array().map(Vec::len), Some(1));
    assert!(
        dana["components"]["schemas"].get("DokuChannelInfo").is_none(),
        "DOKU's types stay out"
    );
    // The whole document names each operation's servers instead.
    let refund = operation(&DOC, endpoint("doku.direct_debit.refund"));
    assert_eq!(refund["servers"][0]["url"], "https://api-sandbox.doku.com");
}

#[test]
fn an_unknown_provider_is_refused_with_the_known_ones() {
    let err = document(&API, Some("ovo")).err();
    let known = vec![
        "dana".to_owned(),
        "doku".into(),
        "doku_nonsnap".into(),
        "wooshpay".into(),
    ];
    assert_eq!(
        err,
        Some(Error::UnknownProvider {
            name: "ovo".into(),
            known
        })
    );
}

/// Two endpoints at one method and path would be one operation: refused, naming both.
#[test]
fn two_endpoints_at_one_path_and_method_are_refused() {
    let mut api = API.clone();
    let path = endpoint("doku.direct_debit.refund").info.path.clone();
    for e in api
        .endpoints
        .iter_mut()
        .filter(|e| e.info.id == "doku.direct_debit.status")
    {
        e.info.path = path.clone();
    }
    match document(&api, None) {
        Err(Error::SamePath { endpoints, .. }) => {
            assert_eq!(endpoints, ["doku.direct_debit.refund", "doku.direct_debit.status"])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_document_is_the_same_every_time() {
    let again = document(&API, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(serde_json::to_string(&*DOC).ok(), serde_json::to_string(&again).ok());
    let paths: Vec<&String> = DOC["paths"].as_object().into_iter().flat_map(|p| p.keys()).collect();
    assert!(paths.windows(2).all(|w| w[0] < w[1]), "paths are sorted");
}

/// The example provider (`examples/own-provider`, standing on the shipped specs), as a golden file.
#[test]
fn the_example_providers_document_matches_its_golden_file() {
    let specs = support::crate_dir().join("../examples/own-provider/specs");
    let api = match snapbi_spec::load_standing(&specs, Path::new("specs")) {
        Ok(loaded) => loaded.api,
        Err(d) => panic!("{}", snapbi_spec::diagnostic::render_all(&d)),
    };
    let doc = document(&api, None).unwrap_or_else(|e| panic!("{e}"));
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    support::assert_golden(&support::crate_dir().join("tests/snapshots/nusantara.json"), &text);
}

/// Whether `text` is a string somewhere in `value`.
fn holds(value: &Value, text: &str) -> bool {
    match value {
        Value::String(s) => s == text,
        Value::Object(map) => map.values().any(|v| holds(v, text)),
        Value::Array(items) => items.iter().any(|v| holds(v, text)),
        _ => false,
    }
}

/// Calls `visit` on every object in `value`, depth first.
fn walk(value: &Value, visit: &mut dyn FnMut(&Value)) {
    match value {
        Value::Object(map) => {
            visit(value);
            map.values().for_each(|v| walk(v, visit));
        }
        Value::Array(items) => items.iter().for_each(|v| walk(v, visit)),
        _ => {}
    }
}
