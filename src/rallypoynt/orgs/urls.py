from django.urls import path

from rallypoynt.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.settings_general, name="settings"),
    path("hours/", views.settings_hours, name="hours"),
    path("hours/closures/", views.closure_add, name="closure_add"),
    path("hours/closures/<int:closure_id>/remove/", views.closure_remove, name="closure_remove"),
    path("offices/", views.offices, name="offices"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/members/", views.team_member_add, name="team_member_add"),
    path("members/", views.members, name="members"),
    path("audit/", views.audit, name="audit"),
    path("switch/", views.switch_org, name="switch"),
    path("members/<int:member_id>/", views.member_edit, name="member_edit"),
    path(
        "invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
]
