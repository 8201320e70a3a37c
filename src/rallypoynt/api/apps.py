from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rallypoynt.api"
    label = "api"
    verbose_name = "API"
