"""The derived gazetteer: builder (on a tiny NBS sample), committed files, runtime loader, trie."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pipeline import gazetteer as gz

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

NBS_SAMPLE = {
    "provinces.csv": "code,name\n33,\"浙江省\"\n44,\"广东省\"\n",
    "cities.csv": "code,name,provinceCode\n3301,\"杭州市\",33\n4419,\"东莞市\",44\n",
    "areas.csv": (
        "code,name,cityCode,provinceCode\n"
        "330105,\"拱墅区\",3301,33\n330114,\"钱塘区\",3301,33\n"
        "330171,\"杭州经济技术开发区\",3301,33\n441900,\"东莞市\",4419,44\n"
    ),
    "streets.csv": (
        "code,name,areaCode,provinceCode,cityCode\n"
        "330114007,\"前进街道\",330114,33,3301\n330105001,\"米市巷街道\",330105,33,3301\n"
        "330171001,\"下沙街道\",330171,33,3301\n330114400,\"某某农场\",330114,33,3301\n"
        "441900101,\"石碣镇\",441900,44,4419\n"
    ),
}


@pytest.fixture()
def nbs_sample(tmp_path: Path) -> Path:
    for name, content in NBS_SAMPLE.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    return tmp_path


def test_build_units_keeps_administrative_units_only(nbs_sample):
    units = {u.code: u for u in gz.build_units(nbs_sample, {"330000": "浙江", "330100": "杭州", "330105": "拱墅"})}
    assert units["330100"].level == "city" and units["330100"].shorts == ("杭州",)
    assert units["330105"].parent == "330100" and units["330105"].shorts == ("拱墅",)
    assert "330171" not in units and "330171001" not in units  # a development zone and its township
    assert "330114400" not in units  # a farm is not a township
    assert units["330114007"].shorts == ("前进",) and units["330114007"].parent == "330114"
    # A city without districts is kept once, as a city, and its townships attach to it.
    assert units["441900"].level == "city"
    assert units["441900101"].parent == "441900"


def test_written_gazetteer_reads_back(nbs_sample, tmp_path):
    units = gz.build_units(nbs_sample, {})
    former = [gz.Unit("", "district", "江干区", "330100", (), True, "330102", "2021")]
    out = tmp_path / "out"
    counts = gz.write_gazetteer(units, former, {"新颜苑社区", "前峰村"}, out)
    assert counts[gz.UNITS_FILE] == len(units)
    assert gz._read_unit_rows(out / gz.UNITS_FILE) == units
    assert gz._read_unit_rows(out / gz.FORMER_FILE) == former
    first = (out / gz.COMMUNITIES_FILE).read_bytes()
    gz.write_gazetteer(units, former, {"前峰村", "新颜苑社区"}, out)
    assert (out / gz.COMMUNITIES_FILE).read_bytes() == first  # deterministic bytes


def test_gazetteer_chains_and_ancestors(nbs_sample):
    gazetteer = gz.Gazetteer(gz.build_units(nbs_sample, {}), [])
    assert [u.name for u in gazetteer.chain("330114007")] == ["浙江省", "杭州市", "钱塘区"]
    assert gazetteer.is_within("330114007", "330000")
    assert not gazetteer.is_within("330114007", "330105")


def test_township_short_form():
    assert gz.township_short("前进街道") == "前进"
    assert gz.township_short("瓶窑镇") == "瓶窑"
    assert gz.township_short("塘镇") == ""


# ---------------------------------------------------------------------------------------------
# The committed gazetteer
# ---------------------------------------------------------------------------------------------


def test_committed_gazetteer_links_known_units():
    gazetteer = gz.load_gazetteer()
    assert gazetteer.units["330100"].name == "杭州市" and "杭州" in gazetteer.units["330100"].shorts
    assert len(gazetteer.full_forms["前进街道"]) >= 10
    assert "330114007" in gazetteer.full_forms["前进街道"]
    assert gazetteer.units["330114007"].adcode is None  # townships have no 6-digit adcode
    assert gazetteer.units["330105"].adcode == "330105"


def test_committed_gazetteer_knows_former_units():
    gazetteer = gz.load_gazetteer()
    for name, successor in (("余杭市", "330110"), ("下城区", "330105"), ("江干区", "330102")):
        (key,) = gazetteer.full_forms[name]
        unit = gazetteer.units[key]
        assert unit.former and unit.successor == successor and unit.adcode is None
        assert [u.name for u in gazetteer.chain(key)] == ["浙江省", "杭州市"]


def test_townships_are_found_from_their_suffix():
    gazetteer = gz.load_gazetteer()
    matches, covered = gazetteer.find_forms("杭州市钱塘区前进街道和余杭街道")
    assert [m[2] for m in matches] == ["杭州市", "钱塘区", "前进街道", "余杭街道"]
    assert all(covered[:10])


def test_community_names_exclude_generic_words():
    names = gz.load_communities()
    assert "新颜苑社区" in names and "前峰村" in names
    assert "未来社区" not in names and "城中村" not in names


@pytest.mark.skipif(not (SHARED / "gazetteer" / "streets.csv").exists(), reason="needs ../shared/gazetteer")
def test_committed_gazetteer_is_what_the_builder_writes(tmp_path):
    args = argparse.Namespace(nbs=SHARED / "gazetteer", jionlp=None, out=tmp_path,
                              common_word_freq=1000, boundary_word_freq=500)
    assert gz.run(args) == 0
    committed = gz.RULES_DIR / gz.GAZETTEER_DIR
    for name in (gz.UNITS_FILE, gz.FORMER_FILE, gz.COMMUNITIES_FILE, gz.COMMON_SHORTS_FILE, gz.BOUNDARY_WORDS_FILE):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name
