from django.urls import path, register_converter

from ketnav.journal import views


class KindConverter:
    regex = "sessions|scales|side-effects|vitals|notes"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ChartConverter:
    regex = "gad7|phq9|pcl5|bp"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")
register_converter(ChartConverter, "chart")

app_name = "journal"
urlpatterns = [
    path("", views.home, name="home"),
    path("<kind:slug>/new/", views.entry_form, name="new"),
    path("<kind:slug>/<int:pk>/", views.entry_detail, name="entry"),
    path("<kind:slug>/<int:pk>/edit/", views.entry_form, name="edit"),
    path("<kind:slug>/<int:pk>/delete/", views.entry_delete, name="delete"),
    path("charts/<chart:name>.svg", views.chart, name="chart"),
    path("summary/", views.summary, name="summary"),
    path("share/", views.share, name="share"),
    path("share/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("audit/", views.audit, name="audit"),
    path("export/", views.export_page, name="export"),
    path("import/", views.import_page, name="import"),
    path("saved/<int:pk>/delete/", views.delete_saved, name="delete_saved"),
    path("saved/<int:pk>/open/", views.open_saved, name="open_saved"),
    path("save/<str:kind>/", views.save_result, name="save_result"),
    path("watch/", views.save_search, name="save_search"),
    path("watch/<int:pk>/delete/", views.delete_watch, name="delete_watch"),
    path("watch/seen/", views.flags_seen, name="flags_seen"),
    path("shared/", views.shared_list, name="shared_list"),
    path("shared/<int:owner_id>/", views.shared_view, name="shared_view"),
    path("shared/<int:owner_id>/summary/", views.shared_summary, name="shared_summary"),
    path("shared/<int:owner_id>/charts/<chart:name>.svg", views.shared_chart, name="shared_chart"),
    path("shared/<int:owner_id>/export/", views.shared_export, name="shared_export"),
]
