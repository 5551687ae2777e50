"""The demo catalogue's electronic forms (tờ khai điện tử), following the official forms' fields.

Civil status: the declarations of Circular 04/2020/TT-BTP (as amended by Circular 04/2024/TT-BTP); residence:
form CT01 of Circular 55/2021/TT-BCA; household business: the application of Appendix III-1 (Circular
02/2023/TT-BKHĐT, carried over by Circular 68/2025/TT-BTC). Data, checked by procedures/formdefs.py.
"""

from __future__ import annotations

import datetime

EFFECTIVE_FROM = datetime.date(2025, 7, 1)


def t(vi: str, en: str) -> dict:
    return {"vi": vi, "en": en}


def f(name: str, kind: str, vi: str, en: str, **extra) -> dict:
    return {"name": name, "type": kind, "label": t(vi, en), **extra}


def group(name: str, vi: str, en: str, fields: list[dict], **extra) -> dict:
    return {"name": name, "type": "group", "label": t(vi, en), "fields": fields, **extra}


# The values the person record uses for gender (population.records), so a prefill matches a choice.
SEX = [{"value": "male", "label": t("Nam", "Male")}, {"value": "female", "label": t("Nữ", "Female")}]
ID_HELP = t("12 chữ số trên thẻ Căn cước / Căn cước công dân.", "The 12 digits on the citizen identity card.")
DATE_HELP = t("Ngày/tháng/năm, ví dụ 05/09/2026.", "Day/month/year, e.g. 05/09/2026.")
COMMIT = ("Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về "
          "cam đoan của mình.",
          "I declare that the above is true and I am responsible before the law for this declaration.")


def _declarant(relation_vi: str, relation_en: str) -> dict:
    return group("declarant", "Người yêu cầu", "Applicant", [
        f("full_name", "text", "Họ, chữ đệm, tên", "Full name", required=True, max_length=100,
          prefill="person.full_name"),
        f("id_number", "id_number", "Số định danh cá nhân", "Personal identification number", required=True,
          help=ID_HELP, prefill="person.id_number"),
        f("address", "address", "Nơi cư trú", "Place of residence", required=True, prefill="person.address"),
        f("phone", "phone", "Số điện thoại", "Phone number", prefill="person.phone"),
        f("relation", "text", relation_vi, relation_en, required=True, max_length=60),
    ])


BIRTH = {
    "title": t("TỜ KHAI ĐĂNG KÝ KHAI SINH", "BIRTH REGISTRATION DECLARATION"),
    "form_number": "Mẫu tờ khai đăng ký khai sinh (Thông tư 04/2020/TT-BTP)",
    "addressee": True,
    "commitment": t("Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận "
                    "nhất trí của các bên liên quan theo quy định pháp luật. Tôi chịu hoàn toàn trách nhiệm trước "
                    "pháp luật về nội dung cam đoan của mình.",
                    "I declare that the above birth registration request is true and agreed by the parties "
                    "concerned as the law requires. I bear full responsibility before the law for this declaration."),
    "fields": [
        _declarant("Quan hệ với người được khai sinh", "Relation to the child"),
        group("child", "Người được khai sinh", "The child", [
            f("full_name", "text", "Họ, chữ đệm, tên", "Full name", required=True, max_length=100),
            f("sex", "choice", "Giới tính", "Sex", required=True, choices=SEX),
            f("birth_date", "date", "Ngày, tháng, năm sinh", "Date of birth", required=True, past=True,
              min="1900-01-01", help=DATE_HELP),
            f("birth_place", "address", "Nơi sinh", "Place of birth", required=True,
              help=t("Tên cơ sở y tế, xã/phường, tỉnh/thành phố.", "Health facility, commune/ward, province/city.")),
            f("ethnicity", "text", "Dân tộc", "Ethnicity", required=True, max_length=40),
            f("nationality", "text", "Quốc tịch", "Nationality", required=True, max_length=60),
            f("hometown", "address", "Quê quán", "Home town"),
        ]),
        group("parents", "Cha, mẹ", "Parents", [
            f("role", "choice", "Là", "Is the", required=True,
              choices=[{"value": "me", "label": t("Mẹ", "Mother")}, {"value": "cha", "label": t("Cha", "Father")}]),
            f("full_name", "text", "Họ, chữ đệm, tên", "Full name", required=True, max_length=100, prefill="full_name"),
            f("birth_date", "date", "Ngày, tháng, năm sinh", "Date of birth", required=True, past=True,
              min="1900-01-01", prefill="birth_date", help=DATE_HELP),
            f("ethnicity", "text", "Dân tộc", "Ethnicity", required=True, max_length=40),
            f("nationality", "text", "Quốc tịch", "Nationality", required=True, max_length=60),
            f("address", "address", "Nơi cư trú", "Place of residence", required=True, prefill="address"),
            f("id_number", "id_number", "Số định danh cá nhân", "Personal identification number", prefill="id_number",
              help=ID_HELP),
        # The declarant (usually a parent) first, then their spouse: the household register names relations to
        # its head, so the spouse is the wife or husband, or the head when the declarant is the wife or husband.
        ], repeat={"min": 1, "max": 2}, prefill=["person", "person.household[relation=vợ|chồng|chủ hộ]"],
            help=t("Ghi cả cha và mẹ nếu đã xác định được.", "Both parents where known.")),
        f("copies", "number", "Số bản sao Giấy khai sinh đề nghị cấp", "Copies of the birth certificate requested",
          min=0, max=10),
        f("commitment", "checkbox", "Tôi cam đoan nội dung khai là đúng sự thật", "I declare the above is true",
          required=True),
    ],
}

