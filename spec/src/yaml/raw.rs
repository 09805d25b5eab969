//! The spec files exactly as written: serde types that mirror the YAML one to one.
//!
//! Every struct denies unknown keys, so a typo is an error at the key itself. Meaning (which keys go
//! together, which names exist) is checked later, in `ir::lower`, where positions come from
//! [`super::positions::Positions`].

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A YAML mapping whose entries keep their order and their duplicates, so that lowering can report a
/// duplicate field with both positions instead of serde failing on the first.
#[derive(Debug, Clone)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A code written either as a number (`54`, `2005400`) or a string (`"54"`); kept as its digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digits(pub String);

impl<'de> Deserialize<'de> for Digits {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DigitsVisitor;
        impl Visitor<'_> for DigitsVisitor {
            type Value = Digits;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a code made of digits, e.g. \"54\" or 2005400")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Digits, E> {
                Ok(Digits(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Digits, E> {
                Ok(Digits(v.to_owned()))
            }
        }
        deserializer.deserialize_any(DigitsVisitor)
    }
}

/// `common/codes.yaml`: the SNAP service-code and generic case-code tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodesFile {
    /// Two-digit service code → its name and path.
    pub service_codes: OrderedMap<ServiceCodeSpec>,
    /// Generic case codes, valid for every service.
    pub case_codes: Vec<CaseCodeSpec>,
}

/// `sources.yaml`: the public documents the specs' prose cites as `[KEY]` or `[KEY §section]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    /// Citation key (`S4`, `doku-dana`) → the document.
    pub sources: OrderedMap<SourceSpec>,
}

/// One cited document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// What it is, as a reader would look for it.
    pub title: String,
    /// Where a reader opens it (`https://…`).
    pub url: String,
}

/// `common/standard.yaml`: what the SNAP standard says beyond its code tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardFile {
    /// Situation (`missing_field`) → the name of its case in `case_codes` (`InvalidMandatoryField`).
    pub cases: OrderedMap<String>,
    /// The B2B access token.
    pub token: TokenSpec,
    /// Names of the cases meaning a status endpoint never saw the request asked about.
    pub never_seen: Vec<String>,
    /// The service digits of an answer no endpoint's service applies to.
    pub unrouted_service_code: String,
    /// Header source keyword (`external_id`) → the standard's maximum length.
    pub header_max_length: OrderedMap<u32>,
    /// `latestTransactionStatus`.
    pub transaction_status: TransactionStatusSpec,
    /// Body members that carry credentials wherever they appear.
    #[serde(default)]
    pub credential_members: Vec<String>,
}

/// The standard's access token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    /// Seconds it lives.
    pub lifetime_seconds: u32,
    /// Names of the cases after which a client fetches a new one.
    pub refresh_on: Vec<String>,
}

/// `latestTransactionStatus`: values and transitions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionStatusSpec {
    /// Every value.
    pub values: Vec<StatusValueSpec>,
    /// The value a payment starts in.
    pub initial: String,
    /// Action (`refund`) → what it does.
    pub transitions: OrderedMap<TransitionSpec>,
}

/// One status value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusValueSpec {
    /// Two digits.
    pub code: String,
    /// Its meaning.
    pub name: String,
    /// Whether it is final.
    #[serde(default, rename = "final")]
    pub is_final: bool,
}

/// What an action does to a status.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionSpec {
    /// Statuses it applies to.
    pub from: Vec<String>,
    /// The status it leaves.
    pub to: String,
}

/// One service code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCodeSpec {
    /// Human name of the service.
    pub name: String,
    /// Path after `/{version}`, when the standard names one.
    pub path: Option<String>,
}

/// One generic case code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseCodeSpec {
    /// HTTP status, first three digits of the response code.
    pub http: u16,
    /// Two-digit case code, last two digits.
    pub case: Digits,
    /// UpperCamelCase name, used as the Rust variant.
    pub name: String,
    /// Message as published.
    pub message: String,
    /// What the code means for the caller.
    pub outcome: String,
    /// Per-service outcome overrides.
    #[serde(default)]
    pub outcome_by_service: OrderedMap<String>,
}

/// `types.yaml`: shared object types.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypesFile {
    /// Type name → definition.
    pub types: OrderedMap<TypeSpec>,
}

/// One shared object type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeSpec {
    /// Documentation.
    pub doc: Option<String>,
    /// Its fields, in wire order.
    pub fields: OrderedMap<FieldSpec>,
}

