from django.urls import path

from ketnav.pharmacology import views as pk_views
from ketnav.safety import views

app_name = "tools"
urlpatterns = [
    path("", views.hub, name="hub"),
    path("safety-screen/", views.screen_page, name="screen"),
    path("side-effects/", views.side_effects_page, name="side_effects"),
    path("aftercare/", views.aftercare_page, name="aftercare"),
    path("aftercare.ics", views.aftercare_ics_download, name="aftercare_ics"),
    path("routes/", pk_views.routes_page, name="routes"),
]
