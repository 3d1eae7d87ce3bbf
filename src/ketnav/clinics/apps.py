from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "ketnav.clinics"
    label = "clinics"
    verbose_name = "Clinics and costs"
