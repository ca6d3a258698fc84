"""Series in k^(-1/2): truncated Laurent series as a number system, family expansions,
Hessian eigenvalue branches, and Newton–Puiseux."""
