from django.urls import path

from . import online_views, views

app_name = "contributions"

urlpatterns = [
    path("", views.my_ledger, name="my_ledger"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("treasury/", views.treasury, name="treasury"),
    path("entries/<int:pk>/decide/", views.decide, name="decide"),
    path("entries/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("ledger/", views.export_page, name="export_page"),
    path("ledger.csv", views.export_csv, name="export_csv"),
    path("invoices/<int:pk>/pay/", online_views.invoice_pay, name="invoice_pay"),
    path("pledges/<int:pk>/pay/", online_views.pledge_pay, name="pledge_pay"),
    path("webhooks/stripe/", online_views.webhook, {"name": "stripe"}, name="stripe_webhook"),
]
