from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "rallypoynt.contacts"
    label = "contacts"
    verbose_name = "Contacts"
