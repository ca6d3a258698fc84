"""Hostile input on the command line: never a traceback, never an unbounded job.

Every case below was a traceback or a job without a bound before (issue 18); each must now
be one line on stderr with exit code 2, decided before any long computation.  A
hypothesis fuzzer then feeds arbitrary text into every slot of every subcommand: whatever
it is, the command ends with exit code 0, 1 or 2, and an error is one line.
"""
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symcrit.cli import main

HOSTILE = [
    ["search", "ΔS_{k-1}", "--k", "12", "--starts", "5", "--seed", "-1"],
    ["search", "ΔS_{k-1}", "--k", "12", "--starts", "1000000000"],
    ["derive", "ΔS_{k-1", "--k", "5"],
    ["derive", "__import__('os')"],
    ["critical", "type-A", "--k", "6:100005"],
    ["certify", "type-A", "--k", "6:100005"],
    ["spectrum", "type-A", "--k", "6:100005"],
    ["report", "type-A", "--k", "6:100005"],
    ["critical", "type-A", "--k", "10^301"],
    ["critical", "type-A", "--k", "nan"],
    ["critical", "type-A", "--k", "1e400"],
    ["critical", "type-A", "--k", "2.5"],
    ["critical", "no-such-family", "--k", "12"],
    ["critical", "type-A", "--k", "12", "--dps", "3"],
    ["critical", "type-A", "--k", "12", "--dps", "100000"],
    ["threshold", "type-A", "--k-max", "10^300"],
    ["series", "type-A", "--order", "30"],
    ["series", "type-A", "--order", "-1"],
    ["spectrum", "type-A", "--k", "12", "--plot", "/proc/x.png"],
    ["spectrum", "type-A", "--k", "12", "--plot", "plot.xyz"],   # matplotlib writes gif
    ["certify", "type-A", "--k", "6", "--out", ""],
    ["certify", "type-A", "--k", "6", "--radius", "-1"],
    ["certify", "--verify", "/nonexistent/file.json"],
    ["families", "add", "type-A", "ΔS_k", "--k", "12", "--seed", "1,0"],
    ["families", "add", "x!", "ΔS_k", "--k", "12", "--seed", "1,0"],
]


@pytest.mark.parametrize("argv", HOSTILE, ids=lambda a: " ".join(a)[:60])
def test_hostile_input_is_one_line_exit_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYMCRIT_FAMILIES", str(tmp_path / "fam.json"))
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 2, (argv, rc, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err


@pytest.mark.parametrize("content", [b"\xff\xfe", b"[" * 100000, b'{"k": ' + b"9" * 5000 + b"}",
                                     b"[]", b'{"isotropy": 3}', b""])
def test_foreign_certificate_files_are_one_line_exit_2(content, capsys, tmp_path):
    path = tmp_path / "c.json"
    path.write_bytes(content)
    rc = main(["certify", "--verify", str(path)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err, err


#: one valid invocation per subcommand, cheap; the fuzzer replaces one slot at a time
TEMPLATES = [
    ["derive", "ΔS_k", "--k", "4"],
    ["critical", "global", "--k", "4", "--no-spectrum", "--dps", "15"],
    ["search", "ΔS_k", "--k", "4", "--starts", "2", "--dps", "15"],
    ["spectrum", "global", "--k", "4", "--dps", "15"],
    ["isotypic", "ΔS_k", "--k", "4"],
    ["families", "--json"],
    ["series", "global", "--order", "0", "--no-eigenvalues", "--no-identify"],
    ["certify", "global", "--k", "4", "--dps", "15"],
]
SLOTS = [(i, j) for i, t in enumerate(TEMPLATES) for j in range(1, len(t))
         if not t[j].startswith("--") or t[j] in ("--json",)]

NASTY = st.one_of(
    st.sampled_from(["", "-1", "0", "1e400", "nan", "inf", "-inf", "10^999", "1/0", "6:",
                     ":", "6:7:0", "ΔS_{k", "S_{k-1}×", "D(S_2", "__import__('os')",
                     "Symbol('x').__class__", "\x00", "\u202e", "9" * 5000, "-" * 50,
                     "{}", "[]", "/proc/x", "../../etc/passwd"]),
    st.text(max_size=40))


@settings(max_examples=int(os.environ.get("SYMCRIT_FUZZ", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(slot=st.sampled_from(SLOTS), value=NASTY)
def test_fuzz_every_subcommand_never_tracebacks(slot, value, capsys, tmp_path_factory):
    t, j = slot
    argv = list(TEMPLATES[t])
    argv[j] = value
    try:
        rc = main(argv)
    except SystemExit as exc:        # argparse on malformed option syntax: exit 2
        rc = exc.code
    out, err = capsys.readouterr()
    assert rc in (0, 1, 2), (argv, rc)
    assert "Traceback" not in err and "Traceback" not in out
    if rc:
        assert err.count("\n") >= 1
        assert len(err.strip().splitlines()) == 1 or err.lstrip().startswith("usage:"), err


def test_atomic_writes_keep_usual_permissions(tmp_path):
    """Files symcrit writes (certificates, results, catalogues) are readable like any new
    file (0666 less the umask), not 0600 like the temporary file they are made from, and
    an existing file keeps its own permissions."""
    import os
    import stat
    from symcrit.core import write_text_atomic
    old = os.umask(0o022)
    try:
        p = tmp_path / "new.json"
        write_text_atomic(p, "{}")
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o644
        os.chmod(p, 0o640)
        write_text_atomic(p, "[]")
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o640 and p.read_text() == "[]"
    finally:
        os.umask(old)
