"""The printed forms 01–07 (Circular 03/2025): what each PDF says, its page size, and when a form does not apply.

The PDFs are read back with pypdf, so a test fails when a value is missing or misprinted, not only when
rendering crashes.
"""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pypdf import PdfReader

from dossiers import documents
from dossiers.documents import FORMS, render_dossier_form
from dossiers.models import (
    Apology,
    Channel,
    Dossier,
    DossierComponent,
    ReturnMethod,
    Status,
    Step,
    SupplementRequest,
    TimelineEvent,
    Verdict,
)
from dossiers.register import render_register
from organisation.errors import NotFound
from organisation.models import AdminUnit, Agency, AgencyLevel, Department, Desk, UnitLevel
from procedures.models import Component, ComponentKind, Field, Procedure, TimeUnit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NAME = "Nguyễn Thị Hồng Nhung"
CODE = "000.21.30.H34-261120-0007"
A5 = (419.5, 595.3)
A4_LANDSCAPE = (841.9, 595.3)


def at(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text with runs of white space folded to one space (lines wrap anywhere on A5)."""
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def pdf_text(data: bytes) -> str:
    return " ".join(pdf_pages(data))


def page_size(data: bytes, index: int = 0) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(data)).pages[index].mediabox
    return float(box.width), float(box.height)


def assert_size(data: bytes, expected: tuple[float, float]):
    width, height = page_size(data)
    assert abs(width - expected[0]) < 2 and abs(height - expected[1]) < 2, (width, height)


@pytest.fixture
def place(db):
    """Khánh Hòa province and a ward of it, with the ward's one-stop desk."""

    class Place:
        pass

    p = Place()
    p.province_unit = AdminUnit.objects.create(code="56", name="Tỉnh Khánh Hòa", level=UnitLevel.PROVINCE)
    p.ward_unit = AdminUnit.objects.create(
        code="22333", name="Phường Nha Trang", level=UnitLevel.COMMUNE, parent=p.province_unit
    )
    p.province = Agency.objects.create(
        code="000.00.00.H34",
        name="UBND tỉnh Khánh Hòa",
        level=AgencyLevel.PROVINCE,
        admin_unit=p.province_unit,
    )
    p.ward = Agency.objects.create(
        code="000.21.30.H34",
        name="UBND phường Nha Trang",
        level=AgencyLevel.COMMUNE,
        parent=p.province,
        admin_unit=p.ward_unit,
        phone="0258 3822 111",
        address="02 Lý Tự Trọng, phường Nha Trang",
    )
    p.department = Department.objects.create(agency=p.ward, code="VHXH", name="Phòng Văn hóa - Xã hội")
    Desk.objects.create(
        agency=p.ward, name="Bộ phận Một cửa phường Nha Trang", address="02 Lý Tự Trọng, phường Nha Trang"
    )
    field = Field.objects.create(code="G09-TP02", name="Hộ tịch")
    p.procedure = Procedure.objects.create(
        code="1.004873",
        name="Xác nhận tình trạng hôn nhân",
        field=field,
        time_limit_amount=3,
        time_limit_unit=TimeUnit.WORKING_DAYS,
    )
    Component.objects.create(
        procedure=p.procedure, order=1, name="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"
    )
    Component.objects.create(
        procedure=p.procedure,
        order=2,
        name="Giấy tờ chứng minh việc ly hôn",
        kind=ComponentKind.CERTIFIED_COPY,
    )
    return p


@pytest.fixture
def people(make_user, place):
    class People:
        pass

    p = People()
    p.desk = make_user("motcua_nt", last_name="Lê Văn", first_name="Tâm")
    p.officer = make_user("chuyenvien_nt", last_name="Trần Thị", first_name="Mỹ Duyên")
    p.head = make_user("lanhdao_nt", last_name="Phạm Quốc", first_name="Hưng")
    return p


@pytest.fixture
def make_dossier(place, people):
    def make(code=CODE, status=Status.PROCESSING, **extra):
        values = {
            "code": code,
            "procedure": place.procedure,
            "agency": place.ward,
            "status": status,
            "channel": Channel.COUNTER,
            "applicant_name": NAME,
            "applicant_id_number": "056190001234",
            "applicant_phone": "0905 123 456",
            "applicant_email": "nhung.nguyen@example.vn",
            "applicant_address": "15 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa",
            "summary": "Xác nhận tình trạng hôn nhân để đăng ký kết hôn",
            "received_by": people.desk,
            "received_at": at(2026, 11, 20, 9, 15),
            "appointment_at": at(2026, 11, 24, 16, 30),
            "original_appointment_at": at(2026, 11, 24, 16, 30),
        }
        values.update(extra)
        dossier = Dossier.objects.create(**values)
        for component in place.procedure.components.all():
            DossierComponent.objects.create(
                dossier=dossier,
                component=component,
                name=component.name,
                kind=component.kind,
                count=component.count,
            )
        return dossier

    return make


# --- form 01 --------------------------------------------------------------------------------------------


def test_receipt_prints_what_circular_03_asks(make_dossier):
    pdf = render_dossier_form(make_dossier(), "receipt")

    text = pdf_text(pdf)
    assert "Mẫu số 01" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    # A commune's form: its committee first, then its own desk; the province is not its printed parent.
    assert "UBND PHƯỜNG NHA TRANG BỘ PHẬN MỘT CỬA PHƯỜNG NHA TRANG" in text and "UBND TỈNH KHÁNH HÒA" not in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Nha Trang, ngày 20 tháng 11 năm 2026" in text
    assert CODE in text
    assert NAME in text
    assert "056190001234" in text and "0905 123 456" in text and "nhung.nguyen@example.vn" in text
    assert "15 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa" in text
    assert "Xác nhận tình trạng hôn nhân" in text
    assert "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân" in text
    assert "Giấy tờ chứng minh việc ly hôn" in text and "Bản sao chứng thực" in text
    assert "3 ngày làm việc" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 20/11/2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 24/11/2026" in text
    assert "Bộ phận Một cửa phường Nha Trang, 02 Lý Tự Trọng" in text
    assert "4 chữ số cuối của số điện thoại" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Lê Văn Tâm" in text


def test_receipt_is_one_a5_page_with_the_shipped_font(make_dossier):
    pdf = render_dossier_form(make_dossier(), "receipt")

    assert pdf.startswith(b"%PDF-")
    assert_size(pdf, A5)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    # Subset names look like "/KQONVB+MotCua-Semi-Condensed": only the @font-face family, no system font.
    assert fonts and all(name.split("+", 1)[1].startswith("MotCua") for name in fonts), fonts


def test_times_are_printed_in_vietnam_time_whatever_the_active_zone(make_dossier):
    dossier = make_dossier(
        received_at=dt.datetime(2026, 11, 20, 2, 15, tzinfo=dt.UTC),
        appointment_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC),
    )

    with timezone.override("Europe/London"):
        text = pdf_text(render_dossier_form(dossier, "receipt"))

    assert "09 giờ 15 phút, ngày 20/11/2026" in text
    assert "16 giờ 30 phút, ngày 24/11/2026" in text


