"""DANA's SDK models against snapbi's specs: the JSON type and the length limit DANA's pydantic models give a
request or response field, compared with the spec's.

The SDK's API classes name, for each operation, its path (in the request it builds), its request model and
its response model; their pydantic fields carry DANA's wire names (aliases), `max_length`s and required flags.
The specs are read through `snapbi list --json` (wire paths with their limits). The rule (issue #10): a request
the SDK lets through must pass snapbi's validators, so a spec's request limit may not be stricter than the
model's; an answer the sandbox gives must parse in the SDK, so a spec's response limit may not be looser (a
pattern or a list of values bounds a length already). Required flags are not compared: DANA's UAT shows DANA
requiring fields its models leave optional (the specs' notes say which).
"""

import inspect
import json
import re
import subprocess
import typing

from pydantic import BaseModel


def api_operations():
    """(path, request model, response model) for every operation of DANA's payment-gateway, widget and
    disbursement APIs."""
    from dana.disbursement.v1 import DisbursementApi
    from dana.payment_gateway.v1 import PaymentGatewayApi
    from dana.widget.v1 import WidgetApi

    for api in (PaymentGatewayApi, WidgetApi, DisbursementApi):
        for name, method in inspect.getmembers(api, inspect.isfunction):
            if name.startswith("_") or name.endswith(("_with_http_info", "_without_preload_content")):
                continue
            serialize = getattr(api, f"_{name}_serialize", None)
            if serialize is None:
                continue
            paths = sorted(set(re.findall(r"resource_path='([^']+)'", inspect.getsource(serialize))))
            hints = typing.get_type_hints(method)
            requests = [m for k, t in hints.items() if k != "return" for m in _models_in(t)]
            responses = _models_in(hints.get("return"))
            yield name, paths, requests, responses


def _is_model(t):
    return isinstance(t, type) and issubclass(t, BaseModel)


def _models_in(annotation):
    """The pydantic models an annotation holds (Optional[X], List[X], X)."""
    if _is_model(annotation):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _max_length(field):
    """The field's max_length, also where it sits inside Optional[Annotated[str, Field(max_length=…)]]."""
    found = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        for meta in getattr(arg, "__metadata__", ()):
            found.append(meta)
            found.extend(getattr(meta, "metadata", ()))
    return next((m.max_length for m in found if getattr(m, "max_length", None)), None)


# The spec types each JSON type of DANA's models may be written as (an enum and a decimal are strings).
SPEC_TYPES = {
    str: {"string", "enum", "decimal", "datetime", "json"},
    bool: {"boolean", "json"},
    int: {"integer", "json"},
    list: {"list", "json"},
    dict: {"object", "json"},
}


def _json_type(annotation):
    """The JSON type an annotation stands for (str, bool, int, list, dict), or None when it is a union of several
    or something else."""
    if _is_model(annotation):
        return dict
    origin = typing.get_origin(annotation)
    if origin in (list, dict):
        return origin
    if annotation in (str, bool, int):
        return annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated or (origin is typing.Union and len(args) == 1):
        return _json_type(args[0])
    return None


def model_rows(model, prefix="", depth=0):
    """wire path → (max_length, required, JSON type) for every field of `model`, nested models and list items
    included (`a.b`, `items[].c`)."""
    rows = {}
    if depth > 6:
        return rows
    for name, field in model.model_fields.items():
        wire = field.validation_alias or field.alias or name
        path = f"{prefix}{wire}"
        rows[path] = (_max_length(field), field.is_required(), _json_type(field.annotation))
        is_list = typing.get_origin(field.annotation) is list or any(
            typing.get_origin(a) is list for a in typing.get_args(field.annotation)
        )
        for inner in _models_in(field.annotation):
            rows.update(model_rows(inner, f"{path}[]." if is_list else f"{path}.", depth + 1))
    return rows


def spec_endpoints(snapbi):
    listed = json.loads(subprocess.run([snapbi, "list", "--json"], capture_output=True, check=True).stdout)
    return {p: e for e in listed if e["provider"] == "dana" for p in [e["path"], *e.get("aliases", [])]}


def disagreements(snapbi):
    """Every difference between DANA's models and the specs, as text; and how many fields were compared."""
    by_path = spec_endpoints(snapbi)
    problems, compared = [], 0
    for name, paths, request, response in api_operations():
        endpoint = next((by_path[p] for p in paths if p in by_path), None)
        if endpoint is None:
            continue
        for direction, models in (("request", request), ("response", response)):
            spec = {row["wire_path"]: row for row in endpoint[direction]}
            rows = {}
            for model in models:  # a Union of request shapes (create order by redirect or by API): every limit
                rows.update(model_rows(model))
            for path, (model_max, _required, json_type) in rows.items():
                row = spec.get(path)
                if row is None:
                    continue
                compared += 1
                if json_type in SPEC_TYPES and row["type"] not in SPEC_TYPES[json_type]:
                    problems.append(
                        f"{endpoint['id']} {direction} {path}: spec type {row['type']}, DANA's model {json_type.__name__}"
                    )
                if model_max is None:
                    continue
                ours = row.get("max_length")
                if direction == "request" and ours is not None and ours < model_max:
                    problems.append(f"{endpoint['id']} request {path}: spec max {ours} < DANA's model {model_max}")
                # A pattern or a list of values bounds the length already (`^[A-Z]{3}$` for a currency).
                bounded = row.get("pattern") or row.get("enum_values") or row["type"] != "string"
                if direction == "response" and not bounded and (ours is None or ours > model_max):
                    problems.append(f"{endpoint['id']} response {path}: spec max {ours} > DANA's model {model_max}")
    return problems, compared


if __name__ == "__main__":
    import sys

    found, n = disagreements(sys.argv[1])
    print("\n".join(found))
    print(f"{n} fields compared, {len(found)} disagreements")
