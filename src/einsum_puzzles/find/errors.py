"""The one exception ``translate`` raises for code that is not one einsum (or is not readable)."""

from __future__ import annotations


class TranslateError(ValueError):
    """Code that cannot become one einsum: the message names the operation and where it is.

    ``operation`` is the offending piece of code (``a + b``), ``line`` and ``column`` (1-based) its
    place in the code, ``reason`` the rule it breaks. ``str(error)`` reads
    ``a + b at column 5: einsum only multiplies and sums``.
    """

    def __init__(
        self,
        reason: str,
        *,
        operation: str | None = None,
        line: int | None = None,
        column: int | None = None,
        multiline: bool = False,
    ) -> None:
        self.reason = reason
        self.operation = operation
        self.line = line
        self.column = column
        where = ""
        if column is not None:
            where = f" at line {line}, column {column}" if multiline and line is not None else f" at column {column}"
        head = f"{operation}{where}: " if operation else (f"{where.strip()}: " if where else "")
        super().__init__(f"{head}{reason}")

    @property
    def message(self) -> str:
        return str(self)
