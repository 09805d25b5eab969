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
    let (Ok(envelope), Ok(body)) = (
        serde_json::from_slice::<CodeAndMessage>(&raw_body),
        serde_json::from_slice::<Resp>(&raw_body),
    ) else {
        return Err(Error::InvalidBody { status, raw_body });
    };
    let code = Code::from(envelope.response_code.as_deref().unwrap_or_default());
    reply_or_error(status, code, envelope.response_message, body, raw_body)
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
    reply_or_error(status, code, answer.message, body, raw_body)
}

/// Turns an answer in the provider's own JSON ([`Results`]) into a typed reply or error. The code and message
/// are at the first of the provider's places that holds one (`error.code`, `message[0]`), except that a 2xx
/// answer of an endpoint with a `status_field` has that field's value as its code (`payment.status`). The HTTP
/// status goes with the code, so a code nobody declared (or none at all) takes its outcome from it.
pub fn decode_own<Resp, Code>(
    results: &Results,
    status_field: Option<&[Text]>,
    status: u16,
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
    let code = match (success, status_field) {
        (true, Some(field)) => text_at(&answer, field),
        _ => first(&results.code),
    };
    let message = first(&results.message);
    let code = Code::from(ResponseCode::answered(code.unwrap_or_default(), status));
    let message = message.map(str::to_owned);
    match serde_json::from_value::<Resp>(answer) {
        Ok(body) => reply_or_error(status, code, message, body, raw_body),
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

/// A reply when the HTTP status is 2xx and the code means success or pending; the provider's error otherwise.
fn reply_or_error<Resp, Code: EndpointCode>(
    status: u16,
    code: Code,
    message: Option<String>,
    body: Resp,
    raw_body: Vec<u8>,
) -> Result<Reply<Resp, Code>, Error<Code>> {
    let ok = (200..300).contains(&status) && matches!(code.outcome(), Outcome::Success | Outcome::Pending);
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
