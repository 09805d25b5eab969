//! The checked intermediate representation: plain data that every back end reads.
//!
//! Built by [`lower::lower`] from a [`crate::yaml::SpecSet`]. Everything in here is valid: names are legal
//! Rust identifiers and unique where they must be, limits are consistent, references resolve.

mod citations;
pub mod lower;
pub mod paths;
pub mod samples;
mod select;
mod world;

pub use citations::{Citation, Source, citations, is_key, link};
pub use snapbi_descriptor::{
    Action, Case, CaseCode, CodeTables, Encoding, EndpointInfo, Envelope, Enveloped, HeaderSource, Idempotency, List,
    Part, Path, ProviderServiceCode, QuerySource, Recipe, Refusals, Results, Rule, ServiceCode, SignedAnswer,
    Situation, Standard, StatusQuery, StatusValue, Text, TimestampForm, TransactionStatus, Transition, When,
};
pub use snapbi_rules::{Algorithm, AuthKind, Charset, Format, Outcome};
pub use world::{
    Consent, ConsentPage, CustomerAct, CustomerCodes, CustomerUse, History, HistoryItem, OneTimeResource, PhoneHint,
    TokenPlace,
};

/// The whole API described by a specs directory.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// Service and case code tables.
    pub codes: CodeTables,
    /// The standard's other facts (`common/standard.yaml`).
    pub standard: Standard,
    /// Shared object types, in file order.
    pub types: Vec<ObjectType>,
    /// Providers, sorted by name.
    pub providers: Vec<Provider>,
    /// Endpoints, sorted by id.
    pub endpoints: Vec<Endpoint>,
    /// The documents the prose cites (`sources.yaml`), in file order; every citation in the prose is a link.
    pub sources: Vec<Source>,
}

impl Api {
    /// The shared type called `name`.
    pub fn shared_type(&self, name: &str) -> Option<&ObjectType> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The endpoint with this id.
    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.info.id == id)
    }

    /// The envelope `endpoint` is framed in, if any.
    pub fn envelope_of(&self, endpoint: &Endpoint) -> Option<&Envelope> {
        let name = &endpoint.info.envelope.as_ref()?.envelope;
        self.provider(&endpoint.info.provider)?
            .envelopes
            .iter()
            .find(|e| &e.name == name)
    }

    /// The provider named `name`.
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// `provider`'s payment notification ([`Endpoint::is_payment_notification`]); lowering allows one at most.
    pub fn payment_notification(&self, provider: &str) -> Option<&Endpoint> {
        self.endpoints
            .iter()
            .find(|e| e.info.provider == provider && e.is_payment_notification())
    }
}

