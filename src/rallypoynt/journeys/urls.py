"""The pipeline pages; each action on an engagement or a draft template has its own URL."""

from django.urls import path

from rallypoynt.journeys import views

app_name = "journeys"

ENGAGEMENT = "engagements/<int:pk>/"
DRAFT = "templates/<int:pk>/v/<int:number>/"

urlpatterns = [
    path("", views.board_view, name="board"),
    path("<int:pk>/move/", views.board_stage_move_view, name="move"),
    path("<int:pk>/next-phase/", views.board_phase_advance_view, name="next_phase"),
    path("engagements/new/", views.engagement_open_view, name="new"),
    path(ENGAGEMENT, views.engagement_detail_view, name="engagement"),
    path(f"{ENGAGEMENT}complete/", views.step_complete_view, name="step_complete"),
    path(f"{ENGAGEMENT}undo/", views.step_undo_view, name="step_undo"),
    path(f"{ENGAGEMENT}deliver/", views.deliverable_record_view, name="deliverable_record"),
    path(f"{ENGAGEMENT}advance/", views.phase_advance_view, name="phase_advance"),
    path(f"{ENGAGEMENT}return/", views.phase_return_view, name="phase_return"),
    path(f"{ENGAGEMENT}gate/", views.gate_decide_view, name="gate_decide"),
    path(f"{ENGAGEMENT}stage/", views.stage_change_view, name="stage_change"),
    path(f"{ENGAGEMENT}close/", views.engagement_close_view, name="engagement_close"),
    path(f"{ENGAGEMENT}hold/", views.engagement_hold_view, name="engagement_hold"),
    path(f"{ENGAGEMENT}upgrade/", views.engagement_upgrade_view, name="engagement_upgrade"),
    path(
        f"{ENGAGEMENT}handoffs/<int:handoff_id>/accept/",
        views.handoff_accept_view,
        name="handoff_accept",
    ),
    path("lost-reasons/", views.lost_reason_list_view, name="lost_reasons"),
    path("templates/", views.template_list_view, name="templates"),
    path("templates/copy/", views.template_copy_view, name="template_copy"),
    path(DRAFT, views.template_version_view, name="version"),
    path(f"{DRAFT}edit/", views.template_version_edit_view, name="edit"),
    path(f"{DRAFT}draft/", views.template_draft_create_view, name="draft"),
    path(f"{DRAFT}publish/", views.template_version_publish_view, name="publish"),
    path(f"{DRAFT}phases/move/", views.draft_phase_move_view, name="draft_phase_move"),
    path(f"{DRAFT}phases/add/", views.draft_phase_add_view, name="draft_phase_add"),
    path(f"{DRAFT}phases/remove/", views.draft_phase_remove_view, name="draft_phase_remove"),
    path(f"{DRAFT}steps/move/", views.draft_step_move_view, name="draft_step_move"),
    path(f"{DRAFT}steps/add/", views.draft_step_add_view, name="draft_step_add"),
    path(f"{DRAFT}steps/remove/", views.draft_step_remove_view, name="draft_step_remove"),
    path(f"{DRAFT}steps/update/", views.draft_step_update_view, name="draft_step_update"),
    path(f"{DRAFT}gate/", views.draft_gate_update_view, name="draft_gate_update"),
]
