"""The deal pages: list, detail and its tabs (checklists, issues, commission, split plans)."""

from django.urls import path

from rallypoynt.transactions import views, views_commission, views_management

app_name = "transactions"
urlpatterns = [
    path("", views.deal_list, name="list"),
    path("new/", views.deal_create, name="create"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/contacts.csv", views.deal_contacts_csv, name="contacts_csv"),
    *views_management.urlpatterns,
    *views_commission.urlpatterns,
    # Last: the deal page's own buttons, one path per action name.
    path("<int:pk>/<str:action>/", views.deal_act, name="act"),
]
