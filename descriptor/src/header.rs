//! Where a value the caller does not write comes from: a header, or a member of an envelope's head.

use crate::{List, Text};

/// Where a runtime-filled header's (or envelope head member's) value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeaderSource {
    /// The configured client id (X-PARTNER-ID, X-CLIENT-KEY).
    ClientId,
    /// A fresh id, unique per call (X-EXTERNAL-ID).
    ExternalId,
    /// The configured CHANNEL-ID, else the provider's default.
    ChannelId,
    /// The X-TIMESTAMP of this call.
    Timestamp,
    /// The signature of this call.
    Signature,
    /// `Bearer <token>`.
    BearerToken,
    /// The endpoint's operation name in its envelope (DANA Open API `function`; envelope heads only).
    Function,
    /// The configured client secret (envelope heads only: DANA's Open API sends it in the signed head).
    ClientSecret,
    /// A fresh id per request (DOKU's `Request-Id`, at most 128 characters; a UUID v4), signed as `{request_id}`.
    /// Also a Stripe-style `Idempotency-Key` (WooshPay's).
    RequestId,
    /// `Basic <base64 of "<client secret>:">`: HTTP Basic with the configured client secret as the user name and an
    /// empty password (a Stripe-style secret key, WooshPay's `sk_test_…`). The credential itself, for calls that are
    /// not signed ([`AuthKind::Unsigned`](crate::AuthKind::Unsigned)).
    BasicSecret,
    /// A constant.
    Value(Text),
    /// Text around sources, e.g. `"HMACSHA256={signature}"` or WooshPay's `"t={timestamp},v1={signature}"`: the
    /// pieces in order, each a [`HeaderSource::Value`] (the text) or a keyword source. Lowering lets through keyword
    /// pieces that are all different, with text between any two of them (so a received value can be read apart),
    /// and no nesting. A template that is a list of `name=` elements is read as one ([`HeaderSource::elements`]).
    Template(List<HeaderSource>),
}

impl HeaderSource {
    /// A `'static` constant (what generated statics hold).
    pub const fn value(text: &'static str) -> HeaderSource {
        HeaderSource::Value(std::borrow::Cow::Borrowed(text))
    }

    /// The source keywords a spec may use for a header.
    pub const KEYWORDS: [(&'static str, HeaderSource); 8] = [
        ("client_id", HeaderSource::ClientId),
        ("external_id", HeaderSource::ExternalId),
        ("channel_id", HeaderSource::ChannelId),
        ("timestamp", HeaderSource::Timestamp),
        ("signature", HeaderSource::Signature),
        ("bearer_token", HeaderSource::BearerToken),
        ("request_id", HeaderSource::RequestId),
        ("basic_secret", HeaderSource::BasicSecret),
    ];

    /// Whether this value is filled by `source`, directly or as one of a template's sources.
    pub fn is(&self, source: &HeaderSource) -> bool {
        match self {
            HeaderSource::Template(pieces) => pieces
                .iter()
                .any(|piece| !matches!(piece, HeaderSource::Value(_)) && piece == source),
            filled => filled == source,
        }
    }

    /// The `name=` elements of a template that is a list of them: two or more sources, each after its name and `=`,
    /// the elements joined by one separator and nothing after the last (WooshPay's `t={timestamp},v1={signature}`:
    /// separator `,`, elements `t` and `v1`). `None` for any other value (one source, other text). Names are ASCII
    /// letters, digits, `_` and `-`; the separator is the text before the second name.
    ///
    /// Such a header is read as the list it is, the way WooshPay tells its merchants to read `Wooshpay-Signature`:
    /// split at the separator, each element at its first `=`, elements of other names ignored, and a name given more
    /// than once gives each of its values.
    pub fn elements(&self) -> Option<Elements<'_>> {
        let HeaderSource::Template(pieces) = self else {
            return None;
        };
        let mut named = Vec::new();
        let mut separator: Option<&str> = None;
        for pair in pieces.chunks(2) {
            let [HeaderSource::Value(text), source] = pair else {
                return None;
            };
            if matches!(source, HeaderSource::Value(_)) {
                return None;
            }
            let text = text.strip_suffix('=')?;
            let name_at = text.rfind(|c: char| !is_name_char(c)).map_or(0, |at| at + 1);
            let (before, name) = text.split_at(name_at);
            match (named.is_empty(), separator) {
                (true, _) if !before.is_empty() => return None,
                (false, None) if !before.is_empty() => separator = Some(before),
                (false, Some(known)) if known == before => {}
                (false, _) => return None,
                (true, _) => {}
            }
            if name.is_empty() {
                return None;
            }
            named.push((name, source));
        }
        let separator = separator?;
        Some(Elements { separator, named })
    }

