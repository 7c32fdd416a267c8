from django.urls import path

from . import views

urlpatterns = [
    path("", views.interests_overview, name="interests"),
    path("<int:tag_id>/delete/", views.interest_tag_delete, name="interest_delete"),
    path("delete-all/", views.interest_tags_delete_all, name="interests_delete_all"),
    path("recommendations/", views.recommendations_choice, name="recommendations_choice"),
]
