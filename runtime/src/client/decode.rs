//! Reading an answer: responses are never validated, only decoded tolerantly, and an answer that is not a
//! success keeps everything received in the error.

use serde::de::DeserializeOwned;

use super::{Error, Reply};
use crate::code::{EndpointCode, Outcome};
use crate::envelope::{Envelope, Framing};
use crate::keys::PublicKey;
use crate::signature::{Sign, SignInput, VerifyingKey};

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
    })
}
