from rallypoynt.contacts.views import dedupe, imports, intake, people, routing, smart_lists, tasks

app_name = "contacts"
urlpatterns = [
    *people.urlpatterns,
    *tasks.urlpatterns,
    *smart_lists.urlpatterns,
    *intake.urlpatterns,
    *routing.urlpatterns,
    *imports.urlpatterns,
    *dedupe.urlpatterns,
]
