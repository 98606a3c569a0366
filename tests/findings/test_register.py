"""The findings register: reading order, where each finding is used, the cell named in the text."""

from __future__ import annotations

import re
from pathlib import Path

import pypandoc

from poc1540.core.finding import Finding
from poc1540.findings import register


def _finding(key: str, notebook: str, cell: int | None = 3) -> Finding:
    return Finding(key=key, value=1, text="1", unit="States", notebook=notebook, cell=cell)


def _report(tmp_path: Path) -> Path:
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    (chapters / "_summary.qmd").write_text("# Summary {.unnumbered}\n\nFirst {{< var b.late >}}.\n")
    (chapters / "_alpha.qmd").write_text(
        "# Alpha {#sec-alpha}\n\n{{< var a.two >}} then {{< var a.one >}}.\n\n"
        "```python\n# Not a heading {{< var a.unused >}}\n```\n\n## Detail\n\nAgain {{< var a.two >}}.\n"
    )
    (chapters / "_beta.qmd").write_text("# Beta\n\n## Part\n\n{{< var b.late >}} and {{< var b.early >}}.\n")
    main = tmp_path / "index.qmd"
    main.write_text(
        "---\ntitle: T\n---\n\n{{< include _generated/notice.md >}}\n\n"
        + "".join(f"{{{{< include chapters/_{n}.qmd >}}}}\n\n" for n in ("summary", "alpha", "beta"))
    )
    return main


def test_rows_follow_the_text_and_name_the_sections_that_use_them(tmp_path: Path) -> None:
    chapters = register.read_report(_report(tmp_path))
    assert [c.name for c in chapters] == ["summary", "alpha", "beta"]
    items = [
        _finding("b.early", "03_beta"),
        _finding("a.unused", "02_alpha"),
        _finding("a.one", "02_alpha"),
        _finding("b.late", "03_beta"),
        _finding("a.two", "02_alpha"),
        _finding("z.orphan", "09_nowhere"),
    ]
    rows = [(f.key, [s.label() for s in where]) for f, where in register.reading_order(items, chapters)]
    assert rows == [
        ("b.late", ["Summary", "§2.1"]),  # first used in the unnumbered summary
        ("a.two", ["§1", "§1.1"]),
        ("a.one", ["§1"]),
        ("a.unused", []),  # only inside a code block: unused, so it closes its notebook's chapter
        ("b.early", ["§2.1"]),
        ("z.orphan", []),  # no chapter for its notebook: last
    ]


def test_the_cell_is_named_in_the_text_and_linked_only_in_html(tmp_path: Path) -> None:
    main = _report(tmp_path)
    text = register.markdown(
        [_finding("a.one", "02_alpha", cell=7), _finding("a.two", "02_alpha", cell=None)],
        register.read_report(main),
        {("02_alpha", 7): "alpha-07"},
    )
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")}
    assert "02_alpha.ipynb, In \\[7\\]" in rows["`a.one`"]
    assert '`<a href="notebooks/02_alpha.html#cell-id=alpha-07">`{=html}' in rows["`a.one`"]
    assert "In \\[" not in rows["`a.two`"] and 'href="notebooks/02_alpha.html"' in rows["`a.two`"]
    assert "{#tbl-findings-register}" in text


def test_the_key_column_grows_with_the_longest_key() -> None:
    def key_width(key: str) -> int:
        text = register.markdown([_finding(key, "02_alpha"), _finding("a.one", "02_alpha")], [])
        return len(text.splitlines()[1].strip("|").split("|")[0])

    assert key_width("a." + "k" * 60) > key_width("a." + "k" * 30) > key_width("a.one")


def test_front_matter_comments_are_not_headings(tmp_path: Path) -> None:
    main = _report(tmp_path)
    main.write_text(main.read_text().replace("title: T\n", "title: T\n# a YAML comment, not a heading\n"))
    rows = [
        (f.key, [s.label() for s in where])
        for f, where in register.reading_order([_finding("a.two", "02_alpha")], register.read_report(main))
    ]
    assert rows == [("a.two", ["§1", "§1.1"])]


def test_sections_carry_the_identifiers_pandoc_gives_them(tmp_path: Path) -> None:
    titles = [
        "Coverage by regional group",
        "POCs, national reports and action plans",
        "2020: the frame",
        "Détail (v2.1)",
        "Part",
        "Part",
        "Named {#sec-named}",
    ]
    body = "".join(f"# {t}\n\nText {{{{< var k.{i} >}}}}.\n\n" for i, t in enumerate(titles))
    (tmp_path / "_chapter.qmd").write_text(body, encoding="utf-8")
    main = tmp_path / "index.qmd"
    main.write_text("{{< include _chapter.qmd >}}\n", encoding="utf-8")
    (chapter,) = register.read_report(main)
    ours = [where[0].identifier for where in chapter.uses.values()]
    html = pypandoc.convert_text(body, "html", format="markdown")
    assert ours == re.findall(r'<h1 id="([^"]+)"', html)
