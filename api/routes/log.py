"""The registry's append-only log: signed checkpoints, entries with inclusion proofs, consistency proofs.

* ``GET /v1/log``: the log's origin and the verifier key its checkpoints are signed with (public).
* ``GET /v1/log/checkpoint``: the latest signed checkpoint with its anchor on chain (public); with
  ``?format=note`` the C2SP signed note itself, as ``text/plain``, to keep for a later audit.
* ``POST /v1/log/checkpoints``: issue a checkpoint now (registrar or administrator).
* ``GET /v1/log/entries/{index}?treeSize=``: an entry and its RFC 9162 inclusion proof (auditor,
  registrar).
* ``GET /v1/log/consistency?from=&to=``: an RFC 9162 consistency proof between two tree sizes (public).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.schemas import MAX_INT64
from dataledger.registry.participants import Role

router = APIRouter(prefix="/v1/log", tags=["log"])

TreeSize = Annotated[int, Query(ge=1, le=MAX_INT64, alias="treeSize", description="a checkpoint's size")]


@router.get("", summary="The log's origin and the key its checkpoints are signed with (public)")
def log_info(services: ServicesDep) -> dict[str, Any]:
    return {"origin": services.checkpoints.origin, "verifierKey": services.checkpoints.verifier_key}


@router.get("/checkpoint", summary="The latest signed checkpoint and its anchor on chain (public)")
def latest_checkpoint(
    services: ServicesDep,
    format: Annotated[Literal["json", "note"], Query(description="note: the C2SP signed note")] = "json",
) -> Response:
    latest = services.checkpoints.latest()
    if format == "note":
        return PlainTextResponse(latest.note)
    return JSONResponse(latest.as_json())


@router.post("/checkpoints", status_code=status.HTTP_201_CREATED, summary="Issue a checkpoint now")
def issue_checkpoint(me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    return services.checkpoints.issue(me).as_json()


@router.get("/entries/{index}", summary="An entry of the log with its inclusion proof (auditor, registrar)")
def log_entry(
    index: Annotated[int, Path(ge=0, le=MAX_INT64)],
    me: CurrentParticipant,
    services: ServicesDep,
    tree_size: TreeSize | None = None,
) -> dict[str, Any]:
    me.require_role(Role.AUDITOR, Role.REGISTRAR, Role.ADMIN)
    return services.checkpoints.entry(index, tree_size)


@router.get("/consistency", summary="A consistency proof between two checkpoints' tree sizes (public)")
def consistency(
    services: ServicesDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_INT64)],
    to: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
) -> dict[str, Any]:
    return services.checkpoints.consistency(from_, to)
