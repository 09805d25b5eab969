"""What every SDK suite shares: a `snapbi sandbox` on a free loopback port, a merchant server for the
notifications the sandbox sends, the sandbox's admin API, and the per-step report.

Nothing here touches an SDK: the suites (doku_sdk.py, dana_sdk.py) import their SDK and drive it unchanged,
except for the base URL and the sandbox's demo credentials.
"""

import ctypes
import json
import os
import signal
import subprocess
import threading
import time
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_KEYS = ROOT / "sandbox" / "demo-keys"

# The sandbox's built-in demo client (snapbi_sandbox::Credentials::demo()); public on purpose, see
# sandbox/demo-keys/README.md.
CLIENT_ID = "BRN-0000-SANDBOX-DEMO"
CLIENT_SECRET = "sandbox-demo-secret-not-for-production"
CLIENT_PRIVATE_KEY = (DEMO_KEYS / "client-private.pem").read_text()
CLIENT_PUBLIC_KEY = (DEMO_KEYS / "client-public.pem").read_text()
# The sandbox's own key pair as a provider: it signs what the provider signs (notifications, DANA's answers).
PROVIDER_PUBLIC_KEY = (DEMO_KEYS / "provider-public.pem").read_text()
PROVIDER_PRIVATE_KEY = (DEMO_KEYS / "provider-private.pem").read_text()


def _die_with_parent():
    """Runs in the sandbox's process before exec: Linux sends it SIGTERM when this Python process dies, so a
    killed suite never leaves a sandbox behind."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Sandbox:
    """`snapbi sandbox --provider NAME` on 127.0.0.1, on a port the OS picks; stopped on exit."""

    def __init__(self, snapbi, provider, *args):
        self.command = [str(snapbi), "sandbox", "--addr", "127.0.0.1:0", "--provider", provider, *args]
        self.process = None
        self.url = None

    def __enter__(self):
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_die_with_parent,
        )
        first = self.process.stdout.readline()
        prefix = "snapbi sandbox listening on "
        if not first.startswith(prefix):
            rest = self.process.stdout.read() if self.process.poll() is not None else ""
            self.__exit__(None, None, None)
            raise RuntimeError(f"the sandbox did not start: {first}{rest}")
        self.url = first[len(prefix):].strip()
        # Keep reading its output so that a full pipe never blocks it.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return False

    def admin(self, method, path, body=None):
        """Calls the sandbox's admin API (`/_sandbox/...`) and returns the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: HTTP {e.code} {e.read().decode(errors='replace')}") from None

    def consent(self, page, decision):
        """The customer decides on a binding's consent page (`approve` or `reject`); returns where the page sends
        them (its `Location`), which is never followed: it is the merchant's URL, not loopback."""

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        request = urllib.request.Request(page, data=f"decision={decision}".encode(), method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.build_opener(Stay).open(request, timeout=10) as answer:
                raise RuntimeError(f"the consent page answered HTTP {answer.status}, not a redirect")
        except urllib.error.HTTPError as e:
            if e.code != 303:
                raise RuntimeError(f"POST {page}: HTTP {e.code} {e.read().decode(errors='replace')}") from None
            return e.headers.get("Location")

    def wait_for(self, what, predicate, timeout=10.0):
        """Polls `predicate()` until it returns something truthy; raises after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            time.sleep(0.05)


class Merchant:
    """A merchant's HTTP server on loopback. `routes` maps a path to a function `(method, path, headers, body)
    -> (status, headers dict, body bytes)`; every request is recorded in `received` with its answer."""

    def __init__(self, routes):
        self.routes = routes
        self.received = []
        merchant = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                route = merchant.routes.get(path)
                if route is None:
                    status, headers, answer = 404, {}, b'{"error":"no such route"}'
                else:
                    try:
                        status, headers, answer = route(self.command, self.path, dict(self.headers), body)
                    except Exception as e:  # the merchant's code failed: answer 500, keep the reason
                        status, headers, answer = 500, {}, json.dumps({"error": repr(e)}).encode()
                merchant.received.append(
                    {"method": self.command, "path": path, "headers": dict(self.headers), "body": body,
                     "status": status, "answer": answer}
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = _serve
            do_GET = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False


class StepFailed(Exception):
    """A step's check did not hold; the message says what the SDK said."""


def expect(condition, message):
    if not condition:
        raise StepFailed(message)


class Report:
    """One line per step: ✓ or ✗ with what the SDK said. A step is a function; its failure (an exception, a
    failed `expect`) is printed and counted, and the suite goes on to the next step."""

    def __init__(self, sdk):
        self.sdk = sdk
        self.passed = 0
        self.failed = []
        print(f"== {sdk}", flush=True)

    def step(self, name, run):
        try:
            detail = run()
        except Exception as e:  # every failure is reported the same way, whatever raised it
            self.failed.append(name)
            reason = str(e) if isinstance(e, StepFailed) else "".join(traceback.format_exception_only(e)).strip()
            print(f"  ✗ {name}: {reason}", flush=True)
            if os.environ.get("CONFORMANCE_TRACEBACK") and not isinstance(e, StepFailed):
                traceback.print_exc()
            return None
        self.passed += 1
        print(f"  ✓ {name}" + (f" — {detail}" if isinstance(detail, str) and detail else ""), flush=True)
        return detail

    def summary(self):
        total = self.passed + len(self.failed)
        return f"{self.sdk}: {self.passed}/{total} steps succeeded"
