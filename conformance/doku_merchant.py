"""The merchant's side of DOKU's notifications, built the way DOKU's Python SDK expects: a Flask app (the SDK's
token helper reads `flask.request`) on 127.0.0.1, whose two routes hand DOKU's calls to the SDK's own helpers.

- `POST /authorization/v1/access-token/b2b`: DOKU asks the merchant for a token before it notifies. The SDK's
  `validate_signature_and_generate_token()` checks DOKU's RSA signature over `clientId|X-TIMESTAMP` with DOKU's
  public key and issues a JWT signed with the merchant's private key.
- `POST /payments/notifications`: the merchant's one notification URL (the sandbox's `--notify-url`, as a merchant
  configures one in DOKU's back office), where DOKU posts both of its payment notifications with that token as
  `Authorization: Bearer …`. The body says which it is, and each goes to its own SDK helper:
  - a direct-debit payment (`originalPartnerReferenceNo`…) to `direct_debit_payment_notification()`, which checks
    the token with `validate_token_b2b()`;
  - a virtual-account payment (`virtualAccountNo`…) to `validate_token_and_generate_notification_response(header,
    request)`, with the SDK's own `RequestHeader` from DOKU's headers and `PaymentNotificationRequest(**body)` (the
    SDK's README builds it this way, so a key the SDK does not know fails); it checks the token and answers
    `2002500` with the VA's data.

The SDK is used unchanged. The glue here does what a merchant's own code does around it: it turns the SDK's
answer objects into HTTP answers, and it passes the token without its `Bearer ` prefix, because the Python SDK's
`validate_token_b2b` hands the string to PyJWT as it is (DOKU's Node SDK strips the prefix itself; with it, every
genuine token is refused). Everything the SDK said is kept in `seen`, for the suite to check.
"""

import logging
import threading

from werkzeug.serving import make_server

TOKEN_PATH = "/authorization/v1/access-token/b2b"
NOTIFY_PATH = "/payments/notifications"


def bare_token(authorization):
    """`Bearer <token>` → `<token>` (what the SDK's validate_token_b2b can decode)."""
    prefix = "Bearer "
    return authorization[len(prefix):] if authorization.startswith(prefix) else authorization


class DokuMerchant:
    """The Flask app on a free loopback port. `snap` (a `DokuSNAP`) is set once the sandbox runs, since building
    one fetches a B2B token; until then the routes answer 503."""

    def __init__(self):
        from flask import Flask

        self.snap = None
        self.seen = []  # one dict per call DOKU made: what the SDK helpers answered
        self.lock = threading.Lock()
        app = Flask("doku-conformance-merchant")
        app.add_url_rule(TOKEN_PATH, "token", self._token, methods=["POST"])
        app.add_url_rule(NOTIFY_PATH, "notify", self._notify, methods=["POST"])
        # One line per request from werkzeug would interleave with the report.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        return False

    def calls(self, kind):
        """What the SDK helpers answered to DOKU's calls of `kind` (`token`, `direct_debit`, `virtual_account`)."""
        with self.lock:
            return [c for c in self.seen if c["kind"] == kind]

    def _remember(self, call):
        with self.lock:
            self.seen.append(call)

    def _token(self):
        from flask import jsonify

        if self.snap is None:
            return jsonify({"error": "merchant not ready"}), 503
        answer = self.snap.validate_signature_and_generate_token()
        body = answer.body.json()
        self._remember({"kind": "token", "responseCode": body["responseCode"]})
        headers = {k: v for k, v in answer.header.json().items() if v is not None}
        return jsonify(body), 200 if body["responseCode"] == "2007300" else 401, headers

    def _notify(self):
        from flask import jsonify, request

        if self.snap is None:
            return jsonify({"error": "merchant not ready"}), 503
        body = request.get_json()
        # A VA payment names the virtual account; a direct-debit payment names the merchant's original reference.
        if "virtualAccountNo" in body:
            return self._virtual_account(body)
        return self._direct_debit(body)

    def _direct_debit(self, body):
        from flask import jsonify, request

        token = bare_token(request.headers.get("Authorization", ""))
        token_valid = self.snap.validate_token_b2b(request_token=token)
        answer = self.snap.direct_debit_payment_notification(request_token_b2b2c=token).json()
        self._remember(
            {"kind": "direct_debit", "token_valid": token_valid, "body": body, "responseCode": answer["responseCode"]}
        )
        return jsonify(answer), 200 if answer["responseCode"] == "2005600" else 401

    def _virtual_account(self, body):
        from doku_python_library.src.model.general.request_header import RequestHeader
        from doku_python_library.src.model.notification.notification_payment_request import (
            PaymentNotificationRequest,
        )
        from flask import jsonify, request

        # The SDK's RequestHeader holds the bare token (its to_json() adds `Bearer `).
        header = RequestHeader(
            x_timestamp=request.headers.get("X-TIMESTAMP"),
            x_signature=request.headers.get("X-SIGNATURE"),
            x_partner_id=request.headers.get("X-PARTNER-ID"),
            x_external_id=request.headers.get("X-EXTERNAL-ID"),
            authorization=bare_token(request.headers.get("Authorization", "")),
            channel_id=request.headers.get("CHANNEL-ID"),
        )
        try:
            answer = self.snap.validate_token_and_generate_notification_response(
                header, PaymentNotificationRequest(**body)
            )
            answer = answer.json() if answer is not None else None
        except Exception as e:  # the SDK could not read DOKU's body: keep its words for the suite's report
            self._remember({"kind": "virtual_account", "body": body, "error": repr(e)})
            return jsonify({"error": repr(e)}), 500
        if answer is None:
            self._remember({"kind": "virtual_account", "body": body, "error": "the SDK answered None"})
            return jsonify({"error": "the SDK answered None"}), 500
        self._remember(
            {"kind": "virtual_account", "body": body, "responseCode": answer["responseCode"], "answer": answer}
        )
        return jsonify(answer), 200 if answer["responseCode"] == "2002500" else 401
