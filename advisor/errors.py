"""The advisor's exceptions: for bad input (one line each, naming what was wrong), and
`SearchDelegated`, the signal that ends a keras-tuner worker's part of a search (here,
where both the search and the CLI can import it without importing TensorFlow)."""

from __future__ import annotations


class AdvisorError(Exception):
    """Base class for errors a user can fix; the CLI prints the message and exits with 2."""


class InputError(AdvisorError, ValueError):
    """The data given to the advisor cannot be used (file, column, row or value named)."""


class RuleError(AdvisorError, ValueError):
    """A rule file is malformed (the rule and the field are named)."""


class AdviceFileError(AdvisorError, ValueError):
    """A saved advice file cannot be read (path and reason named)."""


class SearchDelegated(Exception):
    """Raised on a keras-tuner worker once it has run its share of the trials: the chief
    holds the results and makes the decision."""
