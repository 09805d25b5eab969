//! Money-moving calls that never pay twice: an answer that is lost is settled through the endpoint's
//! status endpoint, and the caller learns which of the two answered.

use std::fmt;

use crate::json::WriteJson;
use serde::de::DeserializeOwned;

use super::reply::RawBody;
use super::{Client, Error, Outgoing, Reply, body_bytes};
use crate::code::{EndpointCode, Outcome};
use crate::endpoint::EndpointInfo;
use crate::retry::{Settlement, StatusCheck};

/// How a money-moving call succeeded: the call's own answer, or — when that answer was lost — the status
/// endpoint's confirmation. `R`/`C` are the call's response body and code, `SR`/`SC` its status
/// endpoint's.
#[derive(Clone)]
pub enum Settled<R, C, SR, SC> {
    /// The provider answered the call itself with a success code.
    Answered(Reply<R, C>),
    /// The call's own answer was lost (timeout, connection error, 5xx, pending) and the status endpoint
    /// reports that the operation succeeded. The call's own response body was never seen: what is known
    /// is what the status endpoint said.
    ConfirmedByStatus(StatusConfirmation<SR, SC>),
}

impl<R: fmt::Debug, C: EndpointCode, SR: fmt::Debug, SC: EndpointCode> fmt::Debug for Settled<R, C, SR, SC> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Settled::Answered(reply) => f.debug_tuple("Answered").field(reply).finish(),
            Settled::ConfirmedByStatus(status) => f.debug_tuple("ConfirmedByStatus").field(status).finish(),
        }
    }
}

/// The status endpoint's answer that confirmed a money-moving call whose own answer was lost. Its `Debug`
/// shows the raw body as text, with the members the spec marks sensitive redacted.
#[derive(Clone)]
pub struct StatusConfirmation<R, C> {
    /// The status endpoint's HTTP status.
    pub status: u16,
    /// The status endpoint's response code, typed for the status endpoint.
    pub code: C,
    /// The status endpoint's responseMessage.
    pub message: Option<String>,
    /// The status endpoint's decoded body.
    pub body: R,
    /// The status endpoint's body exactly as received.
    pub raw_body: Vec<u8>,
    /// The value of the status field that confirmed success (the spec's `status_query.field`, e.g.
    /// `latestTransactionStatus: "00"`).
    pub status_value: String,
    /// The X-EXTERNAL-ID of the confirmed request: the call's first, or that of the resend when the status
    /// endpoint had reported the first as never received. Later requests refer to it (a refund's
    /// `originalExternalId`).
    pub external_id: String,
}

impl<R: fmt::Debug, C: EndpointCode> fmt::Debug for StatusConfirmation<R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusConfirmation")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("body", &self.body)
            .field("raw_body", &RawBody::<C>::new(&self.raw_body))
            .field("status_value", &self.status_value)
            .field("external_id", &self.external_id)
            .finish()
    }
}

impl<R, C, SR, SC> Settled<R, C, SR, SC> {
    /// The call's own answer, when it was not lost.
    pub fn answered(&self) -> Option<&Reply<R, C>> {
        match self {
            Settled::Answered(reply) => Some(reply),
            Settled::ConfirmedByStatus(_) => None,
        }
    }

    /// The call's own answer, when it was not lost.
    pub fn into_answered(self) -> Option<Reply<R, C>> {
        match self {
            Settled::Answered(reply) => Some(reply),
            Settled::ConfirmedByStatus(_) => None,
        }
    }

    /// The status endpoint's confirmation, when the call's own answer was lost.
    pub fn confirmed_by_status(&self) -> Option<&StatusConfirmation<SR, SC>> {
        match self {
            Settled::Answered(_) => None,
            Settled::ConfirmedByStatus(confirmation) => Some(confirmation),
        }
    }

    /// The status endpoint's confirmation, when the call's own answer was lost.
    pub fn into_confirmed_by_status(self) -> Option<StatusConfirmation<SR, SC>> {
        match self {
            Settled::Answered(_) => None,
            Settled::ConfirmedByStatus(confirmation) => Some(confirmation),
        }
    }

    /// The X-EXTERNAL-ID of the request that succeeded, either way.
    pub fn external_id(&self) -> &str {
        match self {
            Settled::Answered(reply) => &reply.external_id,
            Settled::ConfirmedByStatus(confirmation) => &confirmation.external_id,
        }
    }
}

/// What one status query says about the original request.
enum StatusAnswer<R, C> {
    Succeeded(String, Reply<R, C>),
    Failed(String, Vec<u8>),
    NotFound,
    Open,
}

