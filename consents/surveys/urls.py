from django.urls import path

from . import views

urlpatterns = [
    path("stop/<str:token>/", views.survey_withdraw, name="survey_withdraw"),
]
