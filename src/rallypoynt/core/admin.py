from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from rallypoynt.core.models import AuditEntry, Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "org", "kind", "subject_type", "subject_id", "actor")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "org", "actor", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action",)
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
