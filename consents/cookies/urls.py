from django.urls import path

from . import views

urlpatterns = [
    path("", views.cookie_settings, name="cookies"),
    path("choose/", views.cookie_choose, name="cookies_choose"),
    path("pageview/", views.analytics_pageview, name="cookies_pageview"),
]
