"""Hangzhou's county-level divisions (GB/T 2260 区县代码), current and abolished."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class District:
    """A county-level division (区县)."""

    code: str
    name: str
    current: bool = True
    successor: str = ""  # for abolished codes: where the area went (2021 adjustment)


DISTRICTS: dict[str, District] = {
    d.code: d
    for d in (
        District("330102", "上城区"),
        District("330105", "拱墅区"),
        District("330106", "西湖区"),
        District("330108", "滨江区"),
        District("330109", "萧山区"),
        District("330110", "余杭区"),
        District("330111", "富阳区"),
        District("330112", "临安区"),
        District("330113", "临平区"),
        District("330114", "钱塘区"),
        District("330122", "桐庐县"),
        District("330127", "淳安县"),
        District("330182", "建德市"),
        # Abolished in the 2021 adjustment (国函〔2021〕29号); still found in older data.
        District("330103", "下城区", current=False, successor="330105"),
        District("330104", "江干区", current=False, successor="330102"),
    )
}

CURRENT_DISTRICTS = [d for d in DISTRICTS.values() if d.current]


def is_known_district(code: str) -> bool:
    return code.strip() in DISTRICTS


def district_name(code: str) -> str | None:
    d = DISTRICTS.get(code.strip())
    return d.name if d else None
