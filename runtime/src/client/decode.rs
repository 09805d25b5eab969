//! Reading an answer: responses are never validated, only decoded tolerantly, and an answer that is not a
//! success keeps everything received in the error.

use serde::de::DeserializeOwned;

use super::{Error, Reply};
use crate::Results;
use crate::code::{EndpointCode, Outcome, ResponseCode};
use crate::envelope::{Envelope, Framing};
use crate::keys::PublicKey;
use crate::signature::{Sign, SignInput, VerifyingKey};
use snapbi_descriptor::{Path, Text};

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeAndMessage {
    #[serde(default, deserialize_with = "crate::values::lenient")]
    response_code: Option<String>,
    #[serde(default, deserialize_with = "crate::values::lenient")]
    response_message: Option<String>,
}

/// Turns a status and raw body into a typed reply (success or pending) or a typed error.
pub fn decode<Resp, Code>(status: u16, raw_body: Vec<u8>) -> Result<Reply<Resp, Code>, Error<Code>>
where
    Resp: DeserializeOwned,
    Code: EndpointCode,
{
    decode_snap(status, false, raw_body)
}

/// [`decode`], for an answer that may be the provider's replay of its first answer to the call (`replayed`: it came
/// with the provider's idempotency `replay_status`), which is then read as that answer whatever its status.
pub(super) fn decode_snap<Resp, Code>(
    status: u16,
    replayed: bool,
    raw_body: Vec<u8>,
) -> Result<Reply<Resp, Code>, Error<Code>>
where
    Resp: DeserializeOwned,
    Code: EndpointCode,
{
    let (Ok(envelope), Ok(body)) = (
        serde_json::from_slice::<CodeAndMessage>(&raw_body),
        serde_json::from_slice::<Resp>(&raw_body),
    ) else {
        return Err(Error::InvalidBody { status, raw_body });
    };
    let code = Code::from(envelope.response_code.as_deref().unwrap_or_default());
    let answer = Answer {
        status,
        replayed,
        message: envelope.response_message,
        raw_body,
    };
    reply_or_error(answer, code, body)
}

/// Turns an enveloped answer into a typed reply or error: the code is the envelope's result code
/// (`resultInfo.resultCode`), the typed body is the response's body member.
pub fn decode_enveloped<Resp, Code>(
    envelope: &Envelope,
    status: u16,
    raw_body: Vec<u8>,
) -> Result<Reply<Resp, Code>, Error<Code>>
where
    Resp: DeserializeOwned,
    Code: EndpointCode,
{
    let Some(answer) = envelope.answer(&raw_body) else {
        return Err(Error::InvalidBody { status, raw_body });
    };
    let Ok(body) = serde_json::from_value::<Resp>(answer.body) else {
        return Err(Error::InvalidBody { status, raw_body });
    };
    let code = Code::from(answer.code.as_deref().unwrap_or_default());
    let answer = Answer {
        status,
        replayed: false,
        message: answer.message,
        raw_body,
    };
    reply_or_error(answer, code, body)
}

/// Turns an answer in the provider's own JSON ([`Results`]) into a typed reply or error. The code and message
/// are at the first of the provider's places that holds one (`error.code`, `message[0]`), except that a 2xx
/// answer of an endpoint with a `status_field` has that field's value as its code (`payment.status`). The HTTP
/// status goes with the code, so a code nobody declared (or none at all) takes its outcome from it. A `replayed`
/// answer (the provider's replay of its first answer, DOKU's 409) is read as that answer: its code where a 2xx
/// answer's is, else where a refusal's is, and a success or pending code makes it a reply.
pub fn decode_own<Resp, Code>(
    results: &Results,
    status_field: Option<&[Text]>,
    status: u16,
    replayed: bool,
    raw_body: Vec<u8>,
) -> Result<Reply<Resp, Code>, Error<Code>>
where
    Resp: DeserializeOwned,
    Code: EndpointCode,
{
    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(&raw_body) else {
        return Err(Error::InvalidBody { status, raw_body });
    };
    let success = (200..300).contains(&status);
    let first = |paths: &[Path]| paths.iter().find_map(|path| text_at(&answer, path));
    let code = match (success, replayed, status_field) {
        (true, _, Some(field)) => text_at(&answer, field),
        (false, true, Some(field)) => text_at(&answer, field).or_else(|| first(&results.code)),
        _ => first(&results.code),
    };
    let message = first(&results.message);
    let code = Code::from(ResponseCode::answered(code.unwrap_or_default(), status));
    let message = message.map(str::to_owned);
    match serde_json::from_value::<Resp>(answer) {
        Ok(body) => reply_or_error(
            Answer {
                status,
                replayed,
                message,
                raw_body,
            },
            code,
            body,
        ),
        // A refusal need not have the success's shape: it is reported by its code.
        Err(_) if !success => Err(Error::Api {
            status,
            code,
            message,
            raw_body,
        }),
        Err(_) => Err(Error::InvalidBody { status, raw_body }),
    }
}