/// `<provider>/provider.yaml`: a provider profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFile {
    /// Short name, also the Rust module name.
    pub name: String,
    /// Display name.
    pub title: Option<String>,
    /// Documentation.
    pub doc: Option<String>,
    /// Environment name → base URL.
    pub base_urls: OrderedMap<String>,
    /// How X-TIMESTAMP is written.
    pub timestamp: TimestampSpec,
    /// Endpoint id of the B2B token call, if the provider uses one.
    pub token_endpoint: Option<String>,
    /// Default CHANNEL-ID.
    pub channel_id: Option<String>,
    /// Headers the runtime fills, per auth kind.
    #[serde(default)]
    pub headers: OrderedMap<OrderedMap<HeaderSourceSpec>>,
    /// Signature recipes, per auth kind.
    #[serde(default)]
    pub signatures: OrderedMap<SignatureSpec>,
    /// When an unacknowledged notification is sent again: seconds after the first attempt.
    #[serde(default)]
    pub notification_retry_schedule: Vec<u64>,
    /// When it is sent again, as a count of deliveries within a window with exponential back-off (WooshPay).
    pub notification_retry_backoff: Option<RetryBackoffSpec>,
    /// Service codes this provider uses that the SNAP table (`common/codes.yaml`) lacks.
    #[serde(default)]
    pub service_codes: OrderedMap<ProviderServiceCodeSpec>,
    /// Kinds of records the provider keeps (virtual accounts, bindings), acted on by `create`, `update`,
    /// `delete` and `status` endpoints that name them.
    #[serde(default)]
    pub records: OrderedMap<RecordSpec>,
    /// Message framings other than SNAP's bare JSON body (DANA's Open API `request`/`head`/`body` envelope),
    /// by name; an endpoint opts in with `envelope:`.
    #[serde(default)]
    pub envelopes: OrderedMap<EnvelopeSpec>,
    /// Header source keyword (`request_id`) → this provider's maximum length, beside (and over) the standard's.
    #[serde(default)]
    pub header_max_length: OrderedMap<u32>,
    /// Names of headers of `headers` that the provider does not require (WooshPay's `Idempotency-Key`).
    #[serde(default)]
    pub optional_headers: Vec<String>,
    /// The header that carries the provider's idempotency key, and how a repeat is answered.
    pub idempotency: Option<IdempotencySpec>,
    /// How the provider's own JSON answers tell their code, when they are not SNAP bodies (DOKU non-SNAP).
    pub results: Option<ResultsSpec>,
    /// How the provider signs its answers, per auth kind.
    #[serde(default)]
    pub answer_signatures: OrderedMap<SignedAnswerSpec>,
    /// The key the provider signs its notifications with: `client_secret` (default) or `webhook_secret` (the secret
    /// of the merchant's webhook endpoint, WooshPay's `whsec_…`).
    pub notification_key: Option<String>,
    /// The provider's own page where a customer binds their account (DANA's OAuth page).
    pub consent_page: Option<ConsentPageSpec>,
}

/// `consent_page: { path: /v1.0/get-auth-code, client: partnerId, redirect: redirectUrl, code_param: authCode,
/// echo: [state], phone: { param: seamlessData, member: mobile } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentPageSpec {
    /// Where the page is served.
    pub path: String,
    /// The query parameter naming the client.
    pub client: String,
    /// The query parameter holding the URL to go back to.
    pub redirect: String,
    /// The query parameter the code is added under on the way back.
    pub code_param: String,
    /// Query parameters sent back as they came.
    #[serde(default)]
    pub echo: Vec<String>,
    /// Where the URL may hint at the customer's phone number.
    pub phone: Option<PhoneHintSpec>,
}

/// `{ param: seamlessData, member: mobile }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneHintSpec {
    /// The query parameter.
    pub param: String,
    /// The member of the JSON object it holds.
    pub member: Option<String>,
}

/// `notification_retry_backoff: { deliveries: 18, within_seconds: 259200 }`: a provider that publishes only how many
/// times it delivers an unacknowledged notification, over how long, with exponential back-off.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryBackoffSpec {
    /// Attempts in all, the first included.
    pub deliveries: u32,
    /// Seconds from the first attempt to the last.
    pub within_seconds: u64,
}

/// One of `record_picks`: `{ list: merchantResourceInformations, member: resourceType, asked: merchantResourceInfoList }`
/// keeps the items of the answer's `list` whose `member` is one of the values of the request's `asked`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPickSpec {
    /// Response wire path of a list of objects the record fills.
    pub list: String,
    /// The member of its items that names them.
    pub member: String,
    /// Request wire path of the names asked for: a list of them, or one.
    pub asked: String,
}

