//! The merchant of a provider that reads only the HTTP status of the merchant's answer to a notification (DOKU's
//! non-SNAP notifications, WooshPay's webhook events): the runtime's axum extractor verifies each notification and
//! reads it into the endpoint's generated request type, and the merchant keeps it with the status it answered.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use snapbi::rt::FromRaw;
use snapbi::rt::inbound::Verifier;
use snapbi::rt::inbound::axum::Notification;

use super::serve;

/// The merchant: its verifier, and the notifications it verified (of type `N`) with the status it answered.
pub(super) struct Merchant<N> {
    verifier: Verifier,
    received: Arc<Mutex<Vec<(N, u16)>>>,
}

impl<N> Clone for Merchant<N> {
    fn clone(&self) -> Self {
        Self {
            verifier: self.verifier.clone(),
            received: Arc::clone(&self.received),
        }
    }
}

impl<N> FromRef<Merchant<N>> for Verifier {
    fn from_ref(merchant: &Merchant<N>) -> Verifier {
        merchant.verifier.clone()
    }
}

impl<N> Merchant<N>
where
    N: FromRaw + Clone + Send + Sync + 'static,
    N::Raw: serde::de::DeserializeOwned,
{
    pub(super) fn new(verifier: Verifier) -> Self {
        Self {
            verifier,
            received: Arc::default(),
        }
    }

    /// Serves the merchant's notification endpoint at `path` (the inbound endpoint's path in its spec, which stands
    /// for the merchant's URL) on a loopback port; returns its URL and task.
    pub(super) async fn serve(&self, path: &str) -> Result<(String, tokio::task::JoinHandle<()>), String> {
        let app = Router::new().route(path, post(notified::<N>)).with_state(self.clone());
        let (base, server) = serve(app).await?;
        Ok((format!("{base}{path}"), server))
    }

    /// The first notification the merchant verified, with the status it answered.
    pub(super) fn first(&self) -> Option<(N, u16)> {
        self.received.lock().unwrap_or_else(|p| p.into_inner()).first().cloned()
    }
}

/// The notification endpoint: the extractor verifies the signature and the body's spec; the provider reads only the
/// answer's status.
async fn notified<N>(State(merchant): State<Merchant<N>>, Notification(sent, _): Notification<N>) -> StatusCode
where
    N: FromRaw + Send + Sync + 'static,
    N::Raw: serde::de::DeserializeOwned,
{
    let (status, _) = merchant.verifier.acknowledge();
    merchant
        .received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((sent, status));
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}
