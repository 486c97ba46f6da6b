"""EPCIS 2.0 capture and event queries, each event anchored as a Merkle leaf.

* ``POST /v1/events[?wait=true&timeout=&ignoreField=]``: an EPCIS 2.0 document (JSON or JSON-LD).
  Refused whole (problem+json ``epcis-document-invalid`` naming event and field) or stored whole in
  one transaction. Each event is answered in document order with its CBV 2.0 hash ID and whether it
  was new or already stored (idempotent); with ``wait=true`` also its anchor and inclusion proof.
  An event carrying an ``errorDeclaration`` is answered ``"stored": "error-declaration"``: the
  declaration is recorded on the event with that hash ID (stored, or applied when it arrives) and
  anchored as its own leaf. 202 while anything is still waiting for its anchor, else 200.
* ``GET /v1/events/{eventHashId}``: the event (URL-encoded hash ID, or its 64-hex digest) with its
  anchor: transaction, block, batch root, leaf and proof (verifiable offline and on chain); its
  error declarations, each with its own anchor, and its corrective events.
* ``GET /v1/events?epc=&bizStep=&from=&to=&limit=&offset=[&format=epcis]``: events in event-time
  order, as a page of JSON (declared events ``"erroneous": true``) or as an EPCIS 2.0 capture
  document (each error declaration follows the event it declares).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.events import EPCIS_DOCUMENT_SCHEMA, CaptureReceipt, EventDetail, EventPage
from dataledger.api.schemas import EventHashIdPath, Offset
from dataledger.registry.epcis import parse_document, to_epcis_document
from dataledger.registry.epcis.capture import CaptureResult, StoredEvent
from dataledger.registry.epcis.error_declaration import EPCIS_ERROR_DECLARATION_KIND, corrective_ids
from dataledger.registry.epcis.event_leaf import EPCIS_EVENT_KIND, hash_id_of
from dataledger.registry.epcis.lineage import time_us
from dataledger.registry.epcis.rfc3339 import parse_date_time
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.participants import Role

router = APIRouter(prefix="/v1/events", tags=["traceability"])

MAX_WAIT_S = 60.0
EPCIS_MEDIA_TYPE = "application/ld+json"
_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "An EPCIS 2.0 capture (or query) document",
        "content": {"application/json": {"schema": {"type": "object"}}, EPCIS_MEDIA_TYPE: {}},
    }
}


@router.post(
    "",
    summary="Capture an EPCIS 2.0 document; every event is stored once and anchored in a Merkle batch",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CaptureReceipt,
    response_model_exclude_unset=True,
    responses={
        202: {"description": "stored; some event or error declaration is still waiting for its anchor"},
        200: {"model": CaptureReceipt, "description": "every event of the document is anchored"},
    },
    openapi_extra=_DOCUMENT_BODY,
)
async def capture_events(
    request: Request,
    response: Response,
    me: CurrentParticipant,
    services: ServicesDep,
    wait: Annotated[bool, Query(description="wait until every event is anchored")] = False,
    timeout: Annotated[float, Query(gt=0, le=MAX_WAIT_S, description="seconds to wait at most")] = 10.0,
    ignore_field: Annotated[
        list[str] | None,
        Query(
            alias="ignoreField",
            description="fields another repository added to the events (prefix:name), left out of hash IDs",
        ),
    ] = None,
) -> dict[str, Any]:
    """For an enterprise or a registrar: the document is refused whole (epcis-document-invalid, naming
    the event and the field) or stored whole; each event is answered in document order with its hash
    ID, new or duplicate (idempotent). 202 while anything waits for its anchor, else 200."""
    me.require_role(Role.ENTERPRISE, Role.REGISTRAR)
    body = await request.body()
    receipt, anchored = await run_in_threadpool(
        _capture, body, me.id, services, wait, timeout, tuple(ignore_field or ())
    )
    response.status_code = status.HTTP_200_OK if anchored else status.HTTP_202_ACCEPTED
    return receipt


def _capture(
    body: bytes, participant_id: str, services: Any, wait: bool, timeout: float, ignore: tuple[str, ...]
) -> tuple[dict[str, Any], bool]:
    document = parse_document(body)
    result: CaptureResult = services.events.capture(
        document, captured_by=participant_id, ignore_fields=ignore
    )
    anchored = wait and _wait_anchored(services, result, timeout)
    anchors: dict[str, Any] = {}
    if wait:
        anchors = {h: services.events.inclusion(h).as_json() for h in result.hash_ids}
        anchors.update(
            {d: services.events.declaration_inclusion(d).as_json() for d in result.declaration_ids}
        )
    events = []
    for event in result.events:
        item = event.as_json()
        if wait:
            item["anchor"] = anchors[event.declaration_id or event.hash_id]
        events.append(item)
    receipt = {
        "captureId": result.capture_id,
        "eventCount": len(result.events),
        "new": result.new_count,
        "duplicates": result.duplicate_count,
        "errorDeclarations": result.declaration_count,
        "anchored": bool(anchored),
        "events": events,
    }
    return receipt, bool(anchored)


def _wait_anchored(services: Any, result: CaptureResult, timeout: float) -> bool:
    """Wait (at most ``timeout`` in all) until the capture's events and error declarations are anchored."""
    deadline = time.monotonic() + timeout
    batcher = services.anchoring.batcher
    return bool(
        batcher.wait_anchored(EPCIS_EVENT_KIND, result.hash_ids, timeout)
        and batcher.wait_anchored(
            EPCIS_ERROR_DECLARATION_KIND, result.declaration_ids, max(0.0, deadline - time.monotonic())
        )
    )


