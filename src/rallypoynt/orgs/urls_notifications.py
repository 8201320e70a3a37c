"""A member's notifications: a second URL list, mounted by config/urls.py under its own
`notifications` namespace at /notifications/."""

from django.urls import path

from rallypoynt.orgs import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("badge/", views.notification_badge_view, name="badge"),
    path("read-all/", views.notification_read_all_view, name="read_all"),
    path("<int:notification_id>/read/", views.notification_read_view, name="read"),
]
