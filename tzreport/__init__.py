"""tzreport: the annual target-responsibility assessment (年度目标责任考核), from spreadsheets to 通报."""
from .build import build, evaluate
from .read import BuildError, load_inputs

__all__ = ["build", "evaluate", "load_inputs", "BuildError"]
__version__ = "0.1.0"
