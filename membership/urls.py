from django.urls import path

from . import views

app_name = "membership"

urlpatterns = [
    path("me/terms/<int:pk>/accept/", views.terms_accept, name="terms_accept"),
]
