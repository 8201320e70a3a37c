from django.urls import path

from rallypoynt.journeys import views, views_lost_reasons, views_templates

app_name = "journeys"

urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/move/", views.board_move, name="move"),
    path("engagements/new/", views.engagement_new, name="new"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement"),
    path(
        "engagements/<int:pk>/handoffs/<int:handoff_id>/accept/",
        views.handoff_accept_view,
        name="handoff_accept",
    ),
    path("engagements/<int:pk>/<str:action>/", views.engagement_act, name="act"),
    path("lost-reasons/", views_lost_reasons.lost_reasons, name="lost_reasons"),
    path("templates/", views_templates.template_list, name="templates"),
    path("templates/copy/", views_templates.template_copy, name="template_copy"),
    path("templates/<int:pk>/v/<int:number>/", views_templates.version_detail, name="version"),
    path("templates/<int:pk>/v/<int:number>/edit/", views_templates.version_edit, name="edit"),
    path("templates/<int:pk>/v/<int:number>/op/", views_templates.version_op, name="op"),
    path("templates/<int:pk>/v/<int:number>/draft/", views_templates.version_draft, name="draft"),
    path(
        "templates/<int:pk>/v/<int:number>/publish/",
        views_templates.version_publish,
        name="publish",
    ),
]
