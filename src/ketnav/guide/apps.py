from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "ketnav.guide"
    label = "guide"
    verbose_name = "Guide"
