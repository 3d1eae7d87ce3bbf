from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ketnav.web"
    label = "web"
    verbose_name = "Ketamine Navigator"
