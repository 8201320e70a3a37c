from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from rallypoynt.api.api import api
from rallypoynt.orgs.views import invitation_accept_view
from rallypoynt.transactions.urls import calendar_urlpatterns

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("rallypoynt.accounts.urls")),
    path("accounts/", include("rallypoynt.orgs.urls_account")),
    path("settings/", include("rallypoynt.orgs.urls")),
    path("contacts/", include("rallypoynt.contacts.urls")),
    path("leads/", include("rallypoynt.leads.urls")),
    # The lead pages lived under /contacts/leads/ until the leads app: keep bookmarks working.
    path(
        "contacts/leads/<path:rest>",
        RedirectView.as_view(url="/leads/%(rest)s", permanent=True),
        name="old_lead_pages",
    ),
    path("pipeline/", include("rallypoynt.journeys.urls")),
    path("transactions/", include("rallypoynt.transactions.urls")),
    path("admin/", admin.site.urls),
    path("notifications/", include("rallypoynt.orgs.urls_notifications")),
    path("calendar/", include((calendar_urlpatterns, "calendar"))),
    path("invitations/<str:token>/", invitation_accept_view, name="invitation_accept"),
    path("", include("rallypoynt.web.urls")),
]
