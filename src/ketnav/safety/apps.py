from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "ketnav.safety"
    label = "safety"
    verbose_name = "Safety tools"
