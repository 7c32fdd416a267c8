from django.urls import path

from . import api

urlpatterns = [
    path("", api.ServiceListView.as_view(), name="api-consents-services"),
    path("<slug:code>/enrol/", api.ServiceEnrolView.as_view(), name="api-consents-service-enrol"),
    path("<slug:code>/leave/", api.ServiceLeaveView.as_view(), name="api-consents-service-leave"),
]
