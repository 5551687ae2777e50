"""Signals the dossiers services send to the apps built on them, so that dossiers never imports those apps.

`result_ready_for_post`: a decided result is to be returned by post; sent after the decision is committed,
with `dossier_id`. The postal app (`postal.apps`) orders the delivery. Receivers run in the sender's
thread and their exceptions propagate, as a direct call would.
"""

from django.dispatch import Signal

result_ready_for_post = Signal()
