r"""Rigorous certificates (python-flint Arb): a critical point exists in a box, it is unique
there, and it is a strict local minimum (or a saddle) of the full loss.

Every claim printed as *certified* is a theorem about the exact loss, proven with Arb balls
(Johansson 2017, IEEE Trans. Comput. 66, arXiv:1611.02831) on the fixed space Fix(H) and
the isotypic Hessian blocks, at a cost independent of k:

- :mod:`.krawczyk`: the box and the Krawczyk test (Krawczyk 1969, doi:10.1007/BF02234758),
  the smooth-set check;
- :mod:`.inertia`: Sylvester inertia counts and eigenvalue enclosures of symmetric pencils
  (Rump 2010, Acta Numerica 19, doi:10.1017/S096249291000005X);
- :mod:`.blocks`: per isotypic block (Arjevani & Field 2020, arXiv:2008.01805) the bounds
  and the sign, and the check that the blocks cover M(k, d);
- :mod:`.certificate`: :class:`Certificate`, :func:`certify_point`, :func:`certify` and the
  decision minimum / saddle / unverified;
- :mod:`.ranges`: :func:`certify_family` over many k (warm starts, process pool);
- :mod:`.verify`: certificate files re-proven from the box alone;
- :mod:`.balls`: the ball of k and outward-rounded bound texts;
- :mod:`.taylor` and :mod:`.exact`: Taylor models in k or in ε = k^(-1/2), with exact
  parts that prove cancellations (a number system the restricted loss evaluates in);
- :mod:`.tubes`: Krawczyk, the smooth-set check and block signs on boxes that move with
  k, each for a whole interval of k at once;
- :mod:`.intervals`: certificates for every k in [k₁, k₂], chained adaptively;
- :mod:`.infinity`: the certificate for every k ≥ K, on the rescaled system in ε;
- :mod:`.allk`: the chained proof for all k ≥ k₀, its file format and its verification.

>>> cert = certify("type-A", 7)
>>> cert.status, cert.exists, cert.smooth
('minimum', True, True)
>>> verify_certificate(cert.to_json()).verified
True
"""
from .balls import bound_text, k_ball
from .krawczyk import KrawczykResult, krawczyk, smooth_set_check
from .inertia import count_below, inertia_below, pencil_eigen_enclosures
from .blocks import BlockBound, block_bounds, coverage, multiplicity_at
from .certificate import (FORMAT, BoxCheck, Certificate, certify, certify_point,
                          decide_status)
from .ranges import certify_family
from .verify import (load_certificate, upgrade_certificate, verify_certificate,
                     verify_certificates)
from .taylor import TaylorModel, TaylorModelError, TaylorSystem
from .tubes import Piece, krawczyk_tube, positive_tube, smooth_tube
from .intervals import certify_interval, check_interval, cover_interval
from .infinity import certify_infinity, check_infinity
from .allk import ALLK_FORMAT, AllKProof, default_k_from, prove_all_k, verify_all_k

__all__ = ["Certificate", "BlockBound", "BoxCheck", "certify", "certify_point",
           "certify_family", "verify_certificate", "verify_certificates", "load_certificate",
           "upgrade_certificate",
           "krawczyk",
           "smooth_set_check", "pencil_eigen_enclosures", "inertia_below", "count_below",
           "coverage", "block_bounds", "multiplicity_at", "decide_status", "k_ball",
           "bound_text", "FORMAT", "KrawczykResult", "TaylorModel", "TaylorModelError",
           "TaylorSystem", "Piece", "krawczyk_tube", "positive_tube", "smooth_tube",
           "certify_interval", "check_interval", "cover_interval", "certify_infinity",
           "check_infinity", "ALLK_FORMAT", "AllKProof", "default_k_from", "prove_all_k",
           "verify_all_k"]
