//! Money-moving calls that never pay twice: an answer that is lost is settled through the endpoint's
//! status endpoint.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::external_id::external_id;
use super::{Client, Error, Reply, body_bytes};
use crate::code::{EndpointCode, Outcome, ResponseCode};
use crate::endpoint::EndpointInfo;
use crate::retry::{Settlement, StatusQuery};

impl Client {
    /// Calls a money-moving endpoint so that nothing is lost or done twice: like [`Self::call`], but an
    /// answer that is lost (timeout, connection error, 5xx, pending) is settled through `query` within the
    /// configured [`RetryPolicy`](crate::RetryPolicy); the request is only sent again (same body, same
    /// references) when the status endpoint says the provider never saw it.
    pub async fn call_safely<Req, Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        query: &'static StatusQuery,
        request: &Req,
        headers: &[(String, String)],
    ) -> Result<Reply<Resp, Code>, Error<Code>>
    where
        Req: Serialize,
        Resp: DeserializeOwned + Default,
        Code: EndpointCode,
    {
        let body = body_bytes(request).map_err(Error::Serialize)?;
        let original: serde_json::Value = serde_json::from_slice(&body).map_err(Error::Serialize)?;
        let policy = self.inner.config.retry;
        // The provider records the X-EXTERNAL-ID of the request it committed: the first one, when the status
        // endpoint confirms a request whose answer was lost.
        let first_external_id = external_id();
        let mut answer = self
            .attempt(endpoint, body.clone(), headers, first_external_id.clone())
            .await;
        for query_number in 0..policy.budget {
            if is_settled(&answer) {
                return answer;
            }
            tokio::time::sleep(policy.wait(query_number)).await;
            let Some(status_body) = query.request_for(&original) else {
                break;
            };
            let Some((status, raw_body)) = self.ask_status(query, status_body).await else {
                continue;
            };
            match query.settlement(status, &raw_body) {
                Settlement::Succeeded(value) => {
                    let code = Code::from(format!("200{}00", endpoint.service_code).as_str());
                    return Ok(Reply {
                        status,
                        code,
                        message: None,
                        body: Resp::default(),
                        raw_body,
                        confirmed_by_status: Some(value),
                        external_id: first_external_id,
                    });
                }
                Settlement::Failed(value) => {
                    return Err(Error::Declined {
                        status: value,
                        raw_body,
                    });
                }
                // Same body and references; a new X-EXTERNAL-ID, since one may not be reused the same day.
                Settlement::NotFound => answer = self.attempt(endpoint, body.clone(), headers, external_id()).await,
                Settlement::Open => {}
            }
        }
        give_up(answer, policy.budget)
    }

    /// Asks the status endpoint once (`body` is the status request): its HTTP status and raw body.
    async fn ask_status(&self, query: &'static StatusQuery, body: Vec<u8>) -> Option<(u16, Vec<u8>)> {
        match self
            .attempt::<serde_json::Value, ResponseCode>(query.endpoint, body, &[], external_id())
            .await
        {
            Ok(reply) => Some((reply.status, reply.raw_body)),
            Err(Error::Api { status, raw_body, .. } | Error::InvalidBody { status, raw_body }) => {
                Some((status, raw_body))
            }
            Err(_) => None,
        }
    }
}

/// The call's last answer once no status query settled it: a success still counts, anything else leaves
/// the outcome unknown.
fn give_up<R, C: EndpointCode>(answer: Result<Reply<R, C>, Error<C>>, queries: u32) -> Result<Reply<R, C>, Error<C>> {
    let last = match answer {
        answer if is_settled(&answer) => return answer,
        Ok(reply) => Error::Api {
            status: reply.status,
            code: reply.code,
            message: reply.message,
            raw_body: reply.raw_body,
        },
        Err(last) => last,
    };
    Err(Error::OutcomeUnknown {
        queries,
        last: Box::new(last),
    })
}

/// Whether an answer is final: a success, or a failure the provider decided. A lost answer (transport),
/// a 5xx, a pending or an unreadable answer is not, and neither is a retryable code.
fn is_settled<R, C: EndpointCode>(answer: &Result<Reply<R, C>, Error<C>>) -> bool {
    match answer {
        Ok(reply) => reply.code.outcome() == Outcome::Success,
        Err(Error::Api { code, .. }) => matches!(code.outcome(), Outcome::Failed | Outcome::Auth),
        Err(Error::Transport(_) | Error::InvalidBody { .. } | Error::UnverifiedAnswer { .. }) => false,
        Err(_) => true,
    }
}