RESIDENCE = {
    "title": t("TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", "DECLARATION OF CHANGE OF RESIDENCE INFORMATION"),
    "form_number": "Mẫu CT01 (Thông tư 55/2021/TT-BCA)",
    "addressee": True,
    "commitment": t(*COMMIT),
    "fields": [
        f("full_name", "text", "Họ, chữ đệm và tên", "Full name", required=True, max_length=100,
          prefill="person.full_name"),
        f("birth_date", "date", "Ngày, tháng, năm sinh", "Date of birth", required=True, past=True,
          min="1900-01-01", prefill="person.birth_date", help=DATE_HELP),
        f("sex", "choice", "Giới tính", "Sex", required=True, choices=SEX, prefill="person.gender"),
        f("id_number", "id_number", "Số định danh cá nhân", "Personal identification number", required=True,
          prefill="person.id_number", help=ID_HELP),
        f("phone", "phone", "Số điện thoại liên hệ", "Contact phone", prefill="person.phone"),
        f("email", "email", "Email", "Email", prefill="person.email"),
        f("head_name", "text", "Họ, chữ đệm và tên chủ hộ", "Name of the head of household", required=True,
          max_length=100),
        f("head_relation", "text", "Mối quan hệ với chủ hộ", "Relation to the head of household", required=True,
          max_length=60),
        f("head_id_number", "id_number", "Số định danh cá nhân của chủ hộ", "Head of household's identification number",
          required=True, help=ID_HELP),
        f("new_address", "address", "Địa chỉ đăng ký thường trú", "Address of permanent residence", required=True),
        f("request", "long_text", "Nội dung đề nghị", "Request", required=True, max_length=2000,
          help=t("Ví dụ: đăng ký thường trú vào hộ gia đình của chủ hộ tại địa chỉ trên.",
                 "E.g. register permanent residence in the household at the address above.")),
        group("members", "Những thành viên trong hộ gia đình cùng thay đổi", "Household members moving too", [
            f("full_name", "text", "Họ, chữ đệm và tên", "Full name", required=True, max_length=100),
            f("birth_date", "date", "Ngày, tháng, năm sinh", "Date of birth", required=True, past=True, help=DATE_HELP),
            f("sex", "choice", "Giới tính", "Sex", choices=SEX),
            f("id_number", "id_number", "Số định danh cá nhân", "Personal identification number"),
            f("relation", "text", "Mối quan hệ với chủ hộ", "Relation to the head of household", max_length=60),
        ], repeat={"min": 0, "max": 10}),
        f("commitment", "checkbox", "Tôi cam đoan nội dung khai là đúng sự thật", "I declare the above is true",
          required=True),
    ],
}