def test_receipt_of_a_postal_return_names_the_address(make_dossier):
    dossier = make_dossier(return_method=ReturnMethod.POST, return_address="Hộp thư 12, Bưu điện Nha Trang")

    text = pdf_text(render_dossier_form(dossier, "receipt"))

    assert "Qua dịch vụ bưu chính công ích: Hộp thư 12, Bưu điện Nha Trang" in text


def test_receipt_with_many_components_flows_onto_a_second_page(make_dossier, place):
    dossier = make_dossier()
    for index in range(40):
        DossierComponent.objects.create(dossier=dossier, name=f"Giấy tờ bổ trợ số {index + 1}", kind="copy")

    pdf = render_dossier_form(dossier, "receipt")

    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    assert "Giấy tờ bổ trợ số 40" in " ".join(pages)
    assert "Giấy tờ bổ trợ số 40" not in pages[0]
    assert "Tên giấy tờ" in pages[1], "the table header repeats on the next page"
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in pages[-1]


def test_receipt_needs_a_code(make_dossier):
    dossier = make_dossier(code=None, status=Status.SUBMITTED, received_at=None, appointment_at=None)

    with pytest.raises(NotFound) as caught:
        render_dossier_form(dossier, "receipt")
    assert caught.value.code == "document_not_applicable"
    assert "chưa được tiếp nhận" in str(caught.value.detail)


def test_no_receipt_for_a_counter_dossier_sent_home_for_a_supplement(make_dossier):
    # Recorded with its code at the counter, but never received: form 02 applies, form 01 does not.
    dossier = make_dossier(status=Status.SUPPLEMENT_REQUESTED, received_at=None, appointment_at=None)

    with pytest.raises(NotFound) as caught:
        render_dossier_form(dossier, "receipt")
    assert caught.value.code == "document_not_applicable"


