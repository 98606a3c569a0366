"""The survey codebook: questions, answer options and their labels, in instrument order.

:meth:`Codebook.load` is the one place ``survey_codebook.yaml`` is read (the validator, the
importers, the prepare stage and the synthetic generator all go through it). Its structure is
checked by the validator (:func:`poc1540.intake.structure.check_codebook`), not here: loading only
fails when the file cannot be read or parsed at all.

A question an edition did not ask keeps its entry, marked ``skip: true`` (as an import mapping
marks a question its export lacks): its columns stay empty, :meth:`Codebook.asked` is False, and
the chapters print :data:`NOT_ASKED` wherever they would publish it, never a suppressed cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from poc1540.core import paths
from poc1540.errors import UserError

#: How a question the edition did not ask reads wherever its answers would be published.
NOT_ASKED = "not asked in this edition"


class CodebookError(UserError):
    """The codebook file is missing or is not YAML.

    ``shown`` is the file as shown to users and ``rule`` what is wrong with it, so that the
    validator and the importers can report it as a Problem of that file.
    """

    def __init__(self, shown: str, rule: str):
        super().__init__(f"{shown} {rule}")
        self.shown = shown
        self.rule = rule


@dataclass(frozen=True)
class Codebook:
    """Read-only access to ``data/raw/survey_codebook.yaml``."""

    raw: dict[str, Any]

    @classmethod
    def load(cls, path: Path = paths.CODEBOOK) -> Codebook:
        """Read the codebook file; :class:`CodebookError` if it is missing, unreadable or not YAML."""
        shown = paths.relative(path)
        try:
            # the pure-Python loader, not libyaml: its syntax errors are the ones the validator has always shown
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CodebookError(shown, "does not exist") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CodebookError(shown, f"is not valid YAML: {exc}".replace("\n", " ")) from None
        except OSError as exc:
            raise CodebookError(shown, f"cannot be read: {exc.strerror or exc}") from None
        return cls(raw)

    def question(self, qid: str) -> dict[str, Any]:
        for q in self.raw["questions"]:
            if q["id"] == qid:
                return q
        raise KeyError(f"the codebook has no question {qid!r}")

    def asked(self, qid: str) -> bool:
        """False when the codebook marks the question ``skip: true`` (this edition did not ask it)."""
        return self.question(qid).get("skip") is not True

    @property
    def not_asked(self) -> list[str]:
        """The ids of the questions this edition did not ask, in instrument order."""
        return [str(q["id"]) for q in self.raw["questions"] if q.get("skip") is True]

    def questions(self, kind: str) -> list[dict[str, Any]]:
        return [q for q in self.raw["questions"] if q["type"] == kind]

    def codes(self, qid: str) -> list[str]:
        """Option codes (single/ordinal) or item codes (multi/likert), in codebook order."""
        q = self.question(qid)
        return [str(o["code"]) for o in q.get("options", q.get("items", []))]

    def labels(self, qid: str) -> dict[str, str]:
        """Code -> label for a question's options or items."""
        q = self.question(qid)
        return {str(o["code"]): str(o["label"]) for o in q.get("options", q.get("items", []))}

    def items_with(self, qid: str, key: str, value: str) -> list[str]:
        """Item codes of a multi question whose attribute ``key`` equals ``value`` (e.g. role: hub)."""
        return [str(i["code"]) for i in self.question(qid)["items"] if i.get(key) == value]

    def categorical(self, qid: str) -> pd.CategoricalDtype:
        """A pandas dtype for a single/ordinal question: ordered when the question is ordinal."""
        q = self.question(qid)
        return pd.CategoricalDtype(self.codes(qid), ordered=q["type"] == "ordinal")

    @property
    def not_applicable(self) -> str:
        return str(self.raw.get("not_applicable", "na"))

    @property
    def fieldwork(self) -> tuple[str, str]:
        return str(self.raw["fieldwork"]["start"]), str(self.raw["fieldwork"]["end"])
