from django.urls import path

from . import views

app_name = "membership"

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/data.json", views.my_data, name="my_data"),
    path("me/terms/<int:pk>/accept/", views.terms_accept, name="terms_accept"),
    path("reports/status/", views.coop_report, name="report"),
]
