"""API v1 routes of the citizens app (api.md "Public look-up and feedback", and the portal's own)."""

from django.urls import path

from . import views

urlpatterns = [
    path("lookup/", views.Lookup.as_view(), name="api-lookup"),
    path("lookup/rating/", views.LookupRating.as_view(), name="api-lookup-rating"),
    path("ratings/", views.Ratings.as_view(), name="api-ratings"),
    path("feedback/", views.FeedbackList.as_view(), name="api-feedback"),
    path("feedback/<int:pk>/", views.FeedbackDetail.as_view(), name="api-feedback-detail"),
    path("feedback/<int:pk>/actions/<str:action>/", views.FeedbackAction.as_view(), name="api-feedback-action"),
    path("feedback/<int:pk>/reply/", views.FeedbackReply.as_view(), name="api-feedback-reply"),
    path("feedback/<int:pk>/rating/", views.FeedbackAnswerRating.as_view(), name="api-feedback-rating"),
    path("slots/", views.Slots.as_view(), name="api-slots"),
    path("bookings/", views.Bookings.as_view(), name="api-bookings"),
    path("bookings/<int:pk>/cancel/", views.BookingCancel.as_view(), name="api-booking-cancel"),
    path("me/profile/", views.Profile.as_view(), name="api-profile"),
]