/// A provider profile.
#[derive(Debug, Clone)]
pub struct Provider {
    /// Short name, also the Rust module.
    pub name: String,
    /// Display name.
    pub title: String,
    /// Documentation.
    pub doc: Option<String>,
    /// (environment, base URL), in file order.
    pub base_urls: Vec<(String, String)>,
    /// The form of the provider's timestamps: ISO 8601 (with the offset and fraction digits below) or Unix seconds.
    pub timestamp_form: TimestampForm,
    /// X-TIMESTAMP offset, e.g. `+07:00` (`Z` for a provider writing Unix seconds: they count from UTC).
    pub timestamp_offset: String,
    /// X-TIMESTAMP fraction digits.
    pub timestamp_fraction_digits: u8,
    /// Token endpoint id.
    pub token_endpoint: Option<String>,
    /// Default CHANNEL-ID.
    pub channel_id: Option<String>,
    /// Runtime-filled headers per auth kind.
    pub headers: Vec<(AuthKind, Vec<(String, HeaderSource)>)>,
    /// Signature recipes per auth kind.
    pub signatures: Vec<(AuthKind, Recipe)>,
    /// Seconds after the first attempt at which an unacknowledged notification is sent again (a provider's
    /// `notification_retry_backoff` lowered to its offsets).
    pub notification_retry_schedule: Vec<u64>,
    /// Kinds of records the provider keeps, in file order.
    pub records: Vec<RecordKind>,
    /// Message framings other than a bare SNAP body, by name.
    pub envelopes: Vec<Envelope>,
    /// Maximum lengths of the headers a client fills that the provider sets beside the standard's (DOKU's
    /// non-SNAP `Request-Id`: 128), by the source of their values.
    pub header_max_length: Vec<(HeaderSource, u32)>,
    /// Headers of `headers` the provider does not require: the runtime sends them, the sandbox accepts a call
    /// without them (WooshPay's `Idempotency-Key`).
    pub optional_headers: Vec<String>,
    /// The header that carries the provider's idempotency key and how a repeat is answered (DOKU's non-SNAP
    /// `Request-Id`, WooshPay's `Idempotency-Key`).
    pub idempotency: Option<Idempotency>,
    /// How the provider's own JSON answers tell their code, when they are not SNAP bodies (DOKU non-SNAP).
    pub results: Option<Results>,
    /// With `results`: how the provider refuses a call before serving it, in file order (the first that fits
    /// a refusal answers it).
    pub refusals: Vec<OwnRefusal>,
    /// How the provider signs its answers, per auth kind (DOKU's non-SNAP `Response-Timestamp` scheme).
    pub answer_signatures: Vec<(AuthKind, SignedAnswer)>,
    /// The key its symmetric notifications are signed with.
    pub notification_key: NotificationKey,
    /// Its own page where a customer binds their account, which only the customer's browser opens (DANA's OAuth
    /// page).
    pub consent_page: Option<ConsentPage>,
}

/// The key a provider signs its symmetric notifications with (`notification_key` of a provider file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NotificationKey {
    /// The client's secret, the key of its calls' signatures too (SNAP's and DOKU's).
    #[default]
    ClientSecret,
    /// The secret of the merchant's webhook endpoint, apart from the API key (WooshPay's `whsec_…`).
    WebhookSecret,
}

/// A refusal in a provider's own JSON (`results.refusals` of a provider file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnRefusal {
    /// The situation it answers.
    pub situation: Situation,
    /// Only for this reason of the situation (`Invalid Signature` of `unauthorized`).
    pub reason: Option<String>,
    /// Only for a header (`Some(true)`) or only for a body field (`Some(false)`).
    pub header: Option<bool>,
    /// HTTP status.
    pub http: u16,
    /// The body, JSON, with `{field}` and `{reason}` to fill in string values.
    pub body: serde_json::Value,
    /// The code the body carries at the provider's code places, when it is fixed (no placeholder).
    pub code: Option<String>,
}

/// A kind of record a provider keeps (a virtual account, a binding): created, updated, deleted and reported by
/// the endpoints that name it (`record:` with operation `create`, `update`, `delete` or `status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKind {
    /// snake_case name, unique within the provider.
    pub name: String,
    /// What the record is.
    pub doc: Option<String>,
    /// Wire paths of the fields that together identify one record.
    pub key: Vec<String>,
    /// Other sets of wire paths that each identify one record as well (DANA's shop: the merchant's id and its
    /// own id for the shop, beside the shop id DANA issued).
    pub alternate_keys: Vec<Vec<String>>,
    /// Wire paths that, when a request carries them, must equal the record's, else it is not found.
    pub match_fields: Vec<String>,
    /// Case code a SNAP endpoint answers for a record that does not exist (`12`: `404xx12`); none for a kind
    /// that only enveloped endpoints look up (they name a result code, [`RecordCodes`]).
    pub not_found: Option<String>,
    /// HTTP status of that answer (404 unless the provider file says otherwise).
    pub not_found_http: u16,
    /// Where its notifications go when it names a URL of its own; none: the payment's `urlParam` or the configured
    /// notification URL.
    pub notify_url: Option<NotifyUrl>,
}

/// A record's own notification URL (`notify_url` of a record kind): DOKU's `override_notification_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyUrl {
    /// The record's wire path holding the URL.
    pub field: String,
    /// Taken only when its path is the configured notification URL's ("Override URL path must be the same as the
    /// configured Notification URL path"); else the configured URL is used.
    pub same_path: bool,
}