def test_receipt_of_a_dossier_with_little_data_still_prints(place):
    dossier = Dossier.objects.create(
        code="000.21.30.H34-261120-0099",
        procedure=place.procedure,
        agency=place.ward,
        status=Status.RECEIVED,
        received_at=timezone.now(),
        applicant_name="Đặng Ư",
        channel=Channel.ONLINE,
    )

    text = pdf_text(render_dossier_form(dossier, "receipt"))

    assert "Đặng Ư" in text and "Không có giấy tờ kèm theo." in text


def test_an_unknown_form_is_not_found(make_dossier):
    with pytest.raises(NotFound) as caught:
        render_dossier_form(make_dossier(), "register-of-births")
    assert caught.value.code == "document_not_found"


def test_forms_table_names_the_six_dossier_forms():
    assert FORMS == {
        "receipt": "01",
        "supplement": "02",
        "refusal": "03",
        "apology": "04",
        "stop": "05",
        "control-sheet": "06",
    }


# --- form 02 --------------------------------------------------------------------------------------------


def test_supplement_request_lists_the_missing_items_and_reason(make_dossier, people):
    dossier = make_dossier(status=Status.SUPPLEMENT_REQUESTED, supplement_count=2)
    SupplementRequest.objects.create(
        dossier=dossier,
        round=1,
        requested_at=at(2026, 11, 20, 14, 0),
        requested_by=people.officer,
        items="Bản sao giấy khai sinh",
        reason="Thiếu giấy tờ",
        replied_at=at(2026, 11, 21, 8, 0),
    )
    SupplementRequest.objects.create(
        dossier=dossier,
        round=2,
        requested_at=at(2026, 11, 23, 10, 5),
        requested_by=people.officer,
        items="- Trích lục ghi chú ly hôn\n- Giấy xác nhận nơi cư trú\n",
        reason="Bản án ly hôn chưa có xác nhận",
    )

    pdf = render_dossier_form(dossier, "supplement")

    text = pdf_text(pdf)
    assert_size(pdf, A5)
    assert "Mẫu số 02" in text
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert CODE in text and NAME in text
    assert "(Lần 2)" in text
    assert "1. Trích lục ghi chú ly hôn" in text and "2. Giấy xác nhận nơi cư trú" in text
    assert "Bản sao giấy khai sinh" not in text, "only the latest round is printed"
    assert "Lý do: Bản án ly hôn chưa có xác nhận" in text
    assert "10 giờ 05 phút, ngày 23/11/2026" in text
    assert "Nha Trang, ngày 23 tháng 11 năm 2026" in text
    assert "0258 3822 111" in text
    assert "NGƯỜI HƯỚNG DẪN" in text and "Trần Thị Mỹ Duyên" in text


def test_supplement_form_needs_a_supplement_request(make_dossier):
    with pytest.raises(NotFound):
        render_dossier_form(make_dossier(), "supplement")


# --- form 03 --------------------------------------------------------------------------------------------


def test_refusal_prints_the_reasons(make_dossier, people):
    dossier = make_dossier(
        status=Status.REFUSED,
        reason="Hồ sơ không thuộc thẩm quyền của phường\nĐề nghị nộp tại Sở Tư pháp",
        finished_at=at(2026, 11, 20, 9, 40),
    )
    TimelineEvent.objects.create(
        dossier=dossier,
        at=at(2026, 11, 20, 9, 40),
        action="refuse",
        actor=people.desk,
        from_status=2,
        to_status=3,
    )

    pdf = render_dossier_form(dossier, "refusal")

    text = pdf_text(pdf)
    assert_size(pdf, A5)
    assert "Mẫu số 03" in text
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert NAME in text and CODE in text
    assert "1. Hồ sơ không thuộc thẩm quyền của phường" in text
    assert "2. Đề nghị nộp tại Sở Tư pháp" in text
    assert "Lê Văn Tâm" in text


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.PROCESSING, Status.STOPPED, Status.RETURNED])
def test_refusal_form_needs_a_refused_dossier(make_dossier, status):
    with pytest.raises(NotFound):
        render_dossier_form(make_dossier(status=status, reason="Lý do khác"), "refusal")


# --- form 04 --------------------------------------------------------------------------------------------


