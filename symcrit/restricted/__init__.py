"""The loss restricted to a fixed space, L_H(ξ; k), derived once with k symbolic and compiled
for every number system: pair types (:mod:`.pairs`), their sum (:mod:`.assemble`), the
restricted loss (:mod:`.loss`)."""
from .pairs import PairType, pair_types, teacher_pair_types
from .assemble import assemble
from .loss import RestrictedLoss, restricted_loss, entry_residual, gradient_norm

__all__ = ["PairType", "pair_types", "teacher_pair_types", "assemble", "RestrictedLoss",
           "restricted_loss", "entry_residual", "gradient_norm"]
