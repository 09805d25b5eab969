"""DOKU's official Python SDK (doku-python-library 1.1.72), unchanged, against `snapbi sandbox --provider doku`.

Every SDK operation snapbi has an endpoint for is one step, and a step passes only when the SDK itself is
satisfied: its answer object was built from the sandbox's answer (the SDK's models refuse unknown keys), its own
checks passed, and the response code is the operation's success code. The steps run in the order a merchant meets
them: B2B token; account binding of the simulated customer `doku-customers.yaml` seeds, whose answer carries the
auth code that the B2B2C token exchanges once the customer approved on the sandbox's consent page; the calls that
need that customer token (the balance and the bound-account payment are the customer's wallet's); DANA's jump-app payment, paid through the sandbox's admin API, its notification
(the sandbox fetches the merchant's token first, as DOKU does; the merchant answers with the SDK's helpers, see
doku_merchant.py), status and refund; card registration and unbinding; virtual accounts: created, updated, paid at
the bank through the sandbox's admin API (the tester gives the paid amount and the bank's ids), its payment
notification answered by the SDK's `validate_token_and_generate_notification_response`, reported paid by the SDK's
`check_status_va`, deleted.

The SDK's built-in simulator answers requests whose ids start with magic prefixes (`111`…`115`) without any
network call: every id here avoids them.
"""

import datetime
import json
import time
from pathlib import Path

from doku_merchant import NOTIFY_PATH, DokuMerchant
from harness import (
    CLIENT_ID,
    CLIENT_PRIVATE_KEY,
    CLIENT_PUBLIC_KEY,
    CLIENT_SECRET,
    PROVIDER_PUBLIC_KEY,
    Report,
    Sandbox,
    expect,
)

SDK = "doku-python-library 1.1.72"
# The customer's device and address as a merchant passes them on; the SDK wants 10-15 characters of IP address.
DEVICE_ID = "conformance01"
IP_ADDRESS = "192.168.10.20"
RUN = str(int(time.time()))  # keeps ids unique across runs, for a sandbox that outlives one


def said(answer):
    """What the SDK answered, for a failure message."""
    if answer is None:
        return "None (the SDK printed why and gave up)"
    data = {k: v for k, v in vars(answer).items() if v not in (None, "", [])}
    return json.dumps(data, default=lambda o: vars(o) if hasattr(o, "__dict__") else str(o))


def succeeded(answer, code):
    """Fails the step unless the SDK built an answer with `code`."""
    expect(answer is not None and answer.response_code == code, f"expected {code}, the SDK said {said(answer)}")
    return answer


def jakarta(minutes_from_now):
    """A SNAP body datetime, `YYYY-MM-DDTHH:mm:ss+07:00`."""
    zone = datetime.timezone(datetime.timedelta(hours=7))
    at = datetime.datetime.now(zone) + datetime.timedelta(minutes=minutes_from_now)
    return at.strftime("%Y-%m-%dT%H:%M:%S+07:00")


