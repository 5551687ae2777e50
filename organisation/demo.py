"""Demo organisation: a province with two communes, their desks and departments, and the demo accounts
of api.md. Idempotent: running it again changes nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model

from .models import AdminUnit, Agency, AgencyLevel, Department, Desk, Role, StaffMembership, UnitLevel

PROVINCE = "000.00.00.H56"
COMMUNE = "000.00.06.H56"
COMMUNE2 = "000.00.07.H56"


def seed(context: dict | None = None) -> dict:
    province_unit, _ = AdminUnit.objects.update_or_create(
        code="56", defaults={"name": "Tỉnh Khánh Hòa", "level": UnitLevel.PROVINCE}
    )
    old_district, _ = AdminUnit.objects.update_or_create(
        code="568", defaults={"name": "Huyện Diên Khánh (trước 1/7/2025)", "level": UnitLevel.DISTRICT,
                              "parent": province_unit, "is_active": False},
    )
    unit1, _ = AdminUnit.objects.update_or_create(
        code="22435", defaults={"name": "Xã Diên Khánh", "level": UnitLevel.COMMUNE, "parent": province_unit}
    )
    unit2, _ = AdminUnit.objects.update_or_create(
        code="22480", defaults={"name": "Phường Nha Trang", "level": UnitLevel.COMMUNE, "parent": province_unit}
    )
    province, _ = Agency.objects.update_or_create(
        code=PROVINCE,
        defaults={"name": "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa", "level": AgencyLevel.PROVINCE,
                  "admin_unit": province_unit, "address": "01 Trần Phú, Nha Trang, Khánh Hòa", "phone": "0258 3822 000"},
    )
    commune, _ = Agency.objects.update_or_create(
        code=COMMUNE,
        defaults={"name": "UBND xã Diên Khánh", "level": AgencyLevel.COMMUNE, "parent": province,
                  "admin_unit": unit1, "address": "Số 2 Lý Tự Trọng, xã Diên Khánh, Khánh Hòa", "phone": "0258 3850 111"},
    )
    commune2, _ = Agency.objects.update_or_create(
        code=COMMUNE2,
        defaults={"name": "UBND phường Nha Trang", "level": AgencyLevel.COMMUNE, "parent": province,
                  "admin_unit": unit2, "address": "Số 9 Thái Nguyên, phường Nha Trang, Khánh Hòa", "phone": "0258 3810 222"},
    )
    departments = {}
    for agency, rows in (
        (province, [("STP", "Sở Tư pháp"), ("SXD", "Sở Xây dựng"), ("SYT", "Sở Y tế")]),
        (commune, [("VHXH", "Phòng Văn hóa – Xã hội"), ("KT", "Phòng Kinh tế"), ("TP", "Bộ phận Tư pháp – Hộ tịch")]),
        (commune2, [("VHXH", "Phòng Văn hóa – Xã hội"), ("KT", "Phòng Kinh tế"), ("TP", "Bộ phận Tư pháp – Hộ tịch")]),
    ):
        for code, name in rows:
            departments[(agency.code, code)], _ = Department.objects.update_or_create(
                agency=agency, code=code, defaults={"name": name}
            )
        Desk.objects.get_or_create(agency=agency, name=f"Bộ phận Một cửa – {agency.name}",
                                   defaults={"address": agency.address, "counters": 3})

    User = get_user_model()
    password = settings.DEMO_PASSWORD
    accounts = [
        ("admin", "Quản trị hệ thống", [], True),
        ("motcua", "Nguyễn Thị Lan", [(commune, Role.DESK_OFFICER, None)], False),
        ("chuyenvien", "Trần Văn Minh", [(commune, Role.PROCESSING_OFFICER, departments[(COMMUNE, "TP")])], False),
        ("lanhdao", "Lê Quang Huy", [(commune, Role.HEAD, None)], False),
        ("quanly", "Phạm Thu Hà", [(province, Role.MANAGER, None)], False),
        ("motcua2", "Võ Thị Hồng", [(commune2, Role.DESK_OFFICER, None)], False),
        ("chuyenvien2", "Đỗ Văn Tâm", [(commune2, Role.PROCESSING_OFFICER, None), (commune2, Role.HEAD, None)], False),
        ("chuyenvientinh", "Hoàng Minh Đức",
         [(province, Role.PROCESSING_OFFICER, departments[(PROVINCE, "STP")]), (province, Role.HEAD, None),
          (province, Role.DESK_OFFICER, None)], False),
        ("congdan", "Nguyễn Văn An", [], False),
    ]
    users = {}
    for username, full_name, roles, superuser in accounts:
        last, _, first = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.motcua.vn",
                      "is_staff": superuser or bool(roles), "is_superuser": superuser},
        )
        if created:
            user.set_password(password)
            user.save()
        for agency, role, department in roles:
            StaffMembership.objects.update_or_create(user=user, agency=agency, role=role, defaults={"department": department})
        users[username] = user
    return {"province": province, "commune": commune, "commune2": commune2, "users": users,
            "departments": departments, "old_district": old_district}
