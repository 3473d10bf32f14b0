from django.urls import path

from . import views

app_name = "membership"

urlpatterns = [
    path("language/", views.language_set, name="language_set"),
    path("me/terms/<int:pk>/accept/", views.terms_accept, name="terms_accept"),
    path("me/memberships/<int:pk>/history/", views.status_history_page, name="status_history"),
]
