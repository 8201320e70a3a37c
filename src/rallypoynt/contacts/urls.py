from django.urls import path

from rallypoynt.contacts.views import dedupe, imports, people, relations, smart_lists, tasks

app_name = "contacts"
urlpatterns = [
    path("duplicates/", dedupe.duplicates_view, name="duplicates"),
    path("duplicates/dismiss/", dedupe.dismiss_view, name="duplicate_dismiss"),
    path("merge/<int:keep>/<int:other>/", dedupe.merge_view, name="merge"),
    path("import/", imports.import_upload_view, name="import"),
    path("import/<int:job_id>/", imports.import_preview_view, name="import_preview"),
    path("import/<int:job_id>/run/", imports.import_run_view, name="import_run"),
    path("import/<int:job_id>/status/", imports.import_status_view, name="import_status"),
    path("export.csv", imports.export_csv_view, name="export_csv"),
    path("export.vcf", imports.export_vcf_view, name="export_vcf"),
    path("", people.contacts_list_view, name="list"),
    path("new/", people.contact_create_view, name="create"),
    path("<int:pk>/", people.contact_detail_view, name="detail"),
    path("<int:pk>/edit/", people.contact_edit_view, name="edit"),
    path("<int:pk>/delete/", people.contact_delete_view, name="delete"),
    path("<int:pk>/touchpoints/", people.touchpoint_create_view, name="touchpoint_log"),
    path("<int:pk>/timeline/", people.timeline_more_view, name="timeline"),
    path("<int:pk>/consent/", people.consent_update_view, name="consent"),
    path("<int:pk>/profiles/<str:side>/", people.client_profile_save_view, name="profile_save"),
    path("<int:pk>/relationships/", relations.relationship_add_view, name="relationship_add"),
    path(
        "<int:pk>/relationships/pick/", relations.relationship_pick_view, name="relationship_pick"
    ),
    path(
        "<int:pk>/relationships/<int:relationship_id>/delete/",
        relations.relationship_remove_view,
        name="relationship_remove",
    ),
    path("<int:pk>/collaborators/", relations.collaborator_add_view, name="collaborator_add"),
    path(
        "<int:pk>/collaborators/<int:membership_id>/delete/",
        relations.collaborator_remove_view,
        name="collaborator_remove",
    ),
    path("lists/", smart_lists.smart_lists_view, name="smart_lists"),
    path("lists/new/", smart_lists.smart_list_create_view, name="smart_list_create"),
    path("lists/<int:list_id>/", smart_lists.smart_list_open_view, name="smart_list"),
    path(
        "lists/<int:list_id>/delete/", smart_lists.smart_list_delete_view, name="smart_list_delete"
    ),
    path("tasks/", tasks.tasks_view, name="tasks"),
    path("tasks/new/", tasks.task_create_view, name="task_create"),
    path("tasks/<int:task_id>/complete/", tasks.task_complete_view, name="task_complete"),
]
