"""Long jobs behave (issue 17): Ctrl-C stops a parallel ``certify`` within 2 s and keeps
every certificate finished by then on disk (``--out`` is written as they finish, a valid
``symcrit.certificates`` document with ``"complete": false``); ``series --verify`` and
``threshold`` report progress through the library's callbacks."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _certificates(path):
    """The certificates in ``path`` so far (None while the file is absent or mid-write:
    it is written atomically, so a partial file would be a bug the test reports later)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process needs POSIX")
def test_ctrl_c_stops_parallel_certify_and_keeps_results(tmp_path):
    out = tmp_path / "certs.json"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "symcrit", "certify", "type-A", "--k",
                             "6:1000", "--workers", "2", "--out", str(out)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        seen = 0
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline and proc.poll() is None:
            data = _certificates(out)
            if data is not None and data.get("certificates"):
                seen = len(data["certificates"])
                break
            time.sleep(0.05)
        assert proc.poll() is None, "certify ended before the signal: " + proc.stderr.read()
        assert seen >= 1, "no certificate written to --out within 25 s"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            pytest.fail("certify did not stop within 2 s of SIGINT")
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read()
    assert rc == 130, (rc, err)
    assert elapsed < 2.0
    assert "interrupted" in err and "Traceback" not in err, err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "symcrit.certificates"
    assert data["complete"] is False
    certs = data["certificates"]
    assert seen <= len(certs) < 995
    ks = [int(c["k"]) for c in certs]
    assert len(set(ks)) == len(ks) and all(6 <= k <= 1000 for k in ks)
    assert all(c["status"] in ("minimum", "saddle", "unverified") for c in certs)
    # the message on stderr counts what the file holds
    assert f"{len(certs)} of 995" in err


def test_series_verify_reports_each_k():
    from symcrit.series import family_series
    S = family_series("type-A", order=2, dps=20)
    seen = []
    rows = S.verify(ks=(10 ** 4, 10 ** 6), progress=seen.append)
    assert [int(k) for k in seen] == [10 ** 4, 10 ** 6]
    assert len(rows) == 2 * len({r["order"] for r in rows})


def test_threshold_reports_the_scan_as_it_goes():
    from symcrit.transitions import thresholds
    calls = []
    t0 = time.monotonic()
    found = thresholds("type-A", k_max=8, dps=20,
                       progress=lambda i: calls.append((i, time.monotonic() - t0)))
    assert found and len(calls) > 10
    assert len({i for i, _ in calls}) == len(calls)           # each grid point once
    # reported during the scan, not all at its end
    assert calls[-1][1] - calls[0][1] > 0
