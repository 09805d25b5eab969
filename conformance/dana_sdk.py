"""DANA's official Python SDK (dana-python 2.2.2), unchanged, against `snapbi sandbox --provider dana`.

The SDK is configured as DANA's README says (SnapConfiguration with the partner id and private key, sandbox
environment); the one change is its host, set to the sandbox's URL after construction. Every payment-gateway,
widget, disbursement and merchant-management operation the SDK offers and snapbi has an endpoint for is a step;
DANA's `WebhookParser` checks the finish notify the sandbox sends.
"""

import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from harness import (
    CLIENT_ID,
    CLIENT_PRIVATE_KEY,
    CLIENT_SECRET,
    PROVIDER_PUBLIC_KEY,
    Merchant,
    Report,
    Sandbox,
    StepFailed,
    expect,
)

SDK = "dana-python 2.2.2"
MERCHANT_ID = "216620000000000000001"
# The simulated customer of dana-customers.yaml, whose wallet the widget's balance inquiry reads.
CUSTOMER_PHONE = "6281100000001"
JAKARTA = timezone(timedelta(hours=7))


def jakarta(delta=timedelta()):
    """A DANA timestamp, `YYYY-MM-DDTHH:mm:ss+07:00`, `delta` from now."""
    return (datetime.now(JAKARTA) + delta).strftime("%Y-%m-%dT%H:%M:%S+07:00")


