"""``grader batch``: a whole class at once, in parallel, with shared work and a class report."""

from grader.batch.names import report_names, submissions
from grader.batch.run import Graded, grade_class

__all__ = ["Graded", "grade_class", "report_names", "submissions"]