/// `record_of: { kind: payment_intent, key: { id: payment_intent }, from: { status: [succeeded] }, once: true,
/// at_most: { amount: amount }, takes: { amount: amount, currency: currency } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordOfSpec {
    /// The kind of the record the new one belongs to.
    pub kind: String,
    /// One of that kind's keys: its record path → the request path that holds its value.
    pub key: OrderedMap<String>,
    /// Its record paths and the values it must report for the create to be served.
    #[serde(default)]
    pub from: OrderedMap<Vec<String>>,
    /// Whether it takes one record of this kind only (DANA: one refund per payment).
    #[serde(default)]
    pub once: bool,
    /// Request paths whose number may not exceed its number at a record path: request path → its record path.
    #[serde(default)]
    pub at_most: OrderedMap<String>,
    /// Record paths of the new record filled from it when the request gives none: new path → its path.
    #[serde(default)]
    pub takes: OrderedMap<String>,
}

/// `idempotency: { header: Request-Id, replay_status: 409 }`: the header whose value names one request, so that the
/// same request sent again gets the first answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdempotencySpec {
    /// A header of the provider's `headers`, filled from `request_id`.
    pub header: String,
    /// The HTTP status a repeat is answered with (the first answer's body); absent: the first answer's own.
    pub replay_status: Option<u16>,
}

/// `{ headers: {Response-Timestamp: timestamp, Signature: "HMACSHA256={signature}", …}, algorithm, string_to_sign }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedAnswerSpec {
    /// Header name → source of its value.
    pub headers: OrderedMap<HeaderSourceSpec>,
    /// Signature algorithm.
    pub algorithm: String,
    /// The string to sign, as a template.
    pub string_to_sign: String,
    /// How the signature is written: `base64` (the default) or `hex`.
    pub encoding: Option<String>,
}

/// `results:` of a provider whose answers are its own JSON: where a refusal's code and message are, and what
/// the provider answers in each situation it refuses a call in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsSpec {
    /// Documentation, with sources.
    pub doc: Option<String>,
    /// Wire paths of an answer's code, the first present counting (`[error.code, "message[0]"]`).
    pub code: Vec<String>,
    /// Wire paths of an answer's message, likewise.
    pub message: Vec<String>,
    /// How the provider refuses a call before serving it; the first entry that fits answers.
    pub refusals: Vec<OwnRefusalSpec>,
}

/// One refusal: `{ when: unauthorized, reason: Invalid Signature, http: 400, body: {error: {code: …}} }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnRefusalSpec {
    /// The situation (as in `common/standard.yaml` `cases`).
    pub when: String,
    /// Only for this reason of the situation (`Invalid Signature`, `Unknown Client`, `Invalid Timestamp`).
    pub reason: Option<String>,
    /// Only for a `header` or only for a `body` field.
    #[serde(rename = "in")]
    pub place: Option<String>,
    /// HTTP status.
    pub http: u16,
    /// The body; `{field}` and `{reason}` are filled in its strings.
    pub body: serde_yaml::Value,
}

/// A message framing: `{"<request>":{"<head>":{…},"<body>":{…}},"<signature>":"…"}`, signed over the exact
/// bytes of the request member, answered as `{"<response>":{"<head>":{…},"<body>":{…}}}` with the outcome in
/// an object of the response body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeSpec {
    /// Documentation.
    pub doc: Option<String>,
    /// Member of the request that is signed and carries head and body (`request`).
    pub request_member: String,
    /// Member of the response that carries head and body (`response`).
    pub response_member: String,
    /// Member next to them that carries the signature (`signature`).
    pub signature_member: String,
    /// Member for the head, in both directions (`head`).
    pub head_member: String,
    /// Member for the body, in both directions (`body`).
    pub body_member: String,
    /// Head members the runtime fills, in order, from the same sources as headers (plus `function` and
    /// `client_secret`); the endpoint's own `headers:` become head members after them.
    pub head: OrderedMap<HeaderSourceSpec>,
    /// The provider's length limits of head members (in characters), which the runtime's values must meet.
    #[serde(default)]
    pub head_max_length: OrderedMap<u32>,
    /// How the request member is signed; `{body}` is that member, byte for byte.
    pub signature: SignatureSpec,
    /// The object of the response body that says how the call went (`resultInfo`).
    pub result: String,
    /// Its member with the status letter: S success, F failure, U unknown (`resultStatus`).
    pub result_status: String,
    /// Its member with the code an endpoint's `result_codes` name (`resultCode`).
    pub result_code: String,
    /// Its member with the human-readable message (`resultMsg`).
    pub result_message: String,
    /// Its member with the provider's numeric id of the code (`resultCodeId`), answered for the codes whose
    /// `id` is published.
    pub result_code_id: Option<String>,
    /// The result codes the provider refuses a call with before serving it; every endpoint in the envelope
    /// declares them among its `result_codes`.
    pub refusals: RefusalsSpec,
}

