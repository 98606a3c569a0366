"""Import a real survey export (Qualtrics, SurveyMonkey, or a tidy CSV) onto the codebook.

The result is exactly the canonical tidy table of ``data/raw/survey_responses.csv``: the
codebook's columns in codebook order, option codes, 0/1 for multi-select items (empty when the
question was skipped), Likert scores 1-5, ``na`` or empty, dates ``YYYY-MM-DD``, ISO3 countries.
Or, when anything is wrong, no table and a list of problems, each naming the file, the row (the
line of the export file, header rows counted; the sheet row for an .xlsx), the column, the value,
the rule and what to do. Nothing is written until the whole file has imported cleanly, and then
atomically (:func:`write_canonical`).

One module per step:

* :mod:`~poc1540.intake.importers.read`: bytes to a grid of text cells with their line numbers;
* :mod:`~poc1540.intake.importers.columns`: the header rows, and finding the mapped columns;
* :mod:`~poc1540.intake.importers.mapping`: the mapping file (its format is described there);
* :mod:`~poc1540.intake.importers.answers`: reading one answer (answer tables, choices, scale points, dates);
* :mod:`~poc1540.intake.importers.translate`: answers to codebook codes, question by question;
* :mod:`~poc1540.intake.importers.command`: the import as a whole and ``poc1540 import``.
"""

from __future__ import annotations

from poc1540.intake.importers.command import DEFAULT_OUT, FORMATS, import_survey, run, write_canonical
from poc1540.intake.importers.common import norm
from poc1540.intake.importers.mapping import DEFAULT_MAPPINGS, Mapping, Spec, canonical_mapping, load_mapping
from poc1540.intake.importers.read import Grid, decode, parse_csv, read_xlsx

__all__ = [
    "DEFAULT_MAPPINGS",
    "DEFAULT_OUT",
    "FORMATS",
    "Grid",
    "Mapping",
    "Spec",
    "canonical_mapping",
    "decode",
    "import_survey",
    "load_mapping",
    "norm",
    "parse_csv",
    "read_xlsx",
    "run",
    "write_canonical",
]
