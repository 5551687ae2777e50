from django.urls import path

from . import views

app_name = "postal"

urlpatterns = [
    path("callback/", views.callback, name="callback"),
    path("ho-so/<str:ref>/thu-gom/", views.request_collection, name="collect"),
    path("quay/<str:ref>/cap-nhat/", views.desk_refresh, name="desk_refresh"),
]
