"""The administrative-division gazetteer: its builder (``zhclaims gazetteer``) and its runtime loader.

Build time (needs ``../shared/gazetteer`` and the installed jionlp package) writes three files under
``rules/gazetteer/`` that the pipeline reads at run time (a fresh clone needs nothing else):

* ``units.tsv`` -- every province, prefecture city, county-level unit and township of the NBS
  statistical division codes (2023) with its level, parent code and short forms;
* ``former.tsv`` -- former units (abolished or renamed before 2023) from ``rules/places/former_units.tsv``
  plus jionlp's list of renames;
* ``communities.txt.gz`` -- names of residential communities (社区) and administrative villages (村)
  from jionlp's names-only tree (no codes: the tree gives names below the township only).

Run time: :func:`load_gazetteer` returns a cached :class:`Gazetteer` with the units by code, the
candidate units of every written form, and a longest-match trie over all forms.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from .resources import RULES_DIR, load_lines, rules_path
from .text_rules import WordMatcher

LEVELS = ("province", "city", "district", "street")
LABEL_OF_LEVEL = {"province": "PROVINCE", "city": "CITY", "district": "DISTRICT", "street": "STREET"}
GAZETTEER_DIR = "gazetteer"
UNITS_FILE = "units.tsv"
FORMER_FILE = "former.tsv"
COMMUNITIES_FILE = "communities.txt.gz"
COMMON_SHORTS_FILE = "common_township_shorts.txt"
BOUNDARY_WORDS_FILE = "boundary_words.txt"

# County-level entries of the NBS table that are zones, not administrative units (gold README:
# development zones and parks are not places); townships must end with one of the suffixes.
_ZONE_NAME = re.compile(r"开发区|园区|管理区|示范区|管委会|试验区|合作区|群岛|海域")
_TOWNSHIP_SUFFIXES = ("街道", "镇", "乡", "苏木")
_PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_COMMUNITY_SUFFIXES = ("社区", "村")


@dataclass(frozen=True)
class Unit:
    """One administrative unit.

    Attributes:
        code: 6-digit code for provinces, cities and districts (GB/T 2260), 9-digit for townships;
            for a former unit its old code or ``""`` when unknown.
        level: one of :data:`LEVELS`.
        name: canonical Simplified full name (杭州市).
        parent: code of the enclosing unit, ``""`` for a province.
        shorts: short forms written for the unit (杭州; 拱墅; 前进 for 前进街道).
        former: True for a unit abolished or renamed before the gazetteer's vintage.
        successor: for a former unit, the code of the current unit that took it over.
        year: for a former unit, the year it was abolished.
    """

    code: str
    level: str
    name: str
    parent: str
    shorts: tuple[str, ...] = ()
    former: bool = False
    successor: str = ""
    year: str = ""

    @property
    def label(self) -> str:
        """The entity label of the unit (PROVINCE, CITY, DISTRICT or STREET)."""
        return LABEL_OF_LEVEL[self.level]

    @property
    def adcode(self) -> Optional[str]:
        """The 6-digit administrative code of a current province, city or district, else None."""
        if self.former or self.level == "street" or len(self.code) != 6:
            return None
        return self.code


# --------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------


def township_short(name: str) -> str:
    """Return a township's name without its 街道/镇/乡 suffix, or ``""`` when under 2 characters.

    >>> township_short("前进街道"), township_short("瓶窑镇"), township_short("塘镇")
    ('前进', '瓶窑', '')
    """
    for suffix in _TOWNSHIP_SUFFIXES:
        if name.endswith(suffix):
            short = name[: -len(suffix)]
            return short if len(short) >= 2 else ""
    return ""


def _open_jionlp_text(path: Path):
    """Open one of jionlp's dictionary texts, from the zip it ships in when not unpacked yet.

    jionlp unpacks ``china_location.zip`` into the ``.txt`` beside it on first use, so a fresh
    install has only the zip.
    """
    if path.exists():
        return open(path, encoding="utf-8")
    archive = path.with_suffix(".zip")
    if not archive.exists():
        raise FileNotFoundError(f"neither {path} nor {archive} exists: reinstall jionlp ({path.name} ships in it)")
    with zipfile.ZipFile(archive) as zipped:
        data = zipped.read(path.name).decode("utf-8")
    return io.StringIO(data)


def read_jionlp_tree(path: Path) -> tuple[dict[str, str], set[str]]:
    """Read jionlp's ``china_location.txt`` (tab-indented tree).

    Args:
        path: the text file (one unit per line; indentation = depth; code and short name in
            columns 2-3 down to county level).

    Returns:
        (short names of provinces, cities and counties by 6-digit code,
        community and village names of 3 or more characters).
    """
    shorts: dict[str, str] = {}
    communities: set[str] = set()
    with _open_jionlp_text(path) as handle:
        for line in handle:
            depth = len(line) - len(line.lstrip("\t"))
            fields = line.strip().split("\t")
            if depth <= 2 and len(fields) >= 3 and fields[1].isdigit():
                shorts[fields[1]] = fields[2]
            elif depth == 4:
                name = fields[0]
                if len(name) >= 3 and name.endswith(_COMMUNITY_SUFFIXES):
                    communities.add(name)
    return shorts, communities


def read_jionlp_renames(path: Path) -> list[tuple[str, str, str, str]]:
    """Read jionlp's ``china_location_change.txt``: county-level renames.

    Returns:
        ``(old county name, old city name, new county name, new city name, year)`` rows, one per
        line naming a county on both sides of ``=>``.
    """
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 10 or "=>" not in fields[7]:
                continue
            old_city, old_county = fields[4], fields[6]
            new_city, new_county = fields[8], fields[9]
            rows.append((old_county, old_city, new_county, new_city, fields[0][:4]))
    return rows


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_units(nbs_dir: Path, jionlp_shorts: dict[str, str]) -> list[Unit]:
    """Build the current units from the NBS CSV files.

    Args:
        nbs_dir: folder with provinces.csv, cities.csv, areas.csv, streets.csv.
        jionlp_shorts: short names of provinces/cities/counties by 6-digit code.

    Returns:
        Units sorted by code; placeholder cities (市辖区, 县, 省直辖县级行政区划) are left out and
        their counties attached to the province; zones are left out.
    """
    units: list[Unit] = []

    def short_of(code: str, name: str) -> tuple[str, ...]:
        short = jionlp_shorts.get(code, "")
        return (short,) if len(short) >= 2 and short != name and "直辖" not in short else ()

    for row in _read_csv(nbs_dir / "provinces.csv"):
        code = row["code"].ljust(6, "0")
        units.append(Unit(code, "province", row["name"], "", short_of(code, row["name"])))
    real_cities = set()
    for row in _read_csv(nbs_dir / "cities.csv"):
        if row["name"] in _PLACEHOLDER_CITIES:
            continue
        code = row["code"].ljust(6, "0")
        real_cities.add(row["code"])
        units.append(Unit(code, "city", row["name"], row["provinceCode"].ljust(6, "0"), short_of(code, row["name"])))
    kept_areas = set()
    for row in _read_csv(nbs_dir / "areas.csv"):
        if _ZONE_NAME.search(row["name"]):
            continue
        if row["code"] == row["cityCode"].ljust(6, "0"):
            # A city without districts (东莞市, 中山市) is listed again as its own county:
            # keep the city; its townships attach to it.
            kept_areas.add(row["code"])
            continue
        parent = row["cityCode"] if row["cityCode"] in real_cities else row["provinceCode"]
        kept_areas.add(row["code"])
        units.append(Unit(row["code"], "district", row["name"], parent.ljust(6, "0"), short_of(row["code"], row["name"])))
    for row in _read_csv(nbs_dir / "streets.csv"):
        name = row["name"]
        if not name.endswith(_TOWNSHIP_SUFFIXES) or row["areaCode"] not in kept_areas:
            continue
        short = township_short(name)
        units.append(Unit(row["code"], "street", name, row["areaCode"], (short,) if short else ()))
    return sorted(units, key=lambda u: u.code)


def build_former(hand_table: Path, renames: Iterable[tuple], current: list[Unit]) -> list[Unit]:
    """Merge the hand table of former units with jionlp's renames.

    Args:
        hand_table: ``rules/places/former_units.tsv``.
        renames: rows from :func:`read_jionlp_renames`.
        current: the current units (a former name that is still current is skipped).

    Returns:
        Former units sorted by name.
    """
    current_names = {u.name for u in current}
    by_name: dict[str, Unit] = {}
    lines = [line for line in hand_table.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    for row in csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t"):
        code = "" if row["former_code"] == "-" else row["former_code"]
        by_name[row["name"]] = Unit(code, row["level"], row["name"], row["parent_code"], (),
                                    True, row["successor_code"], row["year"])
    city_code = {u.name: u.code for u in current if u.level == "city"}
    district_code = {(u.parent, u.name): u.code for u in current if u.level == "district"}
    for old_county, old_city, new_county, new_city, year in renames:
        if old_county in current_names or old_county in by_name or not old_county.endswith(("区", "县", "市")):
            continue
        parent = city_code.get(new_city, "")
        successor = district_code.get((parent, new_county), "")
        if parent and successor:
            by_name[old_county] = Unit("", "district", old_county, parent, (), True, successor, year)
    return [by_name[name] for name in sorted(by_name)]


def write_gazetteer(units: list[Unit], former: list[Unit], communities: set[str], out_dir: Path) -> dict[str, int]:
    """Write ``units.tsv``, ``former.tsv`` and ``communities.txt.gz`` into ``out_dir``.

    Returns:
        Row counts per file, for the build report.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    header = "code\tlevel\tname\tparent\tshorts\tformer\tsuccessor\tyear\n"
    for file_name, rows, note in (
        (UNITS_FILE, units, "NBS statistical division codes 2023 (see README.md); built by `zhclaims gazetteer`"),
        (FORMER_FILE, former, "former units: rules/places/former_units.tsv + jionlp renames; built by `zhclaims gazetteer`"),
    ):
        with open(out_dir / file_name, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(f"# {note}\n")
            handle.write(header)
            for u in rows:
                handle.write("\t".join([u.code, u.level, u.name, u.parent, "|".join(u.shorts),
                                        "1" if u.former else "0", u.successor, u.year]) + "\n")
    payload = "".join(f"{name}\n" for name in sorted(communities)).encode("utf-8")
    # mtime=0 keeps the gzip bytes identical between builds.
    with open(out_dir / COMMUNITIES_FILE, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as handle:
            handle.write(payload)
    return {UNITS_FILE: len(units), FORMER_FILE: len(former), COMMUNITIES_FILE: len(communities)}


def community_prefix(name: str) -> str:
    """Return a community name without its 社区/村 suffix.

    >>> community_prefix("新颜苑社区"), community_prefix("前峰村")
    ('新颜苑', '前峰')
    """
    for suffix in _COMMUNITY_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def common_words(min_freq: int) -> set[str]:
    """Return the words of jieba's dictionary with frequency at least ``min_freq`` that jieba does
    not tag as place names (``ns``)."""
    import jieba

    words = set()
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as handle:
        for line in handle:
            word, freq, tag = line.rstrip("\n").split(" ")
            if int(freq) >= min_freq and tag != "ns":
                words.add(word)
    return words


def boundary_words(units: list[Unit], min_freq: int) -> list[str]:
    """Return the common two-character words whose second character can start a place form or
    whose first character can end one (沿海 in 沿海城市, 城市 in 大城市, 东部 in 山东部)."""
    firsts, lasts = set(), set()
    for unit in units:
        for form in (unit.name,) + unit.shorts:
            firsts.add(form[0])
            lasts.add(form[-1])
    return sorted(w for w in common_words(min_freq) if len(w) == 2 and (w[1] in firsts or w[0] in lasts))


def jionlp_dictionary_dir() -> Path:
    """Return jionlp's dictionary folder (raises ImportError with advice when jionlp is missing)."""
    import importlib.util

    spec = importlib.util.find_spec("jionlp")
    if spec is None or spec.origin is None:
        raise ImportError("jionlp is not installed: pip install jionlp (it ships china_location.txt)")
    return Path(spec.origin).parent / "dictionary"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``zhclaims gazetteer`` options."""
    default_nbs = RULES_DIR.parent.parent / "shared" / "gazetteer"
    parser.add_argument("--nbs", type=Path, default=default_nbs,
                        help=f"folder with the NBS CSV files (default: {default_nbs})")
    parser.add_argument("--jionlp", type=Path, default=None,
                        help="jionlp's dictionary folder (default: the installed package's)")
    parser.add_argument("--common-word-freq", type=int, default=1000,
                        help="drop community names whose name part is a jieba word at least this frequent "
                             "(更新社区, 后来社区: real names, but in running text ordinary words); default 1000")
    parser.add_argument("--boundary-word-freq", type=int, default=500,
                        help="two-character words at least this frequent in jieba decide that a place "
                             "form starting or ending inside them is no mention (default 500)")
    parser.add_argument("--out", type=Path, default=RULES_DIR / GAZETTEER_DIR,
                        help="output folder (default: rules/gazetteer)")


def run(args: argparse.Namespace) -> int:
    """Rebuild the derived gazetteer; print what was written."""
    if not (args.nbs / "streets.csv").exists():
        print(f"error: {args.nbs}/streets.csv not found; pass --nbs FOLDER with the NBS CSV files "
              f"(../shared/gazetteer in the development checkout)")
        return 2
    jionlp_dir = args.jionlp or jionlp_dictionary_dir()
    shorts, communities = read_jionlp_tree(jionlp_dir / "china_location.txt")
    units = build_units(args.nbs, shorts)
    former = build_former(RULES_DIR / "places" / "former_units.tsv",
                          read_jionlp_renames(jionlp_dir / "china_location_change.txt"), units)
    communities -= set(load_lines("places", "generic_communities.txt"))
    common = common_words(args.common_word_freq)
    communities = {name for name in communities if community_prefix(name) not in common}
    common_shorts = sorted({s for u in units if u.level == "street" for s in u.shorts if s in common})
    counts = write_gazetteer(units, former, communities, args.out)
    with open(args.out / COMMON_SHORTS_FILE, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("# Township short forms that are common words (jieba frequency >= "
                     f"{args.common_word_freq}, not tagged ns); built by `zhclaims gazetteer`.\n")
        handle.writelines(f"{short}\n" for short in common_shorts)
    counts[COMMON_SHORTS_FILE] = len(common_shorts)
    boundary = boundary_words(units, args.boundary_word_freq)
    with open(args.out / BOUNDARY_WORDS_FILE, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("# Two-character words (jieba frequency >= "
                     f"{args.boundary_word_freq}, not tagged ns) that straddle the first or last character "
                     "of a place form; built by `zhclaims gazetteer`.\n")
        handle.writelines(f"{word}\n" for word in boundary)
    counts[BOUNDARY_WORDS_FILE] = len(boundary)
    for name, count in counts.items():
        print(f"{args.out / name}: {count} rows")
    return 0


# --------------------------------------------------------------------------------------------
# Run time
# --------------------------------------------------------------------------------------------


def _read_unit_rows(path: Path) -> list[Unit]:
    units = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(("#", "code\t")):
                continue
            code, level, name, parent, shorts, former, successor, year = line.rstrip("\n").split("\t")
            units.append(Unit(code, level, name, parent, tuple(s for s in shorts.split("|") if s),
                              former == "1", successor, year))
    return units


class Gazetteer:
    """Units by key, the candidate units of every written form, and the structures to find them.

    A unit's key is its code, or ``"former:<name>"`` for a former unit without a code.

    Attributes:
        units: units by key.
        full_forms: written full name -> keys of the units with that name.
        short_forms: written short form -> keys of the units with that short form.
        matcher: :class:`~pipeline.text_rules.WordMatcher` over the full and short forms of provinces, cities and
            districts (current and former; value: the form itself) and blockers (value ``""``).
        township_names: full township names -> keys. Townships are not in the trie (41k names
            would slow the pass down by half): they are found from their suffix (街道, 镇, 乡), see
            :meth:`find_townships`.
        township_shorts: township short form (前进) -> keys; read only with document evidence.
        townships_of: district key -> keys of its townships.
    """

    TOWNSHIP_SUFFIX = re.compile("街道|镇|乡|苏木")

    def __init__(self, units: Iterable[Unit], former: Iterable[Unit], generic_forms: Iterable[str] = (),
                 blockers: Iterable[str] = ()):
        self.units: dict[str, Unit] = {}
        self.full_forms: dict[str, list[str]] = {}
        self.short_forms: dict[str, list[str]] = {}
        self.township_names: dict[str, list[str]] = {}
        self.township_shorts: dict[str, list[str]] = {}
        self.townships_of: dict[str, list[str]] = {}
        self._chains: dict[str, tuple[list[Unit], set[str]]] = {}
        self._lineages: dict[str, tuple[str, ...]] = {}
        self._chain_names: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        generic = set(generic_forms)
        for unit in list(units) + list(former):
            key = self.key_of(unit)
            self.units[key] = unit
            if unit.level == "street":
                self.townships_of.setdefault(unit.parent, []).append(key)
                for short in unit.shorts:
                    self.township_shorts.setdefault(short, []).append(key)
            if unit.name not in generic:
                self.full_forms.setdefault(unit.name, []).append(key)
                if unit.level == "street":
                    self.township_names.setdefault(unit.name, []).append(key)
            if unit.level != "street":
                for short in unit.shorts:
                    if short not in generic:
                        self.short_forms.setdefault(short, []).append(key)
        self.township_max_length = max((len(name) for name in self.township_names), default=0)
        # The lengths of the township names ending with each two characters, longest first: a
        # suffix hit (家乡, 城镇) is tried only with the lengths of names that end like it.
        sizes: dict[str, set[int]] = {}
        for name in self.township_names:
            sizes.setdefault(name[-2:], set()).add(len(name))
        self._township_sizes_by_tail = {tail: sorted(found, reverse=True) for tail, found in sizes.items()}
        forms = {form: form for form in self.full_forms if form not in self.township_names}
        forms.update({form: form for form in self.short_forms})
        # A blocker maps to "": matched (so its characters are consumed), then dropped.
        forms.update({word: "" for word in blockers if word not in forms})
        self.matcher = WordMatcher.from_words(forms)

    def find_townships(self, text: str) -> list[tuple[int, int, str]]:
        """Return ``(start, end, name)`` of the longest township name ending at each 街道/镇/乡 suffix."""
        found = []
        for match in self.TOWNSHIP_SUFFIX.finditer(text):
            end = match.end()
            shortest = end - match.start() + 2  # the suffix and two characters before it
            for size in self._township_sizes_by_tail.get(text[end - 2 : end], ()):
                if size < shortest:
                    break
                if size <= end and text[end - size : end] in self.township_names:
                    found.append((end - size, end, text[end - size : end]))
                    break
        return found

    def find_forms(self, text: str) -> tuple[list[tuple[int, int, str]], bytearray]:
        """Return the non-overlapping longest matches of all full and short forms (blockers
        dropped) and which characters any match, blockers included, covers (1 where covered)."""
        matches = self.matcher.find(text)
        townships = self.find_townships(text)
        if townships:
            chosen: list[tuple[int, int, str]] = []
            taken: set[int] = set()
            for start, end, form in sorted(matches + townships, key=lambda m: (m[0] - m[1], m[0])):
                if not taken.intersection(range(start, end)):
                    chosen.append((start, end, form))
                    taken.update(range(start, end))
            matches = sorted(chosen)
        covered = bytearray(len(text) + 1)
        for start, end, _ in matches:
            covered[start:end] = b"\x01" * (end - start)
        return [m for m in matches if m[2]], covered

    @staticmethod
    def key_of(unit: Unit) -> str:
        """Return the key of ``unit`` in :attr:`units`."""
        return f"former:{unit.name}" if unit.former else unit.code

    def _chain_and_keys(self, key: str) -> tuple[list[Unit], set[str]]:
        cached = self._chains.get(key)
        if cached is None:
            chain: list[Unit] = []
            parent = self.units[key].parent
            while parent and parent in self.units and len(chain) < len(LEVELS):
                chain.append(self.units[parent])
                parent = self.units[parent].parent
            chain.reverse()
            cached = self._chains[key] = (chain, {self.key_of(u) for u in chain})
        return cached

    def chain(self, key: str) -> list[Unit]:
        """Return the enclosing units of ``key`` from the top down (not including the unit)."""
        return list(self._chain_and_keys(key)[0])

    def ancestors(self, key: str) -> set[str]:
        """Return the keys of every unit enclosing ``key``."""
        return self._chain_and_keys(key)[1]

    def chain_names_and_codes(self, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the names and the codes of :meth:`chain` ``(key)``."""
        found = self._chain_names.get(key)
        if found is None:
            chain = self._chain_and_keys(key)[0]
            found = self._chain_names[key] = (tuple(u.name for u in chain), tuple(u.code for u in chain))
        return found

    def lineage(self, key: str) -> tuple[str, ...]:
        """Return ``key`` followed by the keys of every unit enclosing it (in :meth:`ancestors` order)."""
        found = self._lineages.get(key)
        if found is None:
            found = self._lineages[key] = (key, *self.ancestors(key))
        return found

    def is_within(self, key: str, ancestor: str) -> bool:
        """True when unit ``key`` lies inside unit ``ancestor`` (former units: by their parent)."""
        return ancestor in self.ancestors(key)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Load the committed gazetteer once per process."""
    units = _read_unit_rows(rules_path(GAZETTEER_DIR, UNITS_FILE))
    former = _read_unit_rows(rules_path(GAZETTEER_DIR, FORMER_FILE))
    return Gazetteer(units, former, load_lines("places", "generic_names.txt"), load_lines("places", "blockers.txt"))


@lru_cache(maxsize=1)
def load_communities() -> frozenset[str]:
    """Load the community/village names (jionlp), once per process."""
    with gzip.open(rules_path(GAZETTEER_DIR, COMMUNITIES_FILE), "rt", encoding="utf-8") as handle:
        return frozenset(line.rstrip("\n") for line in handle if line.strip())
