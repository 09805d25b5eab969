//! SNAP response codes: `HHH` HTTP status + `SS` service code + `CC` case code, e.g. `2005400`.
//!
//! [`ResponseCode`] parses any string without failing and keeps the raw text; the [`CodeTables`] (emitted from
//! `specs/common/codes.yaml`) names known codes and says what they mean for the caller ([`Outcome`]).
//! Generated per-endpoint `Code` enums derive [`ResponseCodes`](crate::ResponseCodes).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use snapbi_descriptor::{CaseCode, CodeTables, ProviderServiceCode, ServiceCode};
pub use snapbi_rules::Outcome;

/// A response code as received. Parsing never fails: a malformed code keeps its raw text.
///
/// A SNAP code carries its HTTP status in its first digits; a code of a provider's own JSON (DOKU non-SNAP's
/// `PENDING`, a Stripe-style `resource_missing`) does not, so it keeps the status it was answered with
/// ([`ResponseCode::answered`]).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResponseCode {
    raw: String,
    answered_with: Option<u16>,
}

/// A code that is not seven digits, from [`ResponseCode::try_parse`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a SNAP response code is seven digits (HTTP status, service code, case code), got {0:?}")]
pub struct MalformedCode(pub String);

impl ResponseCode {
    /// Keeps any string; the parts are available when it is seven digits.
    pub fn parse(raw: &str) -> ResponseCode {
        ResponseCode {
            raw: raw.to_owned(),
            answered_with: None,
        }
    }

    /// A code of a provider's own JSON, as answered with HTTP `status` (empty when the answer had none).
    pub fn answered(raw: &str, status: u16) -> ResponseCode {
        ResponseCode {
            raw: raw.to_owned(),
            answered_with: Some(status),
        }
    }

    /// Accepts exactly seven ASCII digits.
    pub fn try_parse(raw: &str) -> Result<ResponseCode, MalformedCode> {
        let code = ResponseCode::parse(raw);
        if code.is_well_formed() {
            Ok(code)
        } else {
            Err(MalformedCode(raw.to_owned()))
        }
    }

    /// Whether the code is seven ASCII digits.
    pub fn is_well_formed(&self) -> bool {
        self.raw.len() == 7 && self.raw.bytes().all(|b| b.is_ascii_digit())
    }

    /// The code as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The HTTP status: a SNAP code's first three digits, else the status the code was answered with.
    pub fn http_status(&self) -> Option<u16> {
        match self.part(0..3) {
            Some(digits) => digits.parse().ok(),
            None => self.answered_with,
        }
    }

    /// The service code part (digits four and five).
    pub fn service_code(&self) -> Option<&str> {
        self.part(3..5)
    }

    /// The case code part (last two digits).
    pub fn case_code(&self) -> Option<&str> {
        self.part(5..7)
    }

    fn part(&self, range: std::ops::Range<usize>) -> Option<&str> {
        self.is_well_formed().then(|| &self.raw[range])
    }

    /// Names and classifies the code with `table`, as far as it is known. A service code outside the SNAP
    /// table is named by the providers that use it ([`Explanation::provider_services`]); the case and the
    /// outcome come from the generic case table either way.
    pub fn explain<'t>(&self, table: &'t CodeTables) -> Explanation<'t> {
        let service = self
            .service_code()
            .and_then(|s| table.services.iter().find(|x| x.code == s));
        let provider_services = match (service, self.service_code()) {
            (None, Some(code)) => table.provider_services.iter().filter(|p| p.code == code).collect(),
            _ => Vec::new(),
        };
        let case = match (self.http_status(), self.case_code()) {
            (Some(http), Some(case)) => table.cases.iter().find(|c| c.http == http && c.case == case),
            _ => None,
        };
        let outcome = match (case, self.service_code(), self.http_status()) {
            (Some(case), Some(svc), _) => Some(case.outcome_for(svc)),
            (None, _, Some(http)) => Some(Outcome::from_http_status(http)),
            _ => None,
        };
        Explanation {
            service,
            provider_services,
            case,
            outcome,
        }
    }
}

impl fmt::Debug for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseCode({:?})", self.raw)
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for ResponseCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for ResponseCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|raw| ResponseCode {
            raw,
            answered_with: None,
        })
    }
}

impl From<&str> for ResponseCode {
    fn from(raw: &str) -> Self {
        ResponseCode::parse(raw)
    }
}

/// A bare response code serves as the code type of calls that have no generated enum (status queries).
impl EndpointCode for ResponseCode {
    fn code(&self) -> &str {
        self.as_str()
    }
    fn outcome(&self) -> Outcome {
        self.http_status().map_or(Outcome::Failed, Outcome::from_http_status)
    }
}