/// The result codes of an envelope's refusals.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalsSpec {
    /// A malformed call: not JSON, a head member missing or too long, a field against the spec.
    pub malformed: String,
    /// An unknown client id or a client secret that is not the client's.
    pub client: String,
    /// A signature that does not verify.
    pub signature: String,
}

/// A service code only this provider uses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderServiceCodeSpec {
    /// Human name of the service.
    pub name: String,
    /// Path after `/{version}`, when the provider publishes one.
    pub path: Option<String>,
    /// Why the provider uses a code outside the SNAP table, with sources.
    pub note: String,
}

/// A kind of record the provider keeps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSpec {
    /// What the record is.
    pub doc: Option<String>,
    /// Wire paths of the fields that together identify one record.
    pub key: Vec<String>,
    /// Other sets of wire paths that each identify one record as well (the merchant's own id beside the one the
    /// provider issued).
    #[serde(default)]
    pub alternate_keys: Vec<Vec<String>>,
    /// Wire paths that, when a request carries them, must equal the record's (else it is not found).
    #[serde(default, rename = "match")]
    pub match_fields: Vec<String>,
    /// Case code answered by a SNAP endpoint for a record that does not exist, e.g. `"12"`: `404xx12`. An
    /// enveloped endpoint names its own result code instead (`record_codes`).
    pub not_found: Option<Digits>,
    /// The HTTP status of that answer, when the provider's is not 404 (DANA answers an unregistered account
    /// `4033705`: `not_found_http: 403`, `not_found: "05"`).
    pub not_found_http: Option<u16>,
    /// Where the record's notifications go when it names a URL of its own (DOKU's
    /// `additional_info.override_notification_url`).
    pub notify_url: Option<NotifyUrlSpec>,
}

/// `{ field: additional_info.override_notification_url, same_path: true }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyUrlSpec {
    /// The record's wire path holding the URL.
    pub field: String,
    /// The URL is taken only when its path is the configured notification URL's.
    #[serde(default)]
    pub same_path: bool,
}

/// X-TIMESTAMP style.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampSpec {
    /// `iso8601` (the default) or `unix_seconds`.
    pub form: Option<String>,
    /// UTC offset, e.g. `+07:00` (ISO 8601 only, where it is required).
    pub offset: Option<String>,
    /// Digits after the seconds (0 = none; ISO 8601 only).
    pub fraction_digits: Option<u8>,
}

/// Where a runtime-filled header's value comes from.
#[derive(Debug, Clone)]
pub enum HeaderSourceSpec {
    /// A source keyword such as `client_id` or `timestamp`.
    Source(String),
    /// A constant value.
    Value(String),
}

impl<'de> Deserialize<'de> for HeaderSourceSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Constant {
            value: String,
        }
        struct SourceVisitor;
        impl<'de> Visitor<'de> for SourceVisitor {
            type Value = HeaderSourceSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a source keyword (e.g. client_id) or { value: \"constant\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(HeaderSourceSpec::Source(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let c = Constant::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(HeaderSourceSpec::Value(c.value))
            }
        }
        deserializer.deserialize_any(SourceVisitor)
    }
}

/// A signature recipe.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureSpec {
    /// `hmac-sha512` or `rsa-sha256`.
    pub algorithm: String,
    /// Template with `{method}`, `{path}`, `{token}`, `{body_sha256}`, `{timestamp}`, `{client_id}`.
    pub string_to_sign: String,
    /// How the signature is written: `base64` (the default) or `hex`.
    pub encoding: Option<String>,
}

