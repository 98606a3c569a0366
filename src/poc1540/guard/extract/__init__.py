"""Readers: one per published format, each turning a file into text segments.

Every reader returns :class:`~poc1540.guard.model.Segment` objects that are survey-derived by
default; which of them are State-level is decided by :mod:`poc1540.guard.scope`, and what breaks a
rule by :mod:`poc1540.guard.rules`. Readers raise ``ValueError`` (or the PDF libraries' errors) on
a file they cannot parse; the caller reports that as an ``unreadable`` leak.

- :mod:`.pdf`: page text (PDFium), structure-tree alternative texts and metadata (pypdf);
- :mod:`.html`: the report (cut at headings) and notebooks exported as HTML (cut per cell);
- :mod:`.notebook`: executed ``.ipynb`` outputs;
- :mod:`.tables`: Markdown, CSV and other text, line by line;
- :mod:`.data`: ``findings.json``, SVG figures and ``report/_variables.yml``.
"""
