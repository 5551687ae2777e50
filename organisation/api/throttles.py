"""DRF's rate throttles keyed on `organisation.net.client_ip`, never on DRF's own reading of
X-Forwarded-For. Every API view takes its throttles from here."""

from rest_framework import throttling

from organisation.net import client_ip


class _ClientAddress:
    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(_ClientAddress, throttling.AnonRateThrottle):
    pass


class ScopedRateThrottle(_ClientAddress, throttling.ScopedRateThrottle):
    pass