/// One endpoint file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointFile {
    /// Stable id, `<provider>.<name…>`.
    pub id: String,
    /// One-line summary.
    pub summary: String,
    /// Longer documentation.
    pub doc: Option<String>,
    /// Provider name.
    pub provider: String,
    /// HTTP method.
    pub method: String,
    /// Relative path, as signed.
    pub path: String,
    /// Other paths the provider serves the same endpoint at (the route an SDK calls where the provider's
    /// documents name another): the client calls `path`, the sandbox answers at every one.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Two-digit SNAP service code (absent for an endpoint in a non-SNAP `envelope`).
    pub service_code: Option<Digits>,
    /// The service code of the provider's answers that refuse a call before serving it (a header, the
    /// signature, a body field), when it is not `service_code` (DANA refuses consult pay with `4000001`).
    pub refusal_service_code: Option<Digits>,
    /// The provider refuses an empty string in a required field as missing (`400xx02`), not as a format error.
    #[serde(default)]
    pub empty_means_missing: bool,
    /// Situations this endpoint is answered in with another case than the standard's (`standard.yaml` `cases`):
    /// situation → case name of `codes.yaml`, where the provider documents another code for it.
    #[serde(default)]
    pub cases: OrderedMap<String>,
    /// `token`, `symmetric` or `asymmetric`.
    pub auth: String,
    /// The endpoint that reports this one's outcome.
    pub status_endpoint: Option<String>,
    /// `outbound` (default: the merchant calls the provider) or `inbound` (the provider calls the
    /// merchant, e.g. a payment notification).
    pub direction: Option<String>,
    /// What the endpoint does: `token`, `payment`, `refund`, `status`, `cancel`, `create`, `update`,
    /// `delete`, `notify` or `other` (default).
    pub operation: Option<String>,
    /// The provider's kind of record this endpoint creates, updates, deletes or reports, or whose payments it
    /// notifies (`operation`; a `notify` without one notifies a payment).
    pub record: Option<String>,
    /// With `operation: notify` and a `record`: other kinds of record whose events it carries too, sent by their
    /// updates' `notifies` (WooshPay's one webhook endpoint gets a Checkout Session's `checkout.session.expired`).
    #[serde(default)]
    pub carries: Vec<String>,
    /// How the request names its record when not by the kind's key under the same wire names: alternatives,
    /// each with an optional condition, the first that holds wins.
    #[serde(default)]
    pub record_key: Vec<RecordKeySpec>,
    /// Request fields written into the record under another wire name: record path → request path.
    #[serde(default)]
    pub record_fields: OrderedMap<String>,
    /// Headers of the call written into the record: record path → header name (DOKU's `Request-Id`, which check
    /// status and the notification give back as `transaction.original_request_id`).
    #[serde(default)]
    pub record_headers: OrderedMap<String>,
    /// The result codes an enveloped endpoint answers record situations with.
    pub record_codes: Option<RecordCodesSpec>,
    /// Lists of the answer the record fills, cut to the items the request asks for.
    #[serde(default)]
    pub record_picks: Vec<RecordPickSpec>,
    /// With `operation: update`: record paths and the values the record must report for the update to be served
    /// (WooshPay cancels a PaymentIntent from four statuses only).
    #[serde(default)]
    pub record_from: OrderedMap<Vec<String>>,
    /// With `operation: update`: values the update writes into the record (`status: canceled`).
    #[serde(default)]
    pub record_sets: OrderedMap<String>,
    /// With `operation: create`: the record of another kind this one belongs to (WooshPay's refund, of a
    /// PaymentIntent), which must exist and may bound and fill the new one.
    pub record_of: Option<RecordOfSpec>,
    /// With `operation: update`: the kind's notifications are sent after it, with these request fields of theirs set
    /// to these values (WooshPay's `type: payment_intent.canceled`).
    #[serde(default)]
    pub notifies: OrderedMap<String>,
    /// With `operation: status` and a `record`: response fields (wire names) and the values they report for a
    /// paid record (`paymentFlagStatus: "00"`); paying a record writes them into it. `null`: a paid record
    /// holds the field empty (WooshPay's paid PaymentIntent answers `next_action: null`).
    #[serde(default)]
    pub paid: OrderedMap<Option<String>>,
    /// What the endpoint does with the provider's simulated customers: binds one through a consent page, reads or
    /// debits a wallet, unbinds.
    pub customer: Option<CustomerSpec>,
    /// Wire paths of the request fields that identify one operation (resending them must not repeat it).
    #[serde(default)]
    pub idempotency_keys: Vec<String>,
    /// How to ask `status_endpoint` about this request when its outcome is unknown.
    pub status_query: Option<StatusQuerySpec>,
    /// Caller-supplied headers.
    #[serde(default)]
    pub headers: OrderedMap<FieldSpec>,
    /// Path parameters: the values of the `{name}` placeholders of `path` (and of each alias).
    #[serde(default)]
    pub params: OrderedMap<FieldSpec>,
    /// Request body fields.
    #[serde(default)]
    pub request: OrderedMap<FieldSpec>,
    /// Response body fields.
    #[serde(default)]
    pub response: OrderedMap<FieldSpec>,
    /// Response codes the endpoint can return.
    #[serde(default)]
    pub codes: Vec<CodeRefSpec>,
    /// Rules across request fields ("one of these", "required when", "narrowed when").
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Response fields the provider fills with what the request does not hold: values it issues, or the
    /// request's values in another place.
    #[serde(default)]
    pub answers: Vec<AnswerSpec>,
    /// The provider's envelope this endpoint is framed in (instead of a bare SNAP body).
    pub envelope: Option<String>,
    /// The envelope's name for this operation (DANA's `function`, e.g. `dana.member.query.queryUserProfile`).
    pub function: Option<String>,
    /// The result codes an enveloped endpoint, or one of a provider with `results`, answers with (instead of
    /// SNAP `codes`).
    #[serde(default)]
    pub result_codes: Vec<ResultCodeSpec>,
    /// For a provider with `results`: the response field whose value is a 2xx answer's code (`payment.status`).
    pub status_field: Option<String>,
}

