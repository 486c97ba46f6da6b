"""``/workspace``: the enterprise's workspace. The page is a shell; its script signs in with the
enterprise's API key (kept in the tab's ``sessionStorage``, sent as a bearer header, never in a URL) and
works through the API alone:

- registers a dataset: the file is hashed in the browser by a Web Worker (a streaming SHA-256 over
  ``File.slice`` chunks, ``hash.worker.bundle.js``), never uploaded; the facts typed in and the hash are
  prepared as an EIP-712 ``Registration`` (``POST /v1/assets/registration-requests``), shown in plain
  words, signed in the browser (a keystore file unlocked locally, or an injected wallet) and submitted
  (``POST /v1/assets``);
- follows the procedure of each of its assets (``GET /v1/assets``, a page at a time), with their
  certificates and pledges;
- grants a licence on a certified asset (``POST /v1/licences/requests`` then ``POST /v1/licences``),
  signed the same way;
- pledges a certified asset to a bank, a contract both sign: the holder prepares the pledge
  (``POST /v1/assets/{id}/pledge-requests``, the texts' salt drawn in the page, which recomputes their
  salted hashes in the prepared message), signs its ``Pledge`` and hands the bank the signed offer (a
  JSON text); the bank pastes it into its own workspace, which prepares its ``PledgeAcceptance`` of
  the same terms, checks and signs it, and files both signatures (``…/pledges``).

The enterprise's key never reaches the server, nor do the file's bytes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.rendering import PageRoute, language_of, render
from dataledger.portal.signing import signing_data
from dataledger.registry.assets import RightClaimed

router = APIRouter(route_class=PageRoute, include_in_schema=False)
# The acts the workspace signs: an enterprise's own, as a holder (registration, licence, pledge) or as a
# pledgee (its acceptance of a pledge the holder signed).
WORKSPACE_ACT_TYPES = frozenset({"Registration", "Licence", "Pledge", "PledgeAcceptance"})


@router.get("/workspace", response_class=HTMLResponse)
def workspace(request: Request, services: PortalServicesDep) -> HTMLResponse:
    signing = signing_data(services, language_of(request), WORKSPACE_ACT_TYPES, "ws.")
    return render(request, "workspace.html", {"signing": signing, "rights": [r.value for r in RightClaimed]})
