"""The pages of the transactions app: the deal list, a deal with its tabs (checklists, issues,
progress, walk-through, commission), the split plans, one URL per action a person takes, and
the calendar feed."""

from django.urls import path

from rallypoynt.transactions import views

app_name = "transactions"
urlpatterns = [
    path("", views.deal_list_view, name="list"),
    path("new/", views.deal_create_view, name="create"),
    path("<int:pk>/", views.deal_detail_view, name="detail"),
    path("<int:pk>/contacts.csv", views.deal_contacts_csv_view, name="contacts_csv"),
    # The buttons of the deal page.
    path("<int:pk>/deadline/", views.deadline_add_view, name="deadline_add"),
    path("<int:pk>/resolve/", views.deadline_resolve_view, name="deadline_resolve"),
    path("<int:pk>/amend/", views.deal_dates_amend_view, name="deal_dates_amend"),
    path("<int:pk>/offer/", views.offer_create_view, name="offer_create"),
    path("<int:pk>/accept/", views.offer_accept_view, name="offer_accept"),
    path("<int:pk>/party/", views.party_add_view, name="party_add"),
    path("<int:pk>/party-remove/", views.party_remove_view, name="party_remove"),
    path("<int:pk>/close/", views.deal_close_view, name="deal_close"),
    path("<int:pk>/terminate/", views.deal_terminate_view, name="deal_terminate"),
    # Managing a deal: each tab's page, then its buttons.
    path("<int:pk>/checklists/", views.checklists_view, name="manage_checklists"),
    path("<int:pk>/checklists/mark/", views.checklist_item_mark_view, name="checklist_item_mark"),
    path("<int:pk>/checklists/add/", views.checklist_item_add_view, name="checklist_item_add"),
    path("<int:pk>/checklists/apply/", views.checklists_apply_view, name="checklists_apply"),
    path("<int:pk>/issues/", views.issues_view, name="manage_issues"),
    path("<int:pk>/issues/raise/", views.issue_raise_view, name="issue_raise"),
    path("<int:pk>/issues/resolve/", views.issue_resolve_view, name="issue_resolve"),
    path("<int:pk>/issues/reopen/", views.issue_reopen_view, name="issue_reopen"),
    path("<int:pk>/progress/", views.progress_view, name="manage_progress"),
    path("<int:pk>/progress/post/", views.progress_update_post_view, name="progress_update_post"),
    path("<int:pk>/walkthrough/", views.walkthrough_view, name="manage_walkthrough"),
    path("<int:pk>/walkthrough/record/", views.walkthrough_record_view, name="walkthrough_record"),
    # Commission.
    path("<int:pk>/commission/", views.deal_commission_view, name="commission"),
    path("<int:pk>/commission/set/", views.commission_set_view, name="commission_set"),
    path("commission/statement/", views.commission_statement_view, name="commission_statement"),
    path("commission/plans/", views.split_plans_view, name="commission_plans"),
    path("commission/plans/new/", views.split_plan_create_view, name="split_plan_create"),
    path("commission/plans/update/", views.split_plan_update_view, name="split_plan_update"),
    path("commission/plans/assign/", views.split_plan_assign_view, name="split_plan_assign"),
]

# The calendar feed, mounted at /calendar/ as the "calendar" namespace by config/urls.py: its
# address (in members' calendar apps) does not move with the deal pages.
calendar_urlpatterns = [path("<str:token>.ics", views.calendar_feed_view, name="feed")]