def test_apology_prints_old_and_new_dates_reason_and_signer(make_dossier, people):
    dossier = make_dossier(appointment_at=at(2026, 11, 27, 10, 0))
    Apology.objects.create(
        dossier=dossier,
        issued_at=at(2026, 11, 23, 15, 0),
        issued_by=people.head,
        reason="Cần xác minh tình trạng hôn nhân tại nơi cư trú trước đây",
        old_appointment_at=at(2026, 11, 24, 16, 30),
        new_appointment_at=at(2026, 11, 27, 10, 0),
    )

    pdf = render_dossier_form(dossier, "apology")

    text = pdf_text(pdf)
    assert_size(pdf, A5)
    assert "Mẫu số 04" in text
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert f"Kính gửi: Ông/Bà {NAME}" in text
    assert CODE in text
    assert "09 giờ 15 phút, ngày 20/11/2026" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 24/11/2026" in text
    assert "10 giờ 00 phút, ngày 27/11/2026" in text
    assert "Cần xác minh tình trạng hôn nhân tại nơi cư trú trước đây" in text
    assert "thành thật xin lỗi ông/bà" in text
    assert "Nha Trang, ngày 23 tháng 11 năm 2026" in text
    assert "THỦ TRƯỞNG CƠ QUAN" in text and "Phạm Quốc Hưng" in text


def test_apology_form_needs_an_apology(make_dossier):
    with pytest.raises(NotFound):
        render_dossier_form(make_dossier(is_late=True), "apology")


# --- form 05 --------------------------------------------------------------------------------------------


def test_stop_notice_prints_the_reason(make_dossier, people):
    dossier = make_dossier(status=Status.STOPPED, reason="Công dân yêu cầu rút hồ sơ để bổ sung giấy tờ")
    TimelineEvent.objects.create(
        dossier=dossier,
        at=at(2026, 11, 23, 8, 10),
        action="withdraw",
        actor_name=NAME,
        from_status=4,
        to_status=7,
    )
    TimelineEvent.objects.create(
        dossier=dossier,
        at=at(2026, 11, 23, 9, 0),
        action="stop",
        actor=people.head,
        from_status=7,
        to_status=8,
    )

    pdf = render_dossier_form(dossier, "stop")

    text = pdf_text(pdf)
    assert_size(pdf, A5)
    assert "Mẫu số 05" in text
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert NAME in text and CODE in text
    assert "Công dân yêu cầu rút hồ sơ để bổ sung giấy tờ" in text
    assert "08 giờ 10 phút, ngày 23/11/2026" in text
    assert "09 giờ 00 phút, ngày 23/11/2026" in text
    assert "Phạm Quốc Hưng" in text
    assert text.count(NAME) == 1, "the addressee is named once"


def test_stop_notice_needs_a_stopped_dossier(make_dossier):
    with pytest.raises(NotFound):
        render_dossier_form(make_dossier(status=Status.PROCESSING), "stop")


# --- form 06 --------------------------------------------------------------------------------------------


def test_control_sheet_has_one_row_per_hand_over_with_the_givers_verdict(make_dossier, place, people):
    dossier = make_dossier(
        status=Status.RETURNED,
        returned_at=at(2026, 11, 24, 15, 0),
        verdict=Verdict.EARLY,
        finished_at=at(2026, 11, 24, 11, 0),
    )
    Step.objects.create(
        dossier=dossier,
        order=1,
        name="Thẩm định hồ sơ",
        agency=place.ward,
        department=place.department,
        assignee=people.officer,
        started_at=at(2026, 11, 20, 10, 0),
        due_at=at(2026, 11, 23, 10, 0),
        finished_at=at(2026, 11, 23, 14, 0),
        verdict=Verdict.LATE,
        is_late=True,
    )
    Step.objects.create(
        dossier=dossier,
        order=2,
        name="Phê duyệt",
        agency=place.ward,
        assignee=people.head,
        started_at=at(2026, 11, 23, 14, 0),
        due_at=at(2026, 11, 24, 14, 0),
        finished_at=at(2026, 11, 24, 11, 0),
        verdict=Verdict.EARLY,
    )
    TimelineEvent.objects.create(dossier=dossier, at=at(2026, 11, 24, 11, 0), action="decide", to_status=9)

    pdf = render_dossier_form(dossier, "control-sheet")

    text = pdf_text(pdf)
    assert_size(pdf, A5)
    assert "Mẫu số 06" in text
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert CODE in text and NAME in text
    rows = re.findall(r"(?<!\d)\d Giao: (.*?) Nhận: ", text)
    assert len(rows) == 4, rows  # desk → step 1 → step 2 → desk → applicant
    assert "Thẩm định hồ sơ (Phòng Văn hóa - Xã hội)" in text
    assert "Trần Thị Mỹ Duyên" in text and "Phạm Quốc Hưng" in text and "Lê Văn Tâm" in text
    assert "10 giờ 00 phút, ngày 20/11/2026" in text  # desk → step 1
    assert "14 giờ 00 phút, ngày 23/11/2026" in text  # step 1 → step 2
    assert "11 giờ 00 phút, ngày 24/11/2026" in text  # step 2 → desk
    assert "15 giờ 00 phút, ngày 24/11/2026" in text  # desk → applicant
    # Step 1 was late, step 2 early, the dossier early: in the order of the hand-overs.
    table = text.split("Thời gian giao, nhận hồ sơ", 1)[1].split("* Kết quả xử lý", 1)[0]
    verdicts = re.findall(r"Trước hạn|Đúng hạn|Quá hạn", table)
    assert verdicts == ["Quá hạn", "Trước hạn", "Trước hạn"], verdicts


