"""The JSON documents and their schemas (issue 17): every schema is a valid draft 2020-12
schema whose references resolve; every ``--json`` output of every command validates against
the schema its ``format`` names and keeps the conventions (no JSON floats, ``k`` a string,
``parameters`` an object, one name for the multiplicity); old certificate files still
verify; a tampered document is rejected."""
from __future__ import annotations

import copy
import json
import re

import pytest

jsonschema = pytest.importorskip("jsonschema")

from symcrit.certificates import certify, verify_certificate  # noqa: E402
from symcrit.cli import main  # noqa: E402
from symcrit.core import InputError  # noqa: E402
from symcrit.finite import Network  # noqa: E402
from symcrit.schemas import (LEGACY_FORMATS, kind_of, kinds, registry, schema,  # noqa: E402
                             validate, version)

#: every kind the command line writes (grep -rhoE '(emit_json|document)\("[a-z_]+"' symcrit)
KINDS = {"allk", "annihilation", "arcs", "arcs_comparison", "certificate", "certificates",
         "coefficient_check", "critical", "derive", "dynamics", "embedding", "families",
         "isotypic", "report", "search", "series", "spectrum", "stationary", "threshold",
         "train", "verification", "zero_neuron"}


# ------------------------------------------------------------------------- the schemas
def _refs(node):
    if isinstance(node, dict):
        for key, v in node.items():
            if key == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_every_kind_has_a_schema():
    assert set(kinds()) == KINDS


@pytest.mark.parametrize("kind", sorted(KINDS | {"defs"}))
def test_schema_is_valid_and_its_refs_resolve(kind):
    s = schema(kind)
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["$id"] == f"urn:symcrit:schema:{kind}"
    resolver = registry().resolver(base_uri=s["$id"])
    for ref in _refs(s):
        resolver.lookup(ref)                        # raises when it does not resolve
    if kind != "defs":
        assert s["properties"]["format"] == {"const": f"symcrit.{kind}"}
        assert s["required"][:2] == ["format", "version"]


def test_versions():
    assert version("certificate") == 2 and version("allk") == 2
    assert LEGACY_FORMATS["symcrit-certificate/1"] == ("certificate", 1)
    assert all(version(k) == 1 for k in KINDS - {"certificate", "allk"})


def test_decimal_pattern():
    dec = re.compile(schema("defs")["$defs"]["decimal"]["pattern"])
    for good in ("0", "-1.5", "1e-10", "+3.25E+07", ".5", "inf", "-inf", "nan", "2."):
        assert dec.match(good), good
    for bad in ("", "1/2", "1.0.0", "e5", "0x10", " 1", "1,5"):
        assert not dec.match(bad), bad
    k = re.compile(schema("defs")["$defs"]["k"]["pattern"])
    assert all(k.match(s) for s in ("7", "7.3", "73/10", "1000000000000"))
    assert not any(k.match(s) for s in ("-7", "inf", "10^6"))


# ------------------------------------------------------------------ the conventions
def conventions(doc, path=""):
    """The places where ``doc`` breaks the JSON conventions (an empty list when none)."""
    bad = []
    if isinstance(doc, float):
        bad.append(f"{path}: the float {doc!r}")
    elif isinstance(doc, dict):
        for key, v in doc.items():
            here = f"{path}/{key}"
            if key == "k" and not isinstance(v, str):
                bad.append(f"{here}: k is {v!r}, not a string")
            if key == "parameters" and not isinstance(v, dict):
                bad.append(f"{here}: parameters is a {type(v).__name__}, not an object")
            if key in ("count", "dimension_at_k"):
                bad.append(f"{here}: the old key {key!r}")
            bad += conventions(v, here)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            bad += conventions(v, f"{path}/{i}")
    return bad


def test_conventions_checker_finds_violations():
    assert conventions({"k": 7, "a": [1.5], "parameters": ["a"], "b": {"count": "3"}}) == [
        "/k: k is 7, not a string", "/a/0: the float 1.5",
        "/parameters: parameters is a list, not an object", "/b/count: the old key 'count'"]


# --------------------------------------------------------------- every command's output
@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    net = Network.from_arrays([[0, 0], [1, -1]], [[0], [1]], exact=True)
    path = tmp_path_factory.mktemp("weights") / "w.json"
    path.write_text(json.dumps(net.to_json()))
    return str(path)


@pytest.fixture(scope="module")
def cert_file(tmp_path_factory):
    return str(tmp_path_factory.mktemp("certs") / "certs.json")


def run_json(capsys, argv, rc=0):
    assert main([*argv, "--json"]) == rc
    return json.loads(capsys.readouterr().out)


