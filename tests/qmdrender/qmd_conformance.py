"""The conformance documents: small .qmd files exercising what Quarto's own smoke tests check.

Written in the spirit of quarto-cli's ``tests/docs/crossrefs/*.qmd`` and
``tests/docs/shortcodes/*.qmd`` (not copies), with the phrases those tests assert
(``tests/smoke/crossref/*.test.ts``, ``tests/smoke/shortcodes/shortcodes-core.test.ts``):
"Figure 1: Elephant" captions, "See Figure 1" references, "Section 1" for a document whose
first heading is ``##``, crossref prefixes and delimiters, references inside callouts and
captions, ``var`` / ``meta`` / ``include``.

``EXPECT[name][fmt]`` lists the phrases each rendering must contain. A phrase is matched in the
text with white space folded; in HTML the non-breaking space Quarto puts between "Figure" and
its number must be there (``\\xa0``), in the PDF's text any space counts. Used by
test_conformance.py (this renderer) and test_quarto_parity.py (Quarto, where installed).
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from support.pdf import pdf_text

NB = "\u00a0"

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
    '<rect x="5" y="20" width="40" height="35" fill="#0072B2"/>'
    '<rect x="60" y="5" width="40" height="50" fill="#E69F00"/></svg>\n'
)

# Quarto's simple.qmd / figure-syntax-*.qmd: figures in both syntaxes, headings unnumbered
# (no number-sections: Quarto's default), the title block.
FIGURES = """\
---
title: Figure conformance
subtitle: Both figure syntaxes
author: Grace Harbour
date: "2024-05-01"
---

## A plain figure

