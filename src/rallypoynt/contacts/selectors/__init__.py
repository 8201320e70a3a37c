"""Reads on CRM data, scoped by the actor's org and role; other code imports from here."""

from rallypoynt.contacts.selectors.activity import touchpoint_counts
from rallypoynt.contacts.selectors.dedupe import (
    DEFAULT_LIMIT,
    DISMISSED_KIND,
    MAX_LIMIT,
    MAX_SHARED,
    dismissed_pairs,
    duplicate_candidates,
    duplicate_scores,
    name_key,
    pair_visible,
    shared_values,
    soundex,
    street_normalize,
)
from rallypoynt.contacts.selectors.lists import smart_list_count, smart_list_get, smart_list_visible
from rallypoynt.contacts.selectors.merge import (
    KEEP,
    MERGE,
    MERGE_FIELD_NAMES,
    ContactLink,
    choice_keys,
    contact_links,
    merge_preview,
    merged_values,
)
from rallypoynt.contacts.selectors.people import (
    contact_get,
    contact_list,
    contact_queryset,
    contact_visible_q,
    contacts_matching,
)
from rallypoynt.contacts.selectors.profiles import client_profiles_of
from rallypoynt.contacts.selectors.relations import (
    collaborator_list,
    household_of,
    relationship_list,
)
from rallypoynt.contacts.selectors.search import contact_search, contact_term_branches
from rallypoynt.contacts.selectors.tasks import day_bounds, open_tasks_of, section, task_list
from rallypoynt.contacts.selectors.timeline import (
    TimelineSource,
    contact_timeline,
    custom_fields_of,
    timeline_source_add,
    touchpoint_list,
)

__all__ = [
    "DEFAULT_LIMIT",
    "DISMISSED_KIND",
    "KEEP",
    "MAX_LIMIT",
    "MAX_SHARED",
    "MERGE",
    "MERGE_FIELD_NAMES",
    "ContactLink",
    "TimelineSource",
    "choice_keys",
    "client_profiles_of",
    "collaborator_list",
    "contact_get",
    "contact_links",
    "contact_list",
    "contact_queryset",
    "contact_search",
    "contact_term_branches",
    "contact_timeline",
    "contact_visible_q",
    "contacts_matching",
    "custom_fields_of",
    "day_bounds",
    "dismissed_pairs",
    "duplicate_candidates",
    "duplicate_scores",
    "household_of",
    "merge_preview",
    "merged_values",
    "name_key",
    "open_tasks_of",
    "pair_visible",
    "relationship_list",
    "section",
    "shared_values",
    "smart_list_count",
    "smart_list_get",
    "smart_list_visible",
    "soundex",
    "street_normalize",
    "task_list",
    "timeline_source_add",
    "touchpoint_counts",
    "touchpoint_list",
]