class Journey:
    """The SDK client and what earlier steps left for later ones."""

    def __init__(self, sandbox, merchant):
        self.sandbox = sandbox
        self.merchant = merchant
        self.snap = None
        self.auth_code = None
        self.customer_token = None
        self.jump_app_reference = f"INV-DANA-{RUN}"
        self.va = None

    # ----- tokens and binding -------------------------------------------------------------------------

    def token(self):
        from doku_python_library.src.snap import DokuSNAP

        # private_key signs the merchant's requests and the JWTs its token endpoint issues to DOKU;
        # public_key is DOKU's (it verifies DOKU's token requests); merchant_public_key verifies those JWTs.
        self.snap = DokuSNAP(private_key=CLIENT_PRIVATE_KEY, client_id=CLIENT_ID, is_production=False,
                             public_key=PROVIDER_PUBLIC_KEY, issuer="snapbi-conformance", secret_key=CLIENT_SECRET,
                             merchant_public_key=CLIENT_PUBLIC_KEY)
        self.merchant.snap = self.snap
        expect(getattr(self.snap, "token", None), f"no B2B token: {said(self.snap.get_token())}")
        return f"expires in {self.snap.token_expires_in} s"

    def account_binding(self):
        from doku_python_library.src.model.direct_debit.account_binding_additional_info_request import (
            AccountBindingAdditionalInfoRequest,
        )
        from doku_python_library.src.model.direct_debit.account_binding_request import AccountBindingRequest

        request = AccountBindingRequest(
            phone_no="6281234567890",
            additional_info=AccountBindingAdditionalInfoRequest(
                channel="DIRECT_DEBIT_BRI_SNAP",
                cust_id_merchant=f"cust-{RUN}",
                customer_name="Jokul Doe",
                email="jokul@example.com",
                success_registration_url="https://merchant.example/bind/success",
                failed_registration_url="https://merchant.example/bind/failed",
            ),
        )
        answer = succeeded(self.snap.do_account_binding(request, device_id=DEVICE_ID, ip_address=IP_ADDRESS), "2000700")
        info = answer.additional_info or {}
        self.auth_code = info.get("authCode")
        expect(self.auth_code, f"no additionalInfo.authCode in the answer: {said(answer)}")
        # The customer approves on the consent page the answer points at; the code is good from then on.
        back = self.sandbox.consent(answer.redirect_url, "approve")
        expect(back == "https://merchant.example/bind/success", f"the consent page sent the customer to {back}")
        return f"auth code issued and approved, reference {answer.reference_no}"

    def b2b2c_token(self):
        answer = succeeded(self.snap.get_token_b2b2c(self.auth_code), "2007400")
        expect(answer.access_token and answer.token_type == "Bearer", f"no customer token: {said(answer)}")
        self.customer_token = answer.access_token
        return f"customer token until {answer.access_token_expiry_time}"

    def b2b2c_token_spent(self):
        # The auth code was exchanged once; DOKU refuses it a second time (401xx00).
        from doku_python_library.src.controller.token_controller import TokenController

        answer = TokenController.get_token_b2b2c(self.auth_code, CLIENT_PRIVATE_KEY, CLIENT_ID, False)
        expect(answer is not None and answer.response_code == "4017400",
               f"a spent auth code should be refused with 4017400, the SDK said {said(answer)}")
        return answer.response_message

    # ----- calls with the customer token --------------------------------------------------------------

    def balance_inquiry(self):
        from doku_python_library.src.model.direct_debit.balance_inquiry_additional_info import (
            BalanceInquiryAdditionalInfo,
        )
        from doku_python_library.src.model.direct_debit.balance_inquiry_request import BalanceInquiryRequest

        request = BalanceInquiryRequest(additional_info=BalanceInquiryAdditionalInfo(channel="DIRECT_DEBIT_BRI_SNAP"))
        succeeded(self.snap.do_balance_inquiry(request, ip_address=IP_ADDRESS, auth_code=self.auth_code), "2001100")

    def bound_payment(self):
        from doku_python_library.src.model.direct_debit.payment_additional_info_request import (
            PaymentAdditionalInfoRequest,
        )
        from doku_python_library.src.model.direct_debit.payment_request import PaymentRequest
        from doku_python_library.src.model.va.total_amount import TotalAmount

        request = PaymentRequest(
            partner_reference_no=f"INV-BRI-{RUN}",
            amount=TotalAmount(value="15000.00", currency="IDR"),
            additional_info=PaymentAdditionalInfoRequest(
                channel="DIRECT_DEBIT_BRI_SNAP",
                success_payment_url="https://merchant.example/paid",
                failed_payment_url="https://merchant.example/failed",
                payment_type="SALE",
            ),
        )
        answer = succeeded(self.snap.do_payment(request, ip_address=IP_ADDRESS, auth_code=self.auth_code), "2005400")
        # The seeded wallet (doku-customers.yaml: 100000.00) paid it.
        wallet = self.sandbox.admin("GET", "/_sandbox/customers/doku/6281234567890")["customer"]["balance"]
        expect(wallet == {"value": "85000.00", "currency": "IDR"}, f"the wallet holds {wallet} after paying 15000.00")
        return f"reference {answer.reference_no}, the wallet holds {wallet['value']} IDR"

    def account_unbinding(self):
        from doku_python_library.src.model.direct_debit.account_unbinding_additional_info_request import (
            AccountUnbindingAdditionalInfoRequest,
        )
        from doku_python_library.src.model.direct_debit.account_unbinding_request import AccountUnbindingRequest

        request = AccountUnbindingRequest(
            token=self.customer_token,
            additional_info=AccountUnbindingAdditionalInfoRequest(channel="DIRECT_DEBIT_BRI_SNAP"),
        )
        succeeded(self.snap.do_account_unbinding(request, ip_address=IP_ADDRESS), "2000900")

    # ----- DANA jump app ------------------------------------------------------------------------------

    def jump_app_payment(self):
        from doku_python_library.src.model.direct_debit.payment_jump_app_additional_info import (
            PaymentJumpAppAdditionalInfo,
        )
        from doku_python_library.src.model.direct_debit.payment_jump_app_request import PaymentJumpAppRequest
        from doku_python_library.src.model.direct_debit.url_param import UrlParam
        from doku_python_library.src.model.va.total_amount import TotalAmount

        request = PaymentJumpAppRequest(
            partner_reference_no=self.jump_app_reference,
            url_param=[UrlParam(url="https://merchant.example/return", type="PAY_RETURN", is_deep_link="N")],
            amount=TotalAmount(value="20000.00", currency="IDR"),
            additional_info=PaymentJumpAppAdditionalInfo(
                channel="EMONEY_DANA_SNAP",
                order_title="Kopi susu x2",
                metadata="order 42",
                support_deeplink_checkout_url=True,
            ),
            valid_up_to=jakarta(30),
            point_of_initiation="app",
        )
        answer = succeeded(self.snap.do_payment_jump_app(request, device_id=DEVICE_ID, ip_address=IP_ADDRESS), "2005400")
        expect(answer.web_redirect_url, f"no webRedirectUrl: {said(answer)}")
        expect(answer.partner_reference_no == self.jump_app_reference, f"another partnerReferenceNo: {said(answer)}")
        return f"customer pays at {answer.web_redirect_url}"

    def notification(self):
        self.sandbox.admin("POST", f"/_sandbox/payments/{self.jump_app_reference}/complete")

        def arrived():
            return [c for c in self.merchant.calls("direct_debit")
                    if c["body"].get("originalPartnerReferenceNo") == self.jump_app_reference]

        call = self.sandbox.wait_for("the payment notification", arrived)[0]
        tokens = self.merchant.calls("token")
        expect(tokens and all(t["responseCode"] == "2007300" for t in tokens),
               f"the SDK's validate_signature_and_generate_token said {tokens}")
        expect(call["token_valid"], "the SDK's validate_token_b2b refused the token the merchant issued")
        expect(call["responseCode"] == "2005600",
               f"the SDK's direct_debit_payment_notification said {call['responseCode']}")
        expect(call["body"].get("latestTransactionStatus") == "00", f"notified {call['body']}")
        deliveries = self.sandbox.admin("GET", "/_sandbox/notifications")["deliveries"]
        expect(any(d["acknowledged"] for d in deliveries), f"no delivery acknowledged: {deliveries}")
        return "token issued and checked, 2005600"

    def status(self, expected_status):
        from doku_python_library.src.model.direct_debit.check_status_additional_info_request import (
            CheckStatusAdditionalInfoRequest,
        )
        from doku_python_library.src.model.direct_debit.check_status_request import CheckStatusRequest

        request = CheckStatusRequest(
            service_code="55",
            original_partner_reference_no=self.jump_app_reference,
            additional_info=CheckStatusAdditionalInfoRequest(device_id=DEVICE_ID, channel="EMONEY_DANA_SNAP"),
        )
        answer = succeeded(self.snap.do_check_status(request), "2005500")
        expect(answer.latest_transaction_status == expected_status,
               f"latestTransactionStatus {answer.latest_transaction_status}, expected {expected_status}: {said(answer)}")
        return f"latestTransactionStatus {answer.latest_transaction_status} ({answer.transaction_status_desc})"

    def refund(self):
        from doku_python_library.src.model.direct_debit.refund_additional_info import RefundAdditionalInfo
        from doku_python_library.src.model.direct_debit.refund_request import RefundRequest
        from doku_python_library.src.model.va.total_amount import TotalAmount

        request = RefundRequest(
            original_partner_reference_no=self.jump_app_reference,
            refund_amount=TotalAmount(value="5000.00", currency="IDR"),
            partner_refund_no=f"REF-DANA-{RUN}",
            additional_info=RefundAdditionalInfo(channel="EMONEY_DANA_SNAP"),
            # The SDK makes its own X-EXTERNAL-ID and never shows it, so a merchant has none to send here.
            reason="Customer asked",
        )
        answer = succeeded(
            self.snap.do_refund(request, ip_address=IP_ADDRESS, auth_code=self.auth_code, device_id=DEVICE_ID),
            "2005800",
        )
        return f"refund {answer.refund_no}: {answer.refund_amount}"

    # ----- cards --------------------------------------------------------------------------------------

    def card_registration(self):
        from doku_python_library.src.model.direct_debit.bank_card_data import BankCardData
        from doku_python_library.src.model.direct_debit.card_registration_additional_info import (
            CardRegistrationAdditionalInfo,
        )
        from doku_python_library.src.model.direct_debit.card_registration_request import CardRegistrationRequest
        from doku_python_library.src.snap import DokuSNAP

        card = BankCardData(bank_card_no="5289177777777777", bank_card_type="D", expiry_date="1230",
                            email="jokul@example.com")
        request = CardRegistrationRequest(
            card_data=DokuSNAP.encrypt_card(card, CLIENT_SECRET),
            cust_id_merchant=f"cust{RUN}",
            phone_no="6281234567890",
            additionalInfo=CardRegistrationAdditionalInfo(
                channel="DIRECT_DEBIT_BRI_SNAP",
                customer_name="Jokul Doe",
                success_registration_url="https://merchant.example/card/success",
                failed_registration_url="https://merchant.example/card/failed",
            ),
        )
        answer = succeeded(self.snap.do_card_registration(request, channel_id="DH"), "2000100")
        info = answer.additional_info or {}
        expect(info.get("authCode"), f"no additionalInfo.authCode in the answer: {said(answer)}")
        self.sandbox.consent(answer.redirect_url, "approve")
        # The card's customer token, which card unbinding names.
        token = succeeded(self.snap.get_token_b2b2c(info["authCode"]), "2007400")
        self.card_token = token.access_token
        return f"reference {answer.reference_no}, card token issued"

    def card_unbinding(self):
        from doku_python_library.src.model.direct_debit.account_unbinding_additional_info_request import (
            AccountUnbindingAdditionalInfoRequest,
        )
        from doku_python_library.src.model.direct_debit.card_unbinding_request import CardUnbindingRequest

        request = CardUnbindingRequest(
            token=self.card_token,
            additional_info=AccountUnbindingAdditionalInfoRequest(channel="DIRECT_DEBIT_BRI_SNAP"),
        )
        succeeded(self.snap.do_card_unbinding(request, ip_address=IP_ADDRESS), "2000500")

    # ----- virtual accounts ---------------------------------------------------------------------------

    def va_create(self):
        from doku_python_library.src.model.va.additional_info import AdditionalInfo
        from doku_python_library.src.model.va.create_va_request import CreateVARequest
        from doku_python_library.src.model.va.total_amount import TotalAmount
        from doku_python_library.src.model.va.virtual_account_config import VirtualAccountConfig

        customer_no = RUN.rjust(20, "0")
        self.va = {"partnerServiceId": "  888994", "customerNo": customer_no,
                   "virtualAccountNo": "  888994" + customer_no, "trxId": f"INV-VA-{RUN}"}
        request = CreateVARequest(
            partner_service_id=self.va["partnerServiceId"],
            virtual_acc_name="Toru Yamashita",
            trx_id=self.va["trxId"],
            virtual_acc_trx_type="C",
            total_amount=TotalAmount(value="150000.00", currency="IDR"),
            customer_no=customer_no,
            virtual_account_no=self.va["virtualAccountNo"],
            virtual_acc_email="toru@example.com",
            virtual_acc_phone="628123456789",
            additional_info=AdditionalInfo(channel="VIRTUAL_ACCOUNT_BANK_CIMB",
                                           virtual_account_config=VirtualAccountConfig(reusable_status=False)),
            expired_date=jakarta(24 * 60),
        )
        answer = succeeded(self.snap.create_va(request), "2002700")
        data = answer.virtual_account_data or {}
        expect(data.get("virtualAccountNo") == self.va["virtualAccountNo"], f"another VA: {said(answer)}")
        return f"VA {data.get('virtualAccountNo').strip()}"

    def va_update(self):
        from doku_python_library.src.model.va.total_amount import TotalAmount
        from doku_python_library.src.model.va.update_va_additional_info import UpdateVAAdditionalInfo
        from doku_python_library.src.model.va.update_va_config import UpdateVAConfig
        from doku_python_library.src.model.va.update_va_request import UpdateVaRequest

        request = UpdateVaRequest(
            partnerServiceId=self.va["partnerServiceId"],
            customerNo=self.va["customerNo"],
            virtualAccountNo=self.va["virtualAccountNo"],
            trxId=self.va["trxId"],
            virtualAccountName="Reza Alhadhi",
            additionalInfo=UpdateVAAdditionalInfo(channel="VIRTUAL_ACCOUNT_BANK_CIMB",
                                                  virtualAccountConfig=UpdateVAConfig(status="ACTIVE")),
            totalAmount=TotalAmount(value="175000.00", currency="IDR"),
            virtualAccountTrxType="C",
        )
        answer = succeeded(self.snap.update_va(request), "2002800")
        data = answer.virtual_account_data or {}
        expect(data.get("virtualAccountName") == "Reza Alhadhi", f"the update did not take: {said(answer)}")

    def va_status(self):
        from doku_python_library.src.model.va.check_status_va_request import CheckStatusRequest

        request = CheckStatusRequest(
            partner_service_id=self.va["partnerServiceId"],
            customer_no=self.va["customerNo"],
            virtual_acc_no=self.va["virtualAccountNo"],
        )
        answer = succeeded(self.snap.check_status_va(request), "2002600")
        data = answer.virtual_account_data or {}
        expect(data.get("virtualAccountNo") == self.va["virtualAccountNo"], f"another VA: {said(answer)}")

    def va_payment(self):
        # The customer pays the VA at the bank (the amount after the update); the bank gives the payment's ids.
        paid_amount = {"value": "175000.00", "currency": "IDR"}
        payment = {
            "partnerServiceId": self.va["partnerServiceId"],
            "customerNo": self.va["customerNo"],
            "virtualAccountNo": self.va["virtualAccountNo"],
            "trxId": self.va["trxId"],
            "paymentRequestId": f"PAY-VA-{RUN}",
            "paidAmount": paid_amount,
            "trxDateTime": jakarta(0),
            "additionalInfo": {"senderName": "Reza Alhadhi"},
        }
        self.sandbox.admin("POST", "/_sandbox/records/doku/virtual_account/pay", payment)
        self.va["paidAmount"] = paid_amount

        def arrived():
            return [c for c in self.merchant.calls("virtual_account") if c["body"].get("trxId") == self.va["trxId"]]

        call = self.sandbox.wait_for("the VA payment notification", arrived)[0]
        expect("error" not in call, f"the SDK could not take the notification {call['body']}: {call.get('error')}")
        expect(call["responseCode"] == "2002500",
               f"the SDK's validate_token_and_generate_notification_response said {call['answer']}")
        data = call["answer"].get("virtualAccountData") or {}
        expect(data.get("paymentRequestId") == payment["paymentRequestId"], f"the SDK answered {call['answer']}")
        tokens = self.merchant.calls("token")
        expect(tokens and all(t["responseCode"] == "2007300" for t in tokens),
               f"the SDK's validate_signature_and_generate_token said {tokens}")
        return f"notified; the SDK answered {call['responseCode']} for {data.get('paymentRequestId')}"

    def va_status_paid(self):
        from doku_python_library.src.model.va.check_status_va_request import CheckStatusRequest

        request = CheckStatusRequest(
            partner_service_id=self.va["partnerServiceId"],
            customer_no=self.va["customerNo"],
            virtual_acc_no=self.va["virtualAccountNo"],
        )
        answer = succeeded(self.snap.check_status_va(request), "2002600")
        data = answer.virtual_account_data or {}
        expect(data.get("paymentFlagStatus") == "00", f"not reported paid: {said(answer)}")
        expect(data.get("paidAmount") == self.va["paidAmount"], f"another paid amount: {said(answer)}")
        return f"paymentFlagStatus 00, paid {data['paidAmount']['value']} {data['paidAmount']['currency']}"

    def va_delete(self):
        from doku_python_library.src.model.va.delete_va_additional_info import DeleteVAAdditionalInfo
        from doku_python_library.src.model.va.delete_va_request import DeleteVARequest

        request = DeleteVARequest(
            partner_service_id=self.va["partnerServiceId"],
            customer_no=self.va["customerNo"],
            virtual_acc_no=self.va["virtualAccountNo"],
            trx_id=self.va["trxId"],
            additional_info=DeleteVAAdditionalInfo(channel="VIRTUAL_ACCOUNT_BANK_CIMB"),
        )
        succeeded(self.snap.delete_payment_code(request), "2003100")


