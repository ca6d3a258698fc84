"""Figures (issue 17): every figure function writes png, pdf and svg; one colour per
irreducible in every figure; isotropy labels typeset as mathtext; bad suffixes and
impossible paths are one-line input errors; ``--dpi`` sets the pixel size."""
from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import pytest

pytest.importorskip("matplotlib")

import symcrit.plotting as plotting                                       # noqa: E402
from symcrit.cli import main                                              # noqa: E402
from symcrit.core import InputError                                       # noqa: E402
from symcrit.plotting import (check_plot_path, fix_mathtext, irrep_colour,  # noqa: E402
                              mathtext, multiplicity_mathtext, plot_formats)

FORMATS = ["png", "pdf", "svg"]
MAGIC = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml"}


@pytest.fixture(scope="module")
def data():
    from symcrit import certify_family, family_spectra, threshold
    from symcrit.plotting.crossing import threshold_curve
    t = threshold("type-A", k_max=7, dps=20)
    return {
        "spectra": family_spectra("type-A", [6, 8, 10], dps=15),
        "one": family_spectra("type-A2", [12], dps=15),
        "certs": certify_family("type-A", [5, 6, 7], dps=20),
        "threshold": t,
        "curve": threshold_curve(t, points=5, width=0.05),
    }


def _rows():
    """Verification rows with errors of slope -(N+1)/2 in k (N = 2 and 4)."""
    return [{"k": k, "order": n, "coordinates": 3.0 * k ** (-(n + 1) / 2),
             "loss": 0.5 * k ** (-(n + 1) / 2), "eigenvalues": None}
            for k in (10 ** 4, 10 ** 6, 10 ** 8) for n in (2, 4)]


def _training():
    rows = ([{"kind": "global", "isotropy": "ΔS_k", "family": "global", "loss": 1e-19}] * 5
            + [{"kind": "spurious", "isotropy": "ΔS_{k-1}", "family": "type-A",
                "loss": 0.0187}] * 3
            + [{"kind": "saddle", "isotropy": "Δ(S_{k-2}×S_2)", "family": "type-A2",
                "loss": 0.035}])
    from symcrit.landscape import summary_table
    return summary_table(rows), rows


def _annihilation():
    Row = SimpleNamespace
    rows = [Row(family=f, m=m, k=k, index_min=(k + m) % 3, survives=k == 8)
            for f in ("type-A", "type-A2") for m in (0, 1) for k in (6, 7, 8)]
    return SimpleNamespace(families=["type-A", "type-A2"], extra=[0, 1], rows=rows)


