"""Files of GS1's reference event hash package, read without importing the package.

``epcis-event-hash-generator`` (pinned in pyproject) ships the two GS1 EPCIS 2.0 JSON-LD contexts and
the GS1 Digital Link normaliser that the CBV 2.0 hash depends on. Importing the package itself would
pull PyLD, ``requests`` and lxml into the domain core and install a process-wide JSON-LD document
loader that falls back to the network, so this module only locates the installed files: the contexts
are read as data and the normaliser (a self-contained module of regular expressions) is loaded alone.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, cast

PACKAGE = "epcis_event_hash_generator"

# The context documents the package bundles, by the URL documents refer to them with (the same
# table as the package's own file_document_loader). No other context is ever fetched.
_EPCIS_2_0_0 = "e532647e8eb371379b8b0e8602d8981c8566bc60f7351f22c76a5bc865962008.jsonld"
_EPCIS_DEVELOPMENT = "14b10c9d3e92d35f577bfc610fe5ec15aa2941124987919389d7cd9998516861.jsonld"
BUNDLED_CONTEXT_FILES = {
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld": _EPCIS_2_0_0,
    "https://gs1.github.io/EPCIS/epcis-context.jsonld": _EPCIS_DEVELOPMENT,
}


@cache
def package_dir() -> Path:
    """The installed package's directory (``find_spec`` locates it without running its ``__init__``)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{PACKAGE} is not installed (it is a dependency in pyproject.toml)")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def bundled_context(url: str) -> dict[str, Any]:
    """The JSON-LD context document bundled for ``url``; ``KeyError`` for any other URL."""
    return cast(
        dict[str, Any], json.loads((package_dir() / BUNDLED_CONTEXT_FILES[url]).read_text(encoding="utf-8"))
    )


@cache
def dl_normaliser_module() -> ModuleType:
    """The package's ``dl_normaliser`` module, executed on its own (it imports only re, logging, math)."""
    path = package_dir() / "dl_normaliser.py"
    spec = importlib.util.spec_from_file_location(f"{__name__}.dl_normaliser", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
