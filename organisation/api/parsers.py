"""The API's JSON parser: DRF's, refusing a NUL byte anywhere in the body with a 400 naming the field
(`components[0].name`), before a serializer that takes free-form dicts lets it reach PostgreSQL."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from organisation.params import nul_path


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        path = nul_path(data)
        if path:
            raise ValidationError({path: [_("Có ký tự không hợp lệ.")]})
        return data
