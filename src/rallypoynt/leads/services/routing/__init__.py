"""Lead routing: which member gets a new inquiry and why (`decide`), and writing it (`write`).

Lock order everywhere: contact, then inquiry, then routing rule, the order intake and
touchpoint logging already take, so two writers never wait on each other in a circle.
"""

from rallypoynt.leads.services.routing.decide import (
    MANAGE_ACTION,
    Route,
    RoutePreview,
    contact_link,
    fallback_pick,
    local_time,
    member_name,
    not_seller_error,
    rotate,
    route_decide,
    routing_preview,
    rule_seller_check,
    seller_check,
)
from rallypoynt.leads.services.routing.write import (
    assignment_apply,
    contact_share,
    inquiry_lock,
    inquiry_tz,
    route_announce,
    route_fill,
    routing_record,
)

__all__ = [
    "MANAGE_ACTION",
    "Route",
    "RoutePreview",
    "assignment_apply",
    "contact_link",
    "contact_share",
    "fallback_pick",
    "inquiry_lock",
    "inquiry_tz",
    "local_time",
    "member_name",
    "not_seller_error",
    "rotate",
    "route_announce",
    "route_decide",
    "route_fill",
    "routing_preview",
    "routing_record",
    "rule_seller_check",
    "seller_check",
]
