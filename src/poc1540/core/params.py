"""The parameter files in ``params/``: their schemas, checked before anything runs, and reading them.

Every ``params/<name>.yaml`` has a schema here (:data:`SCHEMAS`, pydantic models): each key,
its type and range, and the rule a reader is told when a value breaks it. The validate stage
checks every file (:func:`problems`), ``poc1540 execute`` checks the files a notebook is given,
and :func:`load` checks a file before returning its values, so a bad value (``min_cell_size:
"five"``) is refused with the file, key, value and rule before any notebook runs, never as a
``TypeError`` deep in a chapter. A key a schema does not know is refused too: a misspelt key
would otherwise leave the notebook on its default silently. A new parameter is added to its
file's model here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from poc1540.core import paths
from poc1540.core.problems import Problem
from poc1540.errors import UserError

#: The rule a reader is told, per pydantic constraint, keyed by the field's ``rule`` extra.
RULE = "rule"


def _rule(text: str) -> dict[str, Any]:
    return {RULE: text}


def _iso_date(value: object) -> str:
    """A date written YYYY-MM-DD (YAML may already have read it as a date): kept as that text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        dt.date.fromisoformat(value)  # a ValueError (e.g. 2020-02-30) is the rule's failure
        return value
    raise ValueError("not a date written YYYY-MM-DD")


IsoDate = Annotated[
    str, BeforeValidator(_iso_date), Field(json_schema_extra=_rule('must be a date written "YYYY-MM-DD", e.g. "2020-08-31"'))
]
Year = Annotated[int, Field(strict=True, ge=1945, le=2100, json_schema_extra=_rule("must be a year written as a whole number, e.g. 2004"))]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Disclosure(_Params):
    """The ``disclosure`` block of ``params/common.yaml``: the rules beyond the threshold."""

    group_min_base: int = Field(
        strict=True,
        ge=0,
        json_schema_extra=_rule("must be an integer ≥ 0 (the base from which a 0% or 100% share may be published; 0 = off)"),
    )
    public_group_min_states: int = Field(
        strict=True, ge=1, json_schema_extra=_rule("must be an integer ≥ 1 (the POC States each group of a public breakdown needs)")
    )


class Common(_Params):
    """``params/common.yaml``: shared by every survey chapter."""

    min_cell_size: int = Field(
        strict=True, ge=2, json_schema_extra=_rule("must be an integer ≥ 2 (the smallest count of respondents that may be published)")
    )
    confidence_level: float = Field(gt=0, lt=1, json_schema_extra=_rule("must be a number between 0 and 1, e.g. 0.95"))
    serious_from: int = Field(
        strict=True, ge=1, le=5, json_schema_extra=_rule("must be an integer from 1 to 5 (a point of the challenges' Likert scale)")
    )
    disclosure: Disclosure


class Coverage(_Params):
    """``params/coverage.yaml``: the listing chapter's dates (the snapshot itself is the manifest's;
    the validate stage checks the comparison date against it)."""

    start_year: Year
    comparison_date: IsoDate
    encouragement_year: Year

    @model_validator(mode="after")
    def _ordered(self) -> Coverage:
        if self.start_year > int(self.comparison_date[:4]):
            raise ValueError(f"start_year {self.start_year} must not be after the comparison_date {self.comparison_date}")
        return self


class Guard(_Params):
    """``params/guard.yaml``: the results folders declared State-level."""

    state_level_results: list[Annotated[str, Field(strict=True, min_length=1, pattern=r"^[^/\\]+$")]] = Field(
        json_schema_extra=_rule("must be a list of results folder names such as [02_coverage]")
    )


Text = Annotated[str, Field(strict=True, min_length=1, json_schema_extra=_rule("must be a text in quotes, not empty"))]


class Report(_Params):
    """``params/report.yaml``: the edition and its title page."""

    edition_date: IsoDate
    authors: list[Text] = Field(min_length=1, json_schema_extra=_rule('must be a list of names in quotes, e.g. ["A. Author", "B. Author"]'))
    institution: Text
    edition: Text
    licence: Text
    contact: Text


class Validate(_Params):
    """``params/validate.yaml``: the validate stage's rule of who counts as a respondent.

    Its keys are checked, with their rules, where the rule is read (``intake.respondents``).
    """

    respondents: dict[str, Any] = Field(json_schema_extra=_rule("must be a block of the rule's keys (finished_only, per_state)"))


#: Schema of each parameter file, by name (``params/<name>.yaml``).
SCHEMAS: dict[str, type[_Params]] = {
    "common": Common,
    "coverage": Coverage,
    "guard": Guard,
    "report": Report,
    "validate": Validate,
}


def _value_text(value: object) -> str:
    """A value as the file holds it (a Problem quotes it)."""
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("...").strip()


