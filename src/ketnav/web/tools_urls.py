"""The "tools" namespace at /tools/: a hub over pages that belong to two domains (the safety screen,
side effects and aftercare from ``safety``; routes and timing from ``pharmacology``), so it is owned here
rather than by either of them."""

from django.urls import include, path

from ketnav.web import views

app_name = "tools"
urlpatterns = [
    path("", views.tools_hub, name="hub"),
    path("", include("ketnav.safety.urls")),
    path("", include("ketnav.pharmacology.urls")),
]
