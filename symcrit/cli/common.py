"""Shared pieces of the command line: JSON output, progress bars, the precision option.

k values and decimal strings come from the library (:mod:`symcrit.core`): ``parse_k``
keeps a typed decimal exact (``--k 7.3`` is 73/10), ``dec`` prints a number to the digits
asked for, never through a float.
"""
from __future__ import annotations

import contextlib
import json
import logging
import sys

from ..core import InputError, check_dps, check_writable, dec, k_json, read_json

__all__ = ["dump_json", "emit_json", "progress", "ticking", "check_cli_dps", "check_output_path",
           "read_json", "add_plot_options", "SpectrumUnavailable", "spectrum_or_reason",
           "point_json"]


def dump_json(obj, stream=None):
    """Write ``obj`` as indented UTF-8 JSON and a newline."""
    stream = stream or sys.stdout
    json.dump(obj, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def emit_json(kind, fields, stream=None):
    """Write the document ``{"format": "symcrit.<kind>", "version": N, **fields}``
    (:func:`symcrit.schemas.document`) as JSON."""
    from ..schemas import document
    dump_json(document(kind, fields), stream)


def progress(iterable, total=None, desc=None, enabled=True):
    """A tqdm progress bar on stderr, shown only on a terminal (not with --json, not with
    -q).  The rate and the ETA are averages over the whole run (``smoothing=0``): the work
    per step varies little, but arrives in bursts from worker processes, and a moving
    average of bursts is what made an ETA of hours."""
    from tqdm import tqdm
    quiet = logging.getLogger("symcrit").getEffectiveLevel() > logging.WARNING
    return tqdm(iterable, total=total, desc=desc, file=sys.stderr, smoothing=0,
                mininterval=0.2, dynamic_ncols=True,
                disable=not (enabled and not quiet and sys.stderr.isatty()), leave=False)


@contextlib.contextmanager
def ticking(bar, every=0.5):
    """Redraw ``bar`` every ``every`` seconds while the block runs, so that its elapsed time
    moves through library phases that report no progress (a no-op for a disabled bar)."""
    if getattr(bar, "disable", True):
        yield bar
        return
    import threading
    stop = threading.Event()

    def tick():
        while not stop.wait(every):
            bar.refresh()
    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield bar
    finally:
        stop.set()
        thread.join()


def add_plot_options(parser, what):
    """``--plot FILE`` (``what`` the figure shows) and ``--dpi`` on ``parser``."""
    parser.add_argument("--plot", metavar="FILE",
                        help=f"plot {what} to FILE; the format follows the suffix (pdf, "
                             "png, svg, eps, … : any format matplotlib writes)")
    parser.add_argument("--dpi", type=int, default=200,
                        help="resolution of raster figures (png, jpg, …), dots per inch")


def check_output_path(path, option="--out"):
    """Refuse, before any work, an output file that cannot be written
    (:func:`symcrit.core.check_writable`)."""
    check_writable(path, option)


def check_cli_dps(dps):
    """``--dps`` must lie in the library's range (:func:`symcrit.core.check_dps`)."""
    return check_dps(dps, "--dps")


class SpectrumUnavailable:
    """Stands for the spectrum where it cannot be computed (the reason is kept)."""

    def __init__(self, reason):
        self.reason = reason

    def __str__(self):
        return f"Hessian spectrum: not available ({self.reason})"


def spectrum_or_reason(cp):
    """The spectrum at ``cp``, or a :class:`SpectrumUnavailable` saying why there is none
    (e.g. real k below the range of the isotypic layout)."""
    from ..spectra import spectrum_of
    try:
        return spectrum_of(cp)
    except InputError as exc:
        return SpectrumUnavailable(str(exc))


def point_json(cp, spec=None, digits=None):
    """A CriticalPoint as JSON (decimal strings)."""
    digits = digits or cp.dps
    out = {"family": cp.family, "isotropy": cp.isotropy, "k": k_json(cp.k),
           "parameters": {n: dec(x, digits) for n, x in zip(cp.names, cp.xi)},
           "loss": dec(cp.loss, digits), "gradient_norm": dec(cp.gradient_norm, 5),
           "residual": dec(cp.residual, 5), "dps": cp.dps, "certainty": cp.certainty}
    if getattr(cp, "merged_with", None):
        out["status"] = "merged"
        out["merged_with"] = cp.merged_with
    if cp.checks:
        out["full_space_check"] = {k: dec(v, 5 if "gradient" in k else digits)
                                   for k, v in cp.checks.items()}
    if isinstance(spec, SpectrumUnavailable):
        out["spectrum"] = out["index"] = out["kind"] = None
        out["spectrum_note"] = spec.reason
    elif spec is not None:
        js = spec.to_json()
        out["spectrum"] = js.get("spectrum", js) if isinstance(js, dict) else js
        out["index"] = js["index"]
        out["kind"] = spec.kind
    return out
