from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostalConfig(AppConfig):
    name = "postal"
    verbose_name = _("Bưu chính công ích")

    def ready(self):
        # Imported here, as Django wants for signal receivers: the models are loaded only now.
        from dossiers.signals import result_ready_for_post

        from .services import order_result_delivery_on_signal

        result_ready_for_post.connect(order_result_delivery_on_signal, dispatch_uid="postal.order_result_delivery")
