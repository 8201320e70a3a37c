from rallypoynt.contacts.views import dedupe, imports, intake, people, routing

app_name = "contacts"
urlpatterns = [
    *people.urlpatterns,
    *intake.urlpatterns,
    *routing.urlpatterns,
    *imports.urlpatterns,
    *dedupe.urlpatterns,
]
