"""Typed dependencies of the pages: the services given to :func:`~dataledger.portal.app.install_portal`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from dataledger.portal.ports import PortalServices
from dataledger.portal.rendering import PortalConfig


def get_services(request: Request) -> PortalServices:
    config: PortalConfig = request.app.state.portal
    return config.services


PortalServicesDep = Annotated[PortalServices, Depends(get_services)]
