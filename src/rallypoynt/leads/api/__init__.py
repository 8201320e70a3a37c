"""The lead API's routers (intake, the review queue, routing), mounted by rallypoynt.api."""

from ninja import Router

from rallypoynt.leads.api import leads, routing

router = Router()
for module in (leads, routing):
    router.add_router("", module.router)

__all__ = ["router"]
