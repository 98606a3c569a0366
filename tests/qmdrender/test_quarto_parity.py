"""Where a ``quarto`` binary is on PATH, it and the project's renderer say the same things.

Quarto cannot be installed from the package registries this project's machines reach, so on
them the test is skipped and says so. With Quarto installed (e.g. ``conda env create -f
environment.yml``) every conformance document of qmd_conformance.py is rendered by both engines,
to HTML and to PDF (Quarto's Typst format), and both renderings must contain each phrase the
conformance suite expects: the same numbers, captions, references and included text. Words are
compared (punctuation and white space aside), so the two engines' markup may differ.
(Unverified here: no machine of this project has Quarto.)
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from qmd_conformance import DOCUMENTS, EXPECT, text_of, write_documents

from qmdrender import render

QUARTO = shutil.which("quarto")


def words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text))


@pytest.mark.skipif(
    QUARTO is None, reason="no quarto binary on PATH (it cannot be installed here); parity with Quarto is checked only where it is"
)
@pytest.mark.parametrize("to", ["pdf", "html"])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_quarto_and_the_project_renderer_say_the_same(tmp_path: Path, name: str, to: str) -> None:
    ours = write_documents(tmp_path / "ours")[name]
    theirs = write_documents(tmp_path / "quarto")[name]
    texts = {
        "ours": text_of(render(ours, ours.with_suffix(f".{to}"), to=to, engine="pandoc"), to),
        "quarto": text_of(render(theirs, theirs.with_suffix(f".{to}"), to=to, engine="quarto"), to),
    }
    for engine, text in texts.items():
        lacking = [phrase for phrase in EXPECT[name][to] if words(phrase) not in words(text)]
        assert not lacking, f"{engine} rendering of {name}.{to} lacks {lacking}"
