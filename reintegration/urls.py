from django.urls import path

from . import views

app_name = "reintegration"
urlpatterns = [
    path("", views.SupportSessionListView.as_view(), name="session_list"),
    path("<int:pk>/", views.SupportSessionDetailView.as_view(), name="session_detail"),
]