#: name -> (argv, the kind, the key of the list and its length where one is checked)
COMMANDS = {
    "critical-one": (["critical", "type-A", "--k", "8", "--dps", "15"], "critical",
                     ("points", 1)),
    "critical-range": (["critical", "type-A", "--k", "6:8", "--dps", "15", "--no-spectrum"],
                       "critical", ("points", 3)),
    "spectrum-one": (["spectrum", "type-A", "--k", "7", "--dps", "15"], "spectrum",
                     ("spectra", 1)),
    "spectrum-range": (["spectrum", "type-A", "--k", "6:7", "--dps", "15"], "spectrum",
                       ("spectra", 2)),
    "threshold": (["threshold", "type-A", "--k-max", "10", "--dps", "15"], "threshold",
                  ("thresholds", 1)),
    "threshold-all": (["threshold", "type-A", "--k-max", "10", "--dps", "15", "--all"],
                      "threshold", None),
    "derive": (["derive", "ΔS_{k-1}", "--k", "6", "--gradient"], "derive", None),
    "isotypic": (["isotypic", "Δ(S_{k-2}×S_2)", "--k", "6"], "isotypic", None),
    "families": (["families"], "families", None),
    "search": (["search", "ΔS_{k-1}", "--k", "7", "--starts", "6", "--dps", "15"], "search",
               None),
    "series": (["series", "type-A", "--order", "1", "--dps", "20"], "series", None),
    "embed": (["embed", "type-A", "--k", "6", "--neuron", "1", "--dps", "15"], "embedding",
              None),
    "embed-zero": (["embed", "type-A", "--k", "6", "--zero", "--dps", "15"], "zero_neuron",
                   None),
    "annihilation": (["annihilation", "type-A", "--k", "6", "--extra", "0:1"], "annihilation",
                     None),
    "report": (["report", "--k", "6", "--large", "10^2,10^3", "--no-certify", "--dps", "15"],
               "report", None),
    "arcs": (["arcs", "hidden-D", "--k", "7", "--dps", "15"], "arcs", None),
    "arcs-compare": (["arcs", "--compare", "type-A,hidden-D", "--k", "7", "--dps", "15"],
                     "arcs_comparison", None),
    "dynamics": (["dynamics", "wsg-2out", "--width", "6", "--mu", "-3", "--lr", "0.01",
                  "--steps", "300", "--perturb", "20"], "dynamics", None),
}


def check_document(doc, kind):
    assert doc["format"] == f"symcrit.{kind}" and doc["version"] == version(kind)
    assert kind_of(doc) == kind
    validate(doc)
    assert conventions(doc) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_output_matches_its_schema(name, capsys):
    argv, kind, listed = COMMANDS[name]
    doc = run_json(capsys, argv)
    check_document(doc, kind)
    if listed:                                  # one k or a range: the same list shape
        key, n = listed
        assert isinstance(doc[key], list) and len(doc[key]) == n


def test_series_check_output(capsys):
    # c_0 of the coefficient c is 0 (c → 0): the claim 1 is DIFFERENT, exit code 1
    doc = run_json(capsys, ["series", "type-A", "--order", "1", "--dps", "20", "--check",
                            "c", "0", "1"], rc=1)
    check_document(doc, "coefficient_check")
    assert doc["check"]["agrees"] is False


def test_stationary_outputs(capsys, weights):
    for extra in ([], ["--exact"], ["--embed", "zero"]):
        doc = run_json(capsys, ["stationary", "wsg-1d", "--weights", weights, *extra])
        check_document(doc, "stationary")


def test_certify_and_verify_outputs(capsys, cert_file):
    doc = run_json(capsys, ["certify", "type-A", "--k", "6:7", "--dps", "20",
                            "--out", cert_file])
    check_document(doc, "certificates")
    assert [c["k"] for c in doc["certificates"]] == ["6", "7"] and doc["complete"]
    for c in doc["certificates"]:
        check_document(c, "certificate")
        assert set(c["parameters"]) == set(c["radii"]) == {"a", "b", "c", "d", "e"}
    with open(cert_file, encoding="utf-8") as fh:
        check_document(json.load(fh), "certificates")
    one = run_json(capsys, ["certify", "type-A", "--k", "7", "--dps", "20"])
    assert len(one["certificates"]) == 1        # one k: a list of one
    ver = run_json(capsys, ["certify", "--verify", cert_file])
    check_document(ver, "verification")
    assert [r["verified"] for r in ver["results"]] == [True, True]
    assert all(r["file"] == cert_file for r in ver["results"])