/// The string at `path` in `value` (a segment of digits indexes a list).
fn text_at<'v>(value: &'v serde_json::Value, path: &[Text]) -> Option<&'v str> {
    let step = |v: &'v serde_json::Value, member: &Text| match v {
        serde_json::Value::Array(items) => items.get(member.parse::<usize>().ok()?),
        _ => v.get(&**member),
    };
    path.iter().try_fold(value, step)?.as_str()
}

/// Whether `raw` carries the provider's signature (`key`) over its response member, exactly as received.
pub(super) fn answer_is_signed(envelope: &Envelope, key: &PublicKey, raw: &[u8]) -> bool {
    let Some((member, signature)) =
        crate::envelope::signed_member(raw, &envelope.response_member, &envelope.signature_member)
    else {
        return false;
    };
    let input = SignInput {
        method: "",
        path: "",
        token: None,
        minified_body: member,
        timestamp: "",
        client_id: "",
        request_id: "",
    };
    envelope
        .signature
        .verify(&input, &signature, &VerifyingKey::Rsa(key))
        .is_ok()
}

/// What [`reply_or_error`] reads beside the code and the typed body.
struct Answer {
    status: u16,
    /// The provider's replay of its first answer to the call, which stands for that answer whatever its status.
    replayed: bool,
    message: Option<String>,
    raw_body: Vec<u8>,
}

/// A reply when the HTTP status is 2xx (or the answer is a replay) and the code means success or pending; the
/// provider's error otherwise.
fn reply_or_error<Resp, Code: EndpointCode>(
    answer: Answer,
    code: Code,
    body: Resp,
) -> Result<Reply<Resp, Code>, Error<Code>> {
    let Answer {
        status,
        replayed,
        message,
        raw_body,
    } = answer;
    let answered = (200..300).contains(&status) || replayed;
    let ok = answered && matches!(code.outcome(), Outcome::Success | Outcome::Pending);
    if !ok {
        return Err(Error::Api {
            status,
            code,
            message,
            raw_body,
        });
    }
    // The caller knows which X-EXTERNAL-ID the request carried; the answer does not.
    Ok(Reply {
        status,
        code,
        message,
        body,
        raw_body,
        external_id: String::new(),
        request_id: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow::Borrowed;

    #[derive(Clone, Debug, PartialEq, Eq, crate::ResponseCodes)]
    enum TestCode {
        #[code("SUCCESS", Success, "SUCCESS")]
        Success,
        #[code("PENDING", Pending, "")]
        Pending,
        #[code("Inconsistent Request", Failed, "Inconsistent Request")]
        InconsistentRequest,
        Unknown(ResponseCode),
    }

    /// DOKU's code places: `error.code`, then `message[0]`.
    static RESULTS: Results = Results {
        code: Borrowed(&[
            Borrowed(&[Borrowed("error"), Borrowed("code")]),
            Borrowed(&[Borrowed("message"), Borrowed("0")]),
        ]),
        message: Borrowed(&[Borrowed(&[Borrowed("message"), Borrowed("0")])]),
    };

    type Decoded = Result<Reply<serde_json::Value, TestCode>, Error<TestCode>>;

    fn read(status_field: Option<&[Text]>, status: u16, replayed: bool, body: &str) -> Decoded {
        decode_own(&RESULTS, status_field, status, replayed, body.as_bytes().to_vec())
    }

    #[test]
    fn a_replayed_first_answer_is_read_as_that_answer_whatever_its_status() {
        let first = r#"{"message":["SUCCESS"],"response":{"payment":{"url":"https://pay.example/1"}}}"#;
        match read(None, 409, true, first) {
            Ok(reply) => {
                assert_eq!(
                    (reply.status, reply.code),
                    (409, TestCode::Success),
                    "the status as received"
                );
                assert_eq!(reply.raw_body, first.as_bytes());
            }
            other => panic!("a replay of a success is a reply: {other:?}"),
        }
        let not_a_replay = read(None, 409, false, first);
        assert!(
            matches!(not_a_replay, Err(Error::Api { status: 409, .. })),
            "{not_a_replay:?}"
        );
    }

    #[test]
    fn a_replay_s_code_is_where_a_2xx_answer_s_is_else_where_a_refusal_s_is() {
        let field: &[Text] = &[Borrowed("payment"), Borrowed("status")];
        let pending = read(Some(field), 409, true, r#"{"payment":{"status":"PENDING"}}"#);
        assert!(
            matches!(&pending, Ok(reply) if reply.code == TestCode::Pending),
            "{pending:?}"
        );
        let refused = read(Some(field), 409, true, r#"{"message":["Inconsistent Request"]}"#);
        assert!(
            matches!(
                &refused,
                Err(Error::Api {
                    code: TestCode::InconsistentRequest,
                    ..
                })
            ),
            "a refusal with the replay status stays a refusal: {refused:?}"
        );
        let unknown = read(None, 409, true, r#"{"message":["SOMETHING ELSE"]}"#);
        assert!(
            matches!(&unknown, Err(Error::Api { code, .. }) if code.outcome() == Outcome::Failed),
            "an undeclared code takes the outcome of its status: {unknown:?}"
        );
    }
}