@router.get(
    "",
    response_model=EventPage,
    response_model_exclude_unset=True,
    responses={
        200: {
            "description": "A page of events (JSON), or with format=epcis an EPCIS 2.0 capture document",
            "content": {EPCIS_MEDIA_TYPE: {"schema": EPCIS_DOCUMENT_SCHEMA}},
        }
    },
    summary="Events in event-time order, by item, business step and time; or as EPCIS 2.0",
)
def list_events(
    _: CurrentParticipant,
    services: ServicesDep,
    epc: Annotated[str | None, Query(description="an EPC, EPC class or parent the events name")] = None,
    biz_step: Annotated[
        str | None, Query(alias="bizStep", description="e.g. shipping or its CBV URI")
    ] = None,
    from_: Annotated[str | None, Query(alias="from", description="eventTime >= this (RFC 3339)")] = None,
    to: Annotated[str | None, Query(description="eventTime < this (RFC 3339)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
    format: Annotated[Literal["json", "epcis"], Query(description="epcis: an EPCIS 2.0 document")] = "json",
) -> dict[str, Any] | Response:
    """Any participant: a page of events (those declared erroneous flagged), or with ``format=epcis`` the
    page as an EPCIS 2.0 capture document (``application/ld+json``), each error declaration after the
    event it declares. A ``from`` or ``to`` that is not RFC 3339 is refused (422)."""
    events = services.events.query(
        epc=epc,
        biz_step=biz_step,
        from_us=_time(from_, "from"),
        to_us=_time(to, "to"),
        limit=limit,
        offset=offset,
    )
    if format == "epcis":
        context = services.events.export_context(events)
        document = to_epcis_document(
            [body for e in events for body in (e.event, *(d.event for d in e.declarations))],
            creation_date=datetime.now(UTC),
            **({"context": context} if context is not None else {}),
        )
        return JSONResponse(document, media_type=EPCIS_MEDIA_TYPE)
    page: dict[str, Any] = {"items": [_event_json(e) for e in events], "limit": limit, "offset": offset}
    if len(events) == limit:
        page["nextOffset"] = offset + limit
    return page


@router.get(
    "/{eventHashId:path}",
    response_model=EventDetail,
    response_model_exclude_unset=True,
    summary="One event with its anchor and inclusion proof, and its error declarations with theirs",
)
def get_event(event_hash_id: EventHashIdPath, _: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant: the event (by its URL-encoded hash ID or its 64-hex digest) with its anchor and
    inclusion proof, its error declarations with theirs, and where its corrective events are. 404
    epcis-event-not-found when no such event was captured."""
    hash_id = hash_id_of(event_hash_id)
    stored = services.events.get(hash_id)
    body = _event_json(stored)
    body["ignoredFields"] = services.events.ignored_fields_of(stored.capture_id)
    body["anchor"] = services.events.inclusion(hash_id).as_json()
    body["errorDeclarations"] = [
        {**d.as_json(), "anchor": services.events.declaration_inclusion(d.id).as_json()}
        for d in stored.declarations
    ]
    if stored.declarations:
        ids = corrective_ids(stored.declarations)
        resolved = services.events.resolve_event_ids(ids)
        body["correctiveEvents"] = [{"eventId": i, "eventHashIds": resolved.get(i, [])} for i in ids]
    return body


def _event_json(stored: StoredEvent) -> dict[str, Any]:
    return {**stored.summary(), "event": stored.event}


def _time(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return time_us(parse_date_time(value))
    except ValueError as error:
        raise ValidationFailed(f"{name} is not an RFC 3339 date-time: {error}", field=name) from None
