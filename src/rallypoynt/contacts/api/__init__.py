"""The CRM's API routers, mounted by rallypoynt.api under /api/v1/."""

from ninja import Router

from rallypoynt.contacts.api import dedupe, imports, leads, people, routing

router = Router()
# Fixed paths (/contacts/duplicates, /contacts/export.csv) before /contacts/{id}.
for module in (dedupe, imports, leads, routing, people):
    router.add_router("", module.router)
