"""The pharmacology pages; web/urls.py mounts them under /tools/ in the web-owned "tools" namespace."""

from django.urls import path

from ketnav.pharmacology import views

urlpatterns = [
    path("routes/", views.routes_page, name="routes"),
]
