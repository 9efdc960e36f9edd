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
        unfinished: bool = False,
    ) -> None:
        self.reason = reason
        self.unfinished = unfinished
        """Python could not read the code because it stops early (an open bracket, a trailing ``+``): code
        still being typed, which a live preview shows as "not finished yet" rather than as a mistake."""
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


class MissingShape(TranslateError):
    """The code uses ``name`` as an operand, but no shape (or array) was given for it.

    ``how`` says how to give it on the face that raised the error: the Python call by default; the
    command line, the web page, the API and the notebook reword it (``reworded``) with their own way."""

    def __init__(
        self,
        name: str,
        *,
        how: str | None = None,
        given: tuple[str, ...] = (),
        operation: str | None = None,
        line: int | None = None,
        column: int | None = None,
        multiline: bool = False,
    ) -> None:
        self.name = name
        self.given = given
        self.how = how or python_hint(name)
        self.multiline = multiline
        others = f" (shapes were given for {_and(given)} only)" if given else ""
        reason = f"{name}'s shape is missing{others}; {self.how}"
        super().__init__(reason, operation=operation, line=line, column=column, multiline=multiline)

    def reworded(self, how: str | None = None, given: tuple[str, ...] | None = None) -> MissingShape:
        """The same error with another way to give the shape, or with the names that were given."""
        return MissingShape(
            self.name,
            how=how or self.how,
            given=self.given if given is None else given,
            operation=self.operation,
            line=self.line,
            column=self.column,
            multiline=self.multiline,
        )


def python_hint(name: str) -> str:
    return f"pass it as a keyword with its sizes, such as translate(code, {name}=(2, 3)), or pass the array itself"


def cli_hint(name: str) -> str:
    return f"add {name}=SHAPE after the code with its sizes, such as {name}=2x3 (or {name}=file.npy)"


def page_hint(name: str) -> str:
    return f"add it under Operand shapes with its sizes, such as {name}=2x3"


def api_hint(name: str) -> str:
    return f'add it to "operands" with its sizes, such as "{name}": [2, 3]'


def _and(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
