"""Writes of the transactions app."""

from rallypoynt.transactions.services.acceptance import offer_accept
from rallypoynt.transactions.services.checklist_templates import checklist_template_save
from rallypoynt.transactions.services.checklists import (
    checklist_dues_recompute,
    checklist_item_add,
    checklist_item_mark,
    checklists_apply,
)
from rallypoynt.transactions.services.closing import deal_close, deal_terminate
from rallypoynt.transactions.services.commission import (
    CoAgent,
    commission_set,
    commissions_finalize,
    commissions_reproject,
)
from rallypoynt.transactions.services.commission_plans import (
    split_plan_assign,
    split_plan_create,
    split_plan_update,
)
from rallypoynt.transactions.services.deadline_build import (
    DeadlineSpec,
    deadlines_build,
    deadlines_create,
)
from rallypoynt.transactions.services.deadlines import (
    deadline_add,
    deadlines_plan,
    deadlines_recompute,
    deal_dates_amend,
)
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.issues import (
    issue_raise,
    issue_reopen,
    issue_resolve,
    issue_update,
)
from rallypoynt.transactions.services.offers import (
    offer_counter,
    offer_create,
    offer_decide,
    offer_expire,
)
from rallypoynt.transactions.services.parties import party_add
from rallypoynt.transactions.services.progress import (
    progress_recipients,
    progress_update_post,
    progress_update_send,
)
from rallypoynt.transactions.services.reminders import deadline_notices_send
from rallypoynt.transactions.services.resolution import deadline_resolve
from rallypoynt.transactions.services.walkthrough import walkthrough_record

__all__ = [
    "CoAgent",
    "DeadlineSpec",
    "checklist_dues_recompute",
    "checklist_item_add",
    "checklist_item_mark",
    "checklist_template_save",
    "checklists_apply",
    "commission_set",
    "commissions_finalize",
    "commissions_reproject",
    "deadline_add",
    "deadline_notices_send",
    "deadline_resolve",
    "deadlines_build",
    "deadlines_create",
    "deadlines_plan",
    "deadlines_recompute",
    "deal_close",
    "deal_dates_amend",
    "deal_open",
    "deal_terminate",
    "issue_raise",
    "issue_reopen",
    "issue_resolve",
    "issue_update",
    "offer_accept",
    "offer_counter",
    "offer_create",
    "offer_decide",
    "offer_expire",
    "party_add",
    "progress_recipients",
    "progress_update_post",
    "progress_update_send",
    "split_plan_assign",
    "split_plan_create",
    "split_plan_update",
    "walkthrough_record",
]
