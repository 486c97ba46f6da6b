"""Factories for EPCIS events and documents."""

from __future__ import annotations

import copy
from typing import Any

from dataledger.registry.epcis import EPCIS_CONTEXT_URL

EXAMPLE_CONTEXT: list[Any] = [EPCIS_CONTEXT_URL, {"example": "https://ns.example.com/epcis/"}]


def object_event(**overrides: Any) -> dict[str, Any]:
    """A valid ObjectEvent: two items shipped from a warehouse."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T09:30:00.250+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
        "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:PO-1"}],
    }
    event.update(overrides)
    return event


def epcis_document(
    events: list[dict[str, Any]], *, context: Any = None, kind: str = "EPCISDocument"
) -> dict[str, Any]:
    """A capture document (or a query document with ``kind='EPCISQueryDocument'``) holding ``events``."""
    body: dict[str, Any] = {"eventList": copy.deepcopy(events)}
    if kind == "EPCISQueryDocument":
        body = {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": body}}
    return {
        "@context": copy.deepcopy(context if context is not None else EXAMPLE_CONTEXT),
        "type": kind,
        "schemaVersion": "2.0",
        "creationDate": "2024-05-01T10:00:00Z",
        "epcisBody": body,
    }
