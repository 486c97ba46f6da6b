"""Typed response bodies of the HTTP API, one module per resource; :mod:`.common` holds shared shapes."""
