"""The model: the arc-cosine kernel and the closed-form loss, gradient and Hessian, written
once and evaluated in every number system."""
from .kernel import (angle, kernel, kernel_grad_coefficients, unit_grad_coefficients_float,
                     kernel_grad_u, kernel_hess_uu, kernel_hess_uv, kernel_gradient_pullback,
                     kernel_hessian_pullback)
from .loss import Problem, loss, gradient, hessian, canonical_teacher

__all__ = ["angle", "kernel", "kernel_grad_coefficients", "unit_grad_coefficients_float",
           "kernel_grad_u", "kernel_hess_uu", "kernel_hess_uv", "kernel_gradient_pullback",
           "kernel_hessian_pullback", "Problem", "loss", "gradient", "hessian",
           "canonical_teacher"]
