"""Running notebooks with papermill: parameters, failures, and stable executed copies."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from poc1540.pipeline import execute
from poc1540.review import notebook_html


def make_notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    lead = nbformat.v4.new_markdown_cell("# Demo")
    params = nbformat.v4.new_code_cell("threshold = 5\nlabel = 'x'")
    params.metadata["tags"] = ["parameters"]
    cells = [lead, params, nbformat.v4.new_code_cell(body)]
    for n, cell in enumerate(cells):
        cell.id = f"c{n}"
    nb.cells = cells
    nbformat.write(nb, path)
    return path


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_notebook(tmp_path / "09_demo.ipynb", "print(f'{label}: {threshold * 2}')")


def test_parameters_reach_the_notebook_and_output_is_stable(demo: Path, tmp_path: Path) -> None:
    params = tmp_path / "demo.yaml"
    params.write_text("threshold: 21\n")
    common = tmp_path / "common.yaml"
    common.write_text("label: shared\nmin_cell_size: 5\n")  # min_cell_size is not declared: dropped
    out = tmp_path / "out"
    target = execute.run(demo, [common, params], output_dir=out, failed_dir=tmp_path / "failed")
    nb = nbformat.read(target, as_version=4)
    assert "shared: 42" in nb.cells[-1].outputs[0]["text"]
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    first = target.read_bytes()
    html = notebook_html.export_all(out.parent, tmp_path / "html")
    assert [p.name for p in html] == ["09_demo.html"] and "shared: 42" in html[0].read_text()
    execute.run(demo, [common, params], output_dir=out, failed_dir=tmp_path / "failed")
    assert target.read_bytes() == first, "executed notebooks must not carry timestamps or random ids"
    assert b"start_time" not in first and b"duration" not in first


def test_unknown_parameter_is_refused_with_the_declared_ones(demo: Path, tmp_path: Path) -> None:
    params = tmp_path / "demo.yaml"
    params.write_text("treshold: 3\n")
    with pytest.raises(execute.ExecutionError, match=r"treshold not a parameter .* declares: label, threshold"):
        execute.run(demo, [params], output_dir=tmp_path / "out", failed_dir=tmp_path / "failed")


def test_failing_cell_names_notebook_cell_and_error(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "09_broken.ipynb", "raise ValueError('no such column: tenure')")
    out = tmp_path / "out"
    (out).mkdir()
    (out / "09_broken.ipynb").write_text("previous good copy")
    with pytest.raises(execute.ExecutionError, match=r"09_broken.ipynb failed in cell 3 .*ValueError: no such column: tenure"):
        execute.run(nb, [], output_dir=out, failed_dir=tmp_path / "failed")
    assert (out / "09_broken.ipynb").read_text() == "previous good copy"
    assert (tmp_path / "failed" / "09_broken.ipynb").exists()


def test_adjacent_stream_outputs_are_joined_whatever_the_chunking() -> None:
    # The same prints, delivered in one message or in three, must normalise to the same bytes.
    one = nbformat.v4.new_code_cell("print('a'); print('b')")
    one.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\nb\nc\n")]
    three = nbformat.v4.new_code_cell("print('a'); print('b')")
    three.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in ("a\n", "b\n", "c\n")]
    one.id = three.id = "same-cell"
    mixed = nbformat.v4.new_code_cell("x")
    mixed.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warn\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
    ]
    nb_one, nb_three = nbformat.v4.new_notebook(cells=[one]), nbformat.v4.new_notebook(cells=[three])
    assert nbformat.writes(execute.normalise(nb_one)) == nbformat.writes(execute.normalise(nb_three))
    assert [o["text"] for o in execute.normalise(nbformat.v4.new_notebook(cells=[mixed])).cells[0].outputs] == ["a\n", "warn\n", "b\n"]


def test_notebook_pages_are_converted_again_only_when_their_notebook_changed(tmp_path: Path) -> None:
    results, pages = tmp_path / "results", tmp_path / "html"
    for name in ("01_a", "02_b"):
        folder = results / name
        folder.mkdir(parents=True)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print('{name}')")])
        nbformat.write(nb, folder / f"{name}.ipynb")
    assert [p.name for p in notebook_html.export_all(results, pages)] == ["01_a.html", "02_b.html"]
    before = (pages / "01_a.html").read_bytes()
    assert notebook_html.export_all(results, pages) == [], "nothing changed: nothing converted"
    nb = nbformat.read(results / "02_b" / "02_b.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A new paragraph"))
    nbformat.write(nb, results / "02_b" / "02_b.ipynb")
    assert [p.name for p in notebook_html.export_all(results, pages)] == ["02_b.html"]
    assert "A new paragraph" in (pages / "02_b.html").read_text()
    assert (pages / "01_a.html").read_bytes() == before
    (results / "01_a" / "01_a.ipynb").unlink()
    notebook_html.export_all(results, pages)
    assert sorted(p.name for p in pages.glob("*.html")) == ["02_b.html"], "a page whose notebook is gone is removed"


def test_each_finding_names_the_cell_that_printed_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real kernel, run the way the chapter stages run: the executed copy is the only
    # witness of which cell printed what, and IPython's counters are what could mislead.
    import json

    import poc1540
    from poc1540.findings import register

    src = str(Path(poc1540.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("out_dir = ''")
    params.metadata["tags"] = ["parameters"]
    cells = [
        nbformat.v4.new_markdown_cell("# Demo"),
        params,
        nbformat.v4.new_code_cell("from poc1540.publish.record import Recorder\nfx = Recorder('09_cells', directory=out_dir)"),
        nbformat.v4.new_code_cell("fx.add('demo.first', 1, 'States')"),
        nbformat.v4.new_code_cell("x = 2  # records nothing"),
        nbformat.v4.new_markdown_cell("Between."),
        nbformat.v4.new_code_cell("fx.add('demo.second', x, 'States')\nfx.add('demo.third', 3, 'States')"),
        nbformat.v4.new_code_cell("fx.save()"),
    ]
    for n, cell in enumerate(cells):
        cell.id = f"cell-{n}"
    nb.cells = cells
    source = tmp_path / "09_cells.ipynb"
    nbformat.write(nb, source)
    config = tmp_path / "cells.yaml"
    config.write_text(f"out_dir: {json.dumps(str(tmp_path / 'rec'))}\n")
    out = tmp_path / "results" / "09_cells"
    execute.run(source, [config], output_dir=out, failed_dir=tmp_path / "failed")

    findings = json.loads((tmp_path / "rec" / "findings.json").read_text())["findings"]
    assert [f["key"] for f in findings] == ["demo.first", "demo.second", "demo.third"]
    executed = nbformat.read(out / "09_cells.ipynb", as_version=4)
    by_count = {c.execution_count: c for c in executed.cells if c.cell_type == "code"}
    ids = register.cell_ids(tmp_path / "results")
    for f in findings:
        cell = by_count[f["cell"]]
        printed = "".join(o.get("text", "") for o in cell.outputs)
        assert f"{f['key']} = " in printed, f"{f['key']} names In [{f['cell']}], which printed {printed!r}"
        assert ids[("09_cells", f["cell"])] == cell.id  # the register's link target is the same cell
