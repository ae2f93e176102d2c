from django.urls import path

from . import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("reconciliation/", views.ReconciliationView.as_view(), name="reconciliation"),
    path("report/shared.<str:fmt>", views.SharedReportView.as_view(), name="shared_report"),
]