/// One way a request names its record: `{ when: {field, is}, key: { <record path>: <request path> } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordKeySpec {
    /// The condition under which the request names the record this way.
    pub when: Option<ConditionSpec>,
    /// One of the kind's keys: each of its record paths, with the request path that holds its value.
    pub key: OrderedMap<String>,
}

/// `customer:` of an endpoint: `{ act: bind, phone: phoneNo, consent: {…}, code: …, codes: {…} }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerSpec {
    /// `bind`, `balance`, `pay` or `unbind`.
    pub act: String,
    /// The act is done only for a request this condition holds for.
    pub when: Option<ConditionSpec>,
    /// `bind`: request wire path of the customer's phone number.
    pub phone: Option<String>,
    /// `bind`: the consent page.
    pub consent: Option<ConsentSpec>,
    /// `bind`: response wire path answered with the authorization code.
    pub code: Option<String>,
    /// Where the customer token travels: `{ header: Authorization-Customer }` or `{ field: tokenId }`.
    pub token: Option<TokenPlaceSpec>,
    /// `balance`: response wire path answered with the wallet's balance.
    pub balance: Option<String>,
    /// `identify`: response wire path of an issued value standing for the customer afterwards.
    pub one_time_token: Option<String>,
    /// `identify`: the one-time token is one resource of a list the request asks for (DANA's query user profile).
    pub resource: Option<ResourceSpec>,
    /// `pay`: the query parameter of the payment's page that may carry such a one-time token.
    pub page_token: Option<String>,
    /// `history`: where the request asks and the answer lists.
    pub history: Option<HistorySpec>,
    /// Codes of the customer situations.
    pub codes: Option<CustomerCodesSpec>,
}

/// `history:` of a customer's transaction history: `{ list: detailData, item: {…}, page_size: pageSize, … }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistorySpec {
    /// Response wire path of the list.
    pub list: String,
    /// Item members answered with the ledger's facts.
    #[serde(default)]
    pub item: HistoryItemSpec,
    /// Request wire path of the page size.
    pub page_size: Option<String>,
    /// Request wire path of the page number.
    pub page_number: Option<String>,
    /// Request wire path of the range's start.
    pub from: Option<String>,
    /// Request wire path of the range's end.
    pub to: Option<String>,
    /// Request wire path of the statuses to keep.
    pub statuses: Option<String>,
    /// Request wire path of the types to keep.
    pub types: Option<String>,
    /// `latestTransactionStatus` value → the provider's name.
    #[serde(default)]
    pub status_names: OrderedMap<String>,
    /// `payment` / `refund` → the provider's name.
    #[serde(default)]
    pub type_names: OrderedMap<String>,
}

/// `item: { time: dateTime, amount: amount, status: status, type: type }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryItemSpec {
    /// Item member answered with the time.
    pub time: Option<String>,
    /// Item member answered with the amount.
    pub amount: Option<String>,
    /// Item member answered with the status's name.
    pub status: Option<String>,
    /// Item member answered with the type's name.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `consent:` of a binding: `{ page: redirectUrl, approved: <request path>, rejected: <request path>, code_param }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentSpec {
    /// Response wire path answered with the consent page's URL.
    pub page: String,
    /// Request wire path of the URL an approval sends the customer to.
    pub approved: String,
    /// Request wire path of the URL a rejection sends the customer to.
    pub rejected: Option<String>,
    /// Query parameter carrying the authorization code on the approved URL.
    pub code_param: Option<String>,
}

