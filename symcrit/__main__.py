"""``python -m symcrit`` is the ``symcrit`` command."""
import sys

try:
    from .cli import main
except KeyboardInterrupt:          # Ctrl-C while the interpreter is still importing
    sys.stderr.write("symcrit: interrupted\n")
    sys.exit(130)

sys.exit(main())