/// What a table knows about a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation<'a> {
    /// The service, if the SNAP table knows it.
    pub service: Option<&'a ServiceCode>,
    /// When the SNAP table does not know the service code: the providers that use it, with their name for it.
    pub provider_services: Vec<&'a ProviderServiceCode>,
    /// The case, if known.
    pub case: Option<&'a CaseCode>,
    /// The outcome: from the case table, else guessed from the HTTP status.
    pub outcome: Option<Outcome>,
}

/// What the runtime needs from a generated per-endpoint code enum.
pub trait EndpointCode: for<'a> From<&'a str> + From<ResponseCode> + fmt::Debug + fmt::Display {
    /// The code as answered: seven digits for SNAP, a name in an envelope or a provider's own JSON.
    fn code(&self) -> &str;
    /// What it means for the caller.
    fn outcome(&self) -> Outcome;
    /// The spec's message for the code (a template such as `Unauthorized. {reason}`), when it declares it.
    fn spec_message(&self) -> Option<&'static str> {
        None
    }
    /// The spec's name for the code (`Unauthorized`), when it declares it.
    fn spec_name(&self) -> Option<&'static str> {
        None
    }
    /// Wire keys redacted wherever a raw body of the endpoint is shown: its fields the spec marks
    /// `sensitive` and the standard's credential members (`accessToken`, …), as the generator lists them.
    const SENSITIVE_KEYS: &'static [&'static str] = &[];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test codes.
    #[derive(Clone, Debug, PartialEq, Eq, crate::ResponseCodes)]
    enum TestCode {
        #[code("2005400", Success, "Successful")]
        Successful,
        #[code("4035414", Failed, "Insufficient Funds")]
        InsufficientFunds,
        Unknown(ResponseCode),
    }

    #[test]
    fn parts_of_a_code() {
        let c = ResponseCode::parse("4035414");
        assert_eq!(
            (c.http_status(), c.service_code(), c.case_code()),
            (Some(403), Some("54"), Some("14"))
        );
        let bad = ResponseCode::parse("40354");
        assert_eq!(bad.http_status(), None);
        assert!(ResponseCode::try_parse("40354a4").is_err());
    }

    #[test]
    fn endpoint_enums_map_known_and_keep_unknown_codes() {
        assert_eq!(TestCode::from("4035414"), TestCode::InsufficientFunds);
        assert_eq!(TestCode::InsufficientFunds.outcome(), Outcome::Failed);
        let unknown = TestCode::from("5045400");
        assert_eq!(unknown.code(), "5045400");
        assert_eq!(unknown.outcome(), Outcome::Retry);
        assert_eq!(TestCode::Successful.to_string(), "2005400 Successful");
    }

    use std::borrow::Cow;

    fn case(
        http: u16,
        case: &'static str,
        name: &'static str,
        by_service: &'static [(Cow<'static, str>, Outcome)],
    ) -> CaseCode {
        CaseCode {
            http,
            case: case.into(),
            name: name.into(),
            message: "".into(),
            outcome: Outcome::Failed,
            outcome_by_service: Cow::Borrowed(by_service),
        }
    }

    fn service(code: &'static str, name: &'static str) -> ServiceCode {
        ServiceCode {
            code: code.into(),
            name: name.into(),
            path: None,
        }
    }

    #[test]
    fn explain_uses_service_overrides() {
        const OVERRIDES: &[(Cow<'static, str>, Outcome)] = &[(Cow::Borrowed("58"), Outcome::Success)];
        let table = CodeTables {
            services: vec![service("58", "Refund")].into(),
            cases: vec![case(404, "18", "InconsistentRequest", OVERRIDES)].into(),
            provider_services: Cow::Borrowed(&[]),
        };
        assert_eq!(
            ResponseCode::parse("4045818").explain(&table).outcome,
            Some(Outcome::Success)
        );
        assert_eq!(
            ResponseCode::parse("4045418").explain(&table).outcome,
            Some(Outcome::Failed)
        );
        assert_eq!(ResponseCode::parse("4045418").explain(&table).service, None);
    }

    #[test]
    fn explain_names_a_provider_s_own_service_code() {
        let own = ProviderServiceCode {
            provider: "dana".into(),
            code: "00".into(),
            name: "Transfer To Bank Inquiry Status".into(),
            path: None,
            note: "DANA answers under 00".into(),
        };
        let table = CodeTables {
            services: vec![service("43", "Emoney Transfer Bank")].into(),
            cases: vec![case(404, "01", "TransactionNotFound", &[])].into(),
            provider_services: vec![own.clone()].into(),
        };
        let explained = ResponseCode::parse("4040001").explain(&table);
        assert_eq!(explained.service, None);
        assert_eq!(explained.provider_services, [&own]);
        assert_eq!(explained.case.map(|c| &*c.name), Some("TransactionNotFound"));
        assert_eq!(explained.outcome, Some(Outcome::Failed));
        let standard = ResponseCode::parse("4044301").explain(&table);
        assert!(standard.service.is_some() && standard.provider_services.is_empty());
    }
}
