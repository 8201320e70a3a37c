from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rallypoynt.core"
    label = "core"
    verbose_name = "Core"
