"""The SDK stays in step with the API, without a server: every call that client/_async/resources.py makes
names (operationId, method, path template); read with ``ast``, they must be exactly the operations of
the OpenAPI document, with its methods and paths, and send only the parameters and body fields the
document declares. And the synchronous client is what scripts/generate_sync_client.py writes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from dataledger.api.app import create_app
from dataledger.composition.settings import Settings
from scripts import generate_sync_client

RESOURCES = Path(__file__).resolve().parents[2] / "client" / "_async" / "resources.py"
# Resources in modules of their own (the market) are read the same way.
SOURCES = (
    RESOURCES,
    RESOURCES.with_name("market.py"),
    RESOURCES.with_name("trades.py"),
    RESOURCES.with_name("vouchers.py"),
    RESOURCES.with_name("delivery.py"),
)
# The generic helpers: their calls carry the operation their callers name.
HELPERS = {"_act", "_pages"}
# What ``_act`` adds to the body it is given when it submits the signed act.
SIGNED = frozenset({"nonce", "deadline", "signature"})
# What ``_act`` carries from the preparation into the submission (a salt; a certificate's number and time;
# a voucher programme's id).
CARRIED = frozenset({"salt", "certificateNumber", "issuedAt", "programmeId"})


def _openapi() -> dict[str, Any]:
    services = SimpleNamespace(settings=Settings(environment="test"), operational_figures=dict)
    return create_app(services).openapi()


OPENAPI = _openapi()


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    path_params: frozenset[str]
    query_params: frozenset[str]
    body: dict[str, Any] | None  # the JSON request body's schema (resolved), if any


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = OPENAPI["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]
    return schema


def _operations() -> dict[str, Operation]:
    operations = {}
    for path, item in OPENAPI["paths"].items():
        for method, spec in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            parameters = spec.get("parameters", [])
            content = spec.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            operations[spec["operationId"]] = Operation(
                method.upper(),
                path,
                frozenset(p["name"] for p in parameters if p["in"] == "path"),
                frozenset(p["name"] for p in parameters if p["in"] == "query"),
                _resolve(body) if body is not None else None,
            )
    return operations


OPERATIONS = _operations()

# -- the SDK's calls, read from its source ------------------------------------------------------------


@dataclass(frozen=True)
class SdkCall:
    where: str  # Class.method:line
    operation_id: str
    method: str
    template: str
    path: frozenset[str] | None  # the keys of ``path=`` (None: none given)
    query: frozenset[str] | None  # the keys of ``params=`` (None: not determinable)
    sends_body: bool  # a JSON body (``json=``), or the body of an act
    body: frozenset[str] | None  # its keys (None: no body, or the keys are not in the source)
    submits_signed_act: bool = False


class _Keys:
    """The keys a function's dict-valued names may hold: every literal key ever assigned to them."""

    def __init__(self, function: ast.AST) -> None:
        self.names: dict[str, set[str]] = {}
        self.unknown: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self._assign(target.id, node.value)
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and isinstance(node.slice, ast.Constant)
            ):
                self.names.setdefault(node.value.id, set()).add(str(node.slice.value))

    def _assign(self, name: str, value: ast.expr) -> None:
        keys = self.of(value)
        if keys is None:
            self.unknown.add(name)
        else:
            self.names.setdefault(name, set()).update(keys)

    def of(self, node: ast.expr | None) -> set[str] | None:
        """The literal keys of a dict expression; None when they cannot be read off the source."""
        if isinstance(node, ast.Dict):
            keys: set[str] = set()
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:  # **spread
                    spread = self.of(value)
                    if spread is None:
                        return None
                    keys |= spread
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.add(key.value)
                else:
                    return None
            return keys
        if isinstance(node, ast.IfExp):
            body, orelse = self.of(node.body), self.of(node.orelse)
            return None if body is None or orelse is None else body | orelse
        if isinstance(node, ast.Name) and node.id not in self.unknown:
            return set(self.names.get(node.id, set())) if node.id in self.names else None
        return None


