"""The package version, written once (setup.cfg reads it: ``version = attr: ...``)."""
__all__ = ["__version__"]

__version__ = "0.1.0"
