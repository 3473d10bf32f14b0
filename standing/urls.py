from django.urls import path

from . import register_views, views
from .discourse import views as forum_views

app_name = "standing"

urlpatterns = [
    path("home/", views.home, name="home"),
    path("me/", views.dashboard, name="dashboard"),
    path("me/data.json", views.my_data, name="my_data"),
    path("me/forget/", views.forget_me, name="forget_me"),
    path("reports/status/", views.coop_report, name="report"),
    path("reports/register/", register_views.register_page, name="register"),
    path("reports/register/csv/", register_views.register_csv, name="register_csv"),
    path("reports/register/pdf/", register_views.register_pdf_view, name="register_pdf"),
    path("forum/connect/", forum_views.discourse_connect, name="discourse_connect"),
]