def _constant(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _frozen(keys: set[str] | None) -> frozenset[str] | None:
    return None if keys is None else frozenset(keys)


def _is_self_attr(node: ast.expr, *names: str) -> bool:
    """``self.<name>`` or ``self._client.<name>``."""
    if not isinstance(node, ast.Attribute) or node.attr not in names:
        return False
    owner = node.value
    if isinstance(owner, ast.Name):
        return owner.id == "self"
    return isinstance(owner, ast.Attribute) and owner.attr == "_client" and _is_self_attr_root(owner)


def _is_self_attr_root(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id == "self"


def _calls_of(cls: str, function: ast.AsyncFunctionDef | ast.FunctionDef) -> list[SdkCall]:
    keys = _Keys(function)
    found = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        where = f"{cls}.{function.name}:{node.lineno}"
        func = node.func
        path = _keyword(node, "path")
        path_keys = None if path is None else _frozen(keys.of(path))
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("json", "call")
            and _is_self_attr(func, func.attr)
        ):
            operation_id, method, template = (_constant(a) for a in node.args[:3])
            if operation_id is None or method is None or template is None:
                assert function.name in HELPERS, f"{where}: a call that does not name its operation"
                continue
            params = _keyword(node, "params")
            body = _keyword(node, "json")
            found.append(
                SdkCall(
                    where,
                    operation_id,
                    method,
                    template,
                    path_keys,
                    frozenset() if params is None else _frozen(keys.of(params)),
                    body is not None,
                    None if body is None else _frozen(keys.of(body)),
                )
            )
        elif isinstance(func, ast.Attribute) and func.attr == "_act" and _is_self_attr(func, "_act"):
            act_body = _frozen(keys.of(node.args[2]))
            for index, step in enumerate(node.args[:2]):
                submits = index == 1
                # _act prepares with no body at all when it has no field to send
                sent = act_body if submits or act_body is None or act_body else None
                assert isinstance(step, ast.Tuple), f"{where}: _act takes (operationId, path) tuples"
                operation_id, template = (_constant(e) for e in step.elts)
                assert operation_id and template, f"{where}: an _act step that does not name its operation"
                found.append(
                    SdkCall(
                        where,
                        operation_id,
                        "POST",
                        template,
                        path_keys,
                        frozenset(),
                        submits or sent is not None,
                        sent,
                        submits_signed_act=submits,
                    )
                )
        elif isinstance(func, ast.Attribute) and func.attr == "_pages" and _is_self_attr(func, "_pages"):
            operation_id, template = _constant(node.args[0]), _constant(node.args[1])
            assert operation_id and template, f"{where}: a _pages call that does not name its operation"
            query = keys.of(node.args[2])
            found.append(
                SdkCall(
                    where,
                    operation_id,
                    "GET",
                    template,
                    path_keys,
                    None if query is None else frozenset(query | {"limit", "offset"}),
                    False,
                    None,
                )
            )
    return found


def sdk_calls() -> list[SdkCall]:
    calls = []
    classes = [c for source in SOURCES for c in ast.parse(source.read_text(encoding="utf-8")).body]
    for cls in classes:
        if isinstance(cls, ast.ClassDef):
            for item in cls.body:
                if isinstance(item, ast.AsyncFunctionDef | ast.FunctionDef):
                    calls.extend(_calls_of(cls.name, item))
    return calls


CALLS = sdk_calls()

# -- the tests ----------------------------------------------------------------------------------------


def test_the_source_is_read() -> None:
    """The reader finds the calls (a refactoring of the SDK that hides them must update this test)."""
    assert len(CALLS) >= len(OPERATIONS)
    assert {c.where.split(".")[0] for c in CALLS} >= {"Assets", "Procedure", "Licences", "Consents", "Log"}


def test_every_operation_of_the_document_is_covered_by_the_sdk() -> None:
    missing = sorted(set(OPERATIONS) - {c.operation_id for c in CALLS})
    assert not missing, f"operations of the OpenAPI document the SDK never calls: {missing}"


def test_the_sdk_names_no_operation_the_document_lacks() -> None:
    unknown = sorted(f"{c.where}: {c.operation_id}" for c in CALLS if c.operation_id not in OPERATIONS)
    assert not unknown, f"operations the OpenAPI document does not have: {unknown}"


@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.where}-{c.operation_id}")
def test_each_call_uses_the_documents_method_path_and_parameters(call: SdkCall) -> None:
    operation = OPERATIONS.get(call.operation_id)
    if operation is None:
        pytest.skip("not in the document (reported above)")
    assert (call.method, call.template) == (operation.method, operation.path)
    assert (call.path or frozenset()) == operation.path_params, "path parameters"
    assert call.query is not None, "the query parameters cannot be read off the source"
    assert call.query <= operation.query_params, (
        f"query parameters the document lacks: {call.query - operation.query_params}"
    )


@pytest.mark.parametrize(
    "call", [c for c in CALLS if c.sends_body], ids=lambda c: f"{c.where}-{c.operation_id}"
)
def test_each_json_body_sends_the_fields_the_document_declares(call: SdkCall) -> None:
    operation = OPERATIONS.get(call.operation_id)
    if operation is None:
        pytest.skip("not in the document (reported above)")
    assert operation.body is not None, "the SDK sends a body the operation does not take"
    schema = operation.body
    if "properties" not in schema:
        return  # a free-form document (a certificate, a report, an EPCIS document)
    assert call.body is not None, "the body's fields cannot be read off the source"
    sent = call.body | (SIGNED | CARRIED if call.submits_signed_act else frozenset())
    declared = frozenset(schema["properties"])
    assert call.body <= declared, f"fields the document does not declare: {sorted(call.body - declared)}"
    required = frozenset(schema.get("required", []))
    assert required <= sent, f"required fields the SDK does not send: {sorted(required - sent)}"


def test_every_json_body_the_document_requires_is_sent() -> None:
    """Operations that take a JSON body get one from each SDK call that sends them (``json=`` or ``_act``)."""
    for call in CALLS:
        operation = OPERATIONS.get(call.operation_id)
        if operation is None or operation.body is None or call.method == "GET":
            continue
        required = OPENAPI["paths"][operation.path][operation.method.lower()]["requestBody"].get("required")
        if required and call.operation_id != "captureEvents":  # capture may send bytes (content=)
            assert call.sends_body, f"{call.where}: {call.operation_id} needs a body it does not send"


def test_the_sync_client_is_what_the_generator_writes() -> None:
    assert generate_sync_client.main(["--check"]) == 0, "run python scripts/generate_sync_client.py"
