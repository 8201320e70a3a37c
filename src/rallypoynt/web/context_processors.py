"""Navigation for the shell: every module of the product, current ones linked."""

from django.urls import reverse

MODULES = [
    ("home", "Home", "web:home"),
    ("contacts", "Contacts", "contacts:list"),
    ("pipeline", "Pipeline", "journeys:board"),
    ("transactions", "Transactions", "transactions:list"),
    ("properties", "Properties", None),
    ("showings", "Showings", None),
    ("documents", "Documents", None),
    ("comms", "Messages", None),
    ("automation", "Automation", None),
    ("metrics", "Metrics", None),
]


# URL namespace -> sidebar key, so each module's pages light up their own entry.
ACTIVE_BY_NAMESPACE = {
    "contacts": "contacts",
    "journeys": "pipeline",
    "transactions": "transactions",
}


def shell(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    nav = [
        {"key": key, "label": label, "url": reverse(name) if name else None}
        for key, label, name in MODULES
    ]
    match = getattr(request, "resolver_match", None)
    active = ACTIVE_BY_NAMESPACE.get(match.namespace if match else "", "")
    if match and match.view_name == "web:home":
        active = "home"
    return {"nav": nav, "membership": membership, "org": membership.org, "active": active}