def reference(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def amount(value):
    return {"value": value, "currency": "IDR"}


class Dana:
    """The SDK's API objects, configured for the sandbox."""

    def __init__(self, url):
        from dana.api_client import ApiClient
        from dana.disbursement.v1 import DisbursementApi
        from dana.merchant_management.v1 import MerchantManagementApi
        from dana.payment_gateway.v1 import PaymentGatewayApi
        from dana.utils.snap_configuration import AuthSettings, Env, SnapConfiguration
        from dana.widget.v1 import WidgetApi

        configuration = SnapConfiguration(
            api_key=AuthSettings(
                PRIVATE_KEY=CLIENT_PRIVATE_KEY,
                X_PARTNER_ID=CLIENT_ID,
                CLIENT_SECRET=CLIENT_SECRET,
                ENV=Env.SANDBOX,
                DANA_ENV=Env.SANDBOX,
            )
        )
        configuration.host = url  # the one change: DANA's sandbox host → snapbi's
        client = ApiClient(configuration)
        self.gateway = PaymentGatewayApi(client)
        self.widget = WidgetApi(client)
        self.disbursement = DisbursementApi(client)
        self.merchant = MerchantManagementApi(client)


def code_of(response):
    """The SDK's parsed response code, checked to be a string of seven digits."""
    code = getattr(response, "response_code", None)
    expect(isinstance(code, str) and len(code) == 7, f"no response code in {response!r}")
    return code


def succeeded(response, code):
    """The SDK parsed the answer into its model and the code is `code`."""
    got = code_of(response)
    expect(got == code, f"answered {got} {getattr(response, 'response_message', '')}")
    # DANA's SDK appends sandbox hints to some messages; the first sentence is what DANA said.
    return f"{got} {(response.response_message or '').split('. ')[0]}"


def models(snapbi):
    import dana_models

    problems, compared = dana_models.disagreements(snapbi)
    expect(not problems, f"{len(problems)} of {compared} fields disagree:\n    " + "\n    ".join(problems))
    return f"{compared} request and response fields compared"


def with_status(response, code, expected):
    """The SDK parsed a status answer with `code` whose latestTransactionStatus is `expected`."""
    detail = succeeded(response, code)
    got = response.latest_transaction_status
    expect(got == expected, f"latestTransactionStatus {got}, expected {expected}")
    return f"{detail}, latestTransactionStatus {got}"


def query_step(call, model, order, expected):
    """A step asking `call` (the gateway's or the widget's query payment) for `order`'s status, expecting
    `expected`."""
    def step():
        request = model.from_dict({"originalPartnerReferenceNo": order, "serviceCode": "54", "merchantId": MERCHANT_ID})
        return with_status(call(request), "2005500", expected)
    return step


def webhook_parser():
    """DANA's WebhookParser, given the sandbox's provider key. The parser ignores the key it is given and uses
    DANA's own sandbox key unless DANA_ENV (or ENV) says production, so it is built with that set; the variable
    is read only here, and restored at once so that the SDK's request checks keep their sandbox behaviour."""
    from dana.webhook import WebhookParser

    saved = {name: os.environ.get(name) for name in ("DANA_ENV", "ENV")}
    os.environ["DANA_ENV"] = os.environ["ENV"] = "production"
    try:
        return WebhookParser(public_key=PROVIDER_PUBLIC_KEY)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class FinishNotifyEndpoint:
    """The merchant's finish-notify endpoint: every notification goes through WebhookParser.parse_webhook; what
    it returned (a FinishNotifyRequest) or raised is kept for the steps to look at."""

    PATH = "/finish-notify"

    def __init__(self):
        self.parser = webhook_parser()
        self.parsed = []

    def __call__(self, method, path, headers, body):
        try:
            self.parsed.append(self.parser.parse_webhook(method, path, headers, body.decode()))
        except Exception as e:  # kept and reported by the step that expects this notification
            self.parsed.append(e)
            return 401, {}, b'{"responseCode":"4015600","responseMessage":"Unauthorized. Invalid Signature"}'
        return 200, {}, b'{"responseCode":"2005600","responseMessage":"Successful"}'

    def finished(self, partner_reference_no):
        """The parsed notification for `partner_reference_no`, or the parser's error for any notification."""
        for parsed in self.parsed:
            if isinstance(parsed, Exception):
                raise StepFailed(f"WebhookParser refused a notification: {parsed}")
            if parsed.original_partner_reference_no == partner_reference_no:
                return parsed
        return None


def run(snapbi):
    report = Report(SDK)
    report.step("DANA's SDK models and the specs agree on every field's JSON type and length limit", lambda: models(snapbi))
    notify = FinishNotifyEndpoint()
    # The simulated customer the widget steps bind, with a wallet (snapbi sandbox --customers).
    customers = str(Path(__file__).with_name("dana-customers.yaml"))
    with Merchant({notify.PATH: notify}) as merchant, Sandbox(snapbi, "dana", "--customers", customers) as sandbox:
        dana = Dana(sandbox.url)
        gateway(report, sandbox, dana, merchant.url + notify.PATH, notify)
        widget(report, sandbox, dana, merchant.url + notify.PATH, notify)
        disbursement(report, sandbox, dana)
        merchant_management(report, sandbox, dana)
    return report


def gateway(report, sandbox, dana, notify_url, notify):
    """A payment-gateway order's life: create → query initiated → pay → query paid → refund; cancel; consult."""
    from dana.payment_gateway.v1.models import (
        CancelOrderRequest,
        ConsultPayRequest,
        CreateOrderByApiRequest,
        CreateOrderByRedirectRequest,
        QueryPaymentRequest,
        RefundOrderRequest,
    )

    order = reference("PG")

    def create(partner_reference_no):
        request = CreateOrderByRedirectRequest.from_dict({
            "partnerReferenceNo": partner_reference_no,
            "merchantId": MERCHANT_ID,
            "amount": amount("10000.00"),
            "validUpTo": jakarta(timedelta(minutes=10)),
            "urlParams": [
                {"url": "https://merchant.example/return", "type": "PAY_RETURN", "isDeeplink": "Y"},
                {"url": notify_url, "type": "NOTIFICATION", "isDeeplink": "Y"},
            ],
            "additionalInfo": {
                "mcc": "5732",
                "envInfo": {"sourcePlatform": "IPG", "terminalType": "SYSTEM"},
                "order": {"orderTitle": "snapbi conformance", "scenario": "REDIRECT"},
            },
        })
        response = dana.gateway.create_order(request)
        expect(response.web_redirect_url, f"no webRedirectUrl: {response!r}")
        return succeeded(response, "2005400")

    def query(expected_status):
        return query_step(dana.gateway.query_payment, QueryPaymentRequest, order, expected_status)

    def pay():
        sandbox.admin("POST", f"/_sandbox/payments/{order}/complete")
        return "completed through the sandbox's pay page action"

    def notified():
        parsed = sandbox.wait_for("the finish notify", lambda: notify.finished(order))
        expect(parsed.latest_transaction_status == "00", f"latestTransactionStatus {parsed.latest_transaction_status}")
        expect(parsed.amount.value == "10000.00", f"amount {parsed.amount.value}")
        return f"verified with the sandbox's provider key, latestTransactionStatus {parsed.latest_transaction_status}"

    def refund():
        request = RefundOrderRequest.from_dict({
            "originalPartnerReferenceNo": order,
            "partnerRefundNo": reference("RF"),
            "merchantId": MERCHANT_ID,
            "refundAmount": amount("4000.00"),
            "reason": "conformance partial refund",
        })
        return succeeded(dana.gateway.refund_order(request), "2005800")

    def create_by_api():
        request = CreateOrderByApiRequest.from_dict({
            "partnerReferenceNo": reference("PGA"),
            "merchantId": MERCHANT_ID,
            "amount": amount("15000.00"),
            "validUpTo": jakarta(timedelta(minutes=10)),
            "urlParams": [{"url": "https://merchant.example/return", "type": "PAY_RETURN", "isDeeplink": "Y"}],
            "payOptionDetails": [{"payMethod": "BALANCE", "payOption": "", "transAmount": amount("15000.00")}],
            "additionalInfo": {
                "mcc": "5732",
                "envInfo": {"sourcePlatform": "IPG", "terminalType": "SYSTEM"},
                "order": {"orderTitle": "snapbi conformance by API", "scenario": "API"},
            },
        })
        return succeeded(dana.gateway.create_order(request), "2005400")

    def cancel():
        other = reference("PGC")
        create(other)
        request = CancelOrderRequest.from_dict({
            "originalPartnerReferenceNo": other,
            "merchantId": MERCHANT_ID,
            "reason": "conformance cancel",
        })
        return succeeded(dana.gateway.cancel_order(request), "2005700")

    def consult():
        request = ConsultPayRequest.from_dict({
            "merchantId": MERCHANT_ID,
            "amount": amount("10000.00"),
            "additionalInfo": {"buyer": {"externalUserId": "conformance-user"},
                               "envInfo": {"sourcePlatform": "IPG", "terminalType": "SYSTEM"}},
        })
        return succeeded(dana.gateway.consult_pay(request), "2005700")

    report.step("payment gateway: create order (redirect)", lambda: create(order))
    report.step("payment gateway: query order, initiated", query("01"))
    report.step("payment gateway: customer pays", pay)
    report.step("payment gateway: finish notify passes WebhookParser", notified)
    report.step("payment gateway: query order, paid", query("00"))
    report.step("payment gateway: partial refund", refund)
    report.step("payment gateway: create order (API scenario, DANA balance)", create_by_api)
    report.step("payment gateway: cancel order", cancel)
    report.step("payment gateway: consult pay", consult)


DEVICE_ID = "conformance-device-01"


def widget(report, sandbox, dana, notify_url, notify):
    """An account-bound customer: apply token with an auth code the sandbox issued, apply OTT, balance, user
    profile, a widget payment's life (pay → query → refund; cancel), and unbinding."""
    from dana.widget.v1.models import (
        AccountUnbindingRequest,
        ApplyOTTRequest,
        ApplyTokenAuthorizationCodeRequest,
        ApplyTokenRefreshTokenRequest,
        BalanceInquiryRequest,
        CancelOrderRequest,
        QueryPaymentRequest,
        QueryUserProfileRequest,
        RefundOrderRequest,
        WidgetPaymentRequest,
    )

    customer = {}

    def customer_info():
        return {"accessToken": customer["token"], "deviceId": DEVICE_ID}

    def apply_token():
        # The code DANA's OAuth page hands the merchant once the seeded customer approved: their token stands for them.
        issued = sandbox.admin("POST", "/_sandbox/auth-codes", {"provider": "dana", "phoneNo": CUSTOMER_PHONE})
        request = ApplyTokenAuthorizationCodeRequest.from_dict({
            "grantType": "AUTHORIZATION_CODE",
            "authCode": issued["authCode"],
        })
        response = dana.widget.apply_token(request)
        detail = succeeded(response, "2007400")
        customer["token"] = response.access_token
        customer["refresh"] = response.refresh_token
        return detail

    def refresh():
        request = ApplyTokenRefreshTokenRequest.from_dict({
            "grantType": "REFRESH_TOKEN",
            "refreshToken": customer["refresh"],
        })
        response = dana.widget.apply_token(request)
        detail = succeeded(response, "2007400")
        expect(response.access_token != customer["token"], "the refreshed customer token is the old one")
        customer["token"] = response.access_token
        return detail

    def apply_ott():
        request = ApplyOTTRequest.from_dict({"userResources": ["OTT"], "additionalInfo": customer_info()})
        response = dana.widget.apply_ott(request)
        detail = succeeded(response, "2004900")
        expect(response.user_resources and response.user_resources[0].value, f"no OTT in {response!r}")
        return detail

    def balance():
        request = BalanceInquiryRequest.from_dict({"additionalInfo": customer_info()})
        response = dana.widget.balance_inquiry(request)
        detail = succeeded(response, "2001100")
        # The seeded wallet (dana-customers.yaml), as the SDK parsed it.
        infos = response.account_infos or []
        held = infos[0].amount.value if infos and infos[0].amount else None
        expect(held == "250000.00", f"the balance answered is {held}, the wallet holds 250000.00")
        return f"{detail}, {held} IDR"

    def profile():
        request = QueryUserProfileRequest.from_dict({"userResources": ["BALANCE"], "accessToken": customer["token"]})
        response = dana.widget.query_user_profile(request)
        result = response.response.body.result_info
        expect(result.result_code == "SUCCESS", f"resultCode {result.result_code} {result.result_msg}")
        return f"resultStatus {result.result_status}, resultCode {result.result_code}"

    order = reference("WG")

    def pay(partner_reference_no):
        request = WidgetPaymentRequest.from_dict({
            "partnerReferenceNo": partner_reference_no,
            "merchantId": MERCHANT_ID,
            "amount": amount("25000.00"),
            "validUpTo": jakarta(timedelta(minutes=10)),
            "urlParams": [
                {"url": "https://merchant.example/return", "type": "PAY_RETURN", "isDeeplink": "Y"},
                {"url": notify_url, "type": "NOTIFICATION", "isDeeplink": "Y"},
            ],
            "additionalInfo": {
                "productCode": "51051000100000000001",
                "order": {"orderTitle": "snapbi conformance widget"},
                "mcc": "5732",
                "envInfo": {"sourcePlatform": "IPG", "terminalType": "SYSTEM"},
            },
        })
        response = dana.widget.widget_payment(request)
        return succeeded(response, "2005400")

    def query(expected_status):
        return query_step(dana.widget.query_payment, QueryPaymentRequest, order, expected_status)

    def complete():
        sandbox.admin("POST", f"/_sandbox/payments/{order}/complete")
        parsed = sandbox.wait_for("the finish notify", lambda: notify.finished(order))
        expect(parsed.latest_transaction_status == "00", f"latestTransactionStatus {parsed.latest_transaction_status}")
        return "paid through the sandbox; its finish notify passes WebhookParser"

    def refund():
        request = RefundOrderRequest.from_dict({
            "merchantId": MERCHANT_ID,
            "originalPartnerReferenceNo": order,
            "partnerRefundNo": reference("WRF"),
            "refundAmount": amount("5000.00"),
            "reason": "conformance partial refund",
        })
        return succeeded(dana.widget.refund_order(request), "2005800")

    def cancel():
        other = reference("WGC")
        pay(other)
        request = CancelOrderRequest.from_dict({
            "originalPartnerReferenceNo": other,
            "merchantId": MERCHANT_ID,
            "reason": "conformance cancel",
        })
        return succeeded(dana.widget.cancel_order(request), "2005700")

    def unbind():
        request = AccountUnbindingRequest.from_dict({"merchantId": MERCHANT_ID, "additionalInfo": customer_info()})
        return succeeded(dana.widget.account_unbinding(request), "2000900")

    report.step("widget: apply token with an auth code the sandbox issued", apply_token)
    report.step("widget: refresh the customer token (apply token, refresh grant)", refresh)
    report.step("widget: apply OTT", apply_ott)
    report.step("widget: balance inquiry", balance)
    report.step("widget: query user profile (Open API envelope)", profile)
    report.step("widget: payment", lambda: pay(order))
    report.step("widget: query payment, initiated", query("01"))
    report.step("widget: customer pays, finish notify passes WebhookParser", complete)
    report.step("widget: query payment, paid", query("00"))
    report.step("widget: partial refund", refund)
    report.step("widget: cancel order", cancel)
    report.step("widget: account unbinding", unbind)


CUSTOMER_NUMBER = "6281234567890"


BANK_ACCOUNT = "1234567890"


def disbursement(report, sandbox, dana):
    """The merchant pays out: DANA account inquiry, top-up and its status; bank account inquiry, transfer to bank
    and its status. The account holder and the bank account are registered in the sandbox first, as they exist at
    DANA and the bank: their names, limits and fees are the tester's, never made up by the sandbox."""
    from dana.disbursement.v1.models import (
        BankAccountInquiryRequest,
        DanaAccountInquiryRequest,
        TransferToBankInquiryStatusRequest,
        TransferToBankRequest,
        TransferToDanaInquiryStatusRequest,
        TransferToDanaRequest,
    )

    topup = reference("TU")
    transfer = reference("TB")
    fee = {}

    def register():
        sandbox.admin("POST", "/_sandbox/records/dana/customer", {
            "customerNumber": CUSTOMER_NUMBER,
            "customerName": "Conformance Customer",
            "minAmount": amount("1.00"),
            "maxAmount": amount("20000000.00"),
            "feeAmount": amount("0.00"),
        })
        sandbox.admin("POST", "/_sandbox/records/dana/bank_account", {
            "beneficiaryAccountNumber": BANK_ACCOUNT,
            "beneficiaryAccountName": "Conformance Beneficiary",
            "beneficiaryBankCode": "014",
            "feeAmount": amount("2500.00"),
        })
        return "a DANA account holder and a bank account"

    def dana_inquiry():
        request = DanaAccountInquiryRequest.from_dict({
            "partnerReferenceNo": reference("AI"),
            "customerNumber": CUSTOMER_NUMBER,
            "amount": amount("10000.00"),
            "transactionDate": jakarta(),
            "additionalInfo": {"fundType": "AGENT_TOPUP_FOR_USER_SETTLE"},
        })
        response = dana.disbursement.dana_account_inquiry(request)
        detail = succeeded(response, "2003700")
        fee["amount"] = response.fee_amount.to_dict() if response.fee_amount else None
        return detail

    def top_up():
        request = TransferToDanaRequest.from_dict({
            "partnerReferenceNo": topup,
            "customerNumber": CUSTOMER_NUMBER,
            "amount": amount("10000.00"),
            "feeAmount": fee.get("amount") or amount("0.00"),
            "transactionDate": jakarta(),
            "additionalInfo": {"fundType": "AGENT_TOPUP_FOR_USER_SETTLE"},
        })
        return succeeded(dana.disbursement.transfer_to_dana(request), "2003800")

    def top_up_status():
        request = TransferToDanaInquiryStatusRequest.from_dict({
            "originalPartnerReferenceNo": topup,
            "serviceCode": "38",
        })
        return with_status(dana.disbursement.transfer_to_dana_inquiry_status(request), "2003900", "00")

    def bank_inquiry():
        request = BankAccountInquiryRequest.from_dict({
            "partnerReferenceNo": reference("BI"),
            "customerNumber": CUSTOMER_NUMBER,
            "beneficiaryAccountNumber": BANK_ACCOUNT,
            "amount": amount("10000.00"),
            "additionalInfo": {"fundType": "MERCHANT_WITHDRAW_FOR_CORPORATE", "beneficiaryBankCode": "014"},
        })
        return succeeded(dana.disbursement.bank_account_inquiry(request), "2004200")

    def to_bank():
        request = TransferToBankRequest.from_dict({
            "partnerReferenceNo": transfer,
            "customerNumber": CUSTOMER_NUMBER,
            "beneficiaryAccountNumber": BANK_ACCOUNT,
            "beneficiaryBankCode": "014",
            "amount": amount("10000.00"),
            "additionalInfo": {"fundType": "MERCHANT_WITHDRAW_FOR_CORPORATE"},
        })
        return succeeded(dana.disbursement.transfer_to_bank(request), "2004300")

    def to_bank_status():
        request = TransferToBankInquiryStatusRequest.from_dict({
            "originalPartnerReferenceNo": transfer,
            "serviceCode": "00",
        })
        return with_status(dana.disbursement.transfer_to_bank_inquiry_status(request), "2000000", "00")

    report.step("disbursement: register the account holder and the bank account (sandbox admin)", register)
    report.step("disbursement: DANA account inquiry", dana_inquiry)
    report.step("disbursement: transfer to DANA (top-up)", top_up)
    report.step("disbursement: top-up status", top_up_status)
    report.step("disbursement: bank account inquiry", bank_inquiry)
    report.step("disbursement: transfer to bank", to_bank)
    report.step("disbursement: transfer to bank status", to_bank_status)


def result_of(response, code="SUCCESS"):
    """The SDK parsed an Open API answer (`response.body.resultInfo`) whose result code is `code`."""
    result = response.response.body.result_info
    expect(result.result_code == code, f"resultCode {result.result_code} {result.result_msg}")
    return f"resultStatus {result.result_status}, resultCode {result.result_code} ({result.result_code_id})"


def address(postcode="12710"):
    return {
        "country": "Indonesia", "province": "DKI Jakarta", "city": "Kota Jakarta Selatan", "area": "Kebayoran Lama",
        "address1": "address1", "address2": "address2", "postcode": postcode,
    }


def merchant_management(report, sandbox, dana):
    """The merchant's shops and divisions, in DANA's Open API envelope: each created (DANA issues its id), read by
    that id and by the merchant's own, updated and read again; an unknown shop; the merchant's profile, balances and
    asset cards, refused before the merchant is registered in the sandbox (as it exists at DANA: no call creates it)
    and answered from what was registered after."""
    from dana.merchant_management.v1.models import (
        CreateDivisionRequest,
        CreateShopRequest,
        QueryAssetCardListRequest,
        QueryDivisionRequest,
        QueryMerchantInfoRequest,
        QueryMerchantResourceRequest,
        QueryShopRequest,
        UpdateDivisionRequest,
        UpdateShopRequest,
    )

    external_shop = reference("shop")
    external_division = reference("division")
    ids = {}

    def create_shop():
        # The body of dana-python's own test fixture (tests/fixtures/merchant_management.py), shortened.
        request = CreateShopRequest.from_dict({
            "merchantId": MERCHANT_ID,
            "shopParentType": "MERCHANT",
            "mainName": "awesome test shop",
            "externalShopId": external_shop,
            "sizeType": "UMI",
            "shopAddress": address(),
            "shopDesc": "selling outdoor stuff",
            "mccCodes": ["0783"],
            "ln": "106.84513",
            "lat": "-6.21462",
            "loyalty": "false",
            "apiVersion": "3",
            "businessEntity": "pt",
            "ownerName": {"firstName": "Jane", "lastName": "Doe"},
            "ownerIdType": "KTP",
            "ownerIdNo": "3172010000000000",
            "ownerPhoneNumber": {"mobileNo": "62800000000", "mobileId": "mobileId", "verified": "true"},
            "shopOwning": "DIRECT_OWNED",
            "deviceNumber": "0",
            "posNumber": "0",
            "shopBizType": "ONLINE",
            "taxNo": "123456789012345",
            "brandName": "Test Company PT",
            "businessDocs": [{"docType": "KTP", "docId": "3172010000000000", "docFile": "JVBERi0xLjMNCiXi48"}],
            "directorPics": [{"picName": "Jane Director", "picPosition": "DIRECTOR_FINANCE"}],
            "nonDirectorPics": [{"picName": "Jane Manager", "picPosition": "MANAGER"}],
        })
        response = dana.merchant.create_shop(request)
        detail = result_of(response)
        ids["shop"] = response.response.body.shop_id
        expect(ids["shop"], f"no shopId in {response!r}")
        return f"{detail}, shopId {ids['shop']}"

    def query_shop(shop_id, id_type, name):
        def step():
            request = QueryShopRequest.from_dict({"merchantId": MERCHANT_ID, "shopId": shop_id(), "shopIdType": id_type})
            response = dana.merchant.query_shop(request)
            detail = result_of(response)
            shop = response.response.body.shop_resource_info
            expect(shop is not None, f"no shopResourceInfo in {response!r}")
            expect(shop.main_name == name, f"mainName {shop.main_name!r}, expected {name!r}")
            expect(shop.external_shop_id == external_shop, f"externalShopId {shop.external_shop_id!r}")
            return f"{detail}, mainName {shop.main_name!r}"
        return step

    def update_shop():
        request = UpdateShopRequest.from_dict({
            "shopId": ids["shop"], "merchantId": MERCHANT_ID, "shopIdType": "INNER_ID",
            "mainName": "renamed test shop", "shopAddress": address(),
        })
        return result_of(dana.merchant.update_shop(request))

    def unknown_shop():
        request = QueryShopRequest.from_dict({"merchantId": MERCHANT_ID, "shopId": reference("nowhere"),
                                              "shopIdType": "EXTERNAL_ID"})
        response = dana.merchant.query_shop(request)
        expect(response.response.body.shop_resource_info is None, "an unknown shop was answered")
        return result_of(response, "PARAM_ILLEGAL")

    def create_division():
        # The body of DANA's UAT suite's CreateDivision (dana-id/uat-script MerchantManagement.json), shortened.
        request = CreateDivisionRequest.from_dict({
            "apiVersion": "3",
            "merchantId": MERCHANT_ID,
            "parentRoleType": "MERCHANT",
            "divisionName": "conformance division",
            "divisionAddress": address(),
            "divisionDescription": "description",
            "divisionType": "REGION",
            "externalDivisionId": external_division,
            "extInfo": {"PIC_EMAIL": "admin_merchant123@email.com", "PIC_PHONENUMBER": "62-81234567890",
                        "SUBMITTER_EMAIL": "admin_merchant@email.com", "GOODS_SOLD_TYPE": "DIGITAL",
                        "USECASE": "QRIS_DIGITAL", "USER_PROFILING": "B2B", "AVG_TICKET": "100000-500000",
                        "OMZET": "5BIO-10BIO", "EXT_URLS": "https://www.instagram.com", "BRAND_NAME": "MY SHOP"},
            "mccCodes": ["0783"],
            "businessDocs": [{"docType": "KTP", "docId": "3172010000000000", "docFile": "JVBERi0xLjMNCiXi48"}],
            "businessEntity": "individu",
            "ownerName": {"firstName": "Udin", "lastName": "Sukiman"},
            "ownerPhoneNumber": {"mobileNo": "62800000000", "mobileId": "mobileId", "verified": "true"},
            "ownerIdType": "KTP",
            "ownerIdNo": "3172010000000000",
            "ownerAddress": address(),
            "directorPics": [{"picName": "John", "picPosition": "CTO"}],
            "nonDirectorPics": [{"picName": "Ethan", "picPosition": "CEO"}],
            "sizeType": "URE",
            "pgDivisionFlag": "true",
        })
        response = dana.merchant.create_division(request)
        detail = result_of(response)
        ids["division"] = response.response.body.division_id
        expect(ids["division"], f"no divisionId in {response!r}")
        return f"{detail}, divisionId {ids['division']}"

    def query_division(division_id, id_type, name):
        def step():
            request = QueryDivisionRequest.from_dict({"merchantId": MERCHANT_ID, "divisionId": division_id(),
                                                      "divisionIdType": id_type})
            response = dana.merchant.query_division(request)
            detail = result_of(response)
            division = response.response.body.division_resource_info
            expect(division is not None, f"no divisionResourceInfo in {response!r}")
            expect(division.division_id == ids["division"], f"divisionId {division.division_id!r}")
            expect(division.division_name == name, f"divisionName {division.division_name!r}, expected {name!r}")
            return f"{detail}, divisionName {division.division_name!r}"
        return step

    def update_division():
        request = UpdateDivisionRequest.from_dict({
            "merchantId": MERCHANT_ID, "divisionIdType": "EXTERNAL_ID", "externalDivisionId": external_division,
            "newExternalDivisionId": external_division, "divisionName": "renamed division",
            "divisionAddress": address("10110"), "divisionType": "REGION", "mccCodes": ["0783"], "extInfo": {},
        })
        return result_of(dana.merchant.update_division(request))

    balance = '{"amount":"150000.00","currency":"IDR"}'

    def unregistered_merchant():
        request = QueryMerchantInfoRequest.from_dict({"roleId": MERCHANT_ID, "loginType": "ROLE"})
        response = dana.merchant.query_merchant_info(request)
        expect(response.response.body.merchant_information is None, "an unregistered merchant was answered")
        return result_of(response, "PARAM_ILLEGAL")

    def register_merchant():
        sandbox.admin("POST", "/_sandbox/records/dana/merchant", {
            "merchantId": MERCHANT_ID,
            "officialName": "Conformance Merchant",
            "merchantStatus": "ACTIVE",
            "accounts": [{"accountNo": "2166000001", "accountType": "MERCHANT_DEPOSIT_ACCOUNT",
                          "availableAmount": balance, "totalAmount": balance, "currency": "IDR"}],
            "merchantResourceInformations": [
                {"resourceType": "MERCHANT_AVAILABLE_BALANCE", "value": balance},
                {"resourceType": "MERCHANT_TOTAL_BALANCE", "value": balance},
            ],
            "assetCardList": [card("VA_ACCOUNT", "GENERAL_CARD", "8808000012345678"),
                              card("DEBIT_CARD", "DIRECTPAY_CARD", "5264000011112222")],
        })
        return "the merchant's profile, balances, a virtual account and a debit card"

    def card(asset_type, contact_biz_type, number):
        # Every member dana-python's AssetCardListItem requires: the tester registers a whole card.
        return {
            "contactBizType": contact_biz_type, "assetType": asset_type, "cardIndexNo": number,
            "cardNoLength": "16", "maskedCardNo": number[:4] + "********" + number[-4:],
            "holderName": {"fullName": "Conformance"}, "instId": "BNIC1ID",
            "instOfficialName": "Bank Negara Indonesia", "expiryYear": "2030", "expiryMonth": "12",
            "verified": "true", "enableStatus": "true",
        }

    def merchant_resource():
        # One of the two registered balances asked for: the answer holds that one only.
        request = QueryMerchantResourceRequest.from_dict({
            "requestMerchantId": MERCHANT_ID,
            "merchantResourceInfoList": ["MERCHANT_TOTAL_BALANCE"],
        })
        response = dana.merchant.query_merchant_resource(request)
        balances = response.response.body.merchant_resource_informations or []
        types = [(str(getattr(b.resource_type, "value", b.resource_type)), b.value) for b in balances]
        expect(types == [("MERCHANT_TOTAL_BALANCE", balance)], f"the balance asked for, not {balances!r}")
        return result_of(response)

    def merchant_info():
        request = QueryMerchantInfoRequest.from_dict({"roleId": MERCHANT_ID, "loginType": "ROLE", "isQueryAccount": True})
        response = dana.merchant.query_merchant_info(request)
        profile = response.response.body.merchant_information
        expect(profile and profile.official_name == "Conformance Merchant", f"the registered profile, not {profile!r}")
        return result_of(response)

    def asset_cards():
        request = QueryAssetCardListRequest.from_dict({"memberId": MERCHANT_ID, "enableOnly": "true",
                                                       "assetTypeList": ["VA_ACCOUNT"]})
        response = dana.merchant.query_asset_card_list(request)
        cards = response.response.body.asset_card_list or []
        expect([c.card_index_no for c in cards] == ["8808000012345678"], f"the virtual account only, not {cards!r}")
        return result_of(response)

    shop_id = lambda: ids["shop"]  # noqa: E731 (read when the step runs, after create)
    division_id = lambda: ids["division"]  # noqa: E731
    report.step("merchant management: create shop", create_shop)
    report.step("merchant management: query shop by DANA's id (INNER_ID)",
                query_shop(shop_id, "INNER_ID", "awesome test shop"))
    report.step("merchant management: query shop by the merchant's id (EXTERNAL_ID)",
                query_shop(lambda: external_shop, "EXTERNAL_ID", "awesome test shop"))
    report.step("merchant management: update shop", update_shop)
    report.step("merchant management: query shop, updated", query_shop(shop_id, "INNER_ID", "renamed test shop"))
    report.step("merchant management: query an unknown shop", unknown_shop)
    report.step("merchant management: create division", create_division)
    report.step("merchant management: query division by DANA's id (INNER_ID)",
                query_division(division_id, "INNER_ID", "conformance division"))
    report.step("merchant management: update division (by the merchant's id)", update_division)
    report.step("merchant management: query division by the merchant's id, updated",
                query_division(lambda: external_division, "EXTERNAL_ID", "renamed division"))
    report.step("merchant management: query merchant info of a merchant nobody registered", unregistered_merchant)
    report.step("merchant management: register the merchant (admin API)", register_merchant)
    report.step("merchant management: query merchant resource", merchant_resource)
    report.step("merchant management: query merchant info", merchant_info)
    report.step("merchant management: query asset card list", asset_cards)