impl RecordKind {
    /// Every set of wire paths that identifies one record: `key` first, then `alternate_keys`.
    pub fn keys(&self) -> impl Iterator<Item = &[String]> {
        std::iter::once(self.key.as_slice()).chain(self.alternate_keys.iter().map(Vec::as_slice))
    }
}

/// A list of the answer that the record fills, cut to the items the request asks for ([`Endpoint::record_picks`]):
/// DANA's query merchant resource answers the balances named in `merchantResourceInfoList`, not every balance the
/// merchant's record holds. A request without `asked` keeps every item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPick {
    /// Response wire path of the list (of objects).
    pub list: String,
    /// The member of its items compared with the names asked for.
    pub member: String,
    /// Request wire path of the names asked for: a list of strings, or one string.
    pub asked: String,
}

/// The record a create's record belongs to ([`Endpoint::record_of`]): it must exist for the same client and report
/// one of the `from` values; with `once`, it takes one such record only; it bounds request numbers (`at_most`) and
/// fills what the request leaves out (`takes`). WooshPay's refund: of a PaymentIntent that `succeeded`, once, for at
/// most its `amount`, in its `currency`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordOf {
    /// Its kind, one of the provider's `records`.
    pub kind: String,
    /// One of its kind's keys: (its record wire path, request wire path holding the value), in key order.
    pub key: Vec<(String, String)>,
    /// (its record wire path, the values it may report), in spec order.
    pub from: Vec<(String, Vec<String>)>,
    /// It takes one record of the create's kind only.
    pub once: bool,
    /// (request wire path, its record wire path): the request's number may not exceed its number.
    pub at_most: Vec<(String, String)>,
    /// (new record wire path, its record wire path): filled from it when the request gives no value.
    pub takes: Vec<(String, String)>,
}

/// One way a request names its record ([`Endpoint::record_key`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordLookup {
    /// The condition under which the request names the record this way; none: always.
    pub when: Option<When>,
    /// One of the kind's keys: (record wire path, request wire path that holds its value), in key order.
    pub key: Vec<(String, String)>,
}

/// The result codes an enveloped endpoint answers record situations with (SNAP endpoints use the kind's
/// `not_found` and the standard's cases).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordCodes {
    /// The record the request names does not exist.
    pub not_found: Option<String>,
    /// A record with a key this call gives (creates, or writes by an update) exists already.
    pub exists: Option<String>,
}

impl Provider {
    /// The longest value a header filled by `source` may have: the provider's limit, else the standard's.
    pub fn header_limit(&self, standard: &Standard, source: &HeaderSource) -> Option<u32> {
        let own = self.header_max_length.iter().find(|(s, _)| s == source);
        own.map(|(_, max)| *max).or_else(|| standard.header_limit(source))
    }

    /// The kind of record called `name`.
    pub fn record(&self, name: &str) -> Option<&RecordKind> {
        self.records.iter().find(|r| r.name == name)
    }

    /// The runtime-filled headers for `auth`.
    pub fn headers_for(&self, auth: AuthKind) -> &[(String, HeaderSource)] {
        self.headers
            .iter()
            .find(|(k, _)| *k == auth)
            .map(|(_, h)| h.as_slice())
            .unwrap_or(&[])
    }

    /// How the provider signs its answers to `auth` calls, if it does.
    pub fn answer_signature_for(&self, auth: AuthKind) -> Option<&SignedAnswer> {
        self.answer_signatures.iter().find(|(k, _)| *k == auth).map(|(_, a)| a)
    }

    /// The signature recipe for `auth`.
    pub fn signature_for(&self, auth: AuthKind) -> Option<&Recipe> {
        self.signatures.iter().find(|(k, _)| *k == auth).map(|(_, r)| r)
    }
}

/// Who calls whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    /// The merchant calls the provider (a client method is generated).
    Outbound,
    /// The provider calls the merchant (types only: a notification and its acknowledgement).
    Inbound,
}

