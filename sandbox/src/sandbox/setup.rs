//! What the builder derives from the specs and its settings: the standard's token lifetime and a check of the
//! standard's data, the accepted clients, the served endpoints (their routes are `crate::routes`), and the
//! notifiers (one per provider, client and auth kind of a notification endpoint).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use snapbi_runtime::secret::{AccessToken, ClientSecret};
use snapbi_spec::ir::{Api, AuthKind, Direction, Endpoint, FieldType, NotificationKey, Operation, Provider, Situation};

use super::SandboxError;
use super::state::{NotifierKey, Served};
use crate::changes::Changes;
use crate::credentials::{Client, Credentials, DEMO_NOTIFY_TOKEN};
use crate::keys::ProviderKey;
use crate::notify::{MerchantToken, Notifier, NotifySigner, Schedule, notify_endpoint};
use crate::payment_status::Machine;

/// The standard's B2B token lifetime (`token.lifetime_seconds`), at least a second.
pub(super) fn standard_token_lifetime(api: &Api) -> Result<Duration, SandboxError> {
    match api.standard.token_lifetime_seconds {
        0 => Err(SandboxError::Standard("token.lifetime_seconds is 0".into())),
        seconds => Ok(Duration::from_secs(u64::from(seconds))),
    }
}

/// Refuses standard data the sandbox could not answer from: every situation has its case, and the payment state
/// machine's table leads only to values it lists.
pub(super) fn check_standard(api: &Api) -> Result<(), SandboxError> {
    let standard = &api.standard;
    if let Some((name, _)) = Situation::ALL.iter().find(|(_, s)| standard.case(*s).is_none()) {
        return Err(SandboxError::Standard(format!("cases: no case for `{name}`")));
    }
    Machine::check(&standard.transaction_status).map_err(SandboxError::Standard)
}

/// The accepted clients; a client id is at most `max_id_length` characters (the standard's X-PARTNER-ID length).
pub(super) fn clients(
    credentials: Vec<Credentials>,
    max_id_length: Option<u32>,
) -> Result<HashMap<String, Client>, SandboxError> {
    let credentials = match credentials.is_empty() {
        true => vec![Credentials::demo()],
        false => credentials,
    };
    let mut clients = HashMap::new();
    for creds in credentials {
        let client = creds.parse(max_id_length)?;
        if clients.contains_key(&client.id) {
            return Err(SandboxError::Credentials {
                client_id: client.id,
                reason: "given twice".into(),
            });
        }
        clients.insert(client.id.clone(), client);
    }
    Ok(clients)
}

/// Every client has the key each chosen provider signs its notifications with: a provider that signs with the
/// merchant's webhook secret (`notification_key: webhook_secret`, WooshPay) needs a client with one, or its
/// notifications could not be sent.
pub(super) fn notification_keys(
    api: &Api,
    chosen: &[String],
    clients: &HashMap<String, Client>,
) -> Result<(), SandboxError> {
    for provider in chosen.iter().filter_map(|name| api.provider(name)) {
        if let Some(client) = clients.values().find(|c| notification_secret(provider, c).is_none()) {
            return Err(SandboxError::Credentials {
                client_id: client.id.clone(),
                reason: format!(
                    "{} signs its notifications with the merchant's webhook secret, and this client has none: give it \
                     one (`Credentials::webhook_secret`, `snapbi sandbox --webhook-secret`) or serve other providers",
                    provider.name
                ),
            });
        }
    }
    Ok(())
}

/// The outbound endpoints of the chosen providers, with what the ledger needs to know about each.
pub(super) fn served(api: &Api, chosen: &[String]) -> Result<Vec<Served>, SandboxError> {
    let mut served = Vec::new();
    for (index, endpoint) in api.endpoints.iter().enumerate() {
        if endpoint.direction != Direction::Outbound || !chosen.iter().any(|p| *p == endpoint.info.provider) {
            continue;
        }
        if std::iter::once(endpoint.info.path.as_ref())
            .chain(endpoint.aliases.iter().map(String::as_str))
            .any(|p| p.starts_with("/_sandbox"))
        {
            return Err(SandboxError::ReservedPath(endpoint.info.id.to_string()));
        }
        served.push(Served {
            index,
            money_field: money_field(api, endpoint),
            // A payment answered with a URL to send the customer to is paid later, in the provider's app
            // or page: it starts initiated. Any other payment is paid when it is accepted.
            jump_app: endpoint.response.iter().any(|f| f.wire == "webRedirectUrl"),
            sensitive_keys: snapbi_spec::ir::paths::sensitive_keys(api, endpoint).into(),
        });
    }
    if served.is_empty() {
        return Err(SandboxError::NoEndpoints);
    }
    Ok(served)
}

