from django.urls import path

from ketnav.trials import views

app_name = "trials"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("<str:nct_id>/", views.study_page, name="study"),
]