impl Client {
    /// Calls a money-moving endpoint so that nothing is lost or done twice: like [`Self::call`], but an
    /// answer that is lost (timeout, connection error, 5xx, pending) is settled through `query` within the
    /// configured [`RetryPolicy`](crate::RetryPolicy); the request is only sent again (same body, same
    /// references) when the status endpoint says the provider never saw it.
    ///
    /// # Errors
    ///
    /// As [`Self::call`], plus [`Error::Declined`] (the status endpoint reports a failure) and
    /// [`Error::OutcomeUnknown`] (the budget is spent without a settled answer).
    pub async fn call_safely<Req, Resp, Code, StatusResp, StatusCode>(
        &self,
        endpoint: &'static EndpointInfo,
        query: &'static StatusCheck,
        request: &Req,
        headers: &[(String, String)],
    ) -> Result<Settled<Resp, Code, StatusResp, StatusCode>, Error<Code>>
    where
        Req: WriteJson + ?Sized,
        Resp: DeserializeOwned,
        Code: EndpointCode,
        StatusResp: DeserializeOwned,
        StatusCode: EndpointCode,
    {
        let body = body_bytes(request);
        let original: serde_json::Value = serde_json::from_slice(&body).map_err(Error::Serialize)?;
        let policy = self.inner.config.retry;
        let mut ids = self.call_ids(endpoint);
        let mut answer = self
            .attempt(endpoint, Outgoing::at(endpoint, body.clone()), headers, ids.clone())
            .await;
        let mut queries = 0;
        while queries < policy.budget && !is_settled(&answer) {
            tokio::time::sleep(policy.wait(queries)).await;
            let Some(status_body) = query.request_for(&original) else {
                break;
            };
            queries += 1;
            match self.ask_status(query, status_body).await {
                StatusAnswer::Succeeded(value, reply) => return Ok(confirmed(reply, value, ids.external_id)),
                StatusAnswer::Failed(status, raw_body) => return Err(Error::Declined { status, raw_body }),
                StatusAnswer::NotFound => {
                    // Same body, references and request id; a new X-EXTERNAL-ID, since one may not be reused the
                    // same day.
                    ids = ids.with_new_external_id();
                    let outgoing = Outgoing::at(endpoint, body.clone());
                    answer = self.attempt(endpoint, outgoing, headers, ids.clone()).await;
                }
                StatusAnswer::Open => {}
            }
        }
        give_up(answer, queries)
    }

    /// Asks the status endpoint once about the original request (`body` is the status request).
    async fn ask_status<R, C>(&self, query: &'static StatusCheck, body: Vec<u8>) -> StatusAnswer<R, C>
    where
        R: DeserializeOwned,
        C: EndpointCode,
    {
        let outgoing = Outgoing::at(query.endpoint, body);
        let ids = self.call_ids(query.endpoint);
        let answer = self.attempt::<R, C>(query.endpoint, outgoing, &[], ids).await;
        let settlement = match &answer {
            Ok(reply) => query.settlement(reply.status, &reply.raw_body, self.inner.provider.standard),
            Err(Error::Api { status, raw_body, .. } | Error::InvalidBody { status, raw_body }) => {
                query.settlement(*status, raw_body, self.inner.provider.standard)
            }
            Err(_) => Settlement::Open,
        };
        match (settlement, answer) {
            (Settlement::Succeeded(value), Ok(reply)) => StatusAnswer::Succeeded(value, reply),
            // A status answer whose own code is a refusal confirms nothing, whatever its status field says.
            (Settlement::Succeeded(_), Err(_)) | (Settlement::Open, _) => StatusAnswer::Open,
            (Settlement::Failed(value), answer) => StatusAnswer::Failed(value, raw_body(answer)),
            (Settlement::NotFound, _) => StatusAnswer::NotFound,
        }
    }
}

/// The body received, if any.
fn raw_body<R, C: EndpointCode>(answer: Result<Reply<R, C>, Error<C>>) -> Vec<u8> {
    match answer {
        Ok(Reply { raw_body, .. }) | Err(Error::Api { raw_body, .. } | Error::InvalidBody { raw_body, .. }) => raw_body,
        Err(_) => Vec::new(),
    }
}

fn confirmed<R, C, SR, SC>(reply: Reply<SR, SC>, status_value: String, external_id: String) -> Settled<R, C, SR, SC> {
    Settled::ConfirmedByStatus(StatusConfirmation {
        status: reply.status,
        code: reply.code,
        message: reply.message,
        body: reply.body,
        raw_body: reply.raw_body,
        status_value,
        external_id,
    })
}

/// The call's last answer once no status query settled it: a success still counts, anything else leaves
/// the outcome unknown.
fn give_up<R, C, SR, SC>(answer: Result<Reply<R, C>, Error<C>>, queries: u32) -> Result<Settled<R, C, SR, SC>, Error<C>>
where
    C: EndpointCode,
{
    let last = match answer {
        answer if is_settled(&answer) => return answer.map(Settled::Answered),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::ResponseCode;

    fn reply(code: &str, external_id: &str) -> Reply<(), ResponseCode> {
        Reply {
            status: 200,
            code: ResponseCode::parse(code),
            message: None,
            body: (),
            raw_body: Vec::new(),
            external_id: external_id.to_owned(),
            request_id: String::new(),
        }
    }

    #[test]
    fn either_way_the_caller_reads_what_was_received() {
        let answered: Settled<(), ResponseCode, (), ResponseCode> = Settled::Answered(reply("2005400", "1"));
        assert_eq!(answered.answered().map(|r| r.code.as_str()), Some("2005400"));
        assert!(answered.confirmed_by_status().is_none());
        assert_eq!(answered.external_id(), "1");

        let status = reply("2005500", "status query's own");
        let confirmed: Settled<(), ResponseCode, (), ResponseCode> = confirmed(status, "00".into(), "2".into());
        assert!(confirmed.answered().is_none());
        let confirmation = confirmed.confirmed_by_status().expect("confirmed");
        assert_eq!(
            (confirmation.code.as_str(), confirmation.status_value.as_str()),
            ("2005500", "00")
        );
        assert_eq!(
            confirmed.external_id(),
            "2",
            "the confirmed request's, not the status query's"
        );
    }

    #[test]
    fn an_unsettled_last_answer_leaves_the_outcome_unknown() {
        let pending = Ok(reply("2025400", "1"));
        match give_up::<(), ResponseCode, (), ResponseCode>(pending, 3) {
            Err(Error::OutcomeUnknown { queries: 3, last }) => {
                assert!(matches!(*last, Error::Api { ref code, .. } if code.as_str() == "2025400"))
            }
            other => panic!("expected an unknown outcome, got {other:?}"),
        }
        let success = give_up::<(), ResponseCode, (), ResponseCode>(Ok(reply("2005400", "1")), 3);
        assert!(matches!(success, Ok(Settled::Answered(_))));
    }
}
