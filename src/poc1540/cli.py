"""The ``poc1540`` command: the steps DVC runs, and the checks people run by hand.

Every expected failure (bad data, bad parameters, a failing notebook, a render error) ends in
a plain message on stderr and a non-zero exit, never a bare traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from poc1540.core import paths


def _validate(args: argparse.Namespace) -> int:
    from poc1540.intake import validate

    result = validate.validate_all(Path(args.raw_dir))
    for problem in result.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    if not result.ok:
        print(
            f"\nValidation failed: {len(result.errors)} error(s), {len(result.warnings)} warning(s) in {paths.relative(Path(args.raw_dir))}. "
            "Nothing was built and no earlier output was changed.",
            file=sys.stderr,
        )
        return 1
    if args.receipt:
        validate.write_receipt(result, Path(args.receipt))
    print(f"Validation passed: {len(result.hashes)} files, {len(result.warnings)} warning(s).")
    return 0


def _execute(args: argparse.Namespace) -> int:
    from poc1540.pipeline import execute

    target = execute.run(Path(args.notebook), [Path(p) for p in args.params])
    print(f"Executed {args.notebook} -> {paths.relative(target)}")
    return 0


def _findings(args: argparse.Namespace) -> int:
    from poc1540.findings import assemble

    params = yaml.safe_load(Path(args.params).read_text(encoding="utf-8"))
    for path in assemble.write_all(params):
        print(f"wrote {paths.relative(path)}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from poc1540.pipeline import notebook_html
    import qmdrender

    for fmt in args.to:
        output = Path(args.output) if args.output and len(args.to) == 1 else (paths.REPORT_PDF if fmt == "pdf" else paths.REPORT_HTML)
        qmdrender.render(Path(args.source), output, to=fmt, engine=args.engine, build_dir=paths.RENDER_BUILD)
        print(f"Rendered {paths.relative(output)}")
    if args.notebooks:
        written = notebook_html.export_all()
        print(f"Wrote {len(written)} executed notebooks as HTML to {paths.relative(paths.REPORT_OUTPUT / 'notebooks')}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from poc1540.intake import importers, listings

    if args.format == "listing":
        return listings.run(Path(args.file), Path(args.out) if args.out else paths.POC_LISTING)
    out = None if args.check else (args.out or importers.DEFAULT_OUT)
    return importers.run(args.file, args.format, args.mapping, out, args.encoding)


def _guard(args: argparse.Namespace) -> int:
    from poc1540.guard import command as confidentiality

    return confidentiality.run(args)


def _verify(args: argparse.Namespace) -> int:
    from poc1540.review import verify

    return verify.main_verify(
        paths.ROOT, workdir=Path(args.workdir) if args.workdir else None, rebuilt=Path(args.rebuilt) if args.rebuilt else None
    )


def _diff(args: argparse.Namespace) -> int:
    from poc1540.review import diff

    return diff.main_diff(args.rev, args.rev2, paths.ROOT)


def _generate(args: argparse.Namespace) -> int:
    from poc1540.placeholder import reference_data, synthetic

    out = Path(args.out_dir)
    written = reference_data.write_reference_files(out)
    written.append(synthetic.write_synthetic_survey(out, paths.CODEBOOK, out / paths.POC_LISTING.name))
    for path in written:
        print(f"wrote {paths.relative(path)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (also used by the tests)."""
    parser = argparse.ArgumentParser(prog="poc1540", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check every raw file against its schema and the codebook")
    p.add_argument("--raw-dir", default=str(paths.DATA_RAW))
    p.add_argument("--receipt", help="on success, write the validation receipt here")
    p.set_defaults(func=_validate)

    p = sub.add_parser("execute", help="run a notebook with papermill and its params files")
    p.add_argument("notebook")
    p.add_argument("params", nargs="*", help="params files (shared ones first)")
    p.set_defaults(func=_execute)

    p = sub.add_parser("findings", help="merge the notebooks' findings into metrics and report variables")
    p.add_argument("--params", default=str(paths.PARAMS / "report.yaml"))
    p.set_defaults(func=_findings)

    p = sub.add_parser("render", help="render the report (pandoc + Typst, or quarto when installed)")
    p.add_argument("source", nargs="?", default=str(paths.REPORT_MAIN))
    p.add_argument("--to", nargs="+", default=["pdf"], choices=["pdf", "html"])
    p.add_argument("--output", help="output file (with a single --to)")
    p.add_argument("--engine", default="auto", choices=["auto", "pandoc", "quarto"])
    p.add_argument("--notebooks", action="store_true", help="also write the executed notebooks as HTML next to the report")
    p.set_defaults(func=_render)

    p = sub.add_parser("import", help="map a survey-platform export (or a Committee POC listing) onto the canonical table")
    p.add_argument("file", help="the exported file")
    p.add_argument("--format", required=True, choices=["canonical", "qualtrics", "qualtrics-xlsx", "surveymonkey", "surveymonkey-xlsx", "listing"])
    p.add_argument("--mapping", help="mapping YAML (default: params/import/<platform>.yaml)")
    p.add_argument("--out", help="tidy CSV to write (default: data/private/survey_responses.csv; for a listing data/raw/poc_listing.csv)")
    p.add_argument("--encoding", help="fallback when the file is not UTF-8, e.g. cp1252")
    p.add_argument("--check", action="store_true", help="report problems only; write nothing")
    p.set_defaults(func=_import)

    p = sub.add_parser("verify", help="rebuild everything in a scratch copy and compare with the committed outputs")
    p.add_argument("--workdir", help="build here and keep it (default: a temp dir, kept only on failure)")
    p.add_argument("--rebuilt", help="compare with this earlier rebuild of the same inputs instead of building again")
    p.set_defaults(func=_verify)

    p = sub.add_parser("diff", help="how each finding changed from REV to the working tree (or to REV2)")
    p.add_argument("rev")
    p.add_argument("rev2", nargs="?")
    p.set_defaults(func=_diff)

    from poc1540.guard import command as confidentiality  # light: yaml, paths, manifest

    p = confidentiality.add_arguments(sub.add_parser("guard", help="fail if any published output could reveal a respondent"))
    p.set_defaults(func=_guard)

    p = sub.add_parser("generate", help="regenerate the reference, listing and synthetic survey files")
    p.add_argument("out_dir", nargs="?", default=str(paths.DATA_RAW))
    p.set_defaults(func=_generate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    from poc1540.pipeline.execute import ExecutionError
    from poc1540.publish.record import FindingsError

    expected: tuple[type[BaseException], ...] = (ExecutionError, FindingsError, FileNotFoundError, KeyError)
    try:
        from qmdrender import RenderError

        expected += (RenderError,)
    except ImportError:
        pass
    try:
        return int(args.func(args))
    except expected as exc:
        print(f"poc1540 {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
