from django.urls import path

from . import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("reconciliation/", views.ReconciliationView.as_view(), name="reconciliation"),
    path("summary/", views.SummaryView.as_view(), name="summary"),
    path("summary/print/", views.SummaryPrintView.as_view(), name="summary_print"),
    path("report/shared.<str:fmt>", views.SharedReportView.as_view(), name="shared_report"),
]
