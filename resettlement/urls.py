from django.urls import path

from . import views

app_name = "resettlement"
urlpatterns = [
    path("", views.ResettlementFileListView.as_view(), name="file_list"),
    path("files/<int:pk>/", views.ResettlementFileDetailView.as_view(), name="file_detail"),
    path("refugees/", views.RefugeeListView.as_view(), name="refugee_list"),
    path("refugees/<int:pk>/", views.RefugeeDetailView.as_view(), name="refugee_detail"),
]
