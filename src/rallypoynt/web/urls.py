from django.urls import path

from rallypoynt.web import search, views

app_name = "web"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("healthz", views.healthz_view, name="healthz"),
    path("search/", search.search_view, name="search"),
    path("search/suggest", search.search_suggest_view, name="search_suggest"),
]
