"""DOKU's official Python SDK (doku-python-library 1.1.72), unchanged, against `snapbi sandbox --provider doku`."""

from harness import CLIENT_ID, CLIENT_PRIVATE_KEY, CLIENT_SECRET, PROVIDER_PUBLIC_KEY, Report, Sandbox, expect

SDK = "doku-python-library 1.1.72"


def run(snapbi):
    report = Report(SDK)
    with Sandbox(snapbi, "doku") as sandbox:
        # The one change to the SDK: its sandbox base URL (doku_python_library.src.commons.config).
        from doku_python_library.src.commons import config
        config._Development.BASE_URL = sandbox.url
        from doku_python_library.src.snap import DokuSNAP

        snap = None

        def token():
            nonlocal snap
            snap = DokuSNAP(private_key=CLIENT_PRIVATE_KEY, client_id=CLIENT_ID, is_production=False,
                            public_key=PROVIDER_PUBLIC_KEY, issuer="snapbi-conformance", secret_key=CLIENT_SECRET,
                            merchant_public_key=PROVIDER_PUBLIC_KEY)
            expect(getattr(snap, "token", None), f"no B2B token: {snap.get_token().__dict__}")
            return f"expires in {snap.token_expires_in} s"

        report.step("B2B token", token)
    return report
