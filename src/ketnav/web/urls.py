from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from ketnav.web import views
from ketnav.web.api import api

admin.autodiscover()  # the admin modules, registered here rather than at start-up (see settings)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says; answer instead of logging a 404 each time.
    path("favicon.ico", RedirectView.as_view(url=static("ketnav/favicon.ico"), permanent=True), name="favicon"),
    path("guide/", include("ketnav.guide.urls")),
    path("search/", views.site_search, name="site_search"),
    path("trials/", include("ketnav.trials.urls")),
    path("tools/", include("ketnav.web.tools_urls")),
    path("journal/", include("ketnav.journal.urls")),
    path("account/", include("ketnav.accounts.urls")),
    path("clinics/", include("ketnav.clinics.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "ketnav.web.views.bad_request"
handler404 = "ketnav.web.views.not_found"
handler500 = "ketnav.web.views.server_error"
