from django.contrib import admin
from django.urls import include, path

from rallypoynt.api.api import api
from rallypoynt.orgs.views import invitation_accept
from rallypoynt.transactions.urls import calendar_urlpatterns

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("rallypoynt.accounts.urls")),
    path("accounts/", include("rallypoynt.orgs.urls_account")),
    path("settings/", include("rallypoynt.orgs.urls")),
    path("contacts/", include("rallypoynt.contacts.urls")),
    path("pipeline/", include("rallypoynt.journeys.urls")),
    path("transactions/", include("rallypoynt.transactions.urls")),
    path("admin/", admin.site.urls),
    path("notifications/", include("rallypoynt.orgs.views_notifications")),
    path("calendar/", include((calendar_urlpatterns, "calendar"))),
    path("invitations/<str:token>/", invitation_accept, name="invitation_accept"),
    path("", include("rallypoynt.web.urls")),
]
