from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from rallypoynt.accounts.models import APIToken, CalendarFeed, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "phone", "time_zone")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2")}),)


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "org", "created_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "org", "created_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")
