from django.contrib import admin

from rallypoynt.orgs import models


class MembershipRoleInline(admin.TabularInline):
    model = models.MembershipRole
    extra = 0


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "holiday_country", "holiday_subdivision")
    search_fields = ("name", "slug")


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "office", "is_active")
    list_filter = ("org",)
    list_select_related = ("user", "org", "office")
    inlines = [MembershipRoleInline]


admin.site.register(
    [
        models.Office,
        models.Team,
        models.TeamMember,
        models.BusinessHours,
        models.Closure,
        models.Invitation,
    ]
)
