from django.urls import path

from . import views

app_name = "membership"

urlpatterns = [
    path("reports/status/", views.coop_report, name="report"),
]
