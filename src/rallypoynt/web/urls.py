from django.urls import path

from rallypoynt.web import views

app_name = "web"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("healthz", views.healthz_view, name="healthz"),
    path("search/", views.search_view, name="search"),
    path("search/suggest", views.search_suggest_view, name="search_suggest"),
]
