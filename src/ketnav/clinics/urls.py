from django.urls import path

from ketnav.clinics import views

app_name = "clinics"
urlpatterns = [
    path("", views.compare, name="compare"),
    path("add/", views.add_clinic, name="add"),
    path("import/", views.import_file, name="import"),
    path("course/", views.set_course, name="course"),
    path("directory/<int:clinic_id>/add/", views.add_from_directory, name="add_published"),
    path("remove/<int:index>/", views.remove_clinic, name="remove"),
    path("clear/", views.clear, name="clear"),
    path("export.json", views.export_json, name="export_json"),
    path("export.csv", views.export_csv, name="export_csv"),
]
