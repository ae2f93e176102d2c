from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import LogoutView, set_language

urlpatterns = [
    path("", include("oimsite.reporting.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("returns/", include("returns.urls")),
    path("reintegration/", include("reintegration.urls")),
    path("resettlement/", include("resettlement.urls")),
    path("documents/", include("documents.urls")),
    path("", include("casework.urls")),
    path("admin/", admin.site.urls),
]
