from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from organisation.params import PAGE_MAX


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200); a bad value is a 400, never silently ignored."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": [_("Phải là một số nguyên.")]}) from None
        if size < 1 or size > self.max_page_size:
            raise ValidationError({"page_size": [_("Phải từ 1 đến %(max)d.") % {"max": self.max_page_size}]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw not in (None, ""):
            try:
                if not 1 <= int(raw) <= PAGE_MAX:  # past PAGE_MAX the OFFSET is absurd (and may overflow)
                    raise ValueError
            except ValueError:
                raise ValidationError({"page": [_("Phải là một số nguyên dương.")]}) from None
        return super().paginate_queryset(queryset, request, view)
