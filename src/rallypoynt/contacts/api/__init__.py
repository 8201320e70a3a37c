"""The CRM's API routers, mounted by rallypoynt.api under /api/v1/."""

from ninja import Router

from rallypoynt.contacts.api import dedupe, imports, leads, people, routing

router = Router()
for module in (people, leads, routing, imports, dedupe):
    router.add_router("", module.router)