def test_control_sheet_of_a_dossier_just_received_leaves_rows_to_fill_by_hand(make_dossier, place):
    dossier = make_dossier(status=Status.RECEIVED)
    Step.objects.create(dossier=dossier, order=1, name="Thẩm định hồ sơ", agency=place.ward)

    text = pdf_text(render_dossier_form(dossier, "control-sheet"))

    assert "…… giờ …… phút, ngày ……/……/……" in text
    assert "Hẹn trả: 24/11/2026 16:30" in text


def test_control_sheet_names_the_other_agency_of_a_liên_thông_step(make_dossier, place, people):
    dossier = make_dossier()
    Step.objects.create(
        dossier=dossier, order=1, name="Thẩm định", agency=place.ward, assignee=people.officer
    )
    Step.objects.create(dossier=dossier, order=2, name="Cấp giấy", agency=place.province)

    text = pdf_text(render_dossier_form(dossier, "control-sheet"))

    assert "Cấp giấy (UBND tỉnh Khánh Hòa)" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ: UBND tỉnh Khánh Hòa" in text


def test_control_sheet_needs_a_code(make_dossier):
    with pytest.raises(NotFound):
        render_dossier_form(make_dossier(code=None, status=Status.SUBMITTED), "control-sheet")


def test_forms_query_count_does_not_grow_with_steps_and_events(
    make_dossier, place, people, django_assert_max_num_queries
):
    def dossier_with(steps: int):
        dossier = make_dossier(code=f"{CODE}-{steps}")
        for order in range(1, steps + 1):
            Step.objects.create(
                dossier=dossier,
                order=order,
                name=f"Bước {order}",
                agency=place.ward,
                assignee=people.officer,
                department=place.department,
            )
            TimelineEvent.objects.create(
                dossier=dossier, at=at(2026, 11, 20, 10, order), action="note", actor=people.officer
            )
        return dossier

    small, large = dossier_with(1), dossier_with(12)
    with django_assert_max_num_queries(8):
        render_dossier_form(small, "control-sheet")
    with django_assert_max_num_queries(8):
        render_dossier_form(large, "control-sheet")
    with django_assert_max_num_queries(8):
        render_dossier_form(large, "receipt")


# --- form 07 --------------------------------------------------------------------------------------------


