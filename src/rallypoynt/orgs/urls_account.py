"""A member's own pages: profile with their seats, API tokens and calendar feeds."""

from django.urls import path

from rallypoynt.orgs import views_account, views_calendar

app_name = "account"
urlpatterns = [
    path("profile/", views_account.profile, name="profile"),
    path("tokens/", views_account.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views_account.token_revoke, name="token_revoke"),
    path("calendar-feed/", views_calendar.calendar_feed_create, name="calendar_feed_create"),
    path(
        "calendar-feed/<int:feed_id>/revoke/",
        views_calendar.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
]
