"""The public pages: list with the facts of each procedure, a printable detail page, constant query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procedures.models import ProcedureStep

pytestmark = pytest.mark.django_db


def test_list_page_shows_each_result(client, make_procedure, make_field):
    make_procedure("2.000815", "Chứng thực bản sao từ bản chính", field=make_field("G09-TP03", "Chứng thực"),
                   time_limit_unit="same_day", time_limit_amount=Decimal(0), online_mode="partial",
                   fee_text="2.000 đồng/trang", agency_levels="commune")
    make_procedure("1.004873", "Xác nhận tình trạng hôn nhân", time_limit_amount=Decimal(3), committed_amount=Decimal(2),
                   online_mode="full", fee_text="", fee_amount=15000)
    response = client.get(reverse("procedures:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/thu-tuc/2.000815/"' in html
    assert "Chứng thực" in html and "Cấp xã" in html
    assert "Trong ngày" in html and "3 ngày làm việc" in html and "2 ngày làm việc" in html
    assert '<span class="badge soon">Một phần</span>' in html and '<span class="badge ok">Toàn trình</span>' in html
    assert "2.000 đồng/trang" in html and "15.000 đồng" in html
    assert "Tìm thấy 2 thủ tục" in html
    assert 'lang="vi"' in html


def test_list_page_in_english_keeps_working(client, make_procedure):
    make_procedure()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("procedures:list"))
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def test_pagination_keeps_the_query(client, make_procedure):
    for _ in range(25):
        make_procedure()
    html = client.get(reverse("procedures:list"), {"q": "thu nghiem", "online": "full"}).content.decode()
    assert "?q=thu+nghiem&amp;online=full&amp;page=2" in html
    second = client.get(reverse("procedures:list"), {"q": "thu nghiem", "online": "full", "page": 2})
    assert "Trang 2 / 2" in second.content.decode()


def test_detail_page_has_everything(client, org, make_procedure, make_field):
    procedure = make_procedure(
        "1.003583", "Liên thông khai sinh, thường trú, BHYT", field=make_field("G09-TP02", "Hộ tịch"),
        components=0, steps=0, agency_levels="commune", time_limit_amount=Decimal(3), committed_amount=Decimal(2),
        online_mode="full", online_only=True, on_the_spot=True, fee_text="Miễn phí", legal_basis="Luật Hộ tịch 2014",
        requirements="Trẻ dưới 6 tuổi", result="Giấy khai sinh", agencies=[org.commune],
    )
    procedure.components.create(order=1, name="Tờ khai đăng ký khai sinh", kind="original", count=1, required=True)
    procedure.components.create(order=2, name="Văn bản ủy quyền", kind="certified_copy", count=2, required=False)
    ProcedureStep.objects.create(procedure=procedure, order=1, name="Tiếp nhận", role="desk_officer",
                                 allowance_hours=Decimal(4))
    ProcedureStep.objects.create(procedure=procedure, order=2, name="Cấp thẻ bảo hiểm y tế", performer="parent",
                                 department_name="Bảo hiểm xã hội tỉnh", allowance_hours=Decimal(16))
    response = client.get(reverse("procedures:detail", args=[procedure.code]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["1.003583", "Hộ tịch (G09-TP02)", "Cấp xã", "3 ngày làm việc", "Thời hạn cam kết", "2 ngày làm việc",
                 "Toàn trình", "Chỉ tiếp nhận trực tuyến", "4 tại chỗ", "Miễn phí", "Tờ khai đăng ký khai sinh",
                 "Bản sao chứng thực", "Nếu có", "Cơ quan cấp trên", "Bảo hiểm xã hội tỉnh", "liên thông",
                 "16 giờ (2 ngày làm việc)", "20 giờ", "Luật Hộ tịch 2014", "Trẻ dưới 6 tuổi", "Giấy khai sinh",
                 org.commune.name, "data-print"]:  # the print button (static/js/motcua.js)
        assert text in html, text
    assert 'class="no-print"' in html  # the back link and print button are hidden on paper


def test_detail_page_without_steps_or_agencies(client, make_procedure):
    procedure = make_procedure(components=0, steps=0, legal_basis="")
    html = client.get(reverse("procedures:detail", args=[procedure.code])).content.decode()
    assert "Không yêu cầu giấy tờ." in html and "Chưa công bố quy trình nội bộ." in html and "liên thông" not in html


@pytest.mark.parametrize("rows", [1, 10, 50])
def test_list_page_query_count_is_constant(client, make_procedure, make_field, django_assert_num_queries, rows):
    field = make_field()
    for _ in range(rows):
        make_procedure(field=field)
    # fields for the filter, count, the page of procedures with their field
    with django_assert_num_queries(3):
        response = client.get(reverse("procedures:list"), {"q": "thu nghiem", "page": 1})
    assert response.status_code == 200
    assert response.content.decode().count("/thu-tuc/9.") == min(rows, 20)


@pytest.mark.parametrize("items", [1, 10, 50])
def test_detail_page_query_count_is_constant(client, org, make_procedure, django_assert_num_queries, items):
    procedure = make_procedure(components=items, steps=items, agencies=[org.commune, org.commune2])
    with django_assert_num_queries(4):
        response = client.get(reverse("procedures:detail", args=[procedure.code]))
    assert response.status_code == 200
