"""The one exception every import parser raises for a file it cannot read.

A bad bank file is the user's problem to fix, never a crash: the message names the
file, and where it can, the line and the field, so the user can open the file and
see what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from homeledger.kit.errors import Conflict, DomainError


class ImportFileError(Exception):
    """A bank file that cannot be imported, with where and why.

    `str()` reads like: ``statement.csv line 14, field 'amount': '12,3x' is not an
    amount``. Whole-file problems leave `line` and `field` as None.
    """

    status_code = 422
    type = "import-file-invalid"

    def __init__(
        self,
        source_name: str,
        line: int | None,
        field: str | None,
        message: str,
    ) -> None:
        self.source_name = source_name
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source_name
        if self.line is not None:
            where += f" line {self.line}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[Callable[..., ImportFileError], tuple[object, ...]]:
        # Errors cross process boundaries (background import jobs); keep them picklable.
        return (type(self), (self.source_name, self.line, self.field, self.message))


class InvalidProfileError(ValueError):
    """A CSV mapping profile (user-made or stored) that is not usable as given."""


class BadImportFile(DomainError):
    """`ImportFileError` at the API edge: problem+json naming the line and field."""

    status_code = 422
    type = "import-file-invalid"
    title = "The file cannot be imported"
    # The file's own error message is the detail; nothing was imported.

    @classmethod
    def from_error(cls, error: ImportFileError) -> BadImportFile:
        return cls(
            f"{error}; nothing was imported",
            field="file",
            line=error.line,
            column=error.field,
            file=error.source_name,
        )


class RowsRefused(DomainError):
    status_code = 422
    type = "import-rows-refused"
    title = "Some rows cannot be imported"


class BatchNotOpen(Conflict):
    type = "import-batch-state"
    title = "The import is not in a state for this"