def _spouse(name: str, vi: str, en: str) -> dict:
    return group(name, vi, en, [
        f("full_name", "text", "Họ, chữ đệm, tên", "Full name", required=True, max_length=100),
        f("birth_date", "date", "Ngày, tháng, năm sinh", "Date of birth", required=True, past=True,
          min="1900-01-01", help=DATE_HELP),
        f("ethnicity", "text", "Dân tộc", "Ethnicity", required=True, max_length=40),
        f("nationality", "text", "Quốc tịch", "Nationality", required=True, max_length=60),
        f("address", "address", "Nơi cư trú", "Place of residence", required=True),
        f("id_number", "id_number", "Số định danh cá nhân", "Personal identification number", required=True,
          help=ID_HELP),
        f("marriage_count", "number", "Kết hôn lần thứ mấy", "Which marriage is this", required=True, min=1, max=20),
    ])


MARRIAGE = {
    "title": t("TỜ KHAI ĐĂNG KÝ KẾT HÔN", "MARRIAGE REGISTRATION DECLARATION"),
    "form_number": "Mẫu tờ khai đăng ký kết hôn (Thông tư 04/2020/TT-BTP)",
    "addressee": True,
    "commitment": t("Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự "
                    "nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam. Chúng tôi chịu trách "
                    "nhiệm trước pháp luật về cam đoan của mình.",
                    "We declare that the above is true, that our marriage is voluntary and does not break the "
                    "Law on Marriage and Family. We are responsible before the law for this declaration."),
    "fields": [
        _spouse("bride", "Bên nữ", "Bride"),
        _spouse("groom", "Bên nam", "Groom"),
        f("copies", "number", "Số bản sao Giấy chứng nhận kết hôn đề nghị cấp", "Copies of the certificate requested",
          min=0, max=10),
        f("commitment", "checkbox", "Chúng tôi cam đoan nội dung khai là đúng sự thật", "We declare the above is true",
          required=True),
    ],
}

