"""Reads for the homes (which a member has, what each shows) and the header search, scoped by
the actor's visibility."""

from rallypoynt.web.selectors.homes import HOMES, Home, home_data, homes_for
from rallypoynt.web.selectors.search import SearchResults, search_results
from rallypoynt.web.selectors.summary import home_summary, scope_text

__all__ = [
    "HOMES",
    "Home",
    "SearchResults",
    "home_data",
    "home_summary",
    "homes_for",
    "scope_text",
    "search_results",
]
