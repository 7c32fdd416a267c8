"""``/privacy/services/…``: optional services, enrolling and leaving."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.services_list, name="services"),
    path("<slug:code>/enrol/", views.service_enrol, name="service_enrol"),
    path("<slug:code>/leave/", views.service_leave, name="service_leave"),
]
