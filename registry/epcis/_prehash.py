"""The CBV 2.0 pre-hash string of one EPCIS event, as GS1's reference implementation builds it.

A port of ``epcis-event-hash-generator`` 1.9.3 (``json_to_py``, ``json_xml_model_mismatch_correction``
and ``hash_generator``; MIT licence, (c) 2019-2023 Ralph Troeger, Sebastian Schmittner), kept close to
the original structure so that it can be compared with it line by line, and changed only where:

- state was global (namespaces, join separator) or per document (the set of vocabulary IRIs): here it
  is per event, so an event's hash ID never depends on the other events of its document;
- the reference cannot hash at all: a business transaction without ``type`` (IndexError there),
  a fraction of a second that rounds up to the next second (ValueError there), numeric overflow
  (OverflowError there; such text is kept as it is);
- the reference depends on JSON key order: the items of ``bizTransactionList``, ``sourceList`` and
  ``destinationList`` are written type first, as the CBV and every conformance vector have them.

Speed comes from the offline JSON-LD subset in :mod:`registry.epcis._jsonld` instead of PyLD, and
from dropping the reference's eager debug formatting and deep copies.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from dataledger.registry.epcis._digital_link import canonical_digital_link
from dataledger.registry.epcis._jsonld import ActiveContext, JsonLdUnsupported, vocabulary_iris
from dataledger.registry.epcis.rfc3339 import cbv_timestamp

PROP_ORDER: list[tuple[Any, Any]] = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", [("epc", None)]),
    ("inputEPCList", [("epc", None)]),
    ("childEPCs", [("epc", None)]),
    ("quantityList", [("quantityElement", [("epcClass", None), ("quantity", None), ("uom", None)])]),
    ("childQuantityList", [("quantityElement", [("epcClass", None), ("quantity", None), ("uom", None)])]),
    ("inputQuantityList", [("quantityElement", [("epcClass", None), ("quantity", None), ("uom", None)])]),
    ("outputEPCList", [("epc", None)]),
    ("outputQuantityList", [("quantityElement", [("epcClass", None), ("quantity", None), ("uom", None)])]),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    ("bizTransactionList", [(("type", None), ("bizTransaction", None))]),
    ("sourceList", [(("type", None), ("source", None))]),
    ("destinationList", [(("type", None), ("destination", None))]),
    (
        "sensorElementList",
        [
            (
                "sensorElement",
                [
                    (
                        "sensorMetadata",
                        [
                            ("time", None),
                            ("startTime", None),
                            ("endTime", None),
                            ("deviceID", None),
                            ("deviceMetadata", None),
                            ("rawData", None),
                            ("dataProcessingMethod", None),
                            ("bizRules", None),
                        ],
                    ),
                    (
                        "sensorReport",
                        [
                            ("type", None),
                            ("exception", None),
                            ("deviceID", None),
                            ("deviceMetadata", None),
                            ("rawData", None),
                            ("dataProcessingMethod", None),
                            ("time", None),
                            ("microorganism", None),
                            ("chemicalSubstance", None),
                            ("value", None),
                            ("component", None),
                            ("stringValue", None),
                            ("booleanValue", None),
                            ("hexBinaryValue", None),
                            ("uriValue", None),
                            ("minValue", None),
                            ("maxValue", None),
                            ("meanValue", None),
                            ("sDev", None),
                            ("percRank", None),
                            ("percValue", None),
                            ("uom", None),
                            ("coordinateReferenceSystem", None),
                        ],
                    ),
                ],
            )
        ],
    ),
]
"""The CBV 2.0 canonical property order (the reference's ``PROP_ORDER``)."""

_IGNORED_KEYS = ("#text", "rdfs:comment", "comment")
_UNSORTED_MARKERS = ("bizTransaction", "source", "destination")
_TOP_LEVEL_EXCLUDED = ("recordTime", "eventID", "type", "errorDeclaration")
_PAIRED_LISTS = {
    "sourceList": "source",
    "destinationList": "destination",
    "bizTransactionList": "bizTransaction",
}


class Unhashable(ValueError):
    """The event has no CBV 2.0 pre-hash string (the reference implementation fails on it)."""


def prehash(event: dict[str, Any], active: ActiveContext, context: Any) -> str:
    """The pre-hash string of ``event`` under its document's ``@context`` (``active``: its processed form)."""
    table = _replacement_table(frozenset(vocabulary_iris(active, event)))
    try:
        namespaces = context_namespaces(context, table)
        tree = _deep_structure_correction(_json_to_py(event, namespaces, table))
        pre_hash: str = (
            "eventType="
            + tree[0]
            + _recurse_through_children_in_order(tree[2], PROP_ORDER)
            + _gather_elements_not_in_order(tree[2])
        )
        return pre_hash
    except (TypeError, AttributeError, IndexError, KeyError, RecursionError) as error:
        raise Unhashable(f"the CBV 2.0 hash algorithm cannot process this event ({error})") from None


# --- bare vocabulary words and namespaces (json_to_py) ---------------------------------------------


@lru_cache(maxsize=4096)
def _replacement_table(vocabulary: frozenset[str]) -> dict[str, str | None]:
    """Bare value -> the single vocabulary IRI ending in ``-value`` or ``/value`` (None if ambiguous)."""
    table: dict[str, str | None] = {}
    for iri in vocabulary:
        for position, char in enumerate(iri):
            if char in "-/":
                suffix = iri[position + 1 :]
                table[suffix] = iri if suffix not in table else None
    return table


def _replaced(value: str, table: dict[str, str | None]) -> str:
    replacement = table.get(value)
    return replacement if replacement is not None else value


def context_namespaces(context: Any, table: dict[str, str | None] | None = None) -> dict[str, str]:
    """Prefix -> ``{namespace IRI}`` as the reference collects them (only from a list @context)."""
    table = table or {}
    namespaces: dict[str, str] = {}
    if isinstance(context, list):
        for entry in context:
            if isinstance(entry, str):
                entry = _replaced(entry, table)
                namespaces[entry] = "{" + entry + "}"
            else:
                for key, iri in entry.items():
                    if not isinstance(iri, str):
                        raise JsonLdUnsupported(f"@context term {key!r}: define it as a plain IRI")
                    namespaces[key] = "{" + _replaced(iri, table) + "}"
    return namespaces


def namespace_replace(text: Any, namespaces: dict[str, str], is_value: bool = False) -> Any:
    """``prefix:name`` -> ``{namespace}name`` (a key) or ``namespacename`` (a value)."""
    if not isinstance(text, str) or ":" not in text:
        return text
    splitted = text.split(":", 1)
    if splitted[0] in namespaces:
        if is_value:
            return namespaces[splitted[0]].replace("{", "").replace("}", "") + splitted[1]
        return namespaces[splitted[0]] + splitted[1]
    return text


def _scalar_text(value: Any, namespaces: dict[str, str], table: dict[str, str | None]) -> str:
    if isinstance(value, str):
        value = table.get(value) or value
        text: str = namespace_replace(value, namespaces, True) if ":" in value else value
        return text
    return str(value)


def _json_to_py(
    json_obj: Any, namespaces: dict[str, str], table: dict[str, str | None]
) -> tuple[Any, Any, list[Any]]:
    """The reference's ``_json_to_py`` applied to the event with its bare vocabulary words replaced.

    The reference replaces bare words in a copy of the whole document first; here each string is
    replaced where it is read, which gives the same tree without copying the event.
    """
    py_obj: tuple[Any, Any, list[Any]] = ("", "", [])
    if isinstance(json_obj, list):
        children = py_obj[2]
        for child in json_obj:
            if isinstance(child, dict | list):
                children.append(_json_to_py(child, namespaces, table))
            else:
                children.append(("", _scalar_text(child, namespaces, table), []))
        unsorted = any(
            isinstance(item, str) and _replaced(item, table) in _UNSORTED_MARKERS for item in json_obj
        )
    elif isinstance(json_obj, dict):
        if "type" in json_obj:
            node_type = json_obj["type"]
            py_obj = (_replaced(node_type, table) if isinstance(node_type, str) else node_type, "", [])
        if "#text" in json_obj:
            text = json_obj["#text"]
            py_obj = (py_obj[0], _replaced(text, table) if isinstance(text, str) else text, py_obj[2])
        children = py_obj[2]
        for key, val in json_obj.items():
            if key in _IGNORED_KEYS:
                continue
            if key.startswith("@xmlns"):
                raise JsonLdUnsupported(f"{key!r} keys are not supported")
            if ":" in key:
                key = namespace_replace(key, namespaces)
            if isinstance(val, list):
                for element in _json_to_py(val, namespaces, table)[2]:
                    children.append((key, element[1], element[2]))
            elif isinstance(val, dict):
                child = _json_to_py(val, namespaces, table)
                children.append((key, child[1], child[2]))
            else:
                children.append((key, _scalar_text(val, namespaces, table), []))
        unsorted = any(marker in json_obj for marker in _UNSORTED_MARKERS)
    else:
        return "", _scalar_text(json_obj, namespaces, table), []
    if not unsorted:
        py_obj[2].sort()
    return py_obj


# --- JSON / XML data model alignment (json_xml_model_mismatch_correction) -------------------------


def _correct_xml_vs_js_structure_mismatch(py_obj: tuple[Any, Any, list[Any]]) -> tuple[Any, Any, list[Any]]:
    if py_obj[0] == "inputEPC" or py_obj[0] == "outputEPC":
        return "epc", py_obj[1], py_obj[2]
    if py_obj[0] in ("inputQuantity", "outputQuantity", "childQuantity") or (
        py_obj[0] == "quantity" and len(py_obj[2]) > 0
    ):
        return "quantityElement", py_obj[1], py_obj[2]
    return py_obj


def _type_first_pair(list_name: str, children: list[Any]) -> tuple[Any, Any]:
    value_name = _PAIRED_LISTS[list_name]
    types = [child for child in children if child[0] == "type"]
    values = [child for child in children if child[0] == value_name]
    if len(children) == 2 and len(types) == 1 and len(values) == 1:
        return types[0], values[0]
    if len(children) == 1 and values and list_name == "bizTransactionList":
        return values[0], ("", "", [])  # an empty stand-in for the missing type: writes nothing
    raise Unhashable(f"{list_name} items must have exactly one 'type' and one {value_name!r}")


def _deep_structure_correction(py_obj: tuple[Any, Any, list[Any]]) -> tuple[Any, Any, list[Any]]:
    lvl1_corrected_children = py_obj[2] if len(py_obj) > 2 else []
    lists: dict[str, list[Any]] = {}
    for element in [
        e for e in lvl1_corrected_children if not isinstance(e[0], tuple) and e[0].endswith("List")
    ]:
        lists.setdefault(element[0], []).append((element[0][:-4], element[1], element[2]))
        lvl1_corrected_children.remove(element)
    for list_name, list_elements in lists.items():
        if list_name in _PAIRED_LISTS:
            pairs = [_type_first_pair(list_name, e[2]) for e in list_elements]
            lvl1_corrected_children.append((list_name, "", pairs))
        else:
            lvl1_corrected_children.append((list_name, "", list_elements))
    child_epcs: list[tuple[str, Any, list[Any]]] = []
    for element in [e for e in lvl1_corrected_children if e[0] == "childEPCs"]:
        child_epcs.append(("epc", element[1], []))
        lvl1_corrected_children.remove(element)
    if child_epcs:
        lvl1_corrected_children.append(("childEPCs", "", child_epcs))
    corrected_children = []
    for element in lvl1_corrected_children:
        if not element[2] and not isinstance(element[0], tuple):
            # a leaf: the recursion would only rename it
            corrected_children.append(_correct_xml_vs_js_structure_mismatch(element))
        elif element[0] in _PAIRED_LISTS:
            corrected_children.append(element)
        else:
            corrected_children.append(_deep_structure_correction(element))
    return _correct_xml_vs_js_structure_mismatch((py_obj[0], py_obj[1], corrected_children))


# --- the pre-hash string (hash_generator) ---------------------------------------------------------


def _child_to_pre_hash_string(child: tuple[Any, Any, list[Any]], sub_child_order: Any) -> str:
    text = ""
    grand_child_text = ""
    if sub_child_order:
        grand_child_text = _recurse_through_children_in_order(child[2], sub_child_order)
    if child[1]:
        text = child[1].strip()
        if child[0].lower().find("time") >= 0 and child[0].lower().find("offset") < 0:
            try:
                text = cbv_timestamp(text)
            except ValueError as error:
                raise Unhashable(f"{child[0]} {text!r}: {error}") from None
        else:
            text = _canonize_value(text)
        if text:
            text = "=" + text
    if text or grand_child_text:
        child_text: str = child[0] + text + grand_child_text
        return child_text
    return ""


def _recurse_through_children_in_order(child_list: list[Any], child_order: Any) -> str:
    pre_hash = ""
    user_extensions = _gather_user_extensions(child_list)
    # names present (a name that is absent contributes nothing, so it is skipped)
    present = {x[0] for x in child_list if isinstance(x[0], str)}
    for child_name, sub_child_order in child_order:
        if child_name not in present and isinstance(child_name, str):
            continue
        children = [x for x in child_list if x[0] == child_name]
        list_of_values = []
        for child in children:
            child_pre_hash = _child_to_pre_hash_string(child, sub_child_order)
            if child_pre_hash:
                list_of_values.append(child_pre_hash)
            if len(child[2]) == 0:
                child_list.remove(child)
        list_of_values.sort()
        if "".join(list_of_values):
            if pre_hash:
                list_of_values.insert(0, pre_hash)
            pre_hash = "".join(list_of_values)
    if len(user_extensions) > 0:
        pre_hash = pre_hash + _generic_child_list_to_prehash_string(user_extensions)
    return pre_hash


@lru_cache(maxsize=1 << 16)
def _canonize_value(text: str) -> str:
    text = _try_format_web_vocabulary(text)
    text = _try_format_numeric(text)
    converted = canonical_digital_link(text)
    if converted:
        return converted
    return text


def _gather_user_extensions(child_list: list[Any]) -> list[Any]:
    user_extensions: list[Any] = []
    if len(child_list) <= 1:
        return user_extensions
    for child in child_list:
        if "eventTime" in child[0] or "action" in child[0]:
            return user_extensions
    for x in child_list:
        if isinstance(x, tuple) and ("{" in x[0] and "/}" in x[0]):
            user_extensions.append(x)
    for element_to_remove in user_extensions:
        child_list.remove(element_to_remove)
    return user_extensions


def _try_format_web_vocabulary(text: str) -> str:
    return (
        text.replace("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-")
        .replace("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-")
        .replace("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-")
        .replace("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-")
        .replace("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-")
    )


def _try_format_numeric(text: str) -> str:
    try:
        numeric = float(text)
        if int(numeric) == numeric:
            numeric = int(numeric)
        text = str(numeric)
    except (ValueError, OverflowError):
        pass
    return text


def _generic_child_list_to_prehash_string(children: Any) -> str:
    list_of_values = []
    for child in children:
        if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], tuple):
            list_of_values.append(_generic_child_list_to_prehash_string(child))
        else:
            text = child[1].strip()
            if text:
                text = _canonize_value(text)
                text = "=" + text
            list_of_values.append(child[0] + text + _generic_child_list_to_prehash_string(child[2]))
    if len(children) > 1 and _should_sort(children):
        list_of_values.sort()
    return "".join(list_of_values)


def _should_sort(children: Any) -> bool:
    return all(child[0] not in ("bizTransaction", "source", "destination") for child in children)


def _gather_elements_not_in_order(children: list[Any]) -> str:
    children = [child for child in children if child[0] not in _TOP_LEVEL_EXCLUDED]
    if children:
        return _generic_child_list_to_prehash_string(children)
    return ""