CIVIL_STATUS = {
    "title": t("TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "DECLARATION FOR A CERTIFICATE OF MARITAL STATUS"),
    "form_number": "Mẫu tờ khai cấp Giấy xác nhận tình trạng hôn nhân (Thông tư 04/2020/TT-BTP)",
    "addressee": True,
    "commitment": t(*COMMIT),
    "fields": [
        _declarant("Quan hệ với người được cấp Giấy xác nhận", "Relation to the person certified"),
        group("subject", "Người được cấp Giấy xác nhận tình trạng hôn nhân", "Person certified", [
            f("full_name", "text", "Họ, chữ đệm, tên", "Full name", required=True, max_length=100,
              prefill="person.full_name"),
            f("birth_date", "date", "Ngày, tháng, năm sinh", "Date of birth", required=True, past=True,
              min="1900-01-01", prefill="person.birth_date", help=DATE_HELP),
            f("sex", "choice", "Giới tính", "Sex", required=True, choices=SEX, prefill="person.gender"),
            f("ethnicity", "text", "Dân tộc", "Ethnicity", required=True, max_length=40),
            f("nationality", "text", "Quốc tịch", "Nationality", required=True, max_length=60),
            f("id_number", "id_number", "Số định danh cá nhân", "Personal identification number", required=True,
              prefill="person.id_number", help=ID_HELP),
            f("address", "address", "Nơi cư trú", "Place of residence", required=True, prefill="person.address"),
        ]),
        f("residence_from", "date", "Cư trú tại nơi đề nghị xác nhận từ ngày",
          "Resident at the place certified since", past=True, help=DATE_HELP),
        f("marital_status", "long_text", "Tình trạng hôn nhân", "Marital status", required=True, max_length=1000,
          help=t("Ví dụ: chưa đăng ký kết hôn với ai; đã ly hôn theo bản án số …",
                 "E.g. never married; divorced by judgment no. …")),
        f("purpose", "choice", "Mục đích sử dụng Giấy xác nhận", "Purpose of the certificate", required=True,
          choices=[{"value": "ket_hon", "label": t("Để đăng ký kết hôn", "To register a marriage")},
                   {"value": "khac", "label": t("Mục đích khác", "Another purpose")}]),
        f("purpose_detail", "text", "Ghi rõ (nếu để kết hôn: với ai, tại đâu)", "Details (for a marriage: to whom, where)",
          max_length=255),
        f("copies", "number", "Số lượng Giấy xác nhận đề nghị cấp", "Certificates requested", required=True, min=1,
          max=10),
        f("commitment", "checkbox", "Tôi cam đoan nội dung khai là đúng sự thật", "I declare the above is true",
          required=True),
    ],
}

BUSINESS = {
    "title": t("GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH", "APPLICATION FOR HOUSEHOLD BUSINESS REGISTRATION"),
    "form_number": "Phụ lục III-1 (Thông tư 02/2023/TT-BKHĐT)",
    "addressee": True,
    "commitment": t("Tôi cam kết: bản thân không thuộc diện không được đăng ký hộ kinh doanh; trụ sở hộ kinh doanh "
                    "thuộc quyền sử dụng hợp pháp của hộ; chịu trách nhiệm trước pháp luật về tính hợp pháp, "
                    "chính xác, trung thực của nội dung đăng ký.",
                    "I undertake that I am not barred from registering a household business, that the premises "
                    "are lawfully used by the household, and that the registration is lawful, accurate and true."),
    "fields": [
        group("owner", "Chủ hộ kinh doanh", "Owner of the household business", [
            f("full_name", "text", "Họ và tên", "Full name", required=True, max_length=100, prefill="person.full_name"),
            f("birth_date", "date", "Ngày sinh", "Date of birth", required=True, past=True, min="1900-01-01",
              prefill="person.birth_date", help=DATE_HELP),
            f("sex", "choice", "Giới tính", "Sex", required=True, choices=SEX, prefill="person.gender"),
            f("id_number", "id_number", "Số định danh cá nhân", "Personal identification number", required=True,
              prefill="person.id_number", help=ID_HELP),
            f("address", "address", "Địa chỉ liên lạc", "Contact address", required=True, prefill="person.address"),
            f("phone", "phone", "Điện thoại", "Phone", required=True, prefill="person.phone"),
            f("email", "email", "Thư điện tử", "Email", prefill="person.email"),
        ]),
        f("business_name", "text", "Tên hộ kinh doanh", "Name of the household business", required=True,
          max_length=200, help=t("Gồm cụm từ “Hộ kinh doanh” và tên riêng.",
                                 "“Hộ kinh doanh” followed by its own name.")),
        f("business_address", "address", "Địa chỉ trụ sở hộ kinh doanh", "Address of the premises", required=True),
        f("business_phone", "phone", "Điện thoại của hộ kinh doanh", "Business phone"),
        f("activities", "long_text", "Ngành, nghề kinh doanh", "Business lines", required=True, max_length=2000),
        f("capital", "number", "Vốn kinh doanh (đồng)", "Business capital (VND)", required=True, min=0,
          max=1_000_000_000_000),
        f("employees", "number", "Số lượng lao động (dự kiến)", "Employees (expected)", min=0, max=1000),
        group("members", "Thành viên hộ gia đình tham gia đăng ký hộ kinh doanh (nếu có)",
              "Household members registering the business (if any)", [
                  f("full_name", "text", "Họ và tên", "Full name", required=True, max_length=100),
                  f("birth_date", "date", "Ngày sinh", "Date of birth", required=True, past=True),
                  f("id_number", "id_number", "Số định danh cá nhân", "Personal identification number", required=True),
                  f("relation", "text", "Quan hệ với chủ hộ", "Relation to the owner", max_length=60),
              ], repeat={"min": 0, "max": 10}),
        f("commitment", "checkbox", "Tôi cam kết các nội dung trên", "I give the undertakings above", required=True),
    ],
}

# Procedure code → its form definition.
FORMS = {
    "1.001193": BIRTH,        # Đăng ký khai sinh
    "1.004194": RESIDENCE,    # Đăng ký thường trú
    "1.000894": MARRIAGE,     # Đăng ký kết hôn
    "1.004873": CIVIL_STATUS,  # Xác nhận tình trạng hôn nhân
    "2.000720": BUSINESS,     # Đăng ký thành lập hộ kinh doanh
}
