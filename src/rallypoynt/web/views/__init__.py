"""The web layer's pages: the homes, the health check and the header search."""

from rallypoynt.web.views.homes import healthz_view, home_view
from rallypoynt.web.views.search import search_suggest_view, search_view

__all__ = ["healthz_view", "home_view", "search_suggest_view", "search_view"]
