"""Pages of the payments app (mounted at /thanh-toan/)."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    # the citizen, on their own dossier
    path("ho-so/<str:ref>/", views.citizen_payment, name="citizen"),
    path("ho-so/<str:ref>/thanh-toan-truc-tuyen/", views.pay_online, name="pay_online"),
    # the gateway: the browser's return and the server-to-server callback
    path("ket-qua/", views.gateway_return, name="return"),
    path("callback/", views.gateway_callback, name="callback"),
    # the electronic receipt
    path("bien-lai/<str:transaction_id>/", views.receipt, name="receipt"),
    # the desk
    path("quay/<str:ref>/yeu-cau/", views.desk_request, name="desk_request"),
    path("quay/<str:ref>/ghi-nhan/", views.desk_record, name="desk_record"),
]
