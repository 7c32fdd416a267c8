from django.urls import path

from . import views

urlpatterns = [
    path("", views.location_overview, name="location"),
    path("on/", views.location_on, name="location_on"),
    path("off/", views.location_off, name="location_off"),
    path("history/delete/", views.location_history_delete, name="location_history_delete"),
    path("photo/", views.photo_upload, name="location_photo"),
    path("photo/image/", views.photo_image, name="location_photo_image"),
    path("photo/delete/", views.photo_delete, name="location_photo_delete"),
]
