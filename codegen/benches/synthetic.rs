//! Synthetic spec sets for the codegen benchmarks: `n` endpoints of 20 request fields each (strings with
//! limits, digits, an enum, a decimal, a datetime, an integer, a nested object and a list), plus the
//! shipped code tables, types and provider, so the set is realistic and valid.

use std::path::{Path, PathBuf};

/// Writes a spec set with `endpoints` synthetic endpoints under a fresh temp dir and returns it.
pub fn write_spec_set(endpoints: usize) -> PathBuf {
    let root = std::env::temp_dir().join(format!("snapbi-synthetic-{endpoints}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    for file in [
        "common/codes.yaml",
        "common/standard.yaml",
        "common/types.yaml",
        "doku/provider.yaml",
        "doku/types.yaml",
        "doku/token/b2b.yaml",
    ] {
        let target = root.join(file);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("create dir");
        std::fs::copy(shipped.join(file), &target).expect("copy shipped spec");
    }
    let dir = root.join("doku/synthetic");
    std::fs::create_dir_all(&dir).expect("create dir");
    for i in 0..endpoints {
        std::fs::write(dir.join(format!("op{i:04}.yaml")), endpoint(i)).expect("write endpoint");
    }
    root
}

/// One endpoint with 20 request fields.
fn endpoint(i: usize) -> String {
    format!(
        r#"id: doku.synthetic.op{i:04}
summary: Synthetic endpoint {i}
provider: doku
method: POST
path: /synthetic/v1/op{i:04}
service_code: "54"
auth: symmetric
headers:
  X-DEVICE-ID: {{ required: true, max_length: 400 }}
request:
  partnerReferenceNo: {{ type: string, required: true, min_length: 1, max_length: 64, doc: Reference. }}
  merchantId: {{ type: string, required: true, max_length: 64, doc: Merchant. }}
  subMerchantId: {{ type: string, max_length: 32, doc: Sub-merchant. }}
  externalStoreId: {{ type: string, max_length: 64, doc: Store. }}
  customerNo: {{ type: string, max_length: 20, charset: digits, doc: Customer number. }}
  virtualAccountName: {{ type: string, max_length: 255, doc: Name. }}
  virtualAccountEmail: {{ type: string, max_length: 255, doc: Email. }}
  virtualAccountPhone: {{ type: string, max_length: 30, charset: digits, doc: Phone. }}
  trxId: {{ type: string, required: true, max_length: 64, doc: Transaction. }}
  reason: {{ type: string, max_length: 256, doc: Reason. }}
  pointOfInitiation: {{ type: string, enum: [app, pc, mweb], doc: Origin. }}
  validUpTo: {{ type: datetime, doc: Expiry. }}
  amount: {{ type: Amount, required: true, doc: Amount. }}
  feeAmount: {{ type: decimal, integer_digits: 16, fraction_digits: 2, doc: Fee. }}
  quantity: {{ type: integer, min: 1, max: 999, doc: Quantity. }}
  urlParam: {{ type: list, items: UrlParam, doc: URLs. }}
  language: {{ type: string, length: 2, doc: Language. }}
  channelCode: {{ type: string, length: 4, charset: digits, doc: Channel. }}
  sourceBankCode: {{ type: string, max_length: 3, doc: Bank. }}
  additionalInfo:
    type: object
    doc: Extra.
    fields:
      deviceId: {{ type: string, max_length: 64, doc: Device. }}
      channel: {{ type: string, max_length: 64, doc: Channel. }}
response:
  responseCode: {{ type: string, doc: Code. }}
  responseMessage: {{ type: string, doc: Message. }}
  referenceNo: {{ type: string, doc: Reference. }}
codes: [2005400, 4005400, 4005401, 4005402, 4015400, 4045418, 5005400]
"#
    )
}
