//! An axum extractor for verified notifications: a merchant mounts a handler that only ever sees requests
//! that passed [`Verifier::verify`](super::Verifier::verify) and decoded into the generated type.
//!
//! ```ignore
//! async fn notified(Notification(payment, _): Notification<notify::Request>) -> Ack {
//!     // store `payment` idempotently …
//!     Ack(notify::ENDPOINT.service_code)
//! }
//! let app = Router::new().route("/payments/notifications", post(notified)).with_state(verifier);
//! ```
//!
//! A refused request never reaches the handler: the extractor answers the provider with the SNAP code for
//! the reason (`4005602 Invalid Mandatory Field X-TIMESTAMP`, `4015600 Unauthorized. Invalid Signature`, …).

use axum::extract::{FromRef, FromRequest, OriginalUri, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::{Rejection, Verifier, acknowledge, in_provider_terms};
use crate::endpoint::{EndpointInfo, Provider};
use crate::validate::FromRaw;

/// Bodies above this size are refused before they are read in full.
const MAX_BODY: usize = 256 * 1024;

/// Who sent a verified notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// X-PARTNER-ID.
    pub partner: String,
    /// X-EXTERNAL-ID.
    pub external_id: String,
}

/// A notification that passed every check, decoded into `T` (a generated inbound request type).
#[derive(Debug)]
pub struct Notification<T>(pub T, pub Sender);

impl<S, T> FromRequest<S> for Notification<T>
where
    S: Send + Sync,
    Verifier: FromRef<S>,
    T: FromRaw,
    T::Raw: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        // The signed path is the one the provider called, before any router nesting stripped a prefix.
        let uri = request
            .extensions()
            .get::<OriginalUri>()
            .map(|o| o.0.clone())
            .unwrap_or_else(|| request.uri().clone());
        let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str()).to_owned();
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| snap_response(verifier.reject(&Rejection::BadBody("the body is too large".into()))))?;
        let verified = verifier
            .verify(&path, &parts.headers, &bytes)
            .map_err(|r| snap_response(verifier.reject(&r)))?;
        let payload = verified
            .payload::<T>()
            .map_err(|r| snap_response(verifier.reject(&r)))?;
        Ok(Notification(
            payload,
            Sender {
                partner: verified.partner,
                external_id: verified.external_id,
            },
        ))
    }
}

/// The success answer to a provider's call, in the words of its standard: `Ack(&doku::PROFILE,
/// &notify::ENDPOINT)` → HTTP 200 `2005600 Successful` (a provider answering its own JSON: HTTP 200 alone).
#[derive(Debug, Clone, Copy)]
pub struct Ack(pub &'static Provider, pub &'static EndpointInfo);

impl IntoResponse for Ack {
    fn into_response(self) -> Response {
        let answer = acknowledge(&self.1.service_code, self.0.standard);
        snap_response(in_provider_terms(self.0, answer))
    }
}

/// The answer as a response: a JSON body, or the status alone when there is none to send.
fn snap_response((status, body): (u16, String)) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    match body.is_empty() {
        true => status.into_response(),
        false => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
    }
}
