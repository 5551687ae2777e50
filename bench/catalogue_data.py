"""Synthetic catalogue for bench/bench_catalogue.py: N plausible procedures in the import format.

Deterministic for a given seed. Names are built from real verbs, objects and qualifiers so searches
hit realistic fractions of the catalogue (a common word like "đăng ký" matches many rows, a rare one few).
"""

from __future__ import annotations

import random

COLUMNS = [
    "code", "name", "field_code", "field_name", "agency_levels", "time_limit_amount", "time_limit_unit",
    "committed_amount", "online_mode", "online_only", "on_the_spot", "fee_text", "fee_amount", "legal_basis",
    "status", "effective_from", "effective_to", "components", "steps",
]

VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Thu hồi", "Xác nhận", "Chứng thực",
         "Thẩm định", "Phê duyệt", "Công nhận", "Hỗ trợ", "Giải quyết", "Thông báo", "Chấm dứt"]
OBJECTS = ["khai sinh", "kết hôn", "khai tử", "giấy phép xây dựng", "hộ kinh doanh", "thường trú", "tạm trú",
           "giấy chứng nhận quyền sử dụng đất", "trợ cấp xã hội", "thẻ bảo hiểm y tế", "chữ ký", "hợp đồng",
           "giấy phép lái xe", "phiếu lý lịch tư pháp", "giấy phép kinh doanh rượu", "nhà ở riêng lẻ",
           "cơ sở giáo dục mầm non", "hoạt động tôn giáo", "giấy phép khai thác nước", "danh hiệu gia đình văn hóa",
           "người có công", "chứng chỉ hành nghề", "quyết định giao đất", "hồ sơ học bạ", "di tích lịch sử"]
QUALIFIERS = ["", "", "", "cho công dân Việt Nam", "có yếu tố nước ngoài", "cho trẻ em dưới 6 tuổi",
              "đối với tổ chức", "đối với cá nhân", "tại cấp xã", "tại cấp tỉnh", "trong trường hợp bị mất",
              "theo thủ tục rút gọn"]
FIELDS = [(f"G{g:02d}-{code}{i:02d}", f"{name} {i}") for g, code, name in
          [(1, "CA", "Công an"), (9, "TP", "Tư pháp"), (3, "XD", "Xây dựng"), (5, "TN", "Tài nguyên"),
           (7, "LD", "Lao động"), (11, "YT", "Y tế"), (13, "GD", "Giáo dục"), (15, "VH", "Văn hóa")]
          for i in range(1, 11)]
COMPONENTS = ["Tờ khai (theo mẫu)", "Giấy tờ tùy thân", "Giấy chứng sinh", "Bản vẽ thiết kế", "Giấy xác nhận",
              "Văn bản ủy quyền", "Ảnh 4x6", "Sổ hộ khẩu", "Hợp đồng thuê nhà", "Giấy chứng nhận"]
KINDS = ["original", "certified_copy", "copy"]


def generate_rows(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        field_code, field_name = FIELDS[n % len(FIELDS)]
        name = " ".join(p for p in (rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)) if p)
        unit = rng.choice(["working_days"] * 6 + ["same_day", "days", "working_hours"])
        amount = 0 if unit == "same_day" else rng.choice([1, 2, 3, 5, 7, 10, 15, 20, 30])
        components = "; ".join(
            f"{rng.choice(COMPONENTS)} {i}|{rng.choice(KINDS)}|{rng.randint(1, 3)}|{rng.choice(['required', 'optional'])}"
            for i in range(1, rng.randint(2, 6) + 1)
        )
        hours = max(int(amount * 8), 8)
        steps = "; ".join([
            "Tiếp nhận|receiving|desk_officer|1",
            f"Thẩm định|receiving|processing_officer|{max(hours - 4, 1)}",
            *(["Ý kiến cấp tỉnh|parent|processing_officer|2"] if rng.random() < 0.2 else []),
            "Phê duyệt|receiving|head|2",
            "Trả kết quả|receiving|desk_officer|1",
        ])
        rows.append({
            "code": f"{1 + n % 3}.{100000 + n:06d}", "name": name, "field_code": field_code, "field_name": field_name,
            "agency_levels": rng.choice(["commune", "commune", "province", "commune,province"]),
            "time_limit_amount": str(amount), "time_limit_unit": unit,
            "committed_amount": str(max(amount - 1, 0)) if amount and rng.random() < 0.3 else "",
            "online_mode": rng.choice(["full", "partial", "none"]), "online_only": "false",
            "on_the_spot": "true" if unit == "same_day" and rng.random() < 0.5 else "false",
            "fee_text": rng.choice(["Miễn phí", "Theo quy định của HĐND tỉnh", "50.000 đồng/hồ sơ"]),
            "fee_amount": str(rng.choice([0, 0, 15000, 50000, 100000])),
            "legal_basis": "Nghị định số 118/2025/NĐ-CP", "status": "published" if rng.random() < 0.95 else "draft",
            "effective_from": "2025-07-01", "effective_to": "", "components": components, "steps": steps,
        })
    return rows


def to_csv(rows: list[dict]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
