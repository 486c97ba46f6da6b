"""One TLS context for every client of a process: loading the certificate authorities costs about 20 ms,
which each new ``httpx`` client would otherwise pay again (a server or script holding one client per
participant opens many). ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` are read once, when it is made."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def default_tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
