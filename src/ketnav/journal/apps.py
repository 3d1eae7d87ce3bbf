from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "ketnav.journal"
    label = "journal"
    verbose_name = "Treatment journal"
    default_auto_field = "django.db.models.BigAutoField"
