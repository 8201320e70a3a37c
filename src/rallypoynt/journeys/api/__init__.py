"""The journeys API routers, mounted by rallypoynt.api under /api/v1/."""

from ninja import Router

from rallypoynt.journeys.api import engagements, handoffs, lost_reasons, templates

router = Router()
for module in (templates, engagements, handoffs, lost_reasons):
    router.add_router("", module.router)
