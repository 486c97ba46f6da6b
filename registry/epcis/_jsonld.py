"""The part of JSON-LD 1.1 expansion that the CBV 2.0 event hash depends on, offline.

The reference hash implementation expands each document with PyLD and collects every expanded string
that starts with a GS1 vocabulary namespace (``https://ref.gs1.org/cbv``, ``https://gs1.org/voc``);
bare values such as ``"shipping"`` are then replaced by the one vocabulary IRI they end with. This module
computes that set of strings for one event the way PyLD 3 does, for the subset of JSON-LD that EPCIS
documents use:

- contexts: the GS1 EPCIS 2.0 context (by its URL, read from the bundled copy, never fetched) and
  objects mapping prefixes or terms to IRIs (``{"example": "https://ns.example.com/epcis/"}``);
- data: objects, arrays and scalars, keys that are terms, compact IRIs or absolute IRIs, and the
  context's aliases of ``@id`` and ``@type``.

Anything else (event-level ``@context``, ``@``-keywords in data, ``@vocab``, type-scoped contexts, IRIs
that are neither absolute nor relative) raises :class:`JsonLdUnsupported`; what JSON-LD itself forbids
(colliding ``@id`` keys, non-string ``@id``/``@type`` values, redefining a protected term) raises
:class:`JsonLdInvalid`, as PyLD would. The semantics follow PyLD's ``_expand``, ``_expand_object``,
``_expand_value``, ``_expand_iri`` and ``_create_term_definition``; a differential test checks them.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, cast

from dataledger.registry.epcis._reference_package import BUNDLED_CONTEXT_FILES, bundled_context

VOCABULARY_PREFIXES = ("https://ref.gs1.org/cbv", "https://gs1.org/voc")

KEYWORDS = frozenset(
    {
        "@base",
        "@container",
        "@context",
        "@default",
        "@direction",
        "@embed",
        "@explicit",
        "@first",
        "@graph",
        "@id",
        "@import",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@omitDefault",
        "@propagate",
        "@protected",
        "@preserve",
        "@requireAll",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    }
)
_KEYWORD_PATTERN = re.compile(r"^@[a-zA-Z]+$")
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_ENDS_WITH_GEN_DELIM = re.compile(r".*[:/\?#\[\]@]$")
_TERM_IN_IRI_FORM = re.compile(r".*((:[^:])|/)")
_SUPPORTED_TERM_KEYS = frozenset({"@id", "@type", "@container", "@context", "@protected"})


class JsonLdUnsupported(ValueError):
    """The input uses JSON-LD outside the subset that this offline implementation reproduces."""


class JsonLdInvalid(ValueError):
    """JSON-LD expansion (and so the reference hash implementation) refuses the input."""


def _is_absolute_iri(value: str) -> bool:
    return _ABSOLUTE_IRI.match(value) is not None


@dataclass(frozen=True)
class TermDefinition:
    """One term of an active context (PyLD's mapping: compared whole for protected redefinitions)."""

    iri: str
    prefix: bool = False
    protected: bool = False
    type: str | None = None
    container: tuple[str, ...] | None = None
    context: Any = None
    term_has_colon: bool = False


@dataclass(eq=False)
class ActiveContext:
    """Term definitions in force at one point of a document; derived contexts are memoised."""

    terms: dict[str, TermDefinition] = field(repr=False)
    _scoped: dict[int, tuple[Any, ActiveContext]] = field(default_factory=dict, repr=False)
    plans: dict[str, _KeyPlan] = field(default_factory=dict, repr=False)

    def scoped(self, local: Any) -> ActiveContext:
        """This context with a property-scoped context applied (protected terms may be overridden)."""
        cached = self._scoped.get(id(local))
        if cached is None or cached[0] is not local:
            cached = (local, process_context(self, local, override_protected=True, bundled=True))
            self._scoped[id(local)] = cached
        return cached[1]


EMPTY_CONTEXT = ActiveContext({})


def _load_remote(url: str) -> dict[str, Any]:
    if url not in BUNDLED_CONTEXT_FILES:
        raise JsonLdUnsupported(
            f"@context {url!r} is not available offline; use "
            f"{next(iter(BUNDLED_CONTEXT_FILES))!r} and inline objects for your own prefixes"
        )
    document = bundled_context(url)
    return cast(dict[str, Any], document["@context"])


def process_context(
    active: ActiveContext, local: Any, *, override_protected: bool = False, bundled: bool = False
) -> ActiveContext:
    """The active context after processing ``local`` (a URL, an object, or an array of them).

    ``bundled`` marks contexts that come from a bundled GS1 document (its scoped contexts); only those
    may define scoped contexts, since PyLD validates scoped contexts eagerly and this module lazily.
    """
    if isinstance(local, dict) and isinstance(local.get("@context"), list):
        local = local["@context"]
    contexts = local if isinstance(local, list) else [local]
    result = active
    for ctx in contexts:
        if ctx is None:
            raise JsonLdUnsupported("a null @context (context reset) is not supported")
        from_bundle = bundled
        if isinstance(ctx, str):
            ctx = _load_remote(ctx)
            from_bundle = True
        if isinstance(ctx, dict) and "@context" in ctx:
            ctx = ctx["@context"]
        if not isinstance(ctx, dict):
            raise JsonLdInvalid("a @context entry must be a URL or an object")
        result = ActiveContext(dict(result.terms))
        defined: dict[str, bool] = {}
        for key, value in ctx.items():
            if key == "@version":
                if value != 1.1:
                    raise JsonLdInvalid(f"unsupported JSON-LD @version {value!r}")
                defined[key] = True
            elif key == "@protected":
                if value is not True:
                    raise JsonLdUnsupported("only '@protected': true is supported in a @context")
                defined[key] = True
            elif key.startswith("@"):
                raise JsonLdUnsupported(f"{key!r} in a @context is not supported")
        protected_by_default = bool(ctx.get("@protected", False))
        for term in ctx:
            if not term.startswith("@"):
                if not from_bundle and isinstance(ctx[term], dict) and "@context" in ctx[term]:
                    raise JsonLdUnsupported(f"term {term!r}: only GS1's context may define scoped contexts")
                _define_term(result, ctx, term, defined, protected_by_default, override_protected)
    return result


def _define_term(
    active: ActiveContext,
    local: dict[str, Any],
    term: str,
    defined: dict[str, bool],
    protected_by_default: bool,
    override_protected: bool,
) -> None:
    if term in defined:
        if defined[term]:
            return
        raise JsonLdInvalid(f"cyclic IRI mapping for term {term!r} in @context")
    defined[term] = False
    if term == "":
        raise JsonLdInvalid("a term cannot be an empty string")
    previous = active.terms.pop(term, None)
    value = local[term]
    simple = isinstance(value, str) or value is None
    if simple:
        value = {"@id": value}
    if not isinstance(value, dict):
        raise JsonLdInvalid(f"term {term!r}: @context values must be strings or objects")
    unsupported = set(value) - _SUPPORTED_TERM_KEYS
    if unsupported:
        raise JsonLdUnsupported(f"term {term!r}: {sorted(unsupported)} in a term definition is not supported")
    term_has_colon = term.find(":") > 0
    iri: str | None = None
    prefix = False
    if "@id" in value:
        id_ = value["@id"]
        if id_ is None:
            raise JsonLdUnsupported(f"term {term!r}: null term definitions are not supported")
        if not isinstance(id_, str):
            raise JsonLdInvalid(f"term {term!r}: @id must be a string")
        if id_ not in KEYWORDS and _KEYWORD_PATTERN.match(id_):
            raise JsonLdUnsupported(f"term {term!r}: @id {id_!r} looks like a keyword")
        if id_ != term:
            expanded = expand_iri(
                active,
                id_,
                vocab=True,
                local=local,
                defined=defined,
                protected_by_default=protected_by_default,
            )
            if expanded is None or not (_is_absolute_iri(expanded) or expanded in KEYWORDS):
                raise JsonLdInvalid(f"term {term!r}: @id must expand to an absolute IRI or a keyword")
            if _TERM_IN_IRI_FORM.match(term):
                raise JsonLdUnsupported(f"term {term!r}: terms in the form of an IRI are not supported")
            iri = expanded
            prefix = (
                simple
                and not term_has_colon
                and (expanded.startswith("_:") or _ENDS_WITH_GEN_DELIM.match(expanded) is not None)
            )
    if iri is None:
        if term_has_colon:
            raise JsonLdUnsupported(f"term {term!r}: compact-IRI terms are not supported")
        raise JsonLdInvalid(f"term {term!r} must define an @id (no @vocab is set)")
    protected = bool(value.get("@protected")) or (protected_by_default and value.get("@protected", True))
    type_: str | None = None
    if "@type" in value:
        type_ = value["@type"]
        if not isinstance(type_, str):
            raise JsonLdInvalid(f"term {term!r}: @type must be a string")
        if type_ in ("@json", "@none"):
            raise JsonLdUnsupported(f"term {term!r}: '@type': {type_!r} is not supported")
        if type_ not in ("@id", "@vocab"):
            type_ = expand_iri(
                active,
                type_,
                vocab=True,
                local=local,
                defined=defined,
                protected_by_default=protected_by_default,
            )
            if type_ is None or not _is_absolute_iri(type_) or type_.startswith("_:"):
                raise JsonLdInvalid(f"term {term!r}: @type must expand to an absolute IRI")
    container: tuple[str, ...] | None = None
    if "@container" in value:
        raw = value["@container"]
        container = tuple(raw) if isinstance(raw, list) else (raw,)
        if container != ("@set",):
            raise JsonLdUnsupported(f"term {term!r}: containers other than @set are not supported")
    scoped = value.get("@context")
    if "@context" in value and scoped is None:
        raise JsonLdUnsupported(f"term {term!r}: a null scoped context is not supported")
    if iri in ("@context", "@preserve"):
        raise JsonLdInvalid(f"term {term!r}: @context and @preserve cannot be aliased")
    definition = TermDefinition(iri, prefix, bool(protected), type_, container, scoped, term_has_colon)
    if previous is not None and previous.protected and not override_protected:
        definition = replace(definition, protected=True)
        if definition != previous:
            raise JsonLdInvalid(f"@context redefines the protected term {term!r}")
    active.terms[term] = definition
    defined[term] = True


_BASE_RELATIVE = object()  # a document-relative IRI: resolved against PyLD's example base, never vocabulary


def expand_iri(
    active: ActiveContext,
    value: str,
    *,
    vocab: bool = False,
    base: bool = False,
    local: dict[str, Any] | None = None,
    defined: dict[str, bool] | None = None,
    protected_by_default: bool = False,
) -> Any:
    """PyLD's ``_expand_iri`` for the supported subset (no ``@vocab``, no ``@base``).

    Returns the expanded IRI, ``None`` for keyword-like strings, or :data:`_BASE_RELATIVE` for a
    relative reference resolved against the document base (never a GS1 vocabulary IRI).
    """
    if value[:1] == "@":
        if value in KEYWORDS:
            return value
        if _KEYWORD_PATTERN.match(value):
            return None
    if local is not None and defined is not None and value in local and defined.get(value) is not True:
        _define_term(active, local, value, defined, protected_by_default, False)
    if vocab and value in active.terms:
        return active.terms[value].iri
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value.split(":", 1)
        if prefix == "_" or suffix.startswith("//"):
            return value
        if local is not None and defined is not None and prefix in local and not defined.get(prefix):
            _define_term(active, local, prefix, defined, protected_by_default, False)
        mapping = active.terms.get(prefix)
        if mapping is not None and mapping.prefix:
            return mapping.iri + suffix
        if _is_absolute_iri(value):
            return value
    if not base:
        return value
    if colon >= 0 and value.startswith("https:"):
        # PyLD keeps such a value (minus dot segments) rather than resolving it, so it could be a
        # vocabulary IRI; that path is not reproduced. Any other result starts like PyLD's base IRI.
        raise JsonLdUnsupported(f"{value!r} is neither an absolute IRI nor a relative reference")
    return _BASE_RELATIVE


def document_context(context: Any) -> ActiveContext:
    """The active context of a document's ``@context`` (cached by its JSON text)."""
    if isinstance(context, tuple):
        context = list(context)
    key = json.dumps(context, sort_keys=True, separators=(",", ":"))
    cached = _DOCUMENT_CONTEXTS.get(key)
    if cached is None:
        cached = process_context(EMPTY_CONTEXT, context)
        if len(_DOCUMENT_CONTEXTS) >= 256:
            _DOCUMENT_CONTEXTS.clear()
        _DOCUMENT_CONTEXTS[key] = cached
    return cached


_DOCUMENT_CONTEXTS: dict[str, ActiveContext] = {}


def vocabulary_iris(active: ActiveContext, event: dict[str, Any]) -> set[str]:
    """The GS1 vocabulary IRIs in the JSON-LD expansion of ``event`` (a value of ``eventList``)."""
    found: set[str] = set()
    node_context = active
    definition = active.terms.get("eventList")
    if definition is not None and definition.context is not None:
        node_context = active.scoped(definition.context)
    _expand_node(node_context, event, found)
    return found


def _add(found: set[str], value: Any) -> None:
    if isinstance(value, str) and value.startswith(VOCABULARY_PREFIXES):
        found.add(value)


# How the value of a key is expanded in a given active context (PyLD's _expand_object, _expand and
# _expand_value, decided once per key and context): dropped, @id, @type, or a property whose scalars
# are expanded in ``value_context`` with ``value_type`` and whose objects are nodes in ``node_context``.
class _KeyKind(enum.Enum):
    DROP = "dropped"
    ID = "@id"
    TYPE = "@type"
    PROPERTY = "property"


@dataclass(frozen=True)
class _KeyPlan:
    kind: _KeyKind
    value_type: str | None = None
    value_context: ActiveContext | None = None
    node_context: ActiveContext | None = None


def _plan(active: ActiveContext, key: str) -> _KeyPlan:
    plan = active.plans.get(key)
    if plan is not None:
        return plan
    if key.startswith("@"):
        raise JsonLdUnsupported(f"the JSON-LD keyword {key!r} is not supported inside events")
    expanded = expand_iri(active, key, vocab=True)
    if expanded is None or not isinstance(expanded, str):
        plan = _KeyPlan(_KeyKind.DROP)
    elif expanded in KEYWORDS:
        if expanded not in ("@id", "@type"):
            raise JsonLdUnsupported(f"{key!r}: the alias of {expanded} is not supported inside events")
        plan = _KeyPlan(_KeyKind(expanded))
    elif not _is_absolute_iri(expanded):
        plan = _KeyPlan(_KeyKind.DROP)  # neither a term nor an IRI: JSON-LD drops the key and its value
    else:
        value_context = active
        definition = active.terms.get(key)
        if definition is not None and definition.context is not None:
            value_context = active.scoped(definition.context)
        value_definition = value_context.terms.get(key)
        node_context = value_context
        if value_definition is not None and value_definition.context is not None:
            node_context = value_context.scoped(value_definition.context)
        plan = _KeyPlan(
            _KeyKind.PROPERTY,
            value_definition.type if value_definition else None,
            value_context,
            node_context,
        )
    active.plans[key] = plan
    return plan


def _expand_node(active: ActiveContext, element: dict[str, Any], found: set[str]) -> None:
    has_id = False
    for key, value in element.items():
        plan = _plan(active, key)
        kind = plan.kind
        if kind is _KeyKind.PROPERTY:
            _expand_property_value(plan, value, found)
        elif kind is _KeyKind.ID:
            if has_id:
                raise JsonLdInvalid(f"{key!r}: colliding keywords (@id given twice)")
            has_id = True
            if not isinstance(value, str):
                raise JsonLdInvalid(f"{key!r}: an @id value must be a string")
            _add(found, expand_iri(active, value, base=True))
        elif kind is _KeyKind.TYPE:
            _expand_types(active, key, value, found)


def _expand_property_value(plan: _KeyPlan, value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        value_type = plan.value_type
        if value_type == "@id":
            _add(found, expand_iri(plan.value_context, value, base=True))  # type: ignore[arg-type]
            return
        if value_type == "@vocab":
            _add(found, expand_iri(plan.value_context, value, vocab=True, base=True))  # type: ignore[arg-type]
            return
        if value_type is not None and value_type != "@none":
            _add(found, value_type)
        _add(found, value)
    elif isinstance(value, dict):
        _expand_node(plan.node_context, value, found)  # type: ignore[arg-type]
    elif isinstance(value, list):
        for item in value:
            _expand_property_value(plan, item, found)
    elif value is not None and plan.value_type not in (None, "@id", "@vocab", "@none"):
        _add(found, plan.value_type)


def _expand_types(active: ActiveContext, key: str, value: Any, found: set[str]) -> None:
    if value is None:
        return
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise JsonLdInvalid(f"{key!r}: a @type value must be a string or an array of strings")
    for type_ in values:
        definition = active.terms.get(type_)
        if definition is not None and definition.context is not None:
            raise JsonLdUnsupported(f"{key!r}: the type {type_!r} carries a type-scoped context")
        expanded = expand_iri(active, type_, vocab=True, base=True)
        if expanded is None:
            raise JsonLdInvalid(f"{key!r}: {type_!r} is not a valid @type value")
        _add(found, expanded)
