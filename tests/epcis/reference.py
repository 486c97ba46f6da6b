"""GS1's reference implementation (epcis-event-hash-generator 1.9.3) as a test oracle, one event at a time.

Importing it loads PyLD and installs its document loader, which serves the two GS1 contexts from the
package and would fetch anything else: the tests only ever give it those two contexts.
"""

from __future__ import annotations

import copy
from typing import Any

from epcis_event_hash_generator import hash_generator, json_to_py


def reference_prehash(event: dict[str, Any], context: Any) -> str | None:
    """The reference's pre-hash of ``event`` alone in a document with ``context`` (None if it fails)."""
    json_to_py._namespaces.clear()  # the reference keeps namespaces in a module global
    document = {"@context": copy.deepcopy(context), "epcisBody": {"eventList": [copy.deepcopy(event)]}}
    try:
        events = json_to_py.event_list_from_epcis_document_json(document)
    except Exception:  # the reference raises whatever its code meets (TypeError, IndexError, JsonLdError)
        return None
    prehashes = hash_generator.derive_prehashes_from_events(events)  # logs and drops failing events
    return prehashes[0] if prehashes else None


def reference_hash_id(event: dict[str, Any], context: Any) -> str | None:
    prehash = reference_prehash(event, context)
    return None if prehash is None else hash_generator.calculate_hashes_from_pre_hashes([prehash])[0]
