"""``python -m symcrit`` is the ``symcrit`` command."""
import sys

from .cli import main

sys.exit(main())
