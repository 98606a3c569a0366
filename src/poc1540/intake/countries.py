"""Resolve country names as people write them ("Ivory Coast", "Turkey", "Korea, Republic of",
"USA") to ISO3 codes, and say clearly when a name is not a UN Member State.

Matching uses country_converter's own regular expressions (the same ones ``coco.convert`` uses),
read straight from its bundled ``country_data.tsv``: ``coco.CountryConverter()`` cannot be built
under pandas 3 (Namibia's ISO2 code "NA" is read as missing and its regex fails to compile), so
the table is read here with every cell as text. The UN Member States themselves come from the
project's reference table ``data/raw/member_states.csv``: a name that resolves to a State outside
it (an observer State, a territory) is refused with the reason.

Used by the survey importers, the listing importer and the validator.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from poc1540.core import paths
from poc1540.core.text import fold_typography

# Non-member States with permanent observer status at the UN General Assembly.
OBSERVER_STATES = {"VAT": "the Holy See", "PSE": "the State of Palestine"}
# States that are not UN members and not observers, but are not territories of another State either.
NON_MEMBER_STATES = {"XKX": "Kosovo", "TWN": "Taiwan"}


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one name: an ISO3 code of a Member State, or why not."""

    iso3: str | None
    rule: str = ""
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.iso3 is not None


def _plain(text: str) -> str:
    """Casefolded, accents removed, quotes and spaces normalised: the form names are compared in."""
    text = unicodedata.normalize("NFKD", fold_typography(str(text)))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip().casefold()