/// What an endpoint does, for the sandbox's ledger and the client's retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    /// Issues an access token.
    Token,
    /// Moves money from the customer to the merchant.
    Payment,
    /// Returns money of an earlier payment.
    Refund,
    /// Reports the state of an earlier payment, or of a record when the endpoint names a `record`.
    Status,
    /// Cancels an earlier payment.
    Cancel,
    /// Creates a record of the endpoint's `record` kind (a virtual account, a binding).
    Create,
    /// Changes a record of the endpoint's `record` kind.
    Update,
    /// Removes a record of the endpoint's `record` kind.
    Delete,
    /// The provider tells the merchant that something was paid (an inbound endpoint): a record of the endpoint's
    /// `record` kind (DOKU's VA payment notification), or without a `record` a payment (DOKU's direct-debit and
    /// DANA's finish notification).
    Notify,
    /// Anything else.
    Other,
}

impl Operation {
    /// Every operation with its spec spelling.
    pub const ALL: [(&'static str, Operation); 10] = [
        ("token", Operation::Token),
        ("payment", Operation::Payment),
        ("refund", Operation::Refund),
        ("status", Operation::Status),
        ("cancel", Operation::Cancel),
        ("create", Operation::Create),
        ("update", Operation::Update),
        ("delete", Operation::Delete),
        ("notify", Operation::Notify),
        ("other", Operation::Other),
    ];

    /// Whether the operation acts on a record (and so needs the endpoint's `record`). A `notify` may name one
    /// (the notification of a paid record) or not (the notification of a payment).
    pub fn needs_record(self) -> bool {
        matches!(self, Operation::Create | Operation::Update | Operation::Delete)
    }

    /// Whether the operation may name a `record`.
    pub fn takes_record(self) -> bool {
        self.needs_record() || matches!(self, Operation::Status | Operation::Notify)
    }

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, o)| *o == self)
            .map(|(s, _)| *s)
            .unwrap_or("other")
    }
}

/// A shared object type.
#[derive(Debug, Clone)]
pub struct ObjectType {
    /// UpperCamelCase name.
    pub name: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Fields in wire order.
    pub fields: Vec<Field>,
}

