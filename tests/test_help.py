"""Every command's help: each option has a help text showing its default, and the help ends
with examples that the parser accepts (issue 17: conventions Python users expect)."""
import argparse
import shlex

import pytest

from symcrit.cli import HELP, build_parser, help_text


def _command_parser(name):
    p = build_parser(name)
    return p, p.commands[name]


@pytest.mark.parametrize("name", list(HELP))
def test_every_option_has_help_and_default(name):
    _, cp = _command_parser(name)
    text = cp.format_help()
    assert len(cp.options) > 3
    for action in cp.options:
        assert action.help, f"{name}: {action.option_strings or action.dest} has no help"
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS) \
                and action.nargs != 0 and not action.required:
            assert "default" in help_text(action)
    assert "examples:" in text


@pytest.mark.parametrize("name", list(HELP))
def test_examples_parse(name):
    p, cp = _command_parser(name)
    lines = [line.strip() for line in cp.epilog.split("\n")[1:] if line.strip()]
    assert lines, f"{name}: no examples"
    for line in lines:
        words = shlex.split(line.split(">")[0])
        assert words[0] == "symcrit" and words[1] in HELP, line
        try:
            args = build_parser(words[1]).parse_args(words[1:])
        except SystemExit as exc:                      # pragma: no cover - the failure
            raise AssertionError(f"example does not parse: {line}") from exc
        assert args.command == words[1]
    assert any(shlex.split(line)[1] == name for line in lines)


def test_top_level_help_has_examples_and_verbosity():
    text = build_parser().format_help()
    assert "examples:" in text and "--quiet" in text and "--verbose" in text


def test_verbose_logs_and_quiet_silences(capsys):
    from symcrit.cli import main
    args = ["search", "ΔS_{k-1}", "--k", "6", "--starts", "8", "--dps", "15"]
    assert main(["-v", *args]) == 0
    err = capsys.readouterr().err
    assert "symcrit: INFO: search Fix(ΔS_{k-1}) at k = 6" in err
    assert main([*args, "-vv"]) == 0                  # after the command too, DEBUG
    assert "search Fix" in capsys.readouterr().err
    assert main(["-q", *args]) == 0
    assert capsys.readouterr().err == ""
    assert main(args) == 0                             # default: warnings only
    assert "INFO" not in capsys.readouterr().err
    import logging
    assert not logging.getLogger("symcrit").handlers  # nothing left behind by main()
