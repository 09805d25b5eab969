//! Envelopes: message framings other than SNAP's bare JSON body, as data.
//!
//! DANA's older Open API wraps every call as `{"request":{"head":{…},"body":{…}},"signature":"…"}`: the head
//! carries what SNAP puts in headers (client id, request time, message id, the operation's `function`), the
//! signature covers the `request` member, and the answer comes back as `{"response":{"head":…,"body":…}}`
//! with its outcome in `body.resultInfo`. An [`Envelope`] names those members and where each head value comes
//! from, so another framing of this shape is new data, not new code.
//!
//! Signing is byte-exact here too: the request member is serialized once, those bytes are signed, and the
//! same bytes are spliced into the body that is sent ([`frame`]); a receiver verifies against the member's
//! bytes exactly as received ([`signed_member`]), never against a re-serialization.

use serde::Deserialize;
use serde_json::value::RawValue;

pub use snapbi_descriptor::Envelope;

/// Framing with an [`Envelope`]: building and reading its members byte for byte (the runtime's own; the sandbox
/// frames with its own code).
pub trait Framing {
    /// The request member, `{"<head>":{…},"<body>":<body>}`, with `head` values in order. `body` is the
    /// serialized request, copied as is.
    fn request_member<'v>(&self, head: impl IntoIterator<Item = (&'v str, &'v str)>, body: &[u8]) -> Vec<u8>;

    /// The whole body: `{"<request>":<member>,"<signature>":"<signature>"}`, the member's bytes unchanged.
    fn frame(&self, member: &[u8], signature: &str) -> Vec<u8>;

    /// From a received request body: the request member's bytes exactly as received, and the signature.
    /// `None` when the body is not JSON or lacks either member.
    fn signed_member<'b>(&self, body: &'b [u8]) -> Option<(&'b [u8], String)>;

    /// From a received request or response body: the head and the body of `member` (`request` or
    /// `response`), as JSON values.
    fn parts(&self, body: &[u8], member: &str) -> Option<(serde_json::Value, serde_json::Value)>;

    /// From an answer: the response body (raw, for typed decoding), its result code and message.
    fn answer(&self, raw: &[u8]) -> Option<Answer>;
}

impl Framing for Envelope {
    fn request_member<'v>(&self, head: impl IntoIterator<Item = (&'v str, &'v str)>, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.len() + 256);
        out.push(b'{');
        push_name(&mut out, &self.head_member);
        out.push(b'{');
        for (i, (name, value)) in head.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_name(&mut out, name);
            push_string(&mut out, value);
        }
        out.extend_from_slice(b"},");
        push_name(&mut out, &self.body_member);
        out.extend_from_slice(body);
        out.push(b'}');
        out
    }

    fn frame(&self, member: &[u8], signature: &str) -> Vec<u8> {
        frame(&self.request_member, member, &self.signature_member, signature)
    }

    fn signed_member<'b>(&self, body: &'b [u8]) -> Option<(&'b [u8], String)> {
        signed_member(body, &self.request_member, &self.signature_member)
    }

    fn parts(&self, body: &[u8], member: &str) -> Option<(serde_json::Value, serde_json::Value)> {
        parts(body, member, &self.head_member, &self.body_member)
    }

    fn answer(&self, raw: &[u8]) -> Option<Answer> {
        let (_, body) = self.parts(raw, &self.response_member)?;
        let result = body.get(&*self.result);
        let text = |member: &str| {
            result
                .and_then(|r| r.get(member))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        Some(Answer {
            code: text(&self.result_code),
            message: text(&self.result_message),
            body,
        })
    }
}

/// `{"<name>":<member>,"<signature_member>":"<signature>"}`, the member's bytes unchanged: a request as a
/// client sends it, or an answer as a provider (the sandbox) does.
pub fn frame(name: &str, member: &[u8], signature_member: &str, signature: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(member.len() + signature.len() + 32);
    out.push(b'{');
    push_name(&mut out, name);
    out.extend_from_slice(member);
    out.push(b',');
    push_name(&mut out, signature_member);
    push_string(&mut out, signature);
    out.push(b'}');
    out
}

/// The bytes of member `signed` exactly as received in `body`, and the string in member `signature`. For
/// readers that hold member names rather than an [`Envelope`] (the sandbox reads its specs at run time).
pub fn signed_member<'b>(body: &'b [u8], signed: &str, signature: &str) -> Option<(&'b [u8], String)> {
    let Members(members) = serde_json::from_slice(body).ok()?;
    let raw = |name: &str| members.iter().find(|(n, _)| n == name).map(|(_, value)| *value);
    let signature: String = serde_json::from_str(raw(signature)?.get()).ok()?;
    Some((raw(signed)?.get().as_bytes(), signature))
}