def test_all_k_schema_on_a_proof_document():
    # a full all-k proof takes a while (tests/test_certify_allk.py makes one); here the
    # document layout of AllKProof.to_json, with one piece of each kind
    piece = {"kind": "interval", "k_lo": "6", "k_hi": "6.5", "status": "proved",
             "radius": "1.0e-20", "facts": {}, "seconds": "0.1"}
    doc = {"format": "symcrit.allk", "version": 2, "family": "hidden-D", "isotropy": "ΔS_k",
           "statement": "for every integer k ≥ 6, ...", "k_from": "6", "status": "proved",
           "pieces": [piece, dict(piece, kind="infinity", k_lo="100", k_hi="inf")],
           "seconds": {"total": "1.00"}, "cpu_seconds": "1.00"}
    validate(doc)
    assert conventions(doc) == []
    with pytest.raises(InputError, match="k_hi"):
        validate(dict(doc, pieces=[dict(piece, k_hi=7)]))


# ------------------------------------------------------------ old files, tampered documents
def _version_1(doc):
    """A certificate document in the layout of ``symcrit-certificate/1`` (as symcrit wrote
    it before the JSON convention): the box as names, a centre list and a radii list; a
    block's multiplicity the polynomial (with spaces) and its value under ``count``."""
    old = {"format": "symcrit-certificate/1"}
    for key, v in doc.items():
        if key in ("format", "version"):
            continue
        if key == "parameters":
            old["parameters"] = list(v)
            old["center"] = list(v.values())
        elif key == "radii":
            old["radii"] = list(v.values())
        elif key == "blocks":
            old["blocks"] = [{**{x: y for x, y in b.items()
                                 if x not in ("multiplicity", "multiplicity_in_k")},
                              "multiplicity": b["multiplicity_in_k"].replace("-", " - "),
                              "count": b["multiplicity"]} for b in v]
        else:
            old[key] = v
    return old


@pytest.fixture(scope="module")
def certificate7():
    return certify("type-A", 7, dps=20).to_json()


def test_old_certificate_file_still_verifies(certificate7, tmp_path, capsys):
    old = _version_1(certificate7)
    assert "version" not in old and isinstance(old["center"], list)
    assert any(" - " in b["multiplicity"] for b in old["blocks"])
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old, indent=2, ensure_ascii=False))
    ver = run_json(capsys, ["certify", "--verify", str(path)])
    check_document(ver, "verification")
    assert ver["results"][0]["verified"] is True
    assert ver["results"][0]["format"] == "symcrit.certificate"     # read as version 2
    # a list of version-1 certificates (what --out wrote for several k) verifies too
    path.write_text(json.dumps([old, old]))
    assert [r["verified"] for r in run_json(capsys, ["certify", "--verify",
                                                     str(path)])["results"]] == [True, True]
    # and a wrong old claim is still caught
    bad = copy.deepcopy(old)
    bad["blocks"][1]["count"] = "99"
    assert verify_certificate(bad).verified is False


@pytest.mark.parametrize("tamper, where", [
    (lambda d: d.update(k=7), "/k"),                                       # a bare int k
    (lambda d: d["parameters"].update(a=1.0), "/parameters/a"),           # a float
    (lambda d: d.update(parameters=["a", "b", "c", "d", "e"]), "/parameters"),
    (lambda d: d.update(version=1), "/version"),
    (lambda d: d.pop("radii"), "/"),
    (lambda d: d["blocks"][0].pop("multiplicity_in_k"), "/blocks/0"),
    (lambda d: d["blocks"][0].update(multiplicity="k - 1"), "/blocks/0/multiplicity"),
    (lambda d: d.update(status="maximum"), "/status"),
    (lambda d: d.update(loss=["0.1"]), "/loss"),
])
def test_validate_rejects_a_tampered_document(certificate7, tamper, where):
    validate(certificate7)
    bad = copy.deepcopy(certificate7)
    tamper(bad)
    with pytest.raises(InputError, match=f"at {re.escape(where)}:"):
        validate(bad)


def test_validate_rejects_unknown_and_old_formats():
    with pytest.raises(InputError, match="no known 'format'"):
        validate({"format": "something-else", "version": 1})
    with pytest.raises(InputError, match="version"):
        validate({"format": "symcrit-certificate/1"})     # an old file is not version 2


def test_docs_page_lists_every_kind():
    from pathlib import Path
    text = (Path(__file__).resolve().parents[1] / "docs" / "json.md").read_text(
        encoding="utf-8")
    for kind in KINDS:
        assert f"| `symcrit.{kind}` | {version(kind)} |" in text, kind


def test_train_output(capsys):
    doc = run_json(capsys, ["train", "--k", "4", "--runs", "2", "--max-iter", "300",
                            "--workers", "1"])
    assert doc["format"] == "symcrit.train" and doc["version"] == version("train")
    validate(doc)
    # the table of classes still calls its number of runs "count" (symcrit/cli/train.py,
    # converted separately): the one place allowed until it is renamed
    bad = [b for b in conventions(doc) if not re.fullmatch(r"/summary/\d+/count: .*", b)]
    assert bad == []
    assert all(isinstance(t["fraction"], str) for t in doc["summary"])
