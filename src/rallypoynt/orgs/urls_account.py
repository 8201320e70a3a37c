"""A member's own pages (profile with their seats, API tokens and calendar feeds): a second URL
list, mounted by config/urls.py under its own `account` namespace at /accounts/."""

from django.urls import path

from rallypoynt.orgs import views

app_name = "account"
urlpatterns = [
    path("profile/", views.profile_view, name="profile"),
    path("tokens/", views.token_list_view, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("calendar-feed/", views.calendar_feed_create_view, name="calendar_feed_create"),
    path(
        "calendar-feed/<int:feed_id>/revoke/",
        views.calendar_feed_revoke_view,
        name="calendar_feed_revoke",
    ),
]
