from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "rallypoynt.orgs"
    label = "orgs"
    verbose_name = "Organizations"
