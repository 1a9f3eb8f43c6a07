"""Build the sourced county tables under sim/world/ from public source files.

    python experiments/build_county_data.py --census PATH/TO/census_county_2020_v1.xlsx

Inputs
------
1. The 2020 census county table compiled by Lei Dong et al., `leiii/census` on GitHub
   (MIT licence, notice copied to sim/world/LICENSE-census.txt):
   data/census/census_county_2020_v1.xlsx, commit 0ba0f1e (the file is "2020 county-level census
   data from the 7th Census Yearbook" per the repository's data/census/readme.md).
   The script needs no internet. To re-fetch the file:
       git clone https://github.com/leiii/census && ls census/data/census/census_county_2020_v1.xlsx
   or download https://github.com/leiii/census/raw/main/data/census/census_county_2020_v1.xlsx
2. The county lists of sim/data/geography/<geo>.yaml (name, name_zh, side, prefecture).
3. Hand-typed source tables in sim/world/<geo>/inputs/*.csv (key_counties.csv, and when typed in:
prefecture_income.csv, county_income.csv) (each row names its source key;
   sources are in sim/world/<geo>/sources.yaml). Missing files are skipped.

Outputs: sim/world/<geo>/counties.csv (west side) and east_counties.csv (east side).

The xlsx is read with the standard library only (zipfile + ElementTree); no pandas/openpyxl.
"""

from __future__ import annotations

import argparse
import csv
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

ROOT = Path(__file__).resolve().parents[1]
GEO_DIR = ROOT / "sim" / "data" / "geography"
OUT_DIR = ROOT / "sim" / "world"
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# ---------------------------------------------------------------- xlsx reading


def _col_index(ref: str) -> int:
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group():
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(path: Path) -> list[dict[str, str]]:
    """First worksheet as a list of dicts keyed by the header row."""
    z = zipfile.ZipFile(path)
    sst = [
        "".join(t.text or "" for t in si.iter(NS + "t"))
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(NS + "si")
    ]
    root = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows: list[list[str]] = []
    for r in root.find(NS + "sheetData").findall(NS + "row"):
        vals: dict[int, str] = {}
        for c in r.findall(NS + "c"):
            v = c.find(NS + "v")
            t = c.get("t")
            if t == "s":
                val = sst[int(v.text)]
            elif t == "inlineStr":
                val = "".join(x.text or "" for x in c.iter(NS + "t"))
            else:
                val = v.text if v is not None else ""
            vals[_col_index(c.get("r"))] = val
        rows.append([vals.get(i, "") for i in range(max(vals) + 1)] if vals else [])
    header = rows[0]
    return [
        dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in rows[1:]
    ]


# ---------------------------------------------------------------- census fields


def num(x: str) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


AGE_BANDS = [
    "0岁",
    "1到4岁",
    "5到9岁",
    "10到14岁",
    "15到19岁",
    "20到24岁",
    "25到29岁",
    "30到34岁",
    "35到39岁",
    "40到44岁",
    "45到49岁",
    "50到54岁",
    "55到59岁",
    "60到64岁",
    "65到69岁",
    "70到74岁",
    "75到79岁",
    "80到84岁",
    "85岁以上",
]
EDU = ["未上过学", "学前教育", "小学", "初中", "高中", "大学专科", "本科及以上"]
INDUSTRY = {
    "farm": ["农林牧渔业"],
    "mining": ["采矿业"],
    "manufacturing": ["制造业"],
    "utilities": ["电力热力燃气及水生产和供应业"],
    "construction": ["建筑业"],
    "services": [
        "批发和零售业",
        "交通运输仓储和邮政业",
        "住宿和餐饮业",
        "信息传输软件和信息技术服务业",
        "金融业",
        "房地产业",
        "租赁和商务服务业",
        "科学研究和技术服务业",
        "水利环境和公共设施管理业",
        "居民服务修理和其服务业",
        "教育",
        "卫生和社会工作",
        "文化体育和娱乐业",
        "公共管理社会保障和社会组织",
        "国际组织",
    ],
}


