//! Envelope framing as the sandbox reads and writes it (DANA's Open API, `envelopes:` of a provider): the signed
//! member of a received body, byte for byte, with the signature beside it; its head and body; and an answer framed
//! `{"response":<member>,"signature":"…"}` around member bytes serialized and signed once.
//!
//! The sandbox's own, not the runtime's `envelope` module: the sandbox verifies what clients frame, and a framing
//! bug shared by both would cancel out (ARCHITECTURE.md, decision 5).

use std::collections::HashMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// From a received body: the bytes of its member `signed` exactly as received (the signature covers them, not a
/// re-serialization), and the string in its member `signature`. `None` when the body is not a JSON object holding
/// both, or the signature is not a string. A member sent twice counts as last sent, as for every other reader.
pub fn signed_member<'b>(body: &'b [u8], signed: &str, signature: &str) -> Option<(&'b [u8], String)> {
    let members: HashMap<String, &'b RawValue> = serde_json::from_slice(body).ok()?;
    let signature = serde_json::from_str(members.get(signature)?.get()).ok()?;
    Some((members.get(signed)?.get().as_bytes(), signature))
}

/// The members `head` and `body` of a signed member's bytes, as JSON values; `None` when it is not an object with
/// both.
pub fn head_and_body(member: &[u8], head: &str, body: &str) -> Option<(Value, Value)> {
    let mut members: Map<String, Value> = serde_json::from_slice(member).ok()?;
    Some((members.remove(head)?, members.remove(body)?))
}

/// `{"<name>":<member>,"<signature_member>":"<signature>"}`, with `member`'s bytes unchanged: the bytes signed are
/// the bytes sent.
pub fn frame(name: &str, member: &[u8], signature_member: &str, signature: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(member.len() + signature.len() + name.len() + signature_member.len() + 16);
    out.push(b'{');
    push_string(&mut out, name);
    out.push(b':');
    out.extend_from_slice(member);
    out.push(b',');
    push_string(&mut out, signature_member);
    out.push(b':');
    push_string(&mut out, signature);
    out.push(b'}');
    out
}

/// `text` as a JSON string literal.
fn push_string(out: &mut Vec<u8>, text: &str) {
    // Writing a `str` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_member_is_found_as_received_and_framed_unchanged() {
        let body = br#"{ "signature" : "c2ln", "request" : { "head" : {"a": "\u00e9"}, "body" : { } } }"#;
        let (member, signature) = signed_member(body, "request", "signature").unwrap_or_default();
        assert_eq!(member, br#"{ "head" : {"a": "\u00e9"}, "body" : { } }"#);
        assert_eq!(signature, "c2ln");
        let (head, inner) = head_and_body(member, "head", "body").unwrap_or_default();
        assert_eq!((head["a"].as_str(), inner), (Some("é"), Value::Object(Map::new())));

        let framed = frame("response", member, "signature", "a\"b");
        let expected = br#"{"response":{ "head" : {"a": "\u00e9"}, "body" : { } },"signature":"a\"b"}"#;
        assert_eq!(framed, expected);
        let (again, signature) = signed_member(&framed, "response", "signature").unwrap_or_default();
        assert_eq!((again, signature.as_str()), (member, "a\"b"));
    }

    #[test]
    fn bodies_without_both_members_have_none() {
        assert!(signed_member(br#"{"request":{}}"#, "request", "signature").is_none());
        assert!(signed_member(br#"{"request":{},"signature":1}"#, "request", "signature").is_none());
        assert!(signed_member(b"not json", "request", "signature").is_none());
        assert!(signed_member(b"[1]", "request", "signature").is_none());
        assert!(head_and_body(br#"{"head":{}}"#, "head", "body").is_none());
        assert!(head_and_body(b"[]", "head", "body").is_none());
    }
}
