from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.ReturneeListView.as_view(), name="returnee_list"),
    path("<int:pk>/", views.ReturneeDetailView.as_view(), name="returnee_detail"),
    path("travel/", views.TravelListView.as_view(), name="travel_list"),
]
