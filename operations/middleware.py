"""Every request gets an id: in the logs, in the `X-Request-ID` answer header, and in the tasks it enqueues."""

from . import context

HEADER = "HTTP_X_REQUEST_ID"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = context.accept_or_new(request.META.get(HEADER))
        token = context.request_id.set(rid)
        request.request_id = rid
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-ID"] = rid
        return response
