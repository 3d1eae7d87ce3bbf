from django.contrib import admin
from django.urls import include, path

from ketnav.guide import views as guide_views
from ketnav.web import views
from ketnav.web.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("guide/", include("ketnav.guide.urls")),
    path("search/", guide_views.site_search, name="site_search"),
    path("trials/", include("ketnav.trials.urls")),
    path("tools/", include("ketnav.safety.urls")),
    path("journal/", views.area, {"slug": "journal"}, name="journal"),
    path("clinics/", include("ketnav.clinics.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "ketnav.web.views.bad_request"
handler404 = "ketnav.web.views.not_found"
handler500 = "ketnav.web.views.server_error"
