"""The bill of a dossier from the catalogue's fee lines and an exemption (pure, no Django).

Amounts are whole đồng. An exemption takes a percentage off every line it applies to; the reduction is
rounded down to the đồng in the payer's favour (never a fraction of a đồng billed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    name: str
    amount: int  # before the exemption
    exempted: int = 0

    @property
    def due(self) -> int:
        return self.amount - self.exempted


def bill_lines(items: list[tuple[str, int]], exemption_percent: int = 0) -> list[Line]:
    """One line per catalogue item, each reduced by `exemption_percent` (0–100)."""
    if not 0 <= exemption_percent <= 100:
        raise ValueError("exemption percent out of range")
    lines = []
    for name, amount in items:
        if amount < 0:
            raise ValueError("negative fee")
        exempted = amount - (amount * (100 - exemption_percent)) // 100
        lines.append(Line(name, amount, exempted))
    return lines


def total(lines: list[Line]) -> int:
    return sum(line.due for line in lines)
