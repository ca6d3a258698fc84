"""The model: the arc-cosine kernel and the closed-form loss, gradient and Hessian."""
from .kernel import kernel, kernel_grad_u, kernel_hess_uu, kernel_hess_uv
from .loss import Problem, loss, gradient, hessian, canonical_teacher

__all__ = ["kernel", "kernel_grad_u", "kernel_hess_uu", "kernel_hess_uv", "Problem", "loss",
           "gradient", "hessian", "canonical_teacher"]
