from django.urls import path

from . import views

# Global names (no namespace): `my_work` is a name other checks rely on (DESIGN.md).
urlpatterns = [
    path("home/", views.HomeView.as_view(), name="home"),
    path("my-work/", views.MyWorkView.as_view(), name="my_work"),
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
]
