"""perfrules: declarative scoring rules for hierarchical performance-indicator frameworks."""

import importlib.metadata

from . import ast as ast
from .api import diagnose as diagnose
from .api import diagnose_file as diagnose_file
from .api import load as load
from .api import loads as loads
from .api import parse as parse
from .errors import Diagnostic as Diagnostic
from .errors import EvaluationError as EvaluationError
from .errors import FrameworkCheckError as FrameworkCheckError
from .errors import InputError as InputError
from .errors import InputProblem as InputProblem
from .errors import PerfrulesError as PerfrulesError
from .errors import RuleFileError as RuleFileError
from .errors import RuleSyntaxError as RuleSyntaxError
from .framework import Framework as Framework
from .framework import PreparedUnit as PreparedUnit
from .inputs import UnitInputs as UnitInputs
from .inputs import read_inputs as read_inputs
from .result import NodeResult as NodeResult
from .result import Reason as Reason
from .result import Result as Result
from .source import Span as Span

__version__ = importlib.metadata.version("perfrules")

__all__ = [
    "Diagnostic",
    "EvaluationError",
    "Framework",
    "FrameworkCheckError",
    "InputError",
    "InputProblem",
    "NodeResult",
    "PerfrulesError",
    "PreparedUnit",
    "Reason",
    "Result",
    "RuleFileError",
    "RuleSyntaxError",
    "Span",
    "UnitInputs",
    "__version__",
    "ast",
    "diagnose",
    "diagnose_file",
    "load",
    "loads",
    "parse",
    "read_inputs",
]
