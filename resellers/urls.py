from django.urls import path

from . import views

app_name = "resellers"

urlpatterns = [
    path("", views.steward_list, name="steward_list"),
    path("<slug:slug>/", views.apply, name="apply"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
]