    /// The further keywords an envelope's head may use.
    pub const HEAD_KEYWORDS: [(&'static str, HeaderSource); 2] = [
        ("function", HeaderSource::Function),
        ("client_secret", HeaderSource::ClientSecret),
    ];
}

/// The elements of a header that is a list of `name=value` elements ([`HeaderSource::elements`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elements<'s> {
    /// What joins the elements (`,`).
    pub separator: &'s str,
    /// Each element's name (`t`, `v1`) and the source of its value, in the template's order.
    pub named: Vec<(&'s str, &'s HeaderSource)>,
}

impl<'s> Elements<'s> {
    /// The values a received header gives `source`: every element named as the template names `source`'s, in the
    /// order received (elements of other names, and text that is not `name=value`, are passed over).
    pub fn values<'v>(&self, source: &HeaderSource, received: &'v str) -> Vec<&'v str> {
        let Some((wanted, _)) = self.named.iter().find(|(_, s)| *s == source) else {
            return Vec::new();
        };
        received
            .split(self.separator)
            .filter_map(|element| element.trim().split_once('='))
            .filter(|(name, _)| name == wanted)
            .map(|(_, value)| value)
            .collect()
    }
}

/// A character of an element's name.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(pieces: Vec<HeaderSource>) -> HeaderSource {
        HeaderSource::Template(pieces.into())
    }

    #[test]
    fn a_list_of_name_elements_is_read_as_one() {
        let wooshpay = template(vec![
            HeaderSource::value("t="),
            HeaderSource::Timestamp,
            HeaderSource::value(",v1="),
            HeaderSource::Signature,
        ]);
        let elements = wooshpay.elements().expect("a list");
        assert_eq!(elements.separator, ",");
        assert_eq!(
            elements.named,
            [("t", &HeaderSource::Timestamp), ("v1", &HeaderSource::Signature)]
        );
        let received = "t=1492774577,v1=aa, v0=bb,v1=cc,junk";
        assert_eq!(elements.values(&HeaderSource::Timestamp, received), ["1492774577"]);
        assert_eq!(elements.values(&HeaderSource::Signature, received), ["aa", "cc"]);
        assert!(elements.values(&HeaderSource::ClientId, received).is_empty());
    }

    #[test]
    fn other_templates_are_not_lists() {
        let one = template(vec![HeaderSource::value("HMACSHA256="), HeaderSource::Signature]);
        assert_eq!(one.elements(), None);
        let trailing = template(vec![
            HeaderSource::value("t="),
            HeaderSource::Timestamp,
            HeaderSource::value(",v1="),
            HeaderSource::Signature,
            HeaderSource::value(";"),
        ]);
        assert_eq!(trailing.elements(), None);
        let no_equals = template(vec![
            HeaderSource::value("t:"),
            HeaderSource::Timestamp,
            HeaderSource::value(",v1="),
            HeaderSource::Signature,
        ]);
        assert_eq!(no_equals.elements(), None);
        let two_separators = template(vec![
            HeaderSource::value("a="),
            HeaderSource::ClientId,
            HeaderSource::value(",b="),
            HeaderSource::Timestamp,
            HeaderSource::value(";c="),
            HeaderSource::Signature,
        ]);
        assert_eq!(two_separators.elements(), None);
        assert_eq!(HeaderSource::Signature.elements(), None);
    }
}