def test_register_of_sixty_dossiers_spans_pages_and_lists_every_code(make_dossier, place, people):
    codes = []
    for index in range(60):
        received = at(2026, 11, 2 + index % 20, 8, 0) + dt.timedelta(minutes=index)
        code = f"000.21.30.H34-2611{2 + index % 20:02d}-{index + 1:04d}"
        codes.append(code)
        make_dossier(
            code=code,
            received_at=received,
            appointment_at=received + dt.timedelta(days=3),
            status=Status.RETURNED if index % 3 == 0 else Status.PROCESSING,
            returned_at=received + dt.timedelta(days=2) if index % 3 == 0 else None,
        )
    other = Agency.objects.create(code="000.21.31.H34", name="UBND xã Vĩnh Lương", level=AgencyLevel.COMMUNE)
    make_dossier(code="000.21.31.H34-261110-0001", agency=other, received_at=at(2026, 11, 10, 9, 0))
    make_dossier(code="000.21.30.H34-261031-0001", received_at=at(2026, 10, 31, 16, 0))

    pdf = render_register(place.ward, dt.date(2026, 11, 1), dt.date(2026, 11, 30))

    pages = pdf_pages(pdf)
    text = " ".join(pages)
    assert_size(pdf, A4_LANDSCAPE)
    assert len(pages) >= 3
    assert "Mẫu số 07" in text and "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026" in text
    for code in codes:
        assert code in text, code
    assert "000.21.31.H34-261110-0001" not in text, "another agency's dossier"
    assert "000.21.30.H34-261031-0001" not in text, "received before the period"
    for page in pages:
        assert "Mã hồ sơ" in page and "Cán bộ tiếp nhận" in page, "the header row repeats on every page"
    assert NAME in text and "Lê Văn Tâm" in text and "0905 123 456" in text
    assert "Tổng số: 60 hồ sơ." in text


def test_register_period_is_in_vietnam_days(make_dossier, place):
    # 30/11 23:30 in Vietnam is still 30/11 there, though 16:30 UTC; 01/12 00:30 there is 30/11 UTC.
    make_dossier(code="IN-0001", received_at=at(2026, 11, 30, 23, 30))
    make_dossier(code="OUT-0001", received_at=at(2026, 12, 1, 0, 30))

    text = pdf_text(render_register(place.ward, dt.date(2026, 11, 1), dt.date(2026, 11, 30)))

    assert "IN-0001" in text and "OUT-0001" not in text


def test_register_accepts_the_callers_selection(make_dossier, place):
    make_dossier(code="KEEP-0001")
    make_dossier(code="DROP-0001")

    text = pdf_text(
        render_register(
            place.ward,
            dt.date(2026, 11, 1),
            dt.date(2026, 11, 30),
            dossiers=Dossier.objects.filter(code="KEEP-0001"),
        )
    )

    assert "KEEP-0001" in text and "DROP-0001" not in text
    assert "Tổng số: 1 hồ sơ." in text


def test_register_query_count_does_not_grow_with_rows(make_dossier, place, django_assert_max_num_queries):
    def render():
        agency = Agency.objects.get(pk=place.ward.pk)  # nothing cached from the fixture
        return render_register(agency, dt.date(2026, 11, 1), dt.date(2026, 11, 30))

    make_dossier(code="ONE-0001")
    # The dossiers, their steps and transfers, the desk of the header, the form set in force.
    with django_assert_max_num_queries(8) as one:
        render()
    for index in range(9):
        make_dossier(code=f"TEN-{index:04d}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        render()
    for index in range(90):
        make_dossier(code=f"HUNDRED-{index:04d}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        render()


def test_empty_register_still_prints(place):
    text = pdf_text(render_register(place.ward, dt.date(2026, 11, 1), dt.date(2026, 11, 30)))

    assert "Không có hồ sơ nào trong kỳ." in text and "Tổng số: 0 hồ sơ." in text


# --- the pieces -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (dt.date(2026, 1, 21), "ngày 21 tháng 01 năm 2026"),
        (dt.date(2026, 3, 1), "ngày 01 tháng 3 năm 2026"),
        (dt.date(2026, 11, 21), "ngày 21 tháng 11 năm 2026"),
    ],
)
def test_long_dates_pad_as_decree_30_asks(value, expected):
    assert documents.format_long_date(value) == expected


def test_place_name_drops_the_level_word_but_not_from_a_numbered_ward(db):
    province = AdminUnit.objects.create(code="56", name="Tỉnh Khánh Hòa", level=UnitLevel.PROVINCE)
    numbered = AdminUnit.objects.create(code="99", name="Phường 1", level=UnitLevel.COMMUNE, parent=province)
    top = Agency.objects.create(
        code="A.1", name="UBND tỉnh Khánh Hòa", level=AgencyLevel.PROVINCE, admin_unit=province
    )
    bare = Agency.objects.create(code="A.2", name="Sở Tư pháp", level=AgencyLevel.PROVINCE, parent=top)
    ward = Agency.objects.create(
        code="A.3", name="UBND Phường 1", level=AgencyLevel.COMMUNE, admin_unit=numbered
    )
    nowhere = Agency.objects.create(code="A.4", name="Cơ quan thử", level=AgencyLevel.COMMUNE)

    assert documents.place_name(top) == "Khánh Hòa"
    assert documents.place_name(bare) == "Khánh Hòa", "inherited from the parent agency"
    assert documents.place_name(ward) == "Phường 1"
    assert documents.place_and_date(nowhere, dt.date(2026, 11, 21)) == "Ngày 21 tháng 11 năm 2026"


