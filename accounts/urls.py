from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("report/shared.<str:fmt>", views.SharedReportView.as_view(), name="shared_report"),
]
