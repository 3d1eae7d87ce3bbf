from django.urls import path

from ketnav.guide import views

app_name = "guide"
urlpatterns = [
    path("", views.index, name="index"),
    path("references/", views.references_page, name="references"),
    path("<slug:slug>/", views.topic, name="topic"),
]