def test_time_limit_text_names_the_committed_time_and_the_legal_one(place):
    procedure = place.procedure
    assert documents.time_limit_text(procedure) == "3 ngày làm việc"
    procedure.committed_amount = 2
    assert documents.time_limit_text(procedure) == "2 ngày làm việc (theo quy định: 3 ngày làm việc)"
    procedure.time_limit_unit, procedure.committed_amount = TimeUnit.SAME_DAY, None
    assert documents.time_limit_text(procedure) == "Trong ngày"
    procedure.time_limit_unit, procedure.time_limit_amount = TimeUnit.WORKING_HOURS, 4
    assert documents.time_limit_text(procedure) == "4 giờ làm việc"


def test_qr_holds_the_code_or_the_look_up_link_when_the_portal_address_is_known(settings):
    settings.PORTAL_URL = ""
    assert documents._qr_payload(CODE) == CODE
    settings.PORTAL_URL = "https://dichvucong.khanhhoa.gov.vn/"
    assert documents._qr_payload(CODE).startswith("https://dichvucong.khanhhoa.gov.vn/")
    assert documents._qr_payload(CODE).endswith(f"?code={CODE}")


def test_barcodes_are_svg_data_uris():
    from dossiers.barcodes import code128_svg, qr_data_uri, qr_svg

    assert qr_data_uri(CODE).startswith("data:image/svg+xml;base64,")
    assert "<svg" in qr_svg(CODE)
    barcode = code128_svg(CODE)
    bars = re.findall(r'<rect x="[\d.]+mm"', barcode)
    # Code128: start + data + check + stop, three bars each (stop has four); the code uses code sets B and C.
    assert 20 < len(bars) < 3 * (len(CODE) + 4), len(bars)


# --- issue 16: what a commune would sign ------------------------------------------------------------------


def test_a_centre_reads_its_committee_first(place, make_dossier):
    centre = Agency.objects.create(code="000.00.01.H34", name="Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa",
                                   level=AgencyLevel.PROVINCE, admin_unit=place.province_unit)
    text = pdf_text(render_dossier_form(make_dossier(agency=centre), "receipt"))
    assert "UBND TỈNH KHÁNH HÒA TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH KHÁNH HÒA" in text


def test_receipt_names_its_register_entry_and_an_online_one_asks_no_wet_signature(make_dossier):
    text = pdf_text(render_dossier_form(make_dossier(register_year=2026, register_no=7), "receipt"))
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 01/2026, Số thứ tự: 0007" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    online = make_dossier(code="000.21.30.H34-261120-0008", channel=Channel.ONLINE, register_year=2026,
                          register_no=8)
    text = pdf_text(render_dossier_form(online, "receipt"))
    assert "NGƯỜI NỘP HỒ SƠ" not in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "không cần chữ ký của người nộp" in text


def test_supplement_request_prints_its_deadline_and_restarts_only_a_received_dossier(make_dossier, people):
    received = make_dossier(status=Status.SUPPLEMENT_REQUESTED, supplement_count=1)
    SupplementRequest.objects.create(dossier=received, round=1, requested_at=at(2026, 11, 23, 10, 0),
                                     requested_by=people.officer, items="Giấy xác nhận nơi cư trú",
                                     deadline_at=at(2026, 11, 30, 10, 0))
    text = pdf_text(render_dossier_form(received, "supplement"))
    assert "Thời hạn bổ sung: trước 10 giờ 00 phút, ngày 30/11/2026" in text
    assert "được tính lại từ khi nhận đủ" in text
    at_counter = make_dossier(code="000.21.30.H34-261120-0009", status=Status.SUPPLEMENT_REQUESTED,
                              received_at=None, appointment_at=None, original_appointment_at=None)
    SupplementRequest.objects.create(dossier=at_counter, round=1, requested_at=at(2026, 11, 23, 10, 0),
                                     requested_by=people.desk, items="Ảnh 4x6", deadline_at=at(2026, 11, 30, 10, 0))
    text = pdf_text(render_dossier_form(at_counter, "supplement"))
    assert "tính lại" not in text and "tính thời hạn giải quyết khi đã đầy đủ" in text