def counts(row: dict[str, str]) -> dict[str, float]:
    """Additive counts from one census row (so 'province minus city' rows can be formed)."""
    g = lambda k: num(row.get(k)) or 0.0  # noqa: E731
    band = lambda b: g("男_" + b) + g("女_" + b)  # noqa: E731
    c = {
        "pop": g("人口数_合计"),
        "urban": g("城镇人口"),
        "age_0_14": sum(band(b) for b in AGE_BANDS[:4]),
        "age_15_59": sum(band(b) for b in AGE_BANDS[4:13]),
        "age_15_64": sum(band(b) for b in AGE_BANDS[4:14]),
        "age_65p": sum(band(b) for b in AGE_BANDS[14:]),
        "age_all": sum(band(b) for b in AGE_BANDS),
        "edu_all": sum(g(e + "_男") + g(e + "_女") for e in EDU),
        "edu_upper_sec_plus": sum(
            g(e + "_男") + g(e + "_女") for e in ["高中", "大学专科", "本科及以上"]
        ),
        "edu_tertiary": sum(g(e + "_男") + g(e + "_女") for e in ["大学专科", "本科及以上"]),
        "hukou_elsewhere_same_county": g("户口登记地在外乡镇街道人口_本县"),
        "hukou_other_county_same_prov": g("户口登记地在外乡镇街道人口_本省其他县"),
        "hukou_other_province": g("户口登记地在外乡镇街道人口_省外"),
        "lf_pop15": g("十五岁以上人口"),
        "lf_employed": g("各种行业人口总计"),
    }
    for k, cols in INDUSTRY.items():
        c["lf_" + k] = sum(g(x) for x in cols)
    return c


def derive(c: dict[str, float]) -> dict[str, object]:
    """Output columns (shares) from the counts."""
    r = lambda a, b, d=4: round(a / b, d) if b else ""  # noqa: E731
    emp = c["lf_employed"]
    return {
        "population_2020": int(c["pop"]),
        "urban_share_2020": r(c["urban"], c["pop"]),
        "share_0_14": r(c["age_0_14"], c["age_all"]),
        "share_15_59": r(c["age_15_59"], c["age_all"]),
        "share_15_64": r(c["age_15_64"], c["age_all"]),
        "share_65_plus": r(c["age_65p"], c["age_all"]),
        "share_upper_secondary_plus": r(c["edu_upper_sec_plus"], c["edu_all"]),
        "share_tertiary": r(c["edu_tertiary"], c["edu_all"]),
        "share_hukou_other_province": r(c["hukou_other_province"], c["pop"]),
        "share_hukou_other_county_same_province": r(c["hukou_other_county_same_prov"], c["pop"]),
        "employment_rate_15_plus": r(emp, c["lf_pop15"]),
        "emp_share_farm": r(c["lf_farm"], emp),
        "emp_share_mining": r(c["lf_mining"], emp),
        "emp_share_manufacturing": r(c["lf_manufacturing"], emp),
        "emp_share_utilities": r(c["lf_utilities"], emp),
        "emp_share_construction": r(c["lf_construction"], emp),
        "emp_share_services": r(c["lf_services"], emp),
        "lf_sample_employed": int(emp),
    }


CENSUS_COLUMNS = list(derive(counts({})).keys())

# Names in the geography YAMLs that differ from the 2020 census table (renamed after 2020).
ALIASES = {"禄丰市": "禄丰县"}
# Rows that are a province minus a listed city (northeast east side).
MINUS = {"浙江省（不含宁波市）": ("浙江省", "宁波市"), "广东省（不含深圳市）": ("广东省", "深圳市")}