FIGURES = {
    "spectra": lambda d, p, **kw: plotting.plot_spectra(d["spectra"], p, **kw),
    "spectrum_one_k": lambda d, p, **kw: plotting.plot_spectra(d["one"], p, **kw),
    "certificates": lambda d, p, **kw: plotting.plot_certificates(d["certs"], p, **kw),
    "thresholds": lambda d, p, **kw: plotting.plot_thresholds([d["threshold"]], p,
                                                             curves=[d["curve"]], **kw),
    "series": lambda d, p, **kw: plotting.plot_series_verification(
        _rows(), p, family="type-A", isotropy="ΔS_{k-1}", **kw),
    "training": lambda d, p, **kw: plotting.plot_training(*_training(), p, "ensemble", **kw),
    "annihilation": lambda d, p, **kw: plotting.plot_annihilation(_annihilation(), p, **kw),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_in_every_format(name, fmt, data, tmp_path):
    path = tmp_path / f"{name}.{fmt}"
    FIGURES[name](data, path)
    head = path.read_bytes()[:5]
    assert path.stat().st_size > 2000 and head.startswith(MAGIC[fmt]), (name, head)


def _capture(monkeypatch, module):
    """Keep the figures ``module`` saves."""
    figs = []
    original = module.save_figure

    def keep(fig, path, dpi=None):
        figs.append(fig)
        original(fig, path, dpi)
    monkeypatch.setattr(module, "save_figure", keep)
    return figs


def _legend_colours(fig):
    """{legend text: line colour} over every legend of ``fig``."""
    from matplotlib.colors import to_hex
    out = {}
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None:
            continue
        for text, handle in zip(leg.get_texts(), leg.legend_handles):
            if hasattr(handle, "get_color"):
                out[text.get_text()] = to_hex(handle.get_color())
    return out


def test_an_irreducible_has_one_colour_in_every_figure(data, tmp_path, monkeypatch):
    from symcrit.plotting import certified, crossing, spectrum
    figs = {m.__name__: _capture(monkeypatch, m) for m in (spectrum, certified, crossing)}
    plotting.plot_spectra(data["spectra"], tmp_path / "s.png")
    plotting.plot_certificates(data["certs"], tmp_path / "c.png")
    plotting.plot_thresholds([data["threshold"]], tmp_path / "t.png", curves=[data["curve"]])
    spec = _legend_colours(figs[spectrum.__name__][0])
    cert = _legend_colours(figs[certified.__name__][0])
    thr = _legend_colours(figs[crossing.__name__][0])
    irreps = sorted({e.irrep for s in data["spectra"] for e in s.entries})
    assert len(irreps) == 4
    for irrep in irreps:
        label = mathtext(irrep)
        in_spec = [c for t, c in spec.items() if t.startswith(label + ",")]
        in_cert = [c for t, c in cert.items() if t == label]
        assert in_spec == in_cert == [irrep_colour(irrep)], (irrep, spec, cert)
    # the threshold's block ([k-2,1]) in the same colour as in the spectrum
    [c] = [c for t, c in thr.items() if mathtext(data["threshold"].irrep) in t]
    assert c == irrep_colour(data["threshold"].irrep) == irrep_colour("[k-2,1]")
    # the irreducibles of one isotropy group have different colours
    assert len({irrep_colour(i) for i in irreps}) == len(irreps)
    one = {e.irrep for e in data["one"][0].entries}
    assert len({irrep_colour(i) for i in one}) == len(one)


def test_colours_are_fixed_by_the_label_alone():
    assert irrep_colour("[k-2,1]") == irrep_colour("[k-2,1]")
    # the same shape in another group: the standard representation
    assert irrep_colour("[k-1,1]") == irrep_colour("[k-2,1]") == irrep_colour("[k-3,1]⊗[2]")
    assert irrep_colour("[k]") != irrep_colour("[k-1,1]")
    assert irrep_colour("something else") == irrep_colour("something else")


def test_mathtext_labels():
    assert mathtext("ΔS_{k-1}") == r"$\Delta S_{k-1}$"
    assert fix_mathtext("ΔS_{k-1}") == r"$\mathrm{Fix}(\Delta S_{k-1})$"
    assert fix_mathtext("Δ(S_{k-2}×S_2)") == r"$\mathrm{Fix}(\Delta (S_{k-2} \times S_2))$"
    assert mathtext("[k-3,1]⊗[2]") == r"$[k-3,1] \otimes [2]$"
    import sympy
    k = sympy.Symbol("k")
    assert "/ 2" in multiplicity_mathtext((k - 4) * (k - 1) / 2)
    # every label matplotlib can typeset
    import io

    from matplotlib import mathtext as mt
    for label in [fix_mathtext("ΔS_{k-1}"), fix_mathtext("Δ(S_{k-4}×S_4)"),
                  fix_mathtext("ΔS_{k-1}; n=k+1"), mathtext("[k-4,1,1]⊗[2]"),
                  multiplicity_mathtext((k - 4) * (k - 1) / 2)]:
        mt.math_to_image(label, io.BytesIO(), format="png")


@pytest.mark.parametrize("path", ["figure.txt", "figure", "figure.gifx"])
def test_bad_suffix_is_one_line_with_the_formats(path):
    with pytest.raises(InputError) as exc:
        check_plot_path(path)
    msg = str(exc.value)
    assert "\n" not in msg and "png" in msg and "pdf" in msg and "svg" in msg


@pytest.mark.parametrize("path", ["/proc/x.png", "/nonexistent/dir/x.pdf"])
def test_impossible_path_is_an_input_error(path, data):
    with pytest.raises(InputError):
        check_plot_path(path)
    with pytest.raises(InputError):
        plotting.plot_spectra(data["spectra"], path)


def test_any_format_matplotlib_writes(data, tmp_path):
    assert {"png", "pdf", "svg", "eps"} <= set(plot_formats())
    path = tmp_path / "s.eps"
    plotting.plot_series_verification(_rows(), path)
    assert path.read_bytes().startswith(b"%!PS")


def test_dpi_sets_the_pixel_size(data, tmp_path):
    from matplotlib.image import imread
    small, large = tmp_path / "a.png", tmp_path / "b.png"
    plotting.plot_certificates(data["certs"], small, dpi=50)
    plotting.plot_certificates(data["certs"], large, dpi=100)
    h1, w1 = imread(small).shape[:2]
    h2, w2 = imread(large).shape[:2]
    assert 1.9 < w2 / w1 < 2.1 and 1.9 < h2 / h1 < 2.1
    with pytest.raises(InputError):
        plotting.plot_certificates(data["certs"], small, dpi=0)


def test_matplotlib_is_not_imported_by_symcrit():
    import subprocess
    code = ("import sys, symcrit, symcrit.plotting, symcrit.cli; "
            "print(any(m.startswith('matplotlib') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


# ----------------------------------------------------------------------------- commands
def test_cli_threshold_certify_and_series_plots(tmp_path, capsys):
    png = tmp_path / "t.png"
    assert main(["threshold", "type-A", "--k-max", "7", "--dps", "20", "--plot", str(png),
                 "--dpi", "60"]) == 0
    assert png.stat().st_size > 2000 and "plot written" in capsys.readouterr().out
    pdf = tmp_path / "c.pdf"
    assert main(["certify", "type-A", "--k", "5:7", "--dps", "20", "--plot", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    svg = tmp_path / "s.svg"
    assert main(["series", "type-A", "--order", "2", "--dps", "20", "--no-identify",
                 "--no-eigenvalues", "--plot", str(svg), "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert js["verification"] and svg.stat().st_size > 2000       # --plot implies --verify


@pytest.mark.parametrize("argv", [
    ["threshold", "type-A", "--plot", "t.txt"],
    ["certify", "type-A", "--k", "6", "--plot", "/proc/c.png"],
    ["series", "type-A", "--order", "2", "--plot", "s.png", "--dpi", "0"],
    ["spectrum", "type-A", "--k", "8", "--plot", "s.unknown"],
])
def test_cli_bad_plot_paths_exit_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
