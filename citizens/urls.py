"""Pages of the citizens app (mounted at /cong-dan/)."""

from django.urls import path

from .views import accounts, bookings, feedback, home, ratings, submission

app_name = "citizens"

urlpatterns = [
    path("", home.portal, name="portal"),
    # accounts
    path("dang-ky/", accounts.signup, name="signup"),
    path("xac-thuc/", accounts.verify, name="verify"),
    path("quen-mat-khau/", accounts.password_reset, name="password_reset"),
    path("dat-lai-mat-khau/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("thong-tin-ca-nhan/", accounts.profile, name="profile"),
    path("doi-mat-khau/", accounts.password_change, name="password_change"),
    # online submission and drafts
    path("nop-ho-so/", submission.online_catalogue, name="online_catalogue"),
    path("nop-ho-so/<str:code>/", submission.submit, name="submit"),
    path("ban-nhap/<int:pk>/xoa/", submission.draft_delete, name="draft_delete"),
    # my dossiers
    path("ho-so/", submission.dossiers, name="dossiers"),
    path("ho-so/<str:ref>/", submission.dossier, name="dossier"),
    path("ho-so/<str:ref>/bo-sung/", submission.supplement, name="supplement"),
    path("ho-so/<str:ref>/rut/", submission.withdraw, name="withdraw"),
    path("ho-so/<str:ref>/danh-gia/", ratings.rate, name="rate"),
    path("ho-so/<str:ref>/in/<slug:form>.pdf", submission.document, name="document"),
    path("ho-so/<str:ref>/ket-qua/", submission.result, name="result"),
    path("ho-so/<str:ref>/tep/<int:component_id>/", submission.component_file, name="component_file"),
    # public look-up and ratings
    path("tra-cuu/", home.lookup, name="lookup"),
    path("tra-cuu/danh-gia/", ratings.lookup_rate, name="lookup_rate"),
    path("kiosk/<str:agency_code>/", ratings.kiosk, name="kiosk"),
    # feedback and complaints
    path("phan-anh/", feedback.feedback_list, name="feedback_list"),
    path("phan-anh/gui/", feedback.feedback_new, name="feedback_new"),
    path("phan-anh/xu-ly/", feedback.feedback_inbox, name="feedback_inbox"),
    path("phan-anh/xu-ly/<int:pk>/", feedback.feedback_handle, name="feedback_handle"),
    path("phan-anh/<int:pk>/", feedback.feedback_detail, name="feedback_detail"),
    # desk appointments
    path("lich-hen/", bookings.booking, name="booking"),
    path("lich-hen/cua-toi/", bookings.my_bookings, name="my_bookings"),
    path("lich-hen/quay/", bookings.desk_bookings, name="desk_bookings"),
    path("lich-hen/<int:pk>/huy/", bookings.booking_cancel, name="booking_cancel"),
]
