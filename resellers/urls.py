from django.urls import path

from . import views

app_name = "resellers"

urlpatterns = [
    path("", views.steward_list, name="steward_list"),
    path("<slug:slug>/", views.apply, name="apply"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
    # After "thanks": a steward whose slug is "confirm" keeps its thank-you page.
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
