from django.urls import path

from . import invoice_views, views

app_name = "contributions"

urlpatterns = [
    path("", views.my_ledger, name="my_ledger"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("treasury/", views.treasury, name="treasury"),
    path("entries/<int:pk>/decide/", views.decide, name="decide"),
    path("entries/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("ledger/", views.export_page, name="export_page"),
    path("ledger.csv", views.export_csv, name="export_csv"),
    path("invoices/<int:pk>/", invoice_views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", invoice_views.invoice_pdf_view, name="invoice_pdf"),
    path("pledges/<int:pk>/", invoice_views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/pdf/", invoice_views.pledge_pdf_view, name="pledge_pdf"),
]
