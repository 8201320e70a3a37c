"""The CRM's API routers, mounted by rallypoynt.api under /api/v1/."""

from ninja import Router

from rallypoynt.contacts.api import dedupe, imports, people, profiles

router = Router()
# Fixed paths (/contacts/duplicates, /contacts/export.csv) before /contacts/{id}.
for module in (dedupe, imports, people, profiles):
    router.add_router("", module.router)
