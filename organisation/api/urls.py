from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("agencies/", views.AgencyList.as_view(), name="api-agencies"),
]