/// An endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// What the runtime needs to call it: id, provider, method, path, service code, auth, summary and envelope.
    pub info: EndpointInfo,
    /// snake_case module and client-method name.
    pub module: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Other paths the provider serves the endpoint at (the sandbox answers at each; a request is signed over
    /// the path it was sent to).
    pub aliases: Vec<String>,
    /// The service code of refusals before the call is served (headers, signature, body fields): the
    /// endpoint's own unless the provider answers them under another (DANA's consult pay: `00`).
    pub refusal_service_code: String,
    /// The provider answers an empty string in a required field `400xx02` (missing), not `400xx01`.
    pub empty_means_missing: bool,
    /// Situations the provider answers at this endpoint with another case than the standard's (DANA refuses a
    /// refund above what is left with `403xx02`, not `404xx13`), each case's code among `codes`.
    pub cases: Vec<(Situation, Case)>,
    /// Status endpoint id.
    pub status_endpoint: Option<String>,
    /// Who calls whom.
    pub direction: Direction,
    /// What the endpoint does.
    pub operation: Operation,
    /// The provider's kind of record the operation acts on (`create`, `update`, `delete`, `status`), or whose
    /// payments it notifies (`notify`; without one, a `notify` endpoint is the notification of a payment).
    pub record: Option<String>,
    /// A `notify` endpoint's other kinds of record, whose updates' notifications (`notifies`) it carries too.
    pub carries: Vec<String>,
    /// What a `status` endpoint of a record reports once the record is paid: response wire name → value, in
    /// spec order (`paymentFlagStatus` → `00`), `None` for a field a paid record holds empty (`null`: WooshPay's
    /// `next_action`). Empty elsewhere.
    pub paid: Vec<(String, Option<String>)>,
    /// How the request names its record: of the alternatives whose condition holds, the first that names a record
    /// that exists; empty: by the kind's `key` under the same wire paths.
    pub record_key: Vec<RecordLookup>,
    /// Request fields a create or update writes into the record under another name: (record wire path, request
    /// wire path), in spec order.
    pub record_fields: Vec<(String, String)>,
    /// Headers a create writes into the record: (record wire path, header name), in spec order.
    pub record_headers: Vec<(String, String)>,
    /// An enveloped endpoint's result codes for an unknown or an existing record.
    pub record_codes: RecordCodes,
    /// An update's condition on its record: (record wire path, the values it may report), in spec order; the record
    /// reports what it holds there, else the value the endpoint's `answers` document.
    pub record_from: Vec<(String, Vec<String>)>,
    /// Values an update writes into its record: (record wire path, value), in spec order (`status` → `canceled`).
    pub record_sets: Vec<(String, String)>,
    /// The record of another kind a create's record belongs to (WooshPay's refund, of a PaymentIntent).
    pub record_of: Option<RecordOf>,
    /// Lists of the answer the record fills, cut to the items the request asks for, in spec order.
    pub record_picks: Vec<RecordPick>,
    /// An update after which the kind's notifications are sent: (notification wire path, value) set over what their
    /// `answers` fill (WooshPay's `type` → `payment_intent.canceled`); empty: none is sent.
    pub notifies: Vec<(String, String)>,
    /// What the endpoint does with the provider's simulated customers (binds one, reads or debits a wallet,
    /// unbinds), if anything.
    pub customer: Option<CustomerUse>,
    /// Wire paths of the request fields that identify one operation.
    pub idempotency_keys: Vec<String>,
    /// How to ask the status endpoint about a request of this one.
    pub status_query: Option<StatusQuery>,
    /// Caller-supplied headers (string fields named by header).
    pub headers: Vec<Field>,
    /// Path parameters: required strings that fill the `{name}` placeholders of the path and its aliases, one
    /// each, in spec order (the client sends each value percent-encoded as one path segment).
    pub params: Vec<Field>,
    /// Request body fields (none for a bodiless endpoint, see [`Endpoint::has_body`]).
    pub request: Vec<Field>,
    /// Response body fields.
    pub response: Vec<Field>,
    /// Declared response codes, sorted.
    pub codes: Vec<EndpointCode>,
    /// Rules across request fields, in spec order.
    pub rules: Vec<Rule>,
    /// How the provider fills response fields the request does not hold, in spec order.
    pub answers: Vec<Answered>,
    /// The spec file, for generated-code banners.
    pub file: String,
}

/// A response field the provider fills with what the request does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    /// The response field's wire path (`userResources[].value`).
    pub field: String,
    /// Where its value comes from.
    pub source: AnswerSource,
    /// What an issued value starts with (WooshPay's `pi_`); empty for none.
    pub prefix: String,
}

/// Where a provider-filled response value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerSource {
    /// The provider issues it (a one-time token): an opaque value of its own.
    Issued,
    /// The request's value at this wire path; a list path (`userResources[]`) gives one item per request item.
    Request(String),
    /// A value the provider documents answering with (DOKU's Indodana order is `PENDING` when created).
    Value(String),
    /// The page where the customer pays the record the call creates (DOKU Checkout's `payment.url`): the sandbox's
    /// own page for it.
    Page,
    /// In a record's notification: the record whole, as its kind's status endpoint answers it (WooshPay's event
    /// `data.object`).
    Record,
}

/// Whether a request of this HTTP method carries a body. A GET does not: its request is its path and headers,
/// and what is sent, hashed and signed as its body is empty. (A DELETE may: DOKU's delete VA carries JSON.)
pub fn method_has_body(method: &str) -> bool {
    !method.eq_ignore_ascii_case("GET")
}

impl Endpoint {
    /// Whether the endpoint's request carries a body ([`method_has_body`]); a bodiless endpoint has no request
    /// fields, and its client method takes no request.
    pub fn has_body(&self) -> bool {
        method_has_body(&self.info.method)
    }

    /// Whether this is the notification the provider sends the merchant about a payment: inbound, `operation:
    /// notify` and no `record` (one naming a record is that record's notification).
    pub fn is_payment_notification(&self) -> bool {
        self.direction == Direction::Inbound && self.operation == Operation::Notify && self.record.is_none()
    }

