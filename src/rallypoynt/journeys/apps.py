from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "rallypoynt.journeys"
    label = "journeys"
    verbose_name = "Client journeys and pipeline"
