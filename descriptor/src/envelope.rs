//! Envelopes: message framings other than SNAP's bare JSON body (DANA's Open API), as data.

use crate::{HeaderSource, List, Recipe, Text};

/// A message framing (`envelopes:` of a provider file). The request member holds a head and a body and is
/// signed byte for byte; the answer's outcome is read from an object of the response body.
///
/// DANA's Open API: `{"request":{"head":{…},"body":{…}},"signature":"…"}`, answered with
/// `{"response":{"head":…,"body":{…,"resultInfo":{…}}},"signature":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Name, as endpoints refer to it.
    pub name: Text,
    /// Documentation.
    pub doc: Option<Text>,
    /// The signed member of the request (`request`).
    pub request_member: Text,
    /// The member of the response (`response`).
    pub response_member: Text,
    /// The member holding the signature (`signature`).
    pub signature_member: Text,
    /// The head member (`head`).
    pub head_member: Text,
    /// The body member (`body`).
    pub body_member: Text,
    /// Head members the runtime fills, in order.
    pub head: List<(Text, HeaderSource)>,
    /// The provider's maximum length (characters) of head members, by name.
    pub head_max_length: List<(Text, u32)>,
    /// The signature over the request member.
    pub signature: Recipe,
    /// The response body's object that reports the outcome (`resultInfo`).
    pub result: Text,
    /// Its status member (`resultStatus`: S, F or U).
    pub result_status: Text,
    /// Its code member (`resultCode`).
    pub result_code: Text,
    /// Its message member (`resultMsg`).
    pub result_message: Text,
    /// Its member with the provider's numeric id of the code (`resultCodeId`), if the envelope has one.
    pub result_code_id: Option<Text>,
    /// The result codes of refusals: a malformed call, a bad client, a bad signature.
    pub refusals: Refusals,
}

/// The result codes an envelope's provider refuses calls with (declared by each of its endpoints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusals {
    /// A malformed call.
    pub malformed: Text,
    /// An unknown client or a wrong client secret.
    pub client: Text,
    /// A signature that does not verify.
    pub signature: Text,
}

impl Envelope {
    /// The provider's maximum length of head member `name`, if it declares one.
    pub fn head_limit(&self, name: &str) -> Option<u32> {
        self.head_max_length
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, max)| *max)
    }
}
