"""tzreport: the annual target-responsibility assessment (年度目标责任考核), from spreadsheets to 通报."""
from tzreport.pipeline import build
from tzreport.read import BuildError, load_inputs
from tzreport.rules.evaluate import evaluate

__all__ = ["build", "evaluate", "load_inputs", "BuildError"]
__version__ = "0.1.0"
