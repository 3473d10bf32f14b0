from django.urls import path

from . import invoice_views, money_in_views, online_views, statement_views, views

app_name = "contributions"

urlpatterns = [
    path("", views.my_ledger, name="my_ledger"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("treasury/", views.treasury, name="treasury"),
    path("entries/<int:pk>/decide/", views.decide, name="decide"),
    path("entries/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("ledger/", views.export_page, name="export_page"),
    path("ledger.csv", views.export_csv, name="export_csv"),
    path("money-in/", money_in_views.money_in, name="money_in"),
    path("money-in.csv", money_in_views.money_in_csv, name="money_in_csv"),
    # Issue 15: bank statements
    path("statements/", statement_views.statement_list, name="statement_list"),
    path("statements/upload/", statement_views.statement_upload, name="statement_upload"),
    path("statements/<int:pk>/", statement_views.statement_preview, name="statement_preview"),
    path("invoices/<int:pk>/", invoice_views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", invoice_views.invoice_pdf_view, name="invoice_pdf"),
    path("pledges/<int:pk>/", invoice_views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/pdf/", invoice_views.pledge_pdf_view, name="pledge_pdf"),
    path("invoices/<int:pk>/pay/", online_views.invoice_pay, name="invoice_pay"),
    path("pledges/<int:pk>/pay/", online_views.pledge_pay, name="pledge_pay"),
    path("webhooks/stripe/", online_views.webhook, {"name": "stripe"}, name="stripe_webhook"),
]