/// `resource:` of an `identify`: `{ asked: userResources, name: resourceType, value: OTT }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// Request wire path of the list of resources asked for.
    pub asked: String,
    /// Member of the one-time token's list item that names the resource.
    pub name: String,
    /// The name of the one-time token's resource.
    pub value: String,
}

/// `{ header: <name> }` or `{ field: <request wire path> }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenPlaceSpec {
    /// A header of the endpoint's.
    pub header: Option<String>,
    /// A request wire path.
    pub field: Option<String>,
}

/// `{ not_found: 4040711, frozen: 4030718, insufficient_funds: 4035414, invalid_token: 4011102 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerCodesSpec {
    /// No customer has the phone number named.
    pub not_found: Option<Digits>,
    /// The customer's account is frozen.
    pub frozen: Option<Digits>,
    /// The wallet holds less than the amount.
    pub insufficient_funds: Option<Digits>,
    /// The customer token is unknown, expired or revoked.
    pub invalid_token: Option<Digits>,
}

/// `{ not_found: SHOP_NOT_EXIST, exists: ROLE_HAS_EXIST }`: result codes of an enveloped endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordCodesSpec {
    /// The record the request names does not exist.
    pub not_found: Option<String>,
    /// A record with a key this call gives exists already.
    pub exists: Option<String>,
}

/// A result code: of an enveloped endpoint `{ code: SUCCESS, status: S, outcome: success, message: success }`,
/// of a provider with `results` `{ code: PENDING, http: 200, outcome: pending, message: … }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultCodeSpec {
    /// The code as answered (`SUCCESS`, `PARAM_ILLEGAL`, `invalid_signature`).
    pub code: String,
    /// In an envelope: the provider's status letter for it (`S`, `F`, `U`), as documented; answered in the
    /// result object.
    pub status: Option<String>,
    /// With `results`: the HTTP status it is answered with.
    pub http: Option<u16>,
    /// With `results`: which of the provider's code places the code is answered at (`message[0]`), when not the
    /// first.
    pub at: Option<String>,
    /// The provider's numeric id for it (`00000000`), when published.
    pub id: Option<String>,
    /// What it means for the caller.
    pub outcome: String,
    /// The message the provider sends with it.
    pub message: String,
    /// What the code means here.
    pub doc: Option<String>,
}

/// How the provider fills one response field: `issued: true` or `from: <request wire path>`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerSpec {
    /// The response field's wire path (`userResources[].value`).
    pub field: String,
    /// A value the provider makes up itself (a one-time token): the sandbox answers a fresh opaque one.
    pub issued: Option<bool>,
    /// With `issued`: the text the provider's issued values start with (WooshPay's `pi_`).
    pub prefix: Option<String>,
    /// The request's value at this wire path (`userResources[]`: one list item per request item).
    pub from: Option<String>,
    /// A value the provider documents answering with, a string (DOKU's `payment.status: PENDING` at creation).
    pub value: Option<String>,
    /// The provider's page where the customer pays the record a create makes (DOKU Checkout's `payment.url`): the
    /// sandbox answers the URL of its own page for the record.
    pub page: Option<bool>,
    /// In a record's notification (an inbound `notify` endpoint): the record whole, as its kind's status endpoint
    /// answers it (WooshPay's event `data.object`).
    pub record: Option<bool>,
    /// Why, with its source.
    pub doc: Option<String>,
}

/// One cross-field rule of a request: `one_of`, or `when` with `require` or `allow`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// At least one of these wire paths is present.
    pub one_of: Option<Vec<String>>,
    /// The condition of `require` / `allow`.
    pub when: Option<ConditionSpec>,
    /// Wire paths required when the condition holds.
    pub require: Option<Vec<String>>,
    /// A value narrowed when the condition holds.
    pub allow: Option<ConditionSpec>,
    /// A length narrowed when the condition holds.
    pub limit: Option<LimitSpec>,
    /// Why the rule exists, with its source.
    pub doc: Option<String>,
}

/// `{field: partnerRefundNo, max_length: 12}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// Wire path of a string value.
    pub field: String,
    /// Fewest characters.
    pub min_length: Option<u32>,
    /// Most characters.
    pub max_length: Option<u32>,
}

/// `{field: additionalInfo.channel, is: [A, B]}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    /// Wire path of a string value.
    pub field: String,
    /// Values.
    pub is: Vec<String>,
}

