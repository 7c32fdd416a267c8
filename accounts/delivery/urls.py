"""``/account/deliveries/…``: the person's document deliveries."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.delivery_list, name="deliveries"),
    path("new/", views.delivery_new, name="delivery_new"),
    path("<int:delivery_id>/cancel/", views.delivery_cancel, name="delivery_cancel"),
]
