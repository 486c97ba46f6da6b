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
from fastapi.responses import PlainTextResponse, Response

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.log import NOTE_SCHEMA, Checkpoint, ConsistencyProof, LogEntry, LogInfo
from dataledger.api.schemas import MAX_INT64
from dataledger.registry.participants import Role

router = APIRouter(prefix="/v1/log", tags=["log"])

# The alias must sit on the optional type itself: ``TreeSize | None`` would hide it (``?tree_size=``).
TreeSize = Annotated[
    int | None,
    Query(ge=1, le=MAX_INT64, alias="treeSize", description="a checkpoint's size (default: the latest)"),
]


@router.get(
    "",
    response_model=LogInfo,
    summary="The log's origin and the key its checkpoints are signed with (public)",
)
def get_log_info(services: ServicesDep) -> dict[str, Any]:
    """Public: the log's origin and the note verifier key that checks its checkpoints' signatures."""
    return {"origin": services.checkpoints.origin, "verifierKey": services.checkpoints.verifier_key}


@router.get(
    "/checkpoint",
    response_model=Checkpoint,
    responses={
        200: {
            "description": "The checkpoint (JSON), or with format=note the signed note itself",
            "content": {"text/plain": {"schema": NOTE_SCHEMA}},
        }
    },
    summary="The latest signed checkpoint and its anchor on chain (public)",
)
def latest_checkpoint(
    services: ServicesDep,
    format: Annotated[Literal["json", "note"], Query(description="note: the C2SP signed note")] = "json",
) -> dict[str, Any] | Response:
    """Public: the latest checkpoint, or with ``format=note`` the C2SP signed note as ``text/plain`` (keep it
    for a later audit). 404 before the first checkpoint is issued."""
    latest = services.checkpoints.latest()
    if format == "note":
        return PlainTextResponse(latest.note)
    return latest.as_json()


@router.post(
    "/checkpoints",
    status_code=status.HTTP_201_CREATED,
    response_model=Checkpoint,
    summary="Issue a checkpoint now",
)
def issue_checkpoint(me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """A registrar or an administrator: append what is new, then sign and anchor a checkpoint of the whole
    log (the latest one again when nothing is new). 404 while the log is empty."""
    return services.checkpoints.issue(me).as_json()


@router.get(
    "/entries/{index}",
    response_model=LogEntry,
    summary="An entry of the log with its inclusion proof (auditor, registrar)",
)
def get_log_entry(
    index: Annotated[int, Path(ge=0, le=MAX_INT64)],
    me: CurrentParticipant,
    services: ServicesDep,
    tree_size: TreeSize = None,
) -> dict[str, Any]:
    """An auditor, a registrar or an administrator: the entry at ``index`` and its inclusion proof in the
    checkpoint of ``treeSize`` (default: the latest). 404 when the checkpoint does not cover it."""
    me.require_role(Role.AUDITOR, Role.REGISTRAR, Role.ADMIN)
    return services.checkpoints.entry(index, tree_size)


@router.get(
    "/consistency",
    response_model=ConsistencyProof,
    summary="A consistency proof between two checkpoints' tree sizes (public)",
)
def get_log_consistency(
    services: ServicesDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_INT64)],
    to: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
) -> dict[str, Any]:
    """Public: the RFC 9162 proof that the tree of ``from`` entries is a prefix of the checkpoint of ``to``
    entries (default: the latest). 422 when ``from`` is beyond ``to``; 404 when ``to`` is no checkpoint."""
    return services.checkpoints.consistency(from_, to)
