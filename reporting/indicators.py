"""The Decision 766/QĐ-TTg (2022) index, as far as our own data can honestly compute it.

Pure Python: no Django, no database. The selectors count; this module turns counts into rates and
points, so the formulas are tested exhaustively on their own (tests/reporting/test_indicators.py).

Rules of honesty:
- a rate whose denominator is zero is None ("không có dữ liệu"), never 100%;
- an indicator we cannot compute from our data (1.1–1.3 live in the national procedure database) is
  listed with `computable=False`, its reason and no points; it is never estimated; one whose data source
  may be missing (1.4 needs the national sync) names the counts it `requires`;
- "procedures offered online" and "share received online" are shown without points (`scored=False`);
- points below the threshold are `max × rate ÷ threshold`, at or above it the maximum.

Names, formulas and reasons are Vietnamese, marked with `gettext_noop` (an identity function here, the
name Django's makemessages extracts) and translated where they are shown: `gettext(rule.name)`.

The points are data (RULES), as domain.md §7 gives them from the national portal's published formula
notes: transparency 6/4/2/6, progress 20, online 12 + 2/2/6, digitisation 6/4/2/2/4/2/2, satisfaction
6/6/6; a test fails when the groups stop adding up to 18/20/22/22/18.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

RULESET = "766/QĐ-TTg/2022"

HUNDRED = Fraction(100)


def gettext_noop(message: str) -> str:
    """Marks a string for the catalogue without translating it; pages, exports and the API translate it."""
    return message


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage with one decimal, half up; None when nothing to divide."""
    if not denominator:
        return None
    if denominator > 0:  # floor(1000 n / d + 1/2) in integers: the same digits as the Fraction, 10x faster
        return Decimal((2000 * numerator + denominator) // (2 * denominator)).scaleb(-1)
    return round_half_up(Fraction(100 * numerator, denominator), 1)


def round_half_up(value: Fraction, places: int) -> Decimal:
    scale = 10**places
    scaled = math.floor(value * scale + Fraction(1, 2))
    return Decimal(scaled).scaleb(-places) if places else Decimal(scaled)


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max_points: int


@dataclass(frozen=True)
class Rule:
    """One indicator: what it measures, how many points, and how its rate is made from counts.

    `numerator` and `denominator` name count keys (summed); `kind="complement"` means
    rate = 100% − Σ(count/denominator) over the keys in `subtract` (floored at 0).
    """

    group: str
    code: str
    name: str
    max_points: int
    threshold: int | None = 100
    formula: str = ""
    computable: bool = True
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    subtract: tuple[tuple[str, ...], ...] = ()
    kind: str = "ratio"
    reason: str = ""
    scored: bool = True  # False: published for information, no points
    requires: tuple[str, ...] = ()  # count keys that must be present (e.g. a sync data source), else not computable


GROUPS: tuple[Group, ...] = (
    Group("transparency", gettext_noop("Công khai, minh bạch"), 18),
    Group("progress", gettext_noop("Tiến độ, kết quả giải quyết"), 20),
    Group("online", gettext_noop("Cung cấp dịch vụ trực tuyến"), 22),
    Group("digitisation", gettext_noop("Số hóa hồ sơ, kết quả"), 22),
    Group("satisfaction", gettext_noop("Mức độ hài lòng"), 18),
)

NOT_SYNCED = gettext_noop("Hệ thống chưa có dữ liệu đồng bộ hồ sơ với Cổng Dịch vụ công quốc gia.")
NATIONAL_CATALOGUE = gettext_noop("Chỉ số được đánh giá trên Cơ sở dữ liệu quốc gia về thủ tục hành chính, "
                                  "hệ thống không lưu dữ liệu này.")

# Points as the national portal scores them today (domain.md §7, "Mô tả công thức tính chỉ số 766").
# `scored=False`: still published, no points (procedures offered online, share received online).
RULES: tuple[Rule, ...] = (
    Rule("transparency", "1.1", gettext_noop("Tỷ lệ thủ tục hành chính được công bố, công khai đúng hạn"), 6,
         computable=False, reason=NATIONAL_CATALOGUE),
    Rule("transparency", "1.2", gettext_noop("Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn"), 4,
         computable=False, reason=NATIONAL_CATALOGUE),
    Rule("transparency", "1.3", gettext_noop("Mức độ công khai đầy đủ các bộ phận của thủ tục hành chính"), 2,
         computable=False, reason=NATIONAL_CATALOGUE),
    Rule("transparency", "1.4", gettext_noop("Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia"), 6,
         formula=gettext_noop("hồ sơ đã đồng bộ có ngày tiếp nhận trong kỳ ÷ hồ sơ tiếp nhận trong kỳ"),
         numerator=("synced",), denominator=("received",), requires=("synced",), reason=NOT_SYNCED),
    Rule("progress", "2.1", gettext_noop("Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn hoặc còn trong hạn"), 20,
         formula=gettext_noop("(hồ sơ đã giải quyết trong kỳ trước hạn, đúng hạn + hồ sơ đang giải quyết còn hạn "
                              "cuối kỳ) ÷ (hồ sơ đã giải quyết trong kỳ + hồ sơ đang giải quyết cuối kỳ); "
                              "trừ thời gian chờ bổ sung, hồ sơ đang chờ bổ sung tính tại thời điểm yêu cầu, "
                              "yêu cầu bổ sung từ 2 lần tính là quá hạn"),
         numerator=("national_in_time",), denominator=("processed",)),
    Rule("online", "3.1", gettext_noop("Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến"), 0,
         threshold=None, scored=False,
         formula=gettext_noop("thủ tục trực tuyến toàn trình hoặc một phần ÷ thủ tục đã công bố (không tính điểm)"),
         numerator=("procedures_online",), denominator=("procedures_published",)),
    Rule("online", "3.2", gettext_noop("Tỷ lệ hồ sơ tiếp nhận trực tuyến"), 0, threshold=None, scored=False,
         formula=gettext_noop("hồ sơ nộp trực tuyến ÷ hồ sơ tiếp nhận (không tính điểm)"),
         numerator=("online",), denominator=("received",)),
    # §7 names no formula id for this one; "3.3" is this project's label.
    Rule("online", "3.3", gettext_noop("Tỷ lệ hồ sơ trực tuyến toàn trình"), 12,
         formula=gettext_noop("hồ sơ nộp trực tuyến toàn trình ÷ hồ sơ tiếp nhận của thủ tục đủ điều kiện "
                              "trực tuyến toàn trình"),
         numerator=("fully_online_eligible",), denominator=("eligible",)),
    Rule("online", "3.5", gettext_noop("Tỷ lệ thủ tục có nghĩa vụ tài chính được triển khai thanh toán trực tuyến "
                                       "trên Cổng Dịch vụ công quốc gia"), 2,
         computable=False, reason=gettext_noop("Việc tích hợp thanh toán của từng thủ tục được ghi nhận trên Cổng "
                                               "Dịch vụ công quốc gia, hệ thống không lưu dữ liệu này.")),
    Rule("online", "3.5b", gettext_noop("Tỷ lệ thủ tục có phát sinh thanh toán trực tuyến"), 2,
         formula=gettext_noop("thủ tục có hồ sơ nộp phí trực tuyến trong kỳ ÷ thủ tục có thu phí, lệ phí"),
         numerator=("procedures_paid_online",), denominator=("procedures_with_fee",)),
    Rule("online", "3.6", gettext_noop("Tỷ lệ hồ sơ thanh toán trực tuyến"), 6,
         formula=gettext_noop("hồ sơ nộp phí trực tuyến ÷ hồ sơ đã nộp phí, lệ phí (tiếp nhận trong kỳ)"),
         numerator=("paid_online",), denominator=("paid",)),
    Rule("digitisation", "4.1", gettext_noop("Tỷ lệ hồ sơ được cấp kết quả điện tử"), 6,
         formula=gettext_noop("hồ sơ có kết quả điện tử ÷ hồ sơ đã có kết quả trong kỳ của thủ tục có kết quả "
                              "là giấy tờ"),
         numerator=("paper_electronic_result",), denominator=("paper_decided",)),
    Rule("digitisation", "4.2", gettext_noop("Tỷ lệ hồ sơ được số hóa thành phần hồ sơ"), 4,
         formula=gettext_noop("hồ sơ có mọi thành phần đã số hóa ÷ hồ sơ tiếp nhận"),
         numerator=("digitised",), denominator=("received",)),
    Rule("digitisation", "4.2b", gettext_noop("Tỷ lệ cấp bản sao điện tử được chứng thực từ bản chính"), 2,
         computable=False, reason=gettext_noop("Hệ thống chưa ghi nhận bản sao điện tử chứng thực từ bản chính.")),
    Rule("digitisation", "4.3", gettext_noop("Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa"), 2,
         formula=gettext_noop("hồ sơ có thành phần tái sử dụng dữ liệu đã số hóa ÷ hồ sơ tiếp nhận"),
         numerator=("reused",), denominator=("received",)),
    Rule("digitisation", "4.4", gettext_noop("Tỷ lệ sử dụng dữ liệu từ kho quản lý dữ liệu điện tử của tổ chức, cá nhân"), 4,
         formula=gettext_noop("hồ sơ có thành phần lấy từ kho dữ liệu điện tử của công dân ÷ hồ sơ tiếp nhận"),
         numerator=("citizen_store",), denominator=("received",)),
    Rule("digitisation", "4.5b", gettext_noop("Tỷ lệ hồ sơ khai thác dữ liệu từ Cơ sở dữ liệu quốc gia về dân cư"), 2,
         formula=gettext_noop("hồ sơ có thành phần lấy từ Cơ sở dữ liệu quốc gia về dân cư ÷ hồ sơ tiếp nhận"),
         numerator=("population",), denominator=("received",)),
    Rule("digitisation", "4.5a", gettext_noop("Tỷ lệ thủ tục được kết nối Cơ sở dữ liệu quốc gia về dân cư"), 2,
         formula=gettext_noop("thủ tục có thành phần hồ sơ lấy từ Cơ sở dữ liệu quốc gia về dân cư ÷ thủ tục đã "
                              "công bố"),
         numerator=("procedures_population",), denominator=("procedures_published",)),
    Rule("satisfaction", "5.2", gettext_noop("Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn"), 6,
         formula=gettext_noop("phản ánh, kiến nghị trả lời đúng hạn ÷ phản ánh, kiến nghị đã trả lời hoặc đã đến hạn"),
         numerator=("feedback_on_time",), denominator=("feedback_due",)),
    Rule("satisfaction", "5.3", gettext_noop("Mức độ hài lòng với việc xử lý phản ánh, kiến nghị"), 6,
         formula=gettext_noop("(đã xử lý − đánh giá chưa hài lòng − phản ánh lặp lại − xử lý quá hạn) ÷ đã xử lý"),
         kind="complement", subtract=(("feedback_disliked",), ("feedback_repeated",), ("feedback_late",)),
         denominator=("feedback_handled",)),
    Rule("satisfaction", "5.4", gettext_noop("Mức độ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính"), 6,
         threshold=90,
         formula=gettext_noop("100% − (% hồ sơ quá hạn + % hồ sơ bị phản ánh hoặc đánh giá chưa hài lòng), trên hồ sơ "
                              "đã giải quyết trong kỳ và đang giải quyết cuối kỳ"),
         kind="complement", subtract=(("national_late",), ("complained",)), denominator=("processed",)),
)


@dataclass(frozen=True)
class IndicatorResult:
    rule: Rule
    numerator: int | None
    denominator: int | None
    exact_rate: Fraction | None

    computable: bool = True

    @property
    def rate(self) -> Decimal | None:
        return None if self.exact_rate is None else round_half_up(self.exact_rate, 1)

    @property
    def exact_points(self) -> Fraction | None:
        if not self.rule.scored:
            return None
        return points(self.rule.max_points, self.exact_rate, self.rule.threshold)

    @property
    def points(self) -> Decimal | None:
        value = self.exact_points
        return None if value is None else round_half_up(value, 2)


@dataclass(frozen=True)
class GroupResult:
    group: Group
    indicators: tuple[IndicatorResult, ...]

    @property
    def points(self) -> Decimal:
        return round_half_up(sum((i.exact_points for i in self.indicators if i.exact_points is not None), Fraction(0)), 2)

    @property
    def computable_max_points(self) -> int:
        return sum(i.rule.max_points for i in self.indicators if i.computable)

    @property
    def scored_max_points(self) -> int:
        """The maxima of the indicators that got points (computable and with data)."""
        return sum(i.rule.max_points for i in self.indicators if i.exact_points is not None)


@dataclass(frozen=True)
class IndexResult:
    groups: tuple[GroupResult, ...] = field(default_factory=tuple)

    @property
    def indicators(self) -> list[IndicatorResult]:
        return [i for g in self.groups for i in g.indicators]

    @property
    def points(self) -> Decimal:
        exact = sum((i.exact_points for i in self.indicators if i.exact_points is not None), Fraction(0))
        return round_half_up(exact, 2)

    @property
    def max_points(self) -> int:
        return sum(g.group.max_points for g in self.groups)

    @property
    def computable_max_points(self) -> int:
        return sum(g.computable_max_points for g in self.groups)

    @property
    def scored_max_points(self) -> int:
        return sum(g.scored_max_points for g in self.groups)


def points(max_points: int, rate: Fraction | None, threshold: int | None) -> Fraction | None:
    """Below the threshold: max × rate ÷ threshold; at or above it: max. No rate, no points."""
    if rate is None:
        return None
    limit = Fraction(threshold if threshold else 100)
    if rate >= limit:
        return Fraction(max_points)
    return Fraction(max_points) * max(rate, Fraction(0)) / limit


def evaluate(rule: Rule, counts: Mapping[str, int]) -> IndicatorResult:
    if not rule.computable or any(counts.get(k) is None for k in rule.requires):
        return IndicatorResult(rule, None, None, None, computable=False)
    denominator = sum(int(counts.get(k, 0) or 0) for k in rule.denominator)
    if rule.kind == "complement":
        parts = [sum(int(counts.get(k, 0) or 0) for k in keys) for keys in rule.subtract]
        if not denominator:
            return IndicatorResult(rule, None, denominator, None)
        taken = sum((Fraction(100 * p, denominator) for p in parts), Fraction(0))
        return IndicatorResult(rule, sum(parts), denominator, max(HUNDRED - taken, Fraction(0)))
    numerator = sum(int(counts.get(k, 0) or 0) for k in rule.numerator)
    if not denominator:
        return IndicatorResult(rule, numerator, denominator, None)
    return IndicatorResult(rule, numerator, denominator, Fraction(100 * numerator, denominator))


def score(counts: Mapping[str, int], rules: tuple[Rule, ...] = RULES, groups: tuple[Group, ...] = GROUPS) -> IndexResult:
    """Every indicator of the index from named counts (see `COUNT_KEYS`)."""
    return IndexResult(
        tuple(GroupResult(g, tuple(evaluate(r, counts) for r in rules if r.group == g.code)) for g in groups)
    )


COUNT_KEYS = frozenset(
    k for r in RULES for k in (*r.numerator, *r.denominator, *(x for keys in r.subtract for x in keys))
)
