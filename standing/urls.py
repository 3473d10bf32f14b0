from django.urls import path

from . import views

app_name = "standing"

urlpatterns = [
    path("home/", views.home, name="home"),
    path("me/", views.dashboard, name="dashboard"),
    path("me/data.json", views.my_data, name="my_data"),
    path("me/forget/", views.forget_me, name="forget_me"),
    path("reports/status/", views.coop_report, name="report"),
]