/// A field (or header) definition; also written as a bare type name (`referenceNo: string`).
#[derive(Debug, Default)]
pub struct FieldSpec(pub FieldBody);

impl std::ops::Deref for FieldSpec {
    type Target = FieldBody;
    fn deref(&self) -> &FieldBody {
        &self.0
    }
}

/// The keys of a field definition written as a mapping.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldBody {
    /// Type name: a primitive or a shared type.
    #[serde(rename = "type")]
    pub ty: Option<String>,
    /// Must be present.
    #[serde(default)]
    pub required: bool,
    /// Documentation.
    pub doc: Option<String>,
    /// Where sources disagree and which reading was chosen.
    pub note: Option<String>,
    /// Redacted in Debug.
    #[serde(default)]
    pub sensitive: bool,
    /// An example value.
    pub example: Option<String>,
    /// Minimum length in characters.
    pub min_length: Option<u32>,
    /// Maximum length in characters.
    pub max_length: Option<u32>,
    /// Exact length in characters.
    pub length: Option<u32>,
    /// Allowed characters.
    pub charset: Option<String>,
    /// A known format (`ipv4`).
    pub format: Option<String>,
    /// Anchored regular expression.
    pub pattern: Option<String>,
    /// Allowed values.
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    /// Decimal: digits before the point.
    pub integer_digits: Option<u32>,
    /// Decimal: digits after the point.
    pub fraction_digits: Option<u32>,
    /// Integer: smallest value.
    pub min: Option<i64>,
    /// Integer: largest value.
    pub max: Option<i64>,
    /// Object: its fields.
    pub fields: Option<OrderedMap<FieldSpec>>,
    /// List: the item type.
    pub items: Option<Box<FieldSpec>>,
    /// List: fewest items.
    pub min_items: Option<u32>,
    /// List: most items.
    pub max_items: Option<u32>,
}

impl<'de> Deserialize<'de> for FieldSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;
impl<'de> Visitor<'de> for FieldVisitor {
    type Value = FieldSpec;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a type name or a field mapping")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldSpec, E> {
        Ok(FieldSpec(FieldBody {
            ty: Some(v.to_owned()),
            ..FieldBody::default()
        }))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FieldSpec, A::Error> {
        FieldBody::deserialize(de::value::MapAccessDeserializer::new(map)).map(FieldSpec)
    }
}

/// A response code in an endpoint's `codes:` list: `2005400` or `{ code: 4045418, outcome: failed }`.
#[derive(Debug)]
pub struct CodeRefSpec {
    /// Seven digits.
    pub code: Digits,
    /// Overrides the case table's outcome for this endpoint.
    pub outcome: Option<String>,
    /// What the code means here.
    pub doc: Option<String>,
}

impl<'de> Deserialize<'de> for CodeRefSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            code: Digits,
            outcome: Option<String>,
            doc: Option<String>,
        }
        struct CodeVisitor;
        impl<'de> Visitor<'de> for CodeVisitor {
            type Value = CodeRefSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a 7-digit code or { code, outcome, doc }")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CodeRefSpec, E> {
                Ok(CodeRefSpec {
                    code: Digits(v.to_string()),
                    outcome: None,
                    doc: None,
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CodeRefSpec, E> {
                Ok(CodeRefSpec {
                    code: Digits(v.to_owned()),
                    outcome: None,
                    doc: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CodeRefSpec, A::Error> {
                let f = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(CodeRefSpec {
                    code: f.code,
                    outcome: f.outcome,
                    doc: f.doc,
                })
            }
        }
        deserializer.deserialize_any(CodeVisitor)
    }
}

/// How a money-moving endpoint asks its status endpoint about one of its requests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusQuerySpec {
    /// Status request field → where its value comes from.
    pub request: OrderedMap<QuerySourceSpec>,
    /// The status response field that tells the outcome.
    pub field: String,
    /// Values of `field` that mean the original request succeeded.
    pub success: Vec<String>,
    /// Values that mean it failed for good.
    #[serde(default)]
    pub failed: Vec<String>,
    /// Values that mean the provider never saw it (it may be sent again, with the same references).
    #[serde(default)]
    pub not_found: Vec<String>,
}

/// Where a status-request value comes from: a field of the original request, or a constant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySourceSpec {
    /// Wire path in the original request (`partnerReferenceNo`, `additionalInfo`).
    pub from: Option<String>,
    /// A constant string.
    pub value: Option<String>,
}