def coco_table() -> pd.DataFrame:
    """country_converter's bundled country table (all entries), read with every cell as text."""
    from country_converter import country_converter as coco_module

    return pd.read_csv(coco_module.COUNTRY_DATA_FILE, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _coco() -> pd.DataFrame:
    """country_converter's current entries (obsolete names left out)."""
    table = coco_table()
    return table[table["obsolete"] == ""].reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _regexes() -> list[tuple[str, re.Pattern[str]]]:
    return [(iso3, re.compile(rx, re.IGNORECASE)) for iso3, rx in zip(_coco()["ISO3"], _coco()["regex"])]


@functools.lru_cache(maxsize=4)
def member_states(path: Path = paths.MEMBER_STATES) -> dict[str, str]:
    """ISO3 -> name of the UN Member States, from the project's reference table."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return dict(zip(table["iso3"], table["name"]))


@functools.lru_cache(maxsize=1)
def _iso2() -> dict[str, str]:
    """ISO2 -> ISO3. country_converter writes a few ISO2 cells as a regex (``^GB$|^UK$``): its codes are read out of it."""
    out: dict[str, str] = {}
    for iso2, iso3 in zip(_coco()["ISO2"], _coco()["ISO3"]):
        for code in re.findall(r"[A-Z]{2}", iso2):
            out.setdefault(code, iso3)
    return out


#: words a State's name may carry besides its own (forms of government, "the", "of" ...)
NAME_WORDS = frozenset(
    "the of and rep republic state states kingdom federal federated democratic people peoples islamic arab united union "
    "federation plurinational bolivarian commonwealth principality grand duchy sultanate socialist independent former "
    "coast island islands north south east west new saint st pdr dpr dem fed sar".split()
)
#: characters a cell holding only a State's name may contain besides letters and spaces
NAME_PUNCTUATION = set(",.'()-&")


@functools.lru_cache(maxsize=1)
def _own_words() -> dict[str, frozenset[str]]:
    """ISO3 -> the words of the country's names (short, official, the reference table's)."""
    words: dict[str, set[str]] = {}
    for _, row in _coco().iterrows():
        text = " ".join([row["name_short"], row["name_official"]])
        words.setdefault(row["ISO3"], set()).update(re.findall(r"[^\W\d_]+", _plain(text)))
    for iso3, name in member_states().items():
        words.setdefault(iso3, set()).update(re.findall(r"[^\W\d_]+", _plain(name)))
    return {k: frozenset(v) for k, v in words.items()}


def other_text(text: str, iso3: str) -> str | None:
    """What a cell holds besides the name of ``iso3`` (a word, a formula's quote ...), or None when it is only the name.

    A cell must *be* a State's name: "see France" or ``=IF(A2="France","x")`` contain one but are not one.
    A word is the name's own when the cell without it no longer names the State, or when it is one
    of the words of the State's names or of a form of government (:data:`NAME_WORDS`).
    """
    plain = _plain(text)
    odd = [ch for ch in plain if not (ch.isalpha() or ch.isspace() or ch in NAME_PUNCTUATION)]
    if odd:
        return odd[0]
    allowed = NAME_WORDS | _own_words().get(iso3, frozenset())
    spellings = [rx for code, rx in _regexes() if code == iso3]
    words = re.findall(r"[^\W\d_]+", plain)
    for k, word in enumerate(words):
        if word in allowed or len(word) == 1:
            continue
        rest = " ".join(words[:k] + words[k + 1 :])
        if any(rx.search(rest) for rx in spellings):  # the State is named without this word: it is other text
            return word
    return None


def resolve(name: str) -> str | None:
    """ISO3 code of the country or territory a name denotes, or None when unknown or ambiguous.

    Accepts an ISO3 or ISO2 code in any case, the Member State names of the reference table and
    every spelling country_converter's regexes know (with or without accents), as the whole cell:
    a name inside other text resolves to nothing. The result may be a non-member (e.g. "Kosovo"
    -> XKX): use :func:`resolve_member` to accept Member States only.
    """
    text = fold_typography(str(name)).strip()
    if not text:
        return None
    codes = set(_coco()["ISO3"])
    if re.fullmatch(r"[A-Za-z]{3}", text) and text.upper() in codes:
        return text.upper()
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return _iso2().get(text.upper())
    by_name = {_plain(n): iso3 for iso3, n in member_states().items()}
    if _plain(text) in by_name:
        return by_name[_plain(text)]
    for candidate in dict.fromkeys([text, _plain(text)]):
        hits = {iso3 for iso3, rx in _regexes() if rx.search(candidate)}
        if len(hits) == 1:
            iso3 = hits.pop()
            return iso3 if other_text(text, iso3) is None else None
        if len(hits) > 1:
            return None
    return None


def suggest(name: str, members: dict[str, str] | None = None) -> str:
    """The Member State name closest to ``name`` (difflib over the reference table's names)."""
    members = members or member_states()
    plain = {_plain(n): n for n in members.values()}
    best = difflib.get_close_matches(_plain(name), list(plain), n=1, cutoff=0.0)
    return plain[best[0]] if best else ""


def non_member_reason(iso3: str) -> str:
    """Why a resolved country is not accepted: observer State, other non-member, or territory."""
    coco = _coco().set_index("ISO3")
    label = coco.loc[iso3, "name_short"] if iso3 in coco.index else iso3
    if iso3 in OBSERVER_STATES:
        return f"is {OBSERVER_STATES[iso3]} ({iso3}), a non-member observer State, not a UN Member State"
    if iso3 in NON_MEMBER_STATES:
        return f"is {NON_MEMBER_STATES[iso3]} ({iso3}), which is not a UN Member State"
    return f"is {label} ({iso3}), a territory, not a UN Member State"


def resolve_member(name: str, members: dict[str, str] | None = None) -> Resolution:
    """Resolve a name to the ISO3 code of a UN Member State, or say why it cannot be."""
    members = members if members is not None else member_states()
    if _plain(name) in ("na", "n/a"):  # Namibia's ISO2 code, or "not available": not guessed
        return Resolution(
            None,
            "could be Namibia's ISO code or 'not available'",
            "write NAM or Namibia for Namibia; a response without a State cannot be counted",
        )
    iso3 = resolve(name)
    if iso3 is None:
        for candidate in dict.fromkeys([fold_typography(str(name)).strip(), _plain(name)]):
            hits = {code for code, rx in _regexes() if rx.search(candidate)}
            extra = other_text(str(name), next(iter(hits))) if len(hits) == 1 else None
            if extra is not None:
                return Resolution(
                    None,
                    f"holds other text besides a country name ({extra!r}): a cell must be a State's name or code, nothing else",
                    "write only the State's name (as in data/raw/member_states.csv) or its ISO code in the cell"
                    + (
                        "; a cell starting with '=' is a spreadsheet formula: paste the column back as values"
                        if str(name).lstrip().startswith("=")
                        else ""
                    ),
                )
            if hits:
                break
        closest = suggest(name, members)
        return Resolution(
            None,
            "is not a country name that can be recognised",
            f"write the State's name as in data/raw/member_states.csv (closest Member State: '{closest}')",
        )
    if iso3 not in members:
        return Resolution(
            None,
            non_member_reason(iso3),
            "only UN Member States are in the survey's population: check the response, and remove it if it is genuine",
        )
    return Resolution(iso3)