def _field_rule(model: type[_Params], key: str, fallback: str) -> str:
    info = model.model_fields.get(key)
    extra = info.json_schema_extra if info is not None else None
    if isinstance(extra, dict) and isinstance(extra.get(RULE), str):
        return str(extra[RULE])
    for meta in info.metadata if info is not None else []:  # rules on Annotated types (IsoDate, Year)
        more = getattr(meta, "json_schema_extra", None)
        if isinstance(more, dict) and isinstance(more.get(RULE), str):
            return str(more[RULE])
    return fallback


def _nested(model: type[_Params], data: Any, loc: list[str]) -> tuple[type[_Params], Any]:
    """The schema that declares the last key of ``loc`` (a block such as ``disclosure``) and the value there."""
    owner, value = model, data
    for i, part in enumerate(loc):
        value = value.get(part) if isinstance(value, dict) else None
        annotation = owner.model_fields[part].annotation if part in owner.model_fields else None
        if i < len(loc) - 1 and isinstance(annotation, type) and issubclass(annotation, _Params):
            owner = annotation
    return owner, value


def check(name: str, data: object, shown: str) -> list[Problem]:
    """Every problem of one parsed parameter file (empty when it fits its schema)."""
    model = SCHEMAS.get(name)
    if not isinstance(data, dict):
        return [Problem(shown, "must be a mapping of parameter names to values", fix="write one 'name: value' per line")]
    if model is None:
        return [Problem(shown, "is not a known parameter file", fix=f"use one of {', '.join(f'params/{n}.yaml' for n in sorted(SCHEMAS))}")]
    try:
        model.model_validate(data)
    except ValidationError as exc:
        found: list[Problem] = []
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            key = loc[0] if loc else None
            if error["type"] == "extra_forbidden":
                known = ", ".join(model.model_fields)
                found.append(
                    Problem(
                        shown, "is not a parameter of this file", key=key, value=_value_text(data[key]), fix=f"its parameters are {known}"
                    )
                )
            elif error["type"] == "missing":
                found.append(
                    Problem(shown, "is missing", key=key, fix=f"add '{key}: ...' ({_field_rule(model, key or '', 'see the file')})")
                )
            elif key is None:  # a rule across keys (model_validator)
                found.append(Problem(shown, str(error["msg"]).removeprefix("Value error, ")))
            else:
                owner, value = _nested(model, data, loc)
                rule = _field_rule(owner, loc[-1], str(error["msg"]))
                found.append(Problem(shown, rule, key=".".join(loc), value=_value_text(value)))
        return found
    return []


def problems(params_dir: Path | None = None) -> list[Problem]:
    """Every problem in every ``*.yaml`` file of ``params/`` (not the import mappings: see intake)."""
    params_dir = Path(params_dir) if params_dir else paths.PARAMS
    found: list[Problem] = []
    for path in sorted(params_dir.glob("*.yaml")):
        shown = paths.relative(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            found.append(Problem(shown, f"is not valid YAML ({exc})".replace("\n", " ")))
            continue
        found += check(path.stem, data, shown)
    for name in sorted(set(SCHEMAS) - {p.stem for p in params_dir.glob("*.yaml")}):
        found.append(Problem(paths.relative(params_dir / f"{name}.yaml"), "is missing", fix="restore it from git"))
    return found


def refuse(found: list[Problem], what: str = "") -> None:
    """Raise one :class:`UserError` listing ``found``, if any."""
    if found:
        lines = "\n".join(str(p) for p in found)
        raise UserError(f"{lines}\n{what or 'Bad parameters'}: nothing was run and no output was changed.")


def checked_file(path: Path, reader: Callable[[Path], object] | None = None) -> dict[str, Any]:
    """The values of one parameter file, refused (:class:`UserError`) unless they fit its schema.

    The schemas are those of the files in a ``params/`` folder (the project's, or one given as
    ``params_dir``); a YAML file elsewhere (a test's, a scratch experiment's) need only be a mapping.
    """
    path = Path(path)
    shown = paths.relative(path)
    try:
        data = reader(path) if reader else yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{shown}: parameter file not found") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{shown}: not valid YAML ({exc})") from None
    if (path.stem in SCHEMAS and path.parent.name == paths.PARAMS.name) or not isinstance(data, dict):
        refuse(check(path.stem, data, shown))
    assert isinstance(data, dict)
    return data


@functools.cache
def _read(path: Path) -> dict[str, Any]:
    return checked_file(path)


def load(name: str, params_dir: Path | None = None) -> dict[str, Any]:
    """All values of ``params/<name>.yaml``, checked against its schema (a copy; read once per process)."""
    return dict(_read((Path(params_dir) if params_dir else paths.PARAMS) / f"{name}.yaml"))


def value(name: str, key: str, params_dir: Path | None = None) -> Any:
    """One value of ``params/<name>.yaml``; a missing key names the file and the key."""
    values = load(name, params_dir)
    if key not in values:
        raise UserError(f"params/{name}.yaml: missing parameter {key!r}")
    return values[key]
