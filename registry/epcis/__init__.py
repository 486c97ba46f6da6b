"""EPCIS 2.0 traceability events: documents, validation, CBV 2.0 event hash IDs and export.

Typical use (capture, or ``dataledger events hash FILE``)::

    document = parse_document(path.read_bytes())   # refused whole if anything is wrong
    ids = document_event_hash_ids(document)         # ni:///sha-256;...?ver=CBV2.0, in document order
"""

from dataledger.registry.epcis.document import (
    CAPTURE_DOCUMENT,
    DEFAULT_LIMITS,
    QUERY_DOCUMENT,
    DocumentLimits,
    EpcisDocument,
    parse_document,
)
from dataledger.registry.epcis.event_hash import (
    DATALEDGER_ADDED_FIELDS,
    DEFAULT_CONTEXT,
    EventHashId,
    document_event_hash_ids,
    event_hash_id,
    event_prehash,
    hash_events,
)
from dataledger.registry.epcis.export import to_epcis_document
from dataledger.registry.epcis.problems import Problem
from dataledger.registry.epcis.validation import (
    EPCIS_CONTEXT_URL,
    EVENT_TYPES,
    validate_event,
    validate_events,
)
from dataledger.registry.errors import EpcisDocumentInvalid, EpcisDocumentTooLarge

__all__ = [
    "CAPTURE_DOCUMENT",
    "DATALEDGER_ADDED_FIELDS",
    "DEFAULT_CONTEXT",
    "DEFAULT_LIMITS",
    "EPCIS_CONTEXT_URL",
    "EVENT_TYPES",
    "QUERY_DOCUMENT",
    "DocumentLimits",
    "EpcisDocument",
    "EpcisDocumentInvalid",
    "EpcisDocumentTooLarge",
    "EventHashId",
    "Problem",
    "document_event_hash_ids",
    "event_hash_id",
    "event_prehash",
    "hash_events",
    "parse_document",
    "to_epcis_document",
    "validate_event",
    "validate_events",
]