    /// Whether this is a notification of `provider`'s `kind` records: a `notify` endpoint naming the kind as its
    /// `record` (paid records) or among what it `carries` (updated ones).
    pub fn notifies_records_of(&self, provider: &str, kind: &str) -> bool {
        self.info.provider == provider
            && self.operation == Operation::Notify
            && (self.record.as_deref() == Some(kind) || self.carries.iter().any(|c| c == kind))
    }

    /// The body this endpoint's request takes when nobody fills it in: every required field with its one
    /// allowed value, in spec order (`{"grantType":"client_credentials"}` for a B2B token). The runtime sends
    /// it to fetch a token by itself. `Err` names a required field that allows more than one value.
    pub fn fixed_body(&self) -> Result<String, String> {
        let mut body = serde_json::Map::new();
        for field in self.request.iter().filter(|f| f.required) {
            match &field.ty {
                FieldType::Str(rule) if rule.enum_values.len() == 1 => {
                    body.insert(field.wire.clone(), rule.enum_values[0].clone().into());
                }
                _ => return Err(field.wire.clone()),
            }
        }
        Ok(serde_json::Value::Object(body).to_string())
    }
}

/// A response code an endpoint declares.
#[derive(Debug, Clone)]
pub struct EndpointCode {
    /// Seven digits.
    pub code: String,
    /// HTTP status.
    pub http: u16,
    /// Two-digit case code.
    pub case: String,
    /// UpperCamelCase name (from the case table).
    pub name: String,
    /// Published message.
    pub message: String,
    /// Outcome for this endpoint.
    pub outcome: Outcome,
    /// The provider's status letter of an envelope's result code (`S`, `F`, `U`); none for SNAP codes.
    pub status: Option<String>,
    /// The provider's published numeric id of an envelope's result code (`00000000`); none for SNAP codes.
    pub id: Option<String>,
    /// A provider's own JSON: the place among its `results.code` places (segments, `message`, `0`) the code is
    /// answered at, when not the first (DOKU answers business refusals as `{"message":["…"]}`).
    pub at: Option<Vec<String>>,
    /// Endpoint-specific documentation.
    pub doc: Option<String>,
}

/// A field of an object, a request, a response, or a header.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Name on the wire.
    pub wire: String,
    /// snake_case Rust name (raw identifiers are emitted where needed).
    pub rust: String,
    /// UpperCamelCase name for the types this field needs (newtype, enum, inline object).
    pub type_name: String,
    /// Its type and rules.
    pub ty: FieldType,
    /// Must be present.
    pub required: bool,
    /// Redacted in Debug.
    pub sensitive: bool,
    /// Documentation.
    pub doc: Option<String>,
    /// Disagreement note.
    pub note: Option<String>,
    /// Example value.
    pub example: Option<String>,
}

/// A field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// A string with rules.
    Str(StrRule),
    /// A decimal written as a string, `integer_digits` and `fraction_digits` exactly.
    Decimal {
        /// Most digits before the point.
        integer_digits: u32,
        /// Exact digits after the point.
        fraction_digits: u32,
    },
    /// SNAP datetime `YYYY-MM-DDTHH:mm:ss+07:00`.
    DateTime,
    /// An integer in a range.
    Integer {
        /// Smallest value.
        min: Option<i64>,
        /// Largest value.
        max: Option<i64>,
    },
    /// true / false.
    Bool,
    /// Arbitrary JSON.
    Json,
    /// A shared object type, by name.
    Named(String),
    /// An object defined in place.
    Object(Vec<Field>),
    /// A list.
    List {
        /// Item type.
        items: Box<FieldType>,
        /// Fewest items.
        min_items: Option<u32>,
        /// Most items.
        max_items: Option<u32>,
    },
}

/// The rules of a string field. Lengths count characters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrRule {
    /// Fewest characters.
    pub min_length: Option<u32>,
    /// Most characters.
    pub max_length: Option<u32>,
    /// Allowed characters.
    pub charset: Option<Charset>,
    /// Known format.
    pub format: Option<Format>,
    /// Anchored regex.
    pub pattern: Option<String>,
    /// Allowed values.
    pub enum_values: Vec<String>,
}
