from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/vote/", views.proposal_vote, name="proposal_vote"),
    path("proposals/<int:pk>/open/", views.proposal_open, name="proposal_open"),
    path("proposals/<int:pk>/repropose/", views.proposal_repropose, name="proposal_repropose"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/<int:pk>/", views.role_detail, name="role_detail"),
    path("roles/applications/<int:pk>/decide/", views.role_decide, name="role_decide"),
    path("roles/applications/<int:pk>/propose/", views.role_propose, name="role_propose"),
    path("roles/holders/<int:pk>/end/", views.role_holding_end, name="role_holding_end"),
    path("circles/", views.circle_list, name="circle_list"),
    path("circles/<slug:slug>/", views.circle_detail, name="circle_detail"),
    path("circles/<slug:slug>/seats/add/", views.circle_seat_add, name="circle_seat_add"),
    path(
        "circles/<slug:slug>/seats/<int:seat_pk>/end/",
        views.circle_seat_end,
        name="circle_seat_end",
    ),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/<slug:slug>/", views.document_detail, name="document_detail"),
    path("documents/<slug:slug>/v<int:number>/", views.document_version, name="document_version"),
]
