from rallypoynt.contacts.views import dedupe, imports, people, smart_lists, tasks

app_name = "contacts"
urlpatterns = [
    *people.urlpatterns,
    *tasks.urlpatterns,
    *smart_lists.urlpatterns,
    *imports.urlpatterns,
    *dedupe.urlpatterns,
]
