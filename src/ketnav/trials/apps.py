from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "ketnav.trials"
    label = "trials"
    verbose_name = "Clinical trials registry"
