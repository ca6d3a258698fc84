"""The loss restricted to a fixed space, L_H(ξ; k), derived once with k symbolic and compiled
for every number system."""
from .loss import RestrictedLoss, restricted_loss, PairType

__all__ = ["RestrictedLoss", "restricted_loss", "PairType"]
