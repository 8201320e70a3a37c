from django.urls import path

from rallypoynt.leads.views import review, routing

app_name = "leads"
urlpatterns = [
    path("review/", review.review_queue_view, name="review_queue"),
    path("review/<int:item_id>/", review.review_detail_view, name="review_detail"),
    path("review/<int:item_id>/discard/", review.review_discard_view, name="review_discard"),
    path("routing/", routing.routing_view, name="routing"),
    path("routing/settings/", routing.settings_save_view, name="routing_settings"),
    path("routing/preview/", routing.preview_view, name="routing_preview"),
    path("routing/rules/new/", routing.rule_create_view, name="routing_rule_create"),
    path("routing/rules/<int:rule_id>/", routing.rule_edit_view, name="routing_rule_edit"),
    path(
        "routing/rules/<int:rule_id>/delete/", routing.rule_delete_view, name="routing_rule_delete"
    ),
    path("routing/rules/<int:rule_id>/move/", routing.rule_move_view, name="routing_rule_move"),
    path("pond/", routing.pond_view, name="pond"),
    path("pond/<int:inquiry_id>/claim/", routing.claim_view, name="pond_claim"),
]
