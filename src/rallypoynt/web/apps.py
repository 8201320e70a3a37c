from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rallypoynt.web"
    label = "web"
    verbose_name = "Web shell"
