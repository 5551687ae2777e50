"""Demo catalogue: the common commune procedures of domain.md §9 and a few more, with components and steps.

Goes through the import writer (`services.apply_catalogue`), so a second run writes nothing. Codes look
like the national catalogue's; fees and legal bases are plausible demo values, not legal advice.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

from . import demo_forms
from .importing import ComponentSpec, FormSpec, ProcedureSpec, StepSpec
from .models import Procedure
from .services import apply_catalogue

EFFECTIVE_FROM = datetime.date(2025, 7, 1)

FIELDS = {
    "G09-TP02": "Hộ tịch",
    "G09-TP03": "Chứng thực",
    "G09-TP05": "Lý lịch tư pháp",
    "G09-CA01": "Cư trú",
    "G09-KH01": "Thành lập và hoạt động của hộ kinh doanh",
    "G09-XD02": "Hoạt động xây dựng",
    "G09-LD05": "Bảo trợ xã hội",
    "G09-BH01": "Bảo hiểm y tế",
    "G09-TN01": "Đất đai",
}

HO_TICH_LAW = ("Luật Hộ tịch số 60/2014/QH13; Nghị định số 123/2015/NĐ-CP; "
               "Thông tư số 04/2020/TT-BTP; Thông tư số 85/2019/TT-BTC")
CHUNG_THUC_LAW = "Nghị định số 23/2015/NĐ-CP; Thông tư số 01/2020/TT-BTP; Thông tư số 226/2016/TT-BTC"
CU_TRU_LAW = "Luật Cư trú số 68/2020/QH14; Nghị định số 154/2024/NĐ-CP; Thông tư số 55/2021/TT-BCA"
HKD_LAW = "Nghị định số 168/2025/NĐ-CP về đăng ký doanh nghiệp; Thông tư số 68/2025/TT-BTC"
XD_LAW = "Luật Xây dựng số 50/2014/QH13 (sửa đổi 2020); Nghị định số 175/2024/NĐ-CP"
BTXH_LAW = "Nghị định số 20/2021/NĐ-CP; Nghị định số 76/2024/NĐ-CP"
BHYT_LAW = "Luật Bảo hiểm y tế số 25/2008/QH12 (sửa đổi 2024); Nghị định số 146/2018/NĐ-CP"
DAT_LAW = "Luật Đất đai số 31/2024/QH15; Nghị định số 102/2024/NĐ-CP"
LLTP_LAW = "Luật Lý lịch tư pháp số 28/2009/QH12; Thông tư số 244/2016/TT-BTC"

HT, VHXH, KT = "Bộ phận Tư pháp – Hộ tịch", "Phòng Văn hóa – Xã hội", "Phòng Kinh tế"


def C(name, kind="original", count=1, required=True) -> ComponentSpec:  # noqa: N802
    return ComponentSpec(name=name, kind=kind, count=count, required=required)


def standard_steps(total_hours: int, department: str, *, extra: list[tuple] = ()) -> list[StepSpec]:
    """Desk receives → officer appraises → [steps elsewhere] → head approves → desk returns.

    `extra` steps (name, performer, role, hours, department) come after the appraisal; the
    appraisal gets what is left of `total_hours`.
    """
    receive, approve, give_back = (1, 2, 1) if total_hours <= 8 else (2, 4, 2)
    extra_hours = sum(step[3] for step in extra)
    appraisal = total_hours - receive - approve - give_back - extra_hours
    rows = [("Tiếp nhận, kiểm tra hồ sơ", "receiving", "desk_officer", receive, ""),
            ("Thẩm định hồ sơ", "receiving", "processing_officer", appraisal, department),
            *extra,
            ("Phê duyệt, ký kết quả", "receiving", "head", approve, ""),
            ("Trả kết quả", "receiving", "desk_officer", give_back, "")]
    return [StepSpec(order=i, name=name, performer=performer, role=role, allowance_hours=Decimal(hours),
                     department_name=dept)
            for i, (name, performer, role, hours, dept) in enumerate(rows, start=1)]


def _catalogue() -> list[dict]:
    """Each procedure as keyword arguments of ProcedureSpec, minus the defaults filled in by seed()."""
    return [
        # --- Hộ tịch -------------------------------------------------------------------------------
        dict(code="1.001193", name="Đăng ký khai sinh", field_code="G09-TP02", time_limit_unit="same_day",
             time_limit_amount=0, online_mode="full", on_the_spot=True,
             fee_text="Miễn lệ phí khi đăng ký đúng hạn; đăng ký quá hạn: theo quy định của HĐND tỉnh",
             legal_basis=HO_TICH_LAW, result="Giấy khai sinh (bản chính và bản điện tử)",
             components=[C("Tờ khai đăng ký khai sinh (theo mẫu)"), C("Giấy chứng sinh"),
                         C("Giấy tờ tùy thân của người đi đăng ký (xuất trình)"),
                         C("Văn bản ủy quyền (nếu ủy quyền)", required=False)],
             steps=standard_steps(8, HT)),
        dict(code="1.000894", name="Đăng ký kết hôn", field_code="G09-TP02", time_limit_unit="same_day",
             time_limit_amount=0, online_mode="partial", fee_text="Miễn lệ phí", legal_basis=HO_TICH_LAW,
             requirements="Hai bên nam, nữ có mặt khi đăng ký; trường hợp cần xác minh thì không quá 05 ngày làm việc.",
             result="Giấy chứng nhận kết hôn",
             components=[C("Tờ khai đăng ký kết hôn (theo mẫu)"),
                         C("Giấy xác nhận tình trạng hôn nhân (nếu thường trú nơi khác)", required=False),
                         C("Giấy tờ tùy thân của hai bên (xuất trình)", count=2)],
             steps=standard_steps(8, HT)),
        dict(code="1.004873", name="Xác nhận tình trạng hôn nhân", field_code="G09-TP02",
             time_limit_unit="working_days", time_limit_amount=3, committed_amount=2, online_mode="full",
             fee_text="Theo quy định của HĐND tỉnh (miễn khi nộp trực tuyến)", legal_basis=HO_TICH_LAW,
             result="Giấy xác nhận tình trạng hôn nhân",
             components=[C("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (theo mẫu)"),
                         C("Bản án, quyết định ly hôn đã có hiệu lực (nếu đã ly hôn)", "certified_copy", required=False),
                         C("Giấy tờ tùy thân (xuất trình)")],
             steps=standard_steps(24, HT)),
        dict(code="1.000656", name="Đăng ký khai tử", field_code="G09-TP02", time_limit_unit="same_day",
             time_limit_amount=0, online_mode="full", fee_text="Miễn lệ phí khi đăng ký đúng hạn",
             legal_basis=HO_TICH_LAW, result="Trích lục khai tử",
             components=[C("Tờ khai đăng ký khai tử (theo mẫu)"), C("Giấy báo tử hoặc giấy tờ thay thế"),
                         C("Giấy tờ tùy thân của người đi đăng ký (xuất trình)")],
             steps=standard_steps(8, HT)),
        dict(code="1.004859", name="Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", field_code="G09-TP02",
             time_limit_unit="working_days", time_limit_amount=3, online_mode="partial",
             fee_text="Không quá 15.000 đồng/trường hợp", fee_amount=15000, legal_basis=HO_TICH_LAW,
             result="Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch",
             components=[C("Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch (theo mẫu)"),
                         C("Giấy tờ làm căn cứ thay đổi, cải chính", "certified_copy"),
                         C("Giấy khai sinh hoặc giấy tờ hộ tịch cần cải chính", "copy")],
             steps=standard_steps(24, HT)),
        dict(code="1.004837", name="Đăng ký nhận cha, mẹ, con", field_code="G09-TP02",
             time_limit_unit="working_days", time_limit_amount=3, online_mode="partial",
             fee_text="Theo quy định của HĐND tỉnh", legal_basis=HO_TICH_LAW, result="Trích lục đăng ký nhận cha, mẹ, con",
             components=[C("Tờ khai đăng ký nhận cha, mẹ, con (theo mẫu)"),
                         C("Chứng cứ chứng minh quan hệ cha, mẹ, con"),
                         C("Giấy tờ tùy thân của các bên (xuất trình)", count=2)],
             steps=standard_steps(24, HT)),
        dict(code="1.001022", name="Đăng ký lại khai sinh", field_code="G09-TP02",
             time_limit_unit="working_days", time_limit_amount=5, online_mode="partial",
             fee_text="Theo quy định của HĐND tỉnh", legal_basis=HO_TICH_LAW, result="Giấy khai sinh",
             components=[C("Tờ khai đăng ký lại khai sinh (theo mẫu)"),
                         C("Bản sao Giấy khai sinh hoặc giấy tờ có thông tin khai sinh", "copy", required=False),
                         C("Giấy tờ tùy thân (xuất trình)")],
             steps=standard_steps(40, HT)),
        dict(code="1.003583",
             name="Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế "
                  "cho trẻ em dưới 6 tuổi",
             field_code="G09-TP02", time_limit_unit="working_days", time_limit_amount=3, online_mode="full",
             fee_text="Miễn phí", legal_basis=HO_TICH_LAW + "; " + CU_TRU_LAW + "; " + BHYT_LAW,
             result="Giấy khai sinh; thông tin thường trú được cập nhật; thẻ bảo hiểm y tế của trẻ",
             components=[C("Tờ khai đăng ký khai sinh (theo mẫu)"), C("Giấy chứng sinh"),
                         C("Tờ khai thay đổi thông tin cư trú (CT01)"),
                         C("Tờ khai tham gia bảo hiểm y tế (TK1-TS)")],
             steps=standard_steps(24, HT, extra=[
                 ("Đăng ký thường trú cho trẻ", "receiving", "processing_officer", 4, "Công an xã"),
                 ("Cấp thẻ bảo hiểm y tế", "parent", "processing_officer", 6, "Bảo hiểm xã hội tỉnh"),
             ])),
        # --- Chứng thực ----------------------------------------------------------------------------
        dict(code="2.000815", name="Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm "
                                   "quyền của Việt Nam cấp hoặc chứng nhận",
             field_code="G09-TP03", time_limit_unit="same_day", time_limit_amount=0, online_mode="partial",
             on_the_spot=True, fee_amount=2000,
             fee_text="2.000 đồng/trang; từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản",
             legal_basis=CHUNG_THUC_LAW, result="Bản sao được chứng thực từ bản chính",
             components=[C("Bản chính giấy tờ, văn bản làm cơ sở chứng thực"), C("Bản sao cần chứng thực", "copy")],
             steps=standard_steps(8, HT)),
        dict(code="2.000884", name="Chứng thực chữ ký trong các giấy tờ, văn bản", field_code="G09-TP03",
             time_limit_unit="same_day", time_limit_amount=0, online_mode="partial", on_the_spot=True,
             fee_text="10.000 đồng/trường hợp", fee_amount=10000, legal_basis=CHUNG_THUC_LAW,
             result="Giấy tờ, văn bản được chứng thực chữ ký",
             components=[C("Giấy tờ tùy thân của người yêu cầu chứng thực (xuất trình)"),
                         C("Giấy tờ, văn bản cần chứng thực chữ ký")],
             steps=standard_steps(8, HT)),
        dict(code="2.001035", name="Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
             field_code="G09-TP03", time_limit_unit="working_days", time_limit_amount=2, online_mode="partial",
             fee_text="50.000 đồng/hợp đồng, giao dịch", fee_amount=50000, legal_basis=CHUNG_THUC_LAW,
             result="Hợp đồng, giao dịch được chứng thực",
             components=[C("Dự thảo hợp đồng, giao dịch"), C("Giấy tờ tùy thân của người yêu cầu", "copy", count=2),
                         C("Giấy chứng nhận quyền sở hữu tài sản", "copy")],
             steps=standard_steps(16, HT)),
        dict(code="2.000913", name="Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
             field_code="G09-TP03", time_limit_unit="working_days", time_limit_amount=2, online_mode="partial",
             fee_text="30.000 đồng/hợp đồng, giao dịch", fee_amount=30000, legal_basis=CHUNG_THUC_LAW,
             result="Văn bản sửa đổi, bổ sung, hủy bỏ được chứng thực",
             components=[C("Dự thảo văn bản sửa đổi, bổ sung, hủy bỏ"), C("Hợp đồng, giao dịch đã được chứng thực")],
             steps=standard_steps(16, HT)),
        # --- Cư trú --------------------------------------------------------------------------------
        dict(code="1.004194", name="Đăng ký thường trú", field_code="G09-CA01", time_limit_unit="working_days",
             time_limit_amount=7, online_mode="full", fee_text="Theo quy định của HĐND tỉnh (miễn khi nộp trực tuyến)",
             legal_basis=CU_TRU_LAW, result="Thông tin thường trú được cập nhật vào Cơ sở dữ liệu về cư trú",
             components=[C("Tờ khai thay đổi thông tin cư trú (CT01)"),
                         C("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", "copy")],
             steps=standard_steps(56, "Công an xã")),
        dict(code="1.004222", name="Đăng ký tạm trú", field_code="G09-CA01", time_limit_unit="working_days",
             time_limit_amount=3, online_mode="full", fee_text="Theo quy định của HĐND tỉnh (miễn khi nộp trực tuyến)",
             legal_basis=CU_TRU_LAW, result="Thông tin tạm trú được cập nhật",
             components=[C("Tờ khai thay đổi thông tin cư trú (CT01)"),
                         C("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", "copy")],
             steps=standard_steps(24, "Công an xã")),
        dict(code="1.004228", name="Khai báo tạm vắng", field_code="G09-CA01", time_limit_unit="working_days",
             time_limit_amount=1, online_mode="full", fee_text="Miễn phí", legal_basis=CU_TRU_LAW,
             result="Thông tin tạm vắng được cập nhật",
             components=[C("Đề nghị khai báo tạm vắng")], steps=standard_steps(8, "Công an xã")),
        # --- Hộ kinh doanh -------------------------------------------------------------------------
        dict(code="2.000720", name="Đăng ký thành lập hộ kinh doanh", field_code="G09-KH01",
             time_limit_unit="working_days", time_limit_amount=3, online_mode="full",
             fee_text="100.000 đồng/lần (miễn khi nộp trực tuyến)", fee_amount=100000, legal_basis=HKD_LAW,
             result="Giấy chứng nhận đăng ký hộ kinh doanh",
             components=[C("Giấy đề nghị đăng ký hộ kinh doanh (theo mẫu)"),
                         C("Biên bản họp thành viên hộ gia đình (nếu các thành viên cùng đăng ký)", required=False),
                         C("Giấy tờ pháp lý của cá nhân chủ hộ", "copy")],
             steps=standard_steps(24, KT, extra=[
                 ("Cấp mã số thuế hộ kinh doanh", "parent", "processing_officer", 4, "Thuế tỉnh"),
             ])),
        dict(code="2.000575", name="Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", field_code="G09-KH01",
             time_limit_unit="working_days", time_limit_amount=3, online_mode="full",
             fee_text="100.000 đồng/lần (miễn khi nộp trực tuyến)", fee_amount=100000, legal_basis=HKD_LAW,
             result="Giấy chứng nhận đăng ký hộ kinh doanh (cấp lại)",
             components=[C("Thông báo thay đổi nội dung đăng ký hộ kinh doanh (theo mẫu)"),
                         C("Bản gốc Giấy chứng nhận đăng ký hộ kinh doanh")],
             steps=standard_steps(24, KT)),
        # --- Xây dựng ------------------------------------------------------------------------------
        dict(code="1.009994", name="Cấp giấy phép xây dựng đối với nhà ở riêng lẻ", field_code="G09-XD02",
             time_limit_unit="days", time_limit_amount=15, online_mode="partial",
             fee_text="75.000 đồng/giấy phép", fee_amount=75000, legal_basis=XD_LAW, result="Giấy phép xây dựng",
             components=[C("Đơn đề nghị cấp giấy phép xây dựng (theo mẫu)"),
                         C("Giấy tờ chứng minh quyền sử dụng đất", "certified_copy"),
                         C("Bản vẽ thiết kế xây dựng", count=2)],
             steps=standard_steps(88, KT, extra=[
                 ("Lấy ý kiến chuyên môn của Sở Xây dựng", "parent", "processing_officer", 24, "Sở Xây dựng"),
             ])),
        # --- Bảo trợ xã hội ------------------------------------------------------------------------
        dict(code="1.001776", name="Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, hỗ trợ kinh phí "
                                   "chăm sóc, nuôi dưỡng hằng tháng",
             field_code="G09-LD05", time_limit_unit="working_days", time_limit_amount=7, online_mode="partial",
             fee_text="Không", legal_basis=BTXH_LAW, result="Quyết định trợ cấp xã hội hằng tháng",
             components=[C("Tờ khai đề nghị trợ giúp xã hội (theo mẫu)"),
                         C("Giấy xác nhận khuyết tật (nếu có)", "copy", required=False)],
             steps=standard_steps(56, VHXH)),
        dict(code="1.001758", name="Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", field_code="G09-LD05",
             time_limit_unit="working_days", time_limit_amount=3, online_mode="partial", fee_text="Không",
             legal_basis=BTXH_LAW, result="Quyết định hỗ trợ chi phí mai táng",
             components=[C("Tờ khai đề nghị hỗ trợ chi phí mai táng (theo mẫu)"), C("Giấy báo tử", "copy")],
             steps=standard_steps(24, VHXH)),
        # --- Bảo hiểm y tế -------------------------------------------------------------------------
        dict(code="1.004985", name="Lập danh sách tham gia bảo hiểm y tế cho người thuộc hộ gia đình nghèo, "
                                   "cận nghèo",
             field_code="G09-BH01", time_limit_unit="working_days", time_limit_amount=5, online_mode="none",
             fee_text="Không", legal_basis=BHYT_LAW, result="Danh sách đề nghị cấp thẻ bảo hiểm y tế",
             components=[C("Tờ khai tham gia bảo hiểm y tế (TK1-TS)"),
                         C("Giấy chứng nhận hộ nghèo, cận nghèo", "copy")],
             steps=standard_steps(40, VHXH, extra=[
                 ("Cấp thẻ bảo hiểm y tế", "parent", "processing_officer", 8, "Bảo hiểm xã hội tỉnh"),
             ])),
        # --- Đất đai -------------------------------------------------------------------------------
        dict(code="1.003554", name="Hòa giải tranh chấp đất đai", field_code="G09-TN01", time_limit_unit="days",
             time_limit_amount=30, online_mode="none", fee_text="Không", legal_basis=DAT_LAW,
             result="Biên bản hòa giải tranh chấp đất đai",
             components=[C("Đơn yêu cầu hòa giải tranh chấp đất đai"),
                         C("Giấy tờ liên quan đến thửa đất tranh chấp", "copy", required=False)],
             steps=standard_steps(160, KT)),
        # --- Cấp tỉnh ------------------------------------------------------------------------------
        dict(code="2.000488", name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư "
                                   "trú tại Việt Nam",
             field_code="G09-TP05", agency_levels="province", time_limit_unit="working_days",
             time_limit_amount=10, online_mode="full", online_only=False,
             fee_text="200.000 đồng/lần (sinh viên, người có công: 100.000 đồng)", fee_amount=200000,
             legal_basis=LLTP_LAW, result="Phiếu lý lịch tư pháp",
             components=[C("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (theo mẫu)"),
                         C("Giấy tờ tùy thân", "copy")],
             steps=standard_steps(80, "Sở Tư pháp")),
    ]


# Decree 309/2026: procedures the province accepts at any desk (phi địa giới).
BOUNDARY_FREE = {"2.000488", "2.000815", "2.000884"}


def held_in(component_name: str) -> str:
    """Where the national databases already hold a demo component: identity papers in the population
    database, birth certificates in the civil-status records (reuse of digitised data)."""
    if component_name.startswith("Giấy tờ tùy thân") or component_name.startswith("Giấy tờ pháp lý của cá nhân"):
        return "population"
    if "Giấy khai sinh" in component_name:
        return "reused"
    return ""


def specs(commune_codes: list[str] | None, province_codes: list[str] | None) -> list[ProcedureSpec]:
    result = []
    for row, values in enumerate(_catalogue(), start=2):
        values = dict(values)
        level = values.pop("agency_levels", "commune")
        agencies = province_codes if level == "province" else commune_codes
        spec_online = values.get("online_mode")
        code = values.pop("code")
        result.append(ProcedureSpec(
            row=row, code=code, name=values.pop("name"), field_code=values["field_code"],
            field_name=FIELDS[values.pop("field_code")], agency_levels=level,
            time_limit_amount=Decimal(values.pop("time_limit_amount")), time_limit_unit=values.pop("time_limit_unit"),
            committed_amount=(Decimal(values.pop("committed_amount")) if "committed_amount" in values else None),
            online_mode=values.pop("online_mode"), online_only=values.pop("online_only", False),
            on_the_spot=values.pop("on_the_spot", False), fee_text=values.pop("fee_text", ""),
            fee_amount=values.pop("fee_amount", 0), legal_basis=values.pop("legal_basis", ""), status="published",
            effective_from=EFFECTIVE_FROM, effective_to=None,
            components=[replace(c, held_in=held_in(c.name)) for c in values.pop("components")],
            steps=values.pop("steps"), agencies=list(agencies) if agencies is not None else None,
            requirements=values.pop("requirements", ""), result=values.pop("result", ""),
            full_online_eligible=spec_online == "full", paper_result=True, form=_form(code),
            boundary_free=code in BOUNDARY_FREE,
        ))
        assert not values, values
    return result


def _form(code: str) -> FormSpec | None:
    definition = demo_forms.FORMS.get(code)
    return FormSpec(definition=definition, effective_from=demo_forms.EFFECTIVE_FROM) if definition else None


def seed(context: dict | None = None) -> dict:
    """Load the demo catalogue; link commune procedures to both communes and province ones to the province."""
    context = context or {}
    communes = [a.code for a in (context.get("commune"), context.get("commune2")) if a is not None] or None
    province = [context["province"].code] if context.get("province") is not None else None
    catalogue = specs(communes, province)
    apply_catalogue(catalogue)
    procedures = Procedure.objects.filter(code__in=[s.code for s in catalogue]).select_related("field")
    return {"procedures": {p.code: p for p in procedures}}