![Heron](img/heron.svg){#fig-heron}

See @fig-heron for a drawing.

## A figure written as a div

::: {#fig-kite}
![](img/kite.svg)

Kite in a div
:::

@fig-kite follows @fig-heron.
"""

# Quarto's syntax.qmd: the reference forms.
SYNTAX = """\
---
title: Reference syntax
---

![Lantern](img/heron.svg){#fig-lantern}

::: {.figtest-default}
Default: @fig-lantern
:::

::: {.figtest-capitalized}
Capitalised: @Fig-lantern
:::

::: {.figtest-prefix}
Own prefix: [Picture @fig-lantern]
:::

::: {.figtest-noprefix}
Number only: [-@fig-lantern]
:::
"""

# Quarto's sections.qmd: number-sections on, the first heading at level 2 -> "Section 1".
SECTIONS_H2 = """\
---
title: Sections from level two
number-sections: true
---

## Background {#sec-background}

See @sec-background for context and @sec-detail for more.

### Detail {#sec-detail}

Detail text.

## Scope {#sec-scope}

Back to @sec-background; this is @sec-scope.
"""

# number-sections on, the first heading at level 1; an unnumbered annex.
SECTIONS_H1 = """\
---
title: Sections from level one
number-sections: true
---

# Method {#sec-method}

## Sampling {#sec-sampling}

### Weights {#sec-weights}

Weights text.

# Results {#sec-results}

Compare @sec-method, @sec-sampling, @sec-weights and @sec-results.

# Annex {.unnumbered}

Annex text.
"""

# Quarto's options.qmd: crossref prefixes and the title delimiter.
OPTIONS = """\
---
title: Crossref options
crossref:
  fig-prefix: Fig.
  tbl-prefix: Tab.
  title-delim: "—"
---

# Overview

![Lighthouse](img/heron.svg){#fig-lighthouse}

See @fig-lighthouse.

| Place | Height |
|:------|-------:|
| North | 4 |
| South | 6 |

: Tide heights {#tbl-tides}

See @tbl-tides.
"""

# crossref titles apart from prefixes, a lower-case prefix capitalised by @Fig-, sec-prefix.
TITLES = """\
---
title: Crossref titles
number-sections: true
crossref:
  fig-title: Chart
  tbl-title: Panel
  fig-prefix: chart
  sec-prefix: Part
---

# Start {#sec-start}

![Rain](img/heron.svg){#fig-rain}

| Day | Wind |
|:----|-----:|
| Mon | 12 |

: Wind speeds {#tbl-wind}

Refs: @fig-rain, @Fig-rain, @tbl-wind, @sec-start.
"""

# Quarto's tables.qmd: a captioned pipe table and a table div.
TABLES = """\
---
title: Table conformance
---

## Simple table

| Letter | Sound |
|:-------|:------|
| Alpha | a |
| Beta | b |

: Letters {#tbl-letters}

See @tbl-letters.

## Table in a div

::: {#tbl-digits}
| Digit | Name |
|------:|:-----|
| 1 | one |

: Digits
:::

See @tbl-digits after @tbl-letters.
"""

# Quarto's callouts.qmd: a figure inside a callout, numbered and referenced; every callout
# type with its default title; references inside captions.
CALLOUTS = """\
---
title: Callout conformance
---

![Harbour](img/heron.svg){#fig-harbour}

::: {.callout-note}
## Response

Inside the note, the harbour is @fig-harbour.

![Pier](img/kite.svg){#fig-pier}
:::

See @fig-pier, drawn inside the callout.

::: {.callout-tip}
Tip body.
:::

::: {.callout-warning}
Warning body.
:::

::: {.callout-caution}
Caution body.
:::

::: {.callout-important title="Custom title"}
Important body cites @tbl-berths.
:::

![Quay, next to @fig-harbour](img/heron.svg){#fig-quay}

| Berth | Ships |
|:------|------:|
| One | 3 |

: Berths, as @fig-quay shows {#tbl-berths}
"""

# The title block and navigation: date-format, lang, abstract-title, toc-depth, lof-title,
# and per-format options under format:.
FRONT_MATTER = """\
---
title: Front matter conformance
date: "2024-05-01"
date-format: "D MMMM YYYY"
lang: en-GB
abstract: A short abstract.
abstract-title: Summary
number-sections: true
toc: true
toc-depth: 1
lof: true
crossref:
  lof-title: Charts in this note
format:
  html:
    toc-title: Contents on the web
  typst:
    toc-title: Contents in print
---

# First {#sec-first}

## Left out of the contents

![Dot](img/heron.svg){#fig-dot}

# Second

See @sec-first and @fig-dot.
"""

# Citations beside cross-references: a bibliography, link-citations, the list at #refs.
CITATIONS = """\
---
title: Citation conformance
bibliography: refs.yaml
link-citations: true
number-sections: true
---

# Background {#sec-background}

The tide tables are public [@tide-office], as @sec-background notes; @tide-office says so too.

# References {.unnumbered}

::: {#refs}
:::
"""

BIBLIOGRAPHY = """\
references:
  - id: tide-office
    type: report
    author:
      - literal: Harbour Tide Office
    title: Tide tables for the outer harbour
    issued: {date-parts: [[2021, 3, 1]]}
"""

# Quarto's shortcodes metadata.qmd / vars-simple.qmd: nested var and meta keys, include.
SHORTCODES = """\
---
title: Shortcode conformance
subtitle: "{{< var site.name >}} notes"
basic-value: Hello Harbour
nested:
  subkey: Subkey Value
---

## {{< meta basic-value >}}

Vessels: {{< var site.counts.vessels >}}. Name: {{< var site.name >}}.
Second item: {{< var items.1 >}}. Flag: {{< var flag >}}. Ratio: {{< var ratio >}}.

Nested meta: {{< meta nested.subkey >}}; title: {{< meta title >}}.

{{< include parts/_part.qmd >}}

Escaped: {{{< var site.name >}}}.

```{.text shortcodes=false}
{{< var not.a.key >}}
```
"""

PART = """\
Included with {{< var site.counts.vessels >}} vessels.

{{< include deeper/_deeper.qmd >}}
"""

DEEPER = "Deeper include of {{< meta nested.subkey >}}.\n"

VARIABLES = """\
site:
  name: Harbour Office
  counts:
    vessels: 42
items: [alpha, beta]
flag: true
ratio: 0.5
"""

DOCUMENTS = {
    "figures": FIGURES,
    "syntax": SYNTAX,
    "sections_h2": SECTIONS_H2,
    "sections_h1": SECTIONS_H1,
    "options": OPTIONS,
    "titles": TITLES,
    "tables": TABLES,
    "callouts": CALLOUTS,
    "shortcodes": SHORTCODES,
    "front_matter": FRONT_MATTER,
    "citations": CITATIONS,
}


def _both(*phrases: str) -> dict[str, list[str]]:
    return {"html": list(phrases), "pdf": [p.replace(NB, " ") for p in phrases]}


def _merge(base: dict[str, list[str]], **extra: list[str]) -> dict[str, list[str]]:
    return {fmt: base[fmt] + extra.get(fmt, []) for fmt in base}


EXPECT: dict[str, dict[str, list[str]]] = {
    "figures": _both(
        f"Figure{NB}1: Heron",
        f"See Figure{NB}1 for a drawing.",
        f"Figure{NB}2: Kite in a div",
        f"Figure{NB}2 follows Figure{NB}1.",
        "Both figure syntaxes",
        "Grace Harbour",
        "May 1, 2024",  # Quarto's default date-format, long
    ),
    "syntax": _both(
        f"Default: Figure{NB}1",
        f"Capitalised: Figure{NB}1",
        f"Own prefix: Picture{NB}1",
        "Number only: 1",
    ),
    "sections_h2": _both(
        "1 Background",
        f"See Section{NB}1 for context and Section{NB}1.1 for more.",
        "1.1 Detail",
        "2 Scope",
        f"Back to Section{NB}1; this is Section{NB}2.",
    ),
    "sections_h1": _merge(
        _both("1 Method", "1.1 Sampling", "2 Results", "Annex text."),
        # Level 3: HTML numbers it as pandoc does (1.1.1); Quarto's Typst format uses its
        # section-numbering default "1.1.a".
        html=["1.1.1 Weights", f"Compare Section{NB}1, Section{NB}1.1, Section{NB}1.1.1 and Section{NB}2."],
        pdf=["1.1.a Weights", "Compare Section 1, Section 1.1, Section 1.1.a and Section 2."],
    ),
    "options": _both(
        f"See Fig.{NB}1.",
        f"See Tab.{NB}1.",
        f"Figure{NB}1— Lighthouse",
        f"Table{NB}1— Tide heights",
    ),
    "titles": _both(
        f"Chart{NB}1: Rain",
        f"Panel{NB}1: Wind speeds",
        f"Refs: chart{NB}1, Chart{NB}1, Table{NB}1, Part{NB}1.",
        "1 Start",
    ),
    "tables": _both(
        f"Table{NB}1: Letters",
        f"See Table{NB}1.",
        f"Table{NB}2: Digits",
        f"See Table{NB}2 after Table{NB}1.",
    ),
    "callouts": _both(
        "Response",
        f"Inside the note, the harbour is Figure{NB}1.",
        f"Figure{NB}2: Pier",
        f"See Figure{NB}2, drawn inside the callout.",
        "Tip",
        "Tip body.",
        "Warning",
        "Caution",
        "Custom title",
        f"Important body cites Table{NB}1.",
        f"Figure{NB}3: Quay, next to Figure{NB}1",
        f"Table{NB}1: Berths, as Figure{NB}3 shows",
    ),
    "front_matter": _merge(
        _both("1 May 2024", "Summary", "A short abstract.", "1.1 Left out of the contents", f"See Section{NB}1 and Figure{NB}1."),
        html=["Contents on the web"],
        pdf=["Contents in print", "Charts in this note"],
    ),
    "citations": _both(
        f"The tide tables are public (Harbour Tide Office 2021), as Section{NB}1 notes; Harbour Tide Office (2021) says so too.",
        "Harbour Tide Office. 2021. Tide Tables for the Outer Harbour.",  # Chicago author-date: title case
    ),
    "shortcodes": _both(
        "Harbour Office notes",
        "Hello Harbour",
        "Vessels: 42. Name: Harbour Office.",
        "Second item: beta. Flag: true. Ratio: 0.5.",
        "Nested meta: Subkey Value; title: Shortcode conformance.",
        "Included with 42 vessels.",
        "Deeper include of Subkey Value.",
        "Escaped: {{< var site.name >}}.",
        "{{< var not.a.key >}}",
    ),
}

# What none of them may show: Quarto's marks of an unresolved reference or shortcode.
FORBIDDEN = ("?@fig-", "?@tbl-", "?@sec-", "?var", "?meta", "??")


def write_documents(root: Path) -> dict[str, Path]:
    """Every conformance document in its own folder under `root` (images, variables, parts)."""
    sources = {}
    for name, text in DOCUMENTS.items():
        folder = root / name
        (folder / "img").mkdir(parents=True)
        (folder / "img" / "heron.svg").write_text(SVG, encoding="utf-8")
        (folder / "img" / "kite.svg").write_text(SVG.replace("#E69F00", "#009E73"), encoding="utf-8")
        (folder / "_variables.yml").write_text(VARIABLES, encoding="utf-8")
        (folder / "refs.yaml").write_text(BIBLIOGRAPHY, encoding="utf-8")
        (folder / "parts" / "deeper").mkdir(parents=True)
        (folder / "parts" / "_part.qmd").write_text(PART, encoding="utf-8")
        (folder / "parts" / "deeper" / "_deeper.qmd").write_text(DEEPER, encoding="utf-8")
        source = folder / f"{name}.qmd"
        source.write_text(text, encoding="utf-8")
        sources[name] = source
    return sources


_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def html_text(path: Path) -> str:
    """The HTML's text: tags dropped, entities decoded (&nbsp; -> \\xa0), white space folded
    except the non-breaking space."""
    raw = _SCRIPT.sub(" ", path.read_text(encoding="utf-8"))
    text = html_lib.unescape(_TAG.sub("", raw))
    return re.sub(r"[ \t\r\n]+", " ", text)


def text_of(path: Path, fmt: str) -> str:
    return html_text(path) if fmt == "html" else pdf_text(path)
