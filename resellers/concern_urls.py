from django.urls import path

from . import concern_views

app_name = "concerns"

urlpatterns = [
    path("", concern_views.concern_list, name="list"),
    path("new/", concern_views.concern_new, name="new"),
    path("<int:pk>/", concern_views.concern_detail, name="detail"),
]