PROVINCE_ZH = {
    "Yunnan": "云南省",
    "Shanghai": "上海市",
    "Ningxia": "宁夏回族自治区",
    "Fujian": "福建省",
    "Liaoning": "辽宁省",
    "Jilin": "吉林省",
    "Heilongjiang": "黑龙江省",
    "Jiangsu": "江苏省",
    "Zhejiang": "浙江省",
    "Guangdong": "广东省",
    "Beijing": "北京市",
    "Tianjin": "天津市",
}


def find_row(census: list[dict], prov_zh: str, name_zh: str) -> dict | None:
    name_zh = ALIASES.get(name_zh, name_zh)
    hits = [r for r in census if r["省"] == prov_zh and r["区县"] == name_zh]
    if len(hits) == 1:
        return hits[0]
    # prefecture-level rows repeat the city name as 区县 and have a code ending in 00
    hits = [r for r in hits if r["区划代码"].endswith("00")]
    return hits[0] if hits else None


# ---------------------------------------------------------------- Yunnan minimum-wage tiers
# Tier rule (source yn_minwage2015_tiers, the table of the 2015 standard): tier 1 = Kunming's Wuhua,
# Panlong,
# Xishan, Guandu, Chenggong districts, Anning city and Songming county; tier 2 = Kunming's other
# counties and
# Dongchuan; the seats of the other prefectures (the city, county or district where the prefecture
# government
# sits) and Yulong and Deqin counties; other county-level cities; tier 3 = all other counties.
# The 2018 standard (yn_minwage2018_baoshan) keeps three tiers; for Baoshan it names Longyang tier 2
# and
# Shidian, Tengchong, Longling, Changning tier 3 (Tengchong became a city in 2015 and is still tier
# 3 there).
YN_TIER1 = {"五华区", "盘龙区", "西山区", "官渡区", "呈贡区", "安宁市", "嵩明县"}
YN_SEATS = {
    "麒麟区",
    "红塔区",
    "隆阳区",
    "昭阳区",
    "古城区",
    "思茅区",
    "临翔区",
    "楚雄市",
    "蒙自市",
    "文山市",
    "景洪市",
    "大理市",
    "芒市",
    "泸水市",
    "香格里拉市",
}
YN_EXTRA_TIER2 = {"玉龙纳西族自治县", "德钦县"}
YN_NEW_CITIES = {"水富市": 2018, "澄江市": 2019}  # county-level cities created after the 2015 table
YN_BAOSHAN_2018 = {"隆阳区": "2", "施甸县": "3", "腾冲市": "3", "龙陵县": "3", "昌宁县": "3"}


def yunnan_min_wage_tier(name_zh: str, pref_zh: str) -> dict[str, str]:
    if name_zh in YN_BAOSHAN_2018:
        return {
            "min_wage_tier": YN_BAOSHAN_2018[name_zh],
            "source_min_wage_tier": "yn_minwage2018_baoshan",
        }
    src = "yn_minwage2015_tiers (rule applied to the 2020 divisions; derived)"
    if name_zh in YN_TIER1:
        t = "1"
    elif pref_zh == "昆明市" or name_zh in YN_SEATS or name_zh in YN_EXTRA_TIER2:
        t = "2"
    elif ALIASES.get(name_zh, name_zh).endswith("市"):  # city status as in the 2020 census
        t = "2"
        src += "; county-level city, 'other city' clause"
        if name_zh in YN_NEW_CITIES:
            src += f"; became a city in {YN_NEW_CITIES[name_zh]}, regrading not confirmed"
    else:
        t = "3"
    return {"min_wage_tier": t, "source_min_wage_tier": src}


# ---------------------------------------------------------------- inputs (hand-typed from sources)


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if not (r.get(next(iter(r))) or "").startswith("#")]


