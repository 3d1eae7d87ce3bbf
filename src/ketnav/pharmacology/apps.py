from django.apps import AppConfig


class PharmacologyConfig(AppConfig):
    name = "ketnav.pharmacology"
    label = "pharmacology"
    verbose_name = "Pharmacokinetics"
