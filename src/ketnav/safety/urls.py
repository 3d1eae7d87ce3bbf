"""The safety tools' pages; web/urls.py mounts them under /tools/ in the web-owned "tools" namespace."""

from django.urls import path

from ketnav.safety import views

urlpatterns = [
    path("safety-screen/", views.screen_page, name="screen"),
    path("side-effects/", views.side_effects_page, name="side_effects"),
    path("aftercare/", views.aftercare_page, name="aftercare"),
    path("aftercare.ics", views.aftercare_ics_download, name="aftercare_ics"),
]