def build(geo: str, census: list[dict]) -> None:
    spec = yaml.safe_load(open(GEO_DIR / f"{geo}.yaml", encoding="utf-8"))
    out = OUT_DIR / geo
    inputs = out / "inputs"
    pref_income = {r["prefecture_zh"]: r for r in read_csv(inputs / "prefecture_income.csv")}
    county_income = {r["name_zh"]: r for r in read_csv(inputs / "county_income.csv")}
    key = {r["name_zh"]: r for r in read_csv(inputs / "key_counties.csv")}
    rows = {"east": [], "west": []}
    for c in spec["counties"]:
        prov_zh = PROVINCE_ZH[c["province"]]
        if c["name_zh"] in MINUS:
            whole, part = MINUS[c["name_zh"]]
            a = find_row(census, prov_zh, whole)
            b = find_row(census, prov_zh, part)
            ca, cb = counts(a), counts(b)
            cc = {k: ca[k] - cb[k] for k in ca}
            code = ""
            note = f"census rows {a['区划代码']} minus {b['区划代码']}"
        else:
            a = find_row(census, prov_zh, c["name_zh"])
            if a is None:
                raise SystemExit(f"{geo}: no census row for {c['name']} {c['name_zh']}")
            cc = counts(a)
            code = a["区划代码"]
            note = (
                "" if ALIASES.get(c["name_zh"]) is None else f"census name {ALIASES[c['name_zh']]}"
            )
        pref_row = (
            next((r for r in census if r["区划代码"] == code[:4] + "00"), None) if code else None
        )
        row = {
            "code": code,
            "name": c["name"],
            "name_zh": c["name_zh"],
            "province": c["province"],
            "prefecture": c["prefecture"],
            "prefecture_zh": pref_row["市"] if pref_row else "",
            **derive(cc),
            "source_census": "census2020_leiii" + (f" ({note})" if note else ""),
        }
        if c["side"] == "west" or geo != "shanghai_yunnan":
            pz = row["prefecture_zh"]
            ci = county_income.get(c["name_zh"])
            pi = pref_income.get(pz)
            for kind in ("rural", "urban"):
                col = f"{kind}_income_pc"
                if ci and ci.get(col):
                    row[col], row[col + "_level"], row[col + "_year"] = (
                        ci[col],
                        "county",
                        ci["year"],
                    )
                    row["source_" + col] = ci["source"]
                elif pi and pi.get(col):
                    row[col], row[col + "_level"], row[col + "_year"] = (
                        pi[col],
                        "prefecture",
                        pi["year"],
                    )
                    row["source_" + col] = (
                        pi["source"] + " (prefecture figure applied to its counties)"
                    )
                else:
                    row[col], row[col + "_level"], row[col + "_year"], row["source_" + col] = (
                        "",
                        "",
                        "",
                        "not_found",
                    )
            if geo == "shanghai_yunnan" and c["side"] == "west":
                row.update(yunnan_min_wage_tier(c["name_zh"], row["prefecture_zh"]))
            if key:
                k = key.get(c["name_zh"])
                # The lists found are incomplete: absent means 'not known', not 'not a key county'.
                row["key_county"] = "True" if k else ""
                row["source_key_county"] = (
                    k["source"] if k else "not_found (list seen only in part)"
                )
        rows[c["side"]].append(row)
    out.mkdir(parents=True, exist_ok=True)
    for side, fname in (("west", "counties.csv"), ("east", "east_counties.csv")):
        if not rows[side]:
            continue
        cols = list(dict.fromkeys(k for r in rows[side] for k in r))
        with open(out / fname, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            w.writerows(rows[side])
        print(f"{geo}: wrote {out / fname} ({len(rows[side])} rows)")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--census", required=True, type=Path, help="path to census_county_2020_v1.xlsx")
    ap.add_argument("--geo", nargs="*", default=["shanghai_yunnan", "fujian_ningxia", "northeast"])
    a = ap.parse_args()
    census = read_xlsx(a.census)
    for geo in a.geo:
        build(geo, census)


if __name__ == "__main__":
    main()
