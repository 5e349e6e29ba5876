"""micrograd-grader: property-based grading of micrograd-style autograd engines."""

__version__ = "0.1.0"
