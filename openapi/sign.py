"""openapi/check's signer: a schemathesis hook that signs every generated request as the sandbox's demo client
would, so that what schemathesis generates from the OpenAPI document gets past the sandbox's header and signature
checks and the document is judged on the endpoints' own answers (payments made, records created, their status),
not only on refusals.

Everything it knows about a request comes from the document: the headers' sources (`x-snapbi-source`, the
timestamp's form in `x-snapbi-timestamp`), the signature recipes (`x-snapbi-signature`), the operation that issues
a bearer token (`x-snapbi-token-operation`) and an envelope's members. The signing is its own (Python's hmac and
hashlib, and the `cryptography` package), sharing no code with snapbi. The demo client comes from the environment
openapi/check sets from the sandbox's start-up banner: SNAPBI_OPENAPI (the document), SNAPBI_SANDBOX (its base URL),
SNAPBI_CLIENT_ID, SNAPBI_CLIENT_SECRET and SNAPBI_PRIVATE_KEY (a PEM file).

A body is sent as requests sends `json=`: `json.dumps(body, allow_nan=False)`, UTF-8; a body this file cannot
predict the bytes of (binary) is sent unsigned.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import requests
import schemathesis
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

with open(os.environ["SNAPBI_OPENAPI"]) as document:
    DOC = json.load(document)
BASE = os.environ["SNAPBI_SANDBOX"]
CLIENT_ID = os.environ["SNAPBI_CLIENT_ID"]
SECRET = os.environ["SNAPBI_CLIENT_SECRET"]
with open(os.environ["SNAPBI_PRIVATE_KEY"], "rb") as pem:
    KEY = serialization.load_pem_private_key(pem.read(), password=None)

SCHEMES = DOC["components"].get("securitySchemes", {})
OPERATIONS = {
    (method.upper(), path): operation
    for path, item in DOC["paths"].items()
    for method, operation in item.items()
}
# A bearer token lives 900 s at the sandbox; a fresh one is fetched well before.
TOKEN_LIFETIME = 600
TOKENS = {}


def resolve(schema):
    """The schema a `$ref` names (or the schema itself)."""
    while "$ref" in schema:
        schema = DOC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def timestamp(form):
    """Now, in the form a provider writes its timestamps (`x-snapbi-timestamp`)."""
    if form["form"] == "unix_seconds":
        return str(int(time.time()))
    offset = form["offset"]
    if offset == "Z":
        zone = timezone.utc
    else:
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = offset[1:].split(":")
        zone = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    now = datetime.now(zone)
    text = now.strftime("%Y-%m-%dT%H:%M:%S")
    digits = form["fraction_digits"]
    if digits:
        text += "." + f"{now.microsecond:06d}"[:digits]
    return text + offset


class Call:
    """The values one request is filled and signed with."""

    def __init__(self, method, path, body):
        self.values = {
            "method": method,
            "path": path,
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "external_id": uuid.uuid4().hex,
            "request_id": str(uuid.uuid4()),
        }
        # The bytes sent, or None for a request without a body.
        self.body = None if body is None else json.dumps(body, allow_nan=False).encode()
        minified = b"" if body is None else json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
        self.values["body_sha256"] = hashlib.sha256(minified).hexdigest()
        self.values["body_digest"] = base64.b64encode(hashlib.sha256(self.body or b"").digest()).decode()
        self.values["body"] = (self.body or b"").decode()

    def value(self, schema):
        """The value of a header or head member whose schema says where it comes from; None: leave it."""
        source = schema.get("x-snapbi-source")
        if source == "timestamp":
            self.values.setdefault("timestamp", timestamp(schema["x-snapbi-timestamp"]))
        if source in self.values:
            return self.values[source]
        if "const" in schema:
            return schema["const"]
        if source == "channel_id" and schema.get("examples"):
            return schema["examples"][0]
        return None

    def sign(self, recipe):
        """The signature `recipe` (`x-snapbi-signature`) makes over this request."""
        text = recipe["string_to_sign"]
        if self.body is None:
            text = re.sub(r"\{if_body\}.*?\{end_if\}", "", text, flags=re.S)
        text = text.replace("{if_body}", "").replace("{end_if}", "")
        data = re.sub(r"\{(\w+)\}", lambda m: self.values[m.group(1)], text).encode()
        algorithm = recipe["algorithm"]
        if algorithm == "rsa-sha256":
            signature = KEY.sign(data, padding.PKCS1v15(), hashes.SHA256())
        else:
            digest = {"hmac-sha512": hashlib.sha512, "hmac-sha256": hashlib.sha256}[algorithm]
            signature = hmac.new(SECRET.encode(), data, digest).digest()
        return signature.hex() if recipe["encoding"] == "hex" else base64.b64encode(signature).decode()


def headers_for(operation, call):
    """The headers of `operation` filled for `call`, its credentials last (a signature may sign the others)."""
    headers = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header":
            value = call.value(parameter["schema"])
            if value is not None:
                headers[parameter["name"]] = value
    for requirement in operation.get("security", []):
        for name in requirement:
            scheme = SCHEMES[name]
            if scheme.get("scheme") == "bearer":
                call.values["token"] = token(scheme["x-snapbi-token-operation"])
                headers["Authorization"] = "Bearer " + call.values["token"]
            elif scheme.get("scheme") == "basic":
                headers["Authorization"] = "Basic " + base64.b64encode(f"{SECRET}:".encode()).decode()
    for requirement in operation.get("security", []):
        for name in requirement:
            recipe = SCHEMES[name].get("x-snapbi-signature")
            if recipe:
                signature = call.sign(recipe)
                headers[SCHEMES[name]["name"]] = re.sub(
                    r"\{(\w+)\}", lambda m: signature if m.group(1) == "signature" else call.values[m.group(1)],
                    recipe["value"],
                )
    return headers


def token(operation_id):
    """A bearer token from the operation that issues it, called with its example body and signed."""
    issued = TOKENS.get(operation_id)
    if issued and time.monotonic() - issued[1] < TOKEN_LIFETIME:
        return issued[0]
    (method, path), operation = next(
        (key, op) for key, op in OPERATIONS.items() if op["operationId"] == operation_id
    )
    body = resolve(operation["requestBody"]["content"]["application/json"]["schema"])["examples"][0]
    call = Call(method, path, body)
    answer = requests.request(method, BASE + path, data=call.body, timeout=10, headers={
        "Content-Type": "application/json", **headers_for(operation, call)})
    value = answer.json()["accessToken"]
    TOKENS[operation_id] = (value, time.monotonic())
    return value


def envelope(schema):
    """(request member, head member, signature member, its recipe) of an enveloped body's schema, or None."""
    members = schema.get("properties", {})
    signed = [(name, s["x-snapbi-signature"]) for name, s in members.items() if "x-snapbi-signature" in s]
    if "$ref" in schema or not signed:
        return None
    signature, recipe = signed[0]
    request = next(name for name in members if name != signature)
    inner = members[request]["properties"]
    head = next(name for name, s in inner.items() if "$ref" not in s)
    return request, head, signature, recipe, inner[head]["properties"]


@schemathesis.hook
def before_call(context, case, **kwargs):
    operation = OPERATIONS.get((case.operation.method.upper(), case.operation.path))
    if operation is None:
        return
    body = case.body if "requestBody" in operation else None
    if body is not None and not isinstance(body, (dict, list, str, int, float, bool)):
        return
    framed = envelope(operation["requestBody"]["content"]["application/json"]["schema"]) if body is not None else None
    if framed:
        request, head, signature, recipe, members = framed
        if not (isinstance(body, dict) and isinstance(body.get(request), dict)
                and isinstance(body[request].get(head), dict)):
            return
        call = Call(case.operation.method.upper(), case.formatted_path, None)
        for name, schema in members.items():
            value = call.value(schema)
            if value is not None:
                body[request][head][name] = value
        member = Call(call.values["method"], call.values["path"], body[request])
        body[signature] = member.sign(recipe)
        return
    call = Call(case.operation.method.upper(), case.formatted_path, body)
    if case.headers is None:
        case.headers = {}
    for name, value in headers_for(operation, call).items():
        case.headers[name] = value
