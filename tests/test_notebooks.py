"""The notebooks of ``docs/notebooks`` run from top to bottom without an error (their
outputs are not committed: each run executes them afresh in a Jupyter kernel)."""
from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "docs" / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_without_outputs():
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed "
                                   "(pip install '.[test]')")
    assert 3 <= len(NOTEBOOKS) <= 4
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, \
                    f"{path.name}: outputs are committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed "
                                   "(pip install '.[test]')")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed "
                                   "(pip install '.[test]')")
    pytest.importorskip("ipykernel", reason="no Jupyter kernel: ipykernel is not installed "
                        "(pip install '.[test]')")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()          # raises CellExecutionError, with the cell and traceback
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
