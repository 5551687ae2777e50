"""The people the population stand-in knows: the demo citizen account `congdan` (citizens/demo.py) with
their household, and some applicants of the demo dossiers (dossiers/demo.py). Plain data, the protocol's shape."""

from __future__ import annotations

DIEN_KHANH = "Thôn Phú Lộc, xã Diên Khánh, tỉnh Khánh Hòa"
NHA_TRANG = "Số 12 Lê Thánh Tôn, phường Nha Trang, tỉnh Khánh Hòa"

_AN_HOUSEHOLD = {
    "code": "HK-56-22435-000123",
    "members": [
        {"id_number": "056090001234", "full_name": "Nguyễn Văn An", "birth_date": "1990-05-12", "gender": "male",
         "relation": "Chủ hộ"},
        {"id_number": "056192004321", "full_name": "Trần Thị Hoa", "birth_date": "1992-08-20", "gender": "female",
         "relation": "Vợ"},
        {"id_number": "056219000777", "full_name": "Nguyễn Minh Khang", "birth_date": "2019-03-02",
         "gender": "male", "relation": "Con"},
    ],
}

PEOPLE: list[dict] = [
    {"id_number": "056090001234", "full_name": "Nguyễn Văn An", "birth_date": "1990-05-12", "gender": "male",
     "permanent_address": DIEN_KHANH, "current_address": DIEN_KHANH, "household": _AN_HOUSEHOLD},
    {"id_number": "056192004321", "full_name": "Trần Thị Hoa", "birth_date": "1992-08-20", "gender": "female",
     "permanent_address": DIEN_KHANH, "current_address": DIEN_KHANH, "household": _AN_HOUSEHOLD},
    {"id_number": "079085001234", "full_name": "Nguyễn Văn An", "birth_date": "1985-01-15", "gender": "male",
     "permanent_address": "Tổ 3, thôn Phú Ân Nam, Khánh Hòa", "current_address": NHA_TRANG,
     "household": {"code": "HK-56-22480-000456", "members": [
         {"id_number": "079085001234", "full_name": "Nguyễn Văn An", "birth_date": "1985-01-15",
          "gender": "male", "relation": "Chủ hộ"}]}},
    {"id_number": "079190004567", "full_name": "Trần Thị Bích Ngọc", "birth_date": "1990-11-03",
     "gender": "female", "permanent_address": NHA_TRANG, "current_address": NHA_TRANG,
     "household": {"code": "HK-56-22480-000789", "members": [
         {"id_number": "079190004567", "full_name": "Trần Thị Bích Ngọc", "birth_date": "1990-11-03",
          "gender": "female", "relation": "Chủ hộ"}]}},
    {"id_number": "056088007890", "full_name": "Lê Hoàng Nam", "birth_date": "1988-07-21", "gender": "male",
     "permanent_address": DIEN_KHANH, "current_address": DIEN_KHANH,
     "household": {"code": "HK-56-22435-000321", "members": [
         {"id_number": "056088007890", "full_name": "Lê Hoàng Nam", "birth_date": "1988-07-21",
          "gender": "male", "relation": "Chủ hộ"}]}},
]
