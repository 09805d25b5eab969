//! Bodies read whole: a request's before it is checked, an answer's before the journal keeps it.
//!
//! axum's `to_bytes` collects every body into a list of its frames first. A sandbox answer is one frame, and so is a
//! request that arrived in one read; such a body is taken as it is, and only a body of several frames is collected.

use std::future::poll_fn;
use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};

/// The whole of `body` if it holds at most `limit` bytes; none when it holds more or cannot be read.
pub(crate) async fn whole(mut body: Body, limit: usize) -> Option<Bytes> {
    let Some(first) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await else {
        return Some(Bytes::new());
    };
    // A frame without data is trailers, which no call or answer here carries.
    let first = first.ok()?.into_data().unwrap_or_default();
    if first.len() > limit {
        return None;
    }
    if body.is_end_stream() {
        return Some(first);
    }
    let rest = axum::body::to_bytes(body, limit - first.len()).await.ok()?;
    let mut all = Vec::with_capacity(first.len() + rest.len());
    all.extend_from_slice(&first);
    all.extend_from_slice(&rest);
    Some(all.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    fn frames(parts: &[&'static str]) -> Body {
        let chunks = parts
            .iter()
            .map(|p| Ok::<_, std::io::Error>(Bytes::from_static(p.as_bytes())));
        Body::from_stream(stream::iter(chunks.collect::<Vec<_>>()))
    }

    #[tokio::test]
    async fn one_frame_or_many_read_whole_within_the_limit() {
        assert_eq!(
            whole(Body::from("{\"a\":1}"), 7).await.as_deref(),
            Some(&b"{\"a\":1}"[..])
        );
        assert_eq!(whole(Body::from("{\"a\":1}"), 6).await, None, "over the limit");
        assert_eq!(whole(Body::empty(), 0).await.as_deref(), Some(&b""[..]));
        let many = frames(&["{\"a\"", ":1", "}"]);
        assert_eq!(whole(many, 7).await.as_deref(), Some(&b"{\"a\":1}"[..]));
        assert_eq!(
            whole(frames(&["{\"a\"", ":1", "}"]), 6).await,
            None,
            "over the limit, in later frames"
        );
    }
}
