"""Pages of the citizens app (mounted at /cong-dan/)."""

from django.urls import path

from . import views

app_name = "citizens"

urlpatterns = [
    path("", views.portal, name="portal"),
    # accounts
    path("dang-ky/", views.signup, name="signup"),
    path("xac-thuc/", views.verify, name="verify"),
    path("quen-mat-khau/", views.password_reset, name="password_reset"),
    path("dat-lai-mat-khau/", views.password_reset_confirm, name="password_reset_confirm"),
    path("thong-tin-ca-nhan/", views.profile, name="profile"),
    path("doi-mat-khau/", views.password_change, name="password_change"),
    # online submission and drafts
    path("nop-ho-so/", views.online_catalogue, name="online_catalogue"),
    path("nop-ho-so/<str:code>/", views.submit, name="submit"),
    path("ban-nhap/<int:pk>/xoa/", views.draft_delete, name="draft_delete"),
    # my dossiers
    path("ho-so/", views.dossiers, name="dossiers"),
    path("ho-so/<str:ref>/", views.dossier, name="dossier"),
    path("ho-so/<str:ref>/bo-sung/", views.supplement, name="supplement"),
    path("ho-so/<str:ref>/rut/", views.withdraw, name="withdraw"),
    path("ho-so/<str:ref>/danh-gia/", views.rate, name="rate"),
    path("ho-so/<str:ref>/in/<slug:form>.pdf", views.document, name="document"),
    path("ho-so/<str:ref>/ket-qua/", views.result, name="result"),
    path("ho-so/<str:ref>/tep/<int:component_id>/", views.component_file, name="component_file"),
    # public look-up and ratings
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tra-cuu/danh-gia/", views.lookup_rate, name="lookup_rate"),
    path("kiosk/<str:agency_code>/", views.kiosk, name="kiosk"),
    # feedback and complaints
    path("phan-anh/", views.feedback_list, name="feedback_list"),
    path("phan-anh/gui/", views.feedback_new, name="feedback_new"),
    path("phan-anh/xu-ly/", views.feedback_inbox, name="feedback_inbox"),
    path("phan-anh/xu-ly/<int:pk>/", views.feedback_handle, name="feedback_handle"),
    path("phan-anh/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    # desk appointments
    path("lich-hen/", views.booking, name="booking"),
    path("lich-hen/cua-toi/", views.my_bookings, name="my_bookings"),
    path("lich-hen/quay/", views.desk_bookings, name="desk_bookings"),
    path("lich-hen/<int:pk>/huy/", views.booking_cancel, name="booking_cancel"),
]
