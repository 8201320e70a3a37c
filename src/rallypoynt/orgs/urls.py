"""The org settings pages (the `orgs` namespace at /settings/)."""

from django.urls import path

from rallypoynt.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.settings_general_view, name="settings"),
    path("hours/", views.settings_hours_view, name="hours"),
    path("hours/closures/", views.closure_add_view, name="closure_add"),
    path(
        "hours/closures/<int:closure_id>/remove/",
        views.closure_remove_view,
        name="closure_remove",
    ),
    path("offices/", views.office_list_view, name="offices"),
    path("teams/", views.team_list_view, name="teams"),
    path("teams/<int:team_id>/members/", views.team_member_add_view, name="team_member_add"),
    path("members/", views.member_list_view, name="members"),
    path("audit/", views.audit_list_view, name="audit"),
    path("switch/", views.org_switch_view, name="switch"),
    path("members/<int:member_id>/", views.member_edit_view, name="member_edit"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
]
