"""Critical points: refinement, search, continuation, the catalogue of families."""
