"""The bodies that lead city projects, and their English names."""

from __future__ import annotations

# departments that lead city projects, in English (a department not listed shows as stored)
DEPARTMENT_EN = {
    "市大数据中心": "Municipal Big Data Center",
    "市城运中心": "City Operations Center",
    "市水务局": "Municipal Water Authority",
    "市交通委": "Municipal Transport Commission",
    "市住建委": "Municipal Housing and Construction Commission",
    "市绿化市容局": "Municipal Greening and City Appearance Bureau",
    "市应急局": "Municipal Emergency Management Bureau",
    "市消防救援总队": "Municipal Fire and Rescue Corps",
    "区城运中心": "District Operations Center",
    # each district's own operations centre, which leads its district-named projects
    "黄浦区城运中心": "Huangpu District Operations Center",
    "徐汇区城运中心": "Xuhui District Operations Center",
    "长宁区城运中心": "Changning District Operations Center",
    "静安区城运中心": "Jing'an District Operations Center",
    "普陀区城运中心": "Putuo District Operations Center",
    "虹口区城运中心": "Hongkou District Operations Center",
    "杨浦区城运中心": "Yangpu District Operations Center",
    "闵行区城运中心": "Minhang District Operations Center",
    "宝山区城运中心": "Baoshan District Operations Center",
    "嘉定区城运中心": "Jiading District Operations Center",
    "浦东新区城运中心": "Pudong New Area Operations Center",
    "金山区城运中心": "Jinshan District Operations Center",
    "松江区城运中心": "Songjiang District Operations Center",
    "青浦区城运中心": "Qingpu District Operations Center",
    "奉贤区城运中心": "Fengxian District Operations Center",
    "崇明区城运中心": "Chongming District Operations Center",
}


def department_name(department: str, lang: str) -> str:
    return DEPARTMENT_EN.get(department, department) if lang == "en" else department
