"""The payment gateway behind an interface: the one HTTP adapter (`HttpGateway`) is the only client code.

The same adapter talks to the national payment platform and to the local stand-in (`payments.standin`);
which one is a URL in configuration. Its wire protocol (JSON over HTTPS):

- ``POST {url}/api/v1/payments``: the bill and our `transaction_id`, signed over the configured request
  fields; the answer carries ``result_code`` ("00" accepted) and the ``payment_url`` the citizen is sent to.
- the citizen pays there and is sent back to our return URL; the gateway also calls our callback URL. Both
  carry the confirmation fields, signed with the confirmation key over the configured confirmation fields.
- ``POST {url}/api/v1/payments/query``: what the gateway knows of one transaction (reconciliation), answered
  with the same signed confirmation fields.

Any network fault, time-out, non-JSON or non-"00" answer is `GatewayUnavailable`: nothing is marked paid.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings

from . import checksum

log = logging.getLogger(__name__)

SUCCESS = "00"
PENDING = "01"


class GatewayUnavailable(Exception):
    """The gateway did not answer usefully (down, slow, refused): the caller tells the citizen to retry."""


@dataclass(frozen=True)
class GatewayConfig:
    name: str
    url: str
    client_id: str
    request_key: str
    confirm_key: str
    algorithm: str
    request_fields: tuple[str, ...]
    confirm_fields: tuple[str, ...]
    query_fields: tuple[str, ...]
    timeout: float
    beneficiary_account: str = ""
    version: str = "2.0"
    extra: dict = field(default_factory=dict)

    def sign_request(self, values: dict) -> str:
        return checksum.compute(values, self.request_fields, self.request_key, self.algorithm)

    def sign_query(self, values: dict) -> str:
        return checksum.compute(values, self.query_fields, self.request_key, self.algorithm)

    def sign_confirmation(self, values: dict) -> str:
        return checksum.compute(values, self.confirm_fields, self.confirm_key, self.algorithm)

    def confirmation_valid(self, values: dict) -> bool:
        return checksum.verify(values, self.confirm_fields, self.confirm_key, self.algorithm, values.get("checksum"))


def config(name: str | None = None) -> GatewayConfig:
    """The configuration of gateway `name` (default: the active one) from `settings.PAYMENT_GATEWAYS`."""
    name = name or settings.PAYMENT_GATEWAY
    raw = settings.PAYMENT_GATEWAYS[name]
    return GatewayConfig(
        name=name, url=(raw.get("url") or "").rstrip("/"), client_id=raw["client_id"],
        request_key=raw["request_key"], confirm_key=raw["confirm_key"], algorithm=raw["algorithm"],
        request_fields=tuple(raw["request_fields"]), confirm_fields=tuple(raw["confirm_fields"]),
        query_fields=tuple(raw["query_fields"]), timeout=float(raw.get("timeout", 10)),
        beneficiary_account=raw.get("beneficiary_account", ""), version=raw.get("version", "2.0"),
    )


@dataclass(frozen=True)
class PaymentOrder:
    transaction_id: str
    amount: int
    dossier_code: str
    procedure_code: str
    payer_name: str
    description: str
    lines: list[dict]
    return_url: str
    callback_url: str


class HttpGateway:
    def __init__(self, cfg: GatewayConfig):
        self.cfg = cfg

    def _post(self, path: str, body: dict) -> dict:
        if not self.cfg.url:
            raise GatewayUnavailable("no gateway URL configured")
        request = urllib.request.Request(
            f"{self.cfg.url}{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.cfg.timeout) as response:
                raw = response.read(1_000_000)
        except urllib.error.HTTPError as exc:
            raw = exc.read(1_000_000)
            log.warning("payment gateway %s answered HTTP %s on %s", self.cfg.name, exc.code, path)
            if exc.code >= 500:
                raise GatewayUnavailable(f"HTTP {exc.code}") from None
            try:
                answer = json.loads(raw)
            except ValueError:
                raise GatewayUnavailable(f"HTTP {exc.code}") from None
            if isinstance(answer, dict):
                return answer
            raise GatewayUnavailable(f"HTTP {exc.code}") from None
        except (OSError, TimeoutError) as exc:  # URLError, refused, reset, time-out
            log.warning("payment gateway %s unreachable on %s: %s", self.cfg.name, path, exc)
            raise GatewayUnavailable(str(exc)) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise GatewayUnavailable("not JSON") from None
        if not isinstance(answer, dict):
            raise GatewayUnavailable("not a JSON object")
        return answer

    def create_payment(self, order: PaymentOrder) -> str:
        """Register the payment; the URL the citizen is sent to pay at."""
        body = {
            "version": self.cfg.version, "command": "pay", "client_id": self.cfg.client_id,
            "transaction_id": order.transaction_id, "trans_amount": order.amount, "addition_fee": 0,
            "dossier_code": order.dossier_code, "procedure_code": order.procedure_code,
            "payer_name": order.payer_name, "description": order.description, "lines": order.lines,
            "beneficiary_account": self.cfg.beneficiary_account,
            "return_url": order.return_url, "callback_url": order.callback_url,
        }
        body["checksum"] = self.cfg.sign_request(body)
        answer = self._post("/api/v1/payments", body)
        if answer.get("result_code") != SUCCESS or not str(answer.get("payment_url", "")).startswith("http"):
            raise GatewayUnavailable(f"refused: {answer.get('result_code')} {answer.get('message', '')}"[:200])
        return str(answer["payment_url"])

    def query(self, transaction_id: str) -> dict:
        """The gateway's signed answer about one transaction (verified by the caller like any confirmation)."""
        body = {"version": self.cfg.version, "command": "query", "client_id": self.cfg.client_id,
                "transaction_id": transaction_id}
        body["checksum"] = self.cfg.sign_query(body)
        return self._post("/api/v1/payments/query", body)


def get_gateway(name: str | None = None) -> HttpGateway:
    return HttpGateway(config(name))
