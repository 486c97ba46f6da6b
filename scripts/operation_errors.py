"""Update api/operation_errors.py from what the tests saw each operation answer.

    DATALEDGER_RECORD_PROBLEMS=/tmp/problems.jsonl scripts/dev.sh test
    .venv/bin/python scripts/operation_errors.py /tmp/problems.jsonl

Recording runs record instead of judging (tests/contract.py). This script adds every observed
4xx code that the generic rules of api/openapi.py do not already declare to the table, keeps what the
table had, and rewrites the module; review the diff like any change to the API's contract.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

from dataledger.api.app import create_app
from dataledger.api.openapi import declared_codes
from dataledger.api.operation_errors import OPERATION_ERRORS
from dataledger.composition.settings import Settings

MODULE = Path(__file__).resolve().parents[1] / "api" / "operation_errors.py"


def main(argv: list[str]) -> int:
    app = create_app(SimpleNamespace(settings=Settings(environment="test"), operational_figures=dict))  # type: ignore[arg-type]
    document = app.openapi()
    operations = {op["operationId"]: op for ops in document["paths"].values() for op in ops.values()}
    table = {k: set(v) for k, v in OPERATION_ERRORS.items()}
    for line in Path(argv[0]).read_text().splitlines():
        seen = json.loads(line)
        operation = operations.get(seen["operationId"])
        if operation is None or seen["status"] >= 500:
            continue
        if seen["code"] not in declared_codes(operation, document):
            table.setdefault(seen["operationId"], set()).add(seen["code"])
    head, _, _ = MODULE.read_text().partition("OPERATION_ERRORS: Mapping")
    rows = "".join(
        f"        {name!r}: ({''.join(f'{c!r}, ' for c in sorted(codes)).rstrip()}),\n"
        for name, codes in sorted(table.items())
        if codes
    )
    MODULE.write_text(
        head
        + "OPERATION_ERRORS: Mapping[str, tuple[str, ...]] = MappingProxyType(\n    {\n"
        + rows
        + "    }\n)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
