"""EPCIS 2.0 capture documents built from stored events, for exchange with other parties.

The ``@context`` must be the one the events were captured under (their prefixes give their extension
fields their meaning and enter their hash IDs), so that a document exported here and parsed again
yields the same event hash IDs.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from dataledger.registry.epcis.document import CAPTURE_DOCUMENT, SCHEMA_VERSION
from dataledger.registry.epcis.event_hash import DEFAULT_CONTEXT
from dataledger.registry.epcis.problems import refuse_if_any
from dataledger.registry.epcis.validation import validate_events


def _creation_date(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("creation_date must be timezone-aware")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def to_epcis_document(
    events: Sequence[Mapping[str, Any]],
    *,
    creation_date: datetime,
    context: Any = DEFAULT_CONTEXT,
    drop_fields: Iterable[str] = (),
    document_id: str | None = None,
) -> dict[str, Any]:
    """A valid EPCIS 2.0 capture document holding ``events`` in the given order.

    ``drop_fields`` removes top-level fields (say, repository-only fields) from the exported copies;
    the stored events are not modified. Raises :class:`~registry.errors.EpcisDocumentInvalid` if an
    event is not valid EPCIS 2.0.
    """
    dropped = frozenset(drop_fields)
    exported = [
        {key: copy.deepcopy(value) for key, value in event.items() if key not in dropped} for event in events
    ]
    refuse_if_any(validate_events(exported))
    context = list(context) if isinstance(context, tuple) else copy.deepcopy(context)
    document: dict[str, Any] = {"@context": context}
    if document_id is not None:
        document["id"] = document_id
    document.update(
        {
            "type": CAPTURE_DOCUMENT,
            "schemaVersion": SCHEMA_VERSION,
            "creationDate": _creation_date(creation_date),
            "epcisBody": {"eventList": exported},
        }
    )
    return document
