"""Pages from templates: the reader's language, the catalogue in every template, errors as pages.

Routes return :func:`render`; a route that meets bad input raises :class:`PageError` (or lets a domain
error through), and :class:`PageRoute` turns it into a page in the reader's language with its 4xx
status, never a stack trace or a JSON problem.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dataledger.portal.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    catalogue,
    format_date,
    format_datetime,
    negotiate,
)
from dataledger.portal.ports import PortalServices
from dataledger.registry.errors import DataLedgerError

TEMPLATES = Path(__file__).parent / "templates"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
# Pages load only their own stylesheet and scripts (data for the scripts travels in JSON blocks, which
# are not executed), submit only to themselves and are framed by no one.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

log = logging.getLogger("portal")


@cache
def environment() -> Environment:
    """The templates, autoescaped; an undefined name in a template is an error, not an empty string."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["datetime"] = format_datetime
    env.filters["date"] = format_date
    return env


def language_of(request: Request) -> str:
    """The reader's language: ``?lang=``, else the cookie, else ``Accept-Language``, else Chinese."""
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )


def public_base_url(request: Request) -> str:
    """The base of every link that outlives the request (a QR code, a PDF certificate, a resolver's
    answer), ending in ``/``: the configured public URL (``DATALEDGER_PUBLIC_URL``), else the request's."""
    config: PortalConfig = request.app.state.portal
    configured = config.services.settings.public_url
    return str(configured).rstrip("/") + "/" if configured is not None else str(request.base_url)


def url_in(request: Request, lang: str) -> str:
    """This page's URL with the language set to ``lang`` (the switch's link), other parameters kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', lang)])}"


def translator(lang: str) -> Callable[..., str]:
    texts = catalogue()

    def t(key: str, /, **params: object) -> str:
        return texts.text(key, lang, **params)

    return t


def labeller(lang: str) -> Callable[[str, object], str]:
    """``label("status", value)``: the human name of a value from outside (a status, an act, a right),
    or the value itself when the catalogue has none (a tampered certificate may claim anything)."""
    texts = catalogue()

    def label(prefix: str, value: object) -> str:
        key = f"{prefix}.{value}"
        return texts.text(key, lang) if key in texts else str(value)

    return label


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """``template`` in the reader's language; a ``?lang=`` choice is remembered in a cookie."""
    lang = language_of(request)
    other = next(language for language in LANGUAGES if language != lang)
    page = (
        environment()
        .get_template(template)
        .render(
            {
                "lang": lang,
                "t": translator(lang),
                "label": labeller(lang),
                "switch_url": url_in(request, other),
                "switch_lang": other,
                "path": request.url.path,
                **(context or {}),
            }
        )
    )
    response = HTMLResponse(page, status_code=status_code, headers=PAGE_HEADERS)
    response.headers["Content-Language"] = "zh-Hans" if lang == "zh" else "en"
    response.headers["Vary"] = "Accept-Language, Cookie"
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=COOKIE_MAX_AGE_S, samesite="lax", httponly=True)
    return response


@dataclass
class PageError(Exception):
    """Bad input on a page: its status and the catalogue key (with parameters) of the message."""

    status: int
    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PortalConfig:
    """What the app hands the portal: its services, and the HTTP status of each domain error (the
    API's one table)."""

    services: PortalServices
    status_of: Callable[[DataLedgerError], int]


def error_page(
    request: Request, status: int, key: str, params: Mapping[str, object] | None = None
) -> Response:
    return render(
        request,
        "error.html",
        {"message_key": key, "message_params": dict(params or {}), "status": status},
        status_code=status,
    )


class PageRoute(APIRoute):
    """A route whose errors are pages: bad input is a 4xx page in the reader's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except PageError as error:
                return error_page(request, error.status, error.key, error.params)
            except RequestValidationError as error:
                names = [str(e["loc"][-1]) for e in error.errors() if e.get("loc")]
                return error_page(request, 422, "error.bad_parameter", {"name": ", ".join(names)})
            except DataLedgerError as error:
                config: PortalConfig = request.app.state.portal
                status = config.status_of(error)
                if status >= 500:
                    log.exception("a page failed: %s", error.code)
                key = (
                    f"problem.{error.code}"
                    if f"problem.{error.code}" in catalogue()
                    else "problem.internal-error"
                )
                return error_page(request, status, key)

        return page_handler
