from django.urls import path

from . import views

urlpatterns = [
    path("", views.activity_list, name="activity"),
    path("sessions/", views.session_list, name="activity_sessions"),
    path("sessions/<int:session_id>/end/", views.session_end, name="activity_session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="activity_sessions_end_others"),
]
