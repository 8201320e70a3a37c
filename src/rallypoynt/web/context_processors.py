"""Navigation for the shell: every module of the product, current ones linked."""

from django.urls import reverse

MODULES = [
    ("home", "My day", "web:home"),
    ("contacts", "Contacts", None),
    ("pipeline", "Pipeline", None),
    ("transactions", "Transactions", None),
    ("properties", "Properties", None),
    ("showings", "Showings", None),
    ("documents", "Documents", None),
    ("comms", "Messages", None),
    ("automation", "Automation", None),
    ("metrics", "Metrics", None),
]


def shell(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    nav = [
        {"key": key, "label": label, "url": reverse(name) if name else None}
        for key, label, name in MODULES
    ]
    return {"nav": nav, "membership": membership, "org": membership.org}
