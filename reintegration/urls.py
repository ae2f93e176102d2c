from django.urls import path

from . import views

app_name = "reintegration"
urlpatterns = [
    path("", views.SupportSessionListView.as_view(), name="session_list"),
    path("<int:pk>/", views.SupportSessionDetailView.as_view(), name="session_detail"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup_list"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup_detail"),
    path("follow-ups/<int:pk>/survey/", views.SurveyEntryView.as_view(), name="survey_entry"),
    path("surveys/", views.SustainabilitySurveyListView.as_view(), name="survey_list"),
    path("surveys/<int:pk>/", views.SustainabilitySurveyDetailView.as_view(), name="survey_detail"),
    path("plans/", views.ReintegrationPlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/", views.ReintegrationPlanDetailView.as_view(), name="plan_detail"),
    path("partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner_detail"),
    path("referrals/", views.ReferralListView.as_view(), name="referral_list"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral_detail"),
]