def test_refusal_after_appraisal_has_its_own_wording_and_the_head_signs(make_dossier, people, place):
    from organisation.models import Role, StaffMembership

    StaffMembership.objects.create(user=people.head, agency=place.ward, role=Role.HEAD)
    dossier = make_dossier(status=Status.REFUSED, reason="Không đủ điều kiện xác nhận",
                           finished_at=at(2026, 11, 23, 9, 0))
    TimelineEvent.objects.create(dossier=dossier, at=at(2026, 11, 23, 9, 0), action="refuse", actor=people.head,
                                 from_status=4, to_status=3)
    text = pdf_text(render_dossier_form(dossier, "refusal"))
    assert "Sau khi thẩm định hồ sơ, UBND phường Nha Trang không giải quyết hồ sơ này" in text
    assert "THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT" in text and "Phạm Quốc Hưng" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" not in text and "đối chiếu thành phần hồ sơ" not in text


def test_register_is_the_book_of_the_year(make_dossier, place, people):
    returned = make_dossier(code="A-0001", status=Status.RETURNED, register_year=2026, register_no=41,
                            verdict=Verdict.EARLY, returned_at=at(2026, 11, 23, 10, 0))
    Step.objects.create(dossier=returned, order=1, name="Tiếp nhận", agency=place.ward, role="desk_officer")
    Step.objects.create(dossier=returned, order=2, name="Thẩm định", agency=place.province, role="processing_officer")
    TimelineEvent.objects.create(dossier=returned, at=at(2026, 11, 20, 10, 0), action="transfer", actor=people.desk,
                                 from_status=2, to_status=4)
    make_dossier(code="B-0001", status=Status.REFUSED, register_year=2026, register_no=42, verdict=Verdict.EARLY,
                 received_at=None, submitted_at=at(2026, 11, 20, 10, 0))
    make_dossier(code="C-0001", status=Status.STOPPED, register_year=2026, register_no=43, verdict=Verdict.EARLY)
    from dossiers.views import register_rows as page_rows

    rows = list(page_rows(place.ward, dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    assert [d.code for d in rows] == ["A-0001", "C-0001", "B-0001"] or {d.code for d in rows} == {
        "A-0001", "B-0001", "C-0001"}
    text = pdf_text(render_register(place.ward, dt.date(2026, 11, 1), dt.date(2026, 11, 30), rows))
    assert "Quyển số: 01/2026" in text
    for heading in ("Số thứ tự", "Số bộ", "Cơ quan chủ trì giải quyết", "Chuyển hồ sơ đến cơ quan giải quyết",
                    "Người nhận kết quả ký", "Thủ tục hành chính"):
        assert heading in text, heading
    assert "41" in text and "42" in text and "43" in text
    assert "UBND tỉnh Khánh Hòa" in text  # the lead agency of A-0001
    assert "20/11/2026 10:00" in text  # its transfer
    assert "Từ chối tiếp nhận tại quầy" in text  # the counter refusal is registered
    assert text.count("Trước hạn") == 1  # only the returned dossier has a verdict


def test_a_form_prints_with_the_form_set_in_force_when_it_was_issued(make_dossier):
    from dossiers.models import FormSet

    FormSet.objects.update_or_create(code="tt03-2025", defaults={
        "name": "Thông tư 03/2025", "legal_basis": "Thông tư số 03/2025/TT-VPCP", "effective_from": dt.date(2025, 7, 1)})
    FormSet.objects.create(code="btp-2027", name="Bộ mẫu 2027", legal_basis="Thông tư số 01/2027/TT-BTP",
                           effective_from=dt.date(2027, 1, 1))
    old = pdf_text(render_dossier_form(make_dossier(), "receipt"))
    assert "ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in old
    new = make_dossier(code="000.21.30.H34-270104-0001", received_at=at(2027, 1, 4, 9, 0),
                       appointment_at=at(2027, 1, 7, 9, 0))
    assert "ban hành kèm theo Thông tư số 01/2027/TT-BTP" in pdf_text(render_dossier_form(new, "receipt"))
    assert documents.form_set_for(at(2026, 12, 31, 23, 0)).code == "tt03-2025"
    assert documents._form_template(documents.form_set_for(at(2027, 2, 1)), "receipt") == [
        "forms/btp-2027/receipt.html", "forms/receipt.html"]