/// The first top-level request field shaped like a SNAP amount (`value` decimal + `currency` string):
/// `amount` of a payment, `refundAmount` of a refund.
fn money_field(api: &Api, endpoint: &Endpoint) -> Option<String> {
    endpoint.request.iter().find_map(|f| {
        let fields = match &f.ty {
            FieldType::Named(name) => &api.shared_type(name)?.fields,
            FieldType::Object(fields) => fields,
            _ => return None,
        };
        let has = |wire: &str, decimal: bool| {
            fields
                .iter()
                .any(|g| g.wire == wire && matches!(g.ty, FieldType::Decimal { .. }) == decimal)
        };
        (has("value", true) && has("currency", false)).then(|| f.wire.clone())
    })
}

/// How the notifiers are made: one per (provider, client, auth kind of a notification endpoint), signing with that
/// client's secret.
pub(super) struct NotifierSetup {
    pub(super) schedule: Option<Schedule>,
    pub(super) speedup: u32,
    pub(super) timeout: Option<Duration>,
    /// A configured token; else the merchant's, when the provider has a merchant-side token endpoint.
    pub(super) token: Option<String>,
    pub(super) merchant_token_url: Option<String>,
}

impl NotifierSetup {
    pub(super) fn build(
        &self,
        api: &Api,
        chosen: &[String],
        clients: &HashMap<String, Client>,
        changes: &Changes,
    ) -> HashMap<NotifierKey, Notifier> {
        // One count for all: a notification's number names it in the sandbox (the dashboard's Resend).
        let numbers = Arc::new(AtomicU64::new(1));
        let mut notifiers = HashMap::new();
        for provider in chosen.iter().filter_map(|name| api.provider(name)) {
            for client in clients.values() {
                // `notification_keys` refused a client without the key at build.
                let Some(secret) = notification_secret(provider, client) else {
                    continue;
                };
                for auth in notification_auths(api, &provider.name) {
                    let merchant_token = match &self.token {
                        Some(_) => None,
                        None => MerchantToken::from_specs(api, provider, self.merchant_token_url.clone()),
                    };
                    notifiers.insert(
                        (provider.name.clone(), client.id.clone(), auth),
                        self.notifier(provider, auth, client, secret.clone(), merchant_token)
                            .in_sandbox(Arc::clone(&numbers), changes.clone()),
                    );
                }
            }
        }
        notifiers
    }

    fn notifier(
        &self,
        provider: &Provider,
        auth: AuthKind,
        client: &Client,
        secret: ClientSecret,
        merchant_token: Option<MerchantToken>,
    ) -> Notifier {
        let schedule = match &self.schedule {
            Some(schedule) => schedule.clone(),
            None => Schedule::from_provider(provider).compressed(self.speedup),
        };
        let token = self.token.as_deref().unwrap_or(DEMO_NOTIFY_TOKEN);
        let signer = NotifySigner::new(client.id.clone(), secret, AccessToken::from(token));
        // The sandbox signs asymmetric notifications with its own (public, demo) provider key.
        let signer = match ProviderKey::from_pem(crate::credentials::DEMO_PROVIDER_PRIVATE_KEY_PEM) {
            Ok(key) => signer.with_provider_key(key),
            Err(_) => signer,
        };
        let notifier = Notifier::for_auth(provider, auth, schedule, signer);
        let notifier = match merchant_token {
            Some(source) => notifier.with_merchant_token(source),
            None => notifier,
        };
        match self.timeout {
            Some(timeout) => notifier.with_attempt_timeout(timeout),
            None => notifier,
        }
    }
}

/// The key `client`'s symmetric notifications from `provider` are signed with: its secret, or its webhook secret for a
/// provider with `notification_key: webhook_secret` (none when it has none).
pub(crate) fn notification_secret(provider: &Provider, client: &Client) -> Option<ClientSecret> {
    match provider.notification_key {
        NotificationKey::ClientSecret => Some(client.secret.clone()),
        NotificationKey::WebhookSecret => client.webhook_secret.clone(),
    }
}

/// The auth kind a payment notification of `provider` is signed with: its inbound payment notification
/// endpoint's (symmetric at DOKU, asymmetric at DANA), symmetric when it has none.
pub(super) fn payment_notification_auth(api: &Api, provider: &str) -> AuthKind {
    notify_endpoint(api, provider).map_or(AuthKind::Symmetric, |e| e.info.auth)
}

/// Every auth kind `provider`'s notifications are signed with: the payment notification's and each record
/// notification's (`operation: notify`).
fn notification_auths(api: &Api, provider: &str) -> std::collections::BTreeSet<AuthKind> {
    let records = api
        .endpoints
        .iter()
        .filter(|e| {
            e.info.provider == provider && e.direction == Direction::Inbound && e.operation == Operation::Notify
        })
        .map(|e| e.info.auth);
    std::iter::once(payment_notification_auth(api, provider))
        .chain(records)
        .collect()
}
