"""The ninja API object: mounts every app's router under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from rallypoynt.accounts.api import router as accounts_router
from rallypoynt.api.auth import AUTH
from rallypoynt.api.errors import install_error_handlers
from rallypoynt.contacts.api import router as contacts_router
from rallypoynt.core.api.parser import StrictJsonParser
from rallypoynt.journeys.api import router as journeys_router
from rallypoynt.leads.api import router as leads_router
from rallypoynt.orgs.api import router as orgs_router
from rallypoynt.transactions.api import router as transactions_router
from rallypoynt.web.api import router as search_router

ENDPOINT_SUFFIX = "_endpoint"


class RallyPoyntAPI(NinjaAPI):
    """The API object; an operation's id is its function's name without `_endpoint`."""

    def get_openapi_operation_id(self, operation) -> str:
        # Ids an integrator's generated client keeps: they do not move with our modules.
        name = operation.view_func.__name__
        return name.removesuffix(ENDPOINT_SUFFIX)


api = RallyPoyntAPI(
    title="RallyPoynt OS API",
    version="1",
    description="REST API for RallyPoynt OS. Authenticate with `Authorization: Bearer <token>` "
    '(create tokens on the API tokens page). Errors: `{"error": {"code", "message", '
    '"fields"}}`. Lists use cursor pagination: pass `next_cursor` back as `cursor`.',
    auth=AUTH,
    parser=StrictJsonParser(),
    urls_namespace="api",
    # Swagger UI from ninja's own static files (ninja is an installed app, so no CDN) with its
    # setup in a separate .js file: it runs under the site's strict Content-Security-Policy.
    # No validator badge: it would load an image from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", orgs_router)
api.add_router("", contacts_router)
api.add_router("", leads_router)
api.add_router("", journeys_router)
api.add_router("", transactions_router)
api.add_router("", search_router)
