"""Reads for the homes: which homes a member has and what each shows, scoped by visibility."""

from rallypoynt.web.selectors.homes import HOMES, Home, home_data, homes_for
from rallypoynt.web.selectors.summary import home_summary, scope_text

__all__ = ["HOMES", "Home", "home_data", "home_summary", "homes_for", "scope_text"]
