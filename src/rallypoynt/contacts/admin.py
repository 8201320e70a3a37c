from django.contrib import admin

from rallypoynt.contacts.models import ClientProfile, Contact, ContactEmail, ContactPhone


class EmailInline(admin.TabularInline):
    model = ContactEmail
    extra = 0
    exclude = ("org",)


class PhoneInline(admin.TabularInline):
    model = ContactPhone
    extra = 0
    exclude = ("org",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "org", "stage", "source", "owner", "created_at")
    list_filter = ("stage",)
    list_select_related = ("org", "owner__user")
    search_fields = ("last_name", "first_name")
    inlines = [EmailInline, PhoneInline]


@admin.register(ClientProfile)
class ClientProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "org", "side", "timeframe", "completed_at", "updated_at")
    list_filter = ("side", "timeframe")
    list_select_related = ("org", "contact")
    raw_id_fields = ("contact",)
