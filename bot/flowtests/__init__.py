"""Admins' flow tests: readable YAML cases run through the engine, with step coverage."""

from .cases import Case, Check, load_cases
from .runner import CaseResult, Coverage, run_case, run_cases

__all__ = ["Case", "CaseResult", "Check", "Coverage", "load_cases", "run_case", "run_cases"]