/// The `head` and `body` members of object `member` of `raw`, as JSON values.
pub fn parts(raw: &[u8], member: &str, head: &str, body: &str) -> Option<(serde_json::Value, serde_json::Value)> {
    let mut outer: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(raw).ok()?;
    let serde_json::Value::Object(mut inner) = outer.remove(member)? else {
        return None;
    };
    Some((inner.remove(head)?, inner.remove(body)?))
}

/// An enveloped answer, unwrapped.
#[derive(Debug)]
pub struct Answer {
    /// The result code (`resultInfo.resultCode`).
    pub code: Option<String>,
    /// The result message.
    pub message: Option<String>,
    /// The response body member.
    pub body: serde_json::Value,
}

/// The members of a JSON object with their values' raw bytes, in order.
struct Members<'b>(Vec<(String, &'b RawValue)>);

impl<'de: 'b, 'b> Deserialize<'de> for Members<'b> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'b>(std::marker::PhantomData<&'b ()>);
        impl<'de: 'b, 'b> serde::de::Visitor<'de> for Visit<'b> {
            type Value = Members<'b>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Members<'b>, A::Error> {
                let mut members = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, &'b RawValue>()? {
                    members.push((name, value));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    push_string(out, name);
    out.push(b':');
}

/// A JSON string literal; serializing a `str` into a `Vec` cannot fail.
fn push_string(out: &mut Vec<u8>, text: &str) {
    let _ = serde_json::to_writer(&mut *out, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{Algorithm, Part, Recipe};
    use snapbi_descriptor::{HeaderSource, Refusals};
    use std::borrow::Cow::Borrowed;

    static OPEN_API: Envelope = Envelope {
        name: Borrowed("open_api"),
        doc: None,
        request_member: Borrowed("request"),
        response_member: Borrowed("response"),
        signature_member: Borrowed("signature"),
        head_member: Borrowed("head"),
        body_member: Borrowed("body"),
        head: Borrowed(&[(Borrowed("version"), HeaderSource::value("2.0"))]),
        head_max_length: Borrowed(&[]),
        signature: Recipe {
            algorithm: Algorithm::RsaSha256,
            parts: Borrowed(&[Part::Body]),
            encoding: crate::signature::Encoding::Base64,
        },
        result: Borrowed("resultInfo"),
        result_status: Borrowed("resultStatus"),
        result_code: Borrowed("resultCode"),
        result_message: Borrowed("resultMsg"),
        result_code_id: None,
        refusals: Refusals {
            malformed: Borrowed("PARAM_ILLEGAL"),
            client: Borrowed("INVALID_CLIENT"),
            signature: Borrowed("INVALID_SIGNATURE"),
        },
    };

    #[test]
    fn the_member_is_spliced_byte_for_byte_and_found_again() {
        let member = OPEN_API.request_member([("version", "2.0"), ("note", "a \"quoted\" é")], br#"{"x": 1}"#);
        assert_eq!(
            String::from_utf8_lossy(&member),
            r#"{"head":{"version":"2.0","note":"a \"quoted\" é"},"body":{"x": 1}}"#
        );
        let body = OPEN_API.frame(&member, "c2ln");
        let (found, signature) = OPEN_API.signed_member(&body).expect("framed");
        assert_eq!((found, signature.as_str()), (member.as_slice(), "c2ln"));
        // Whitespace around and inside the member as received is kept: the receiver verifies those bytes.
        let spaced = br#"{ "signature" : "c2ln", "request" : { "head" : {}, "body" : { } } }"#;
        let (found, _) = OPEN_API.signed_member(spaced).expect("spaced");
        assert_eq!(found, br#"{ "head" : {}, "body" : { } }"#);
        assert!(OPEN_API.signed_member(br#"{"request":{}}"#).is_none(), "no signature");
        assert!(OPEN_API.signed_member(b"not json").is_none());
    }

    #[test]
    fn answers_yield_their_body_code_and_message() {
        let raw = br#"{"response":{"head":{"function":"f"},"body":{"resultInfo":{"resultStatus":"F","resultCode":"PARAM_ILLEGAL","resultMsg":"param illegal"}}},"signature":"x"}"#;
        let answer = OPEN_API.answer(raw).expect("answer");
        assert_eq!(answer.code.as_deref(), Some("PARAM_ILLEGAL"));
        assert_eq!(answer.message.as_deref(), Some("param illegal"));
        assert!(answer.body.get("resultInfo").is_some());
        assert!(OPEN_API.answer(br#"{"responseCode":"2001100"}"#).is_none());
    }
}
