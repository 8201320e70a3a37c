"""The API of the transactions app: one router holding every topic's (deals and deadlines,
the deadline calculator, offers, parties, links, management, issues, commission)."""

from ninja import Router

from rallypoynt.transactions.api import (
    calculator,
    commission,
    deals,
    issues,
    links,
    management,
    offers,
    parties,
)

router = Router()
for topic in (deals, calculator, offers, parties, links, management, issues, commission):
    router.add_router("", topic.router)

__all__ = ["router"]
