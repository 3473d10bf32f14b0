from django.urls import path

from . import views

app_name = "resellers"

urlpatterns = [
    # "" and "<slug:slug>/" (the list and the form) are served by ``standing.views`` (whether
    # a steward takes applications needs every app's facts); ``meetcoop.urls`` puts them in
    # this namespace.
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
    # After "thanks": a steward whose slug is "confirm" keeps its thank-you page.
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
