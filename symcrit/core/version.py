"""The package version, written once (setup.cfg reads it: ``version = attr: ...``)."""
__all__ = ["__version__"]

#: the version of symcrit, written only here: setup.cfg and the documentation read it, and
#: tests/test_docs_site.py checks that CITATION.cff agrees
__version__ = "0.1.0"