def run(snapbi):
    report = Report(SDK)
    # The customer the bindings name (phone 6281234567890), with a wallet the bound payment fits in.
    customers = Path(__file__).with_name("doku-customers.yaml")
    with DokuMerchant() as merchant, Sandbox(
        snapbi, "doku", "--notify-url", merchant.url + NOTIFY_PATH, "--customers", str(customers)
    ) as sandbox:
        # The one change to the SDK: its sandbox base URL (doku_python_library.src.commons.config).
        from doku_python_library.src.commons import config

        config._Development.BASE_URL = sandbox.url
        journey = Journey(sandbox, merchant)
        report.step("B2B token", journey.token)
        if journey.snap is None:
            return report
        report.step("account binding", journey.account_binding)
        report.step("B2B2C token", journey.b2b2c_token)
        report.step("B2B2C token: a spent auth code is refused", journey.b2b2c_token_spent)
        report.step("balance inquiry", journey.balance_inquiry)
        report.step("payment (bound account)", journey.bound_payment)
        report.step("DANA jump-app payment", journey.jump_app_payment)
        report.step("payment notification", journey.notification)
        report.step("direct-debit status", lambda: journey.status("00"))
        report.step("refund", journey.refund)
        report.step("direct-debit status after the refund", lambda: journey.status("04"))
        report.step("account unbinding", journey.account_unbinding)
        report.step("card registration", journey.card_registration)
        report.step("card unbinding", journey.card_unbinding)
        report.step("VA create", journey.va_create)
        report.step("VA update", journey.va_update)
        report.step("VA status", journey.va_status)
        report.step("VA paid at the bank: payment notification", journey.va_payment)
        report.step("VA status: paid", journey.va_status_paid)
        report.step("VA delete", journey.va_delete)
    return report
