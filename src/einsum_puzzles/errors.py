"""One exception class for every mistake a user can make in an einsum expression."""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["syntax", "operand_count", "rank", "size", "output"]
KINDS: tuple[ErrorKind, ...] = ("syntax", "operand_count", "rank", "size", "output")


class EinsumError(ValueError):
    """A subscript that numpy's einsum would reject, with the rule it breaks.

    ``kind`` is one of ``KINDS``; ``position`` is an index into ``subscript`` (the character the
    problem is at) when there is one. ``str(error)`` is the message followed, when there is a
    position, by the subscript and a caret line under the offending character.
    """

    def __init__(
        self,
        message: str,
        kind: ErrorKind,
        *,
        position: int | None = None,
        subscript: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise TypeError(f"unknown EinsumError kind {kind!r}; expected one of {KINDS}")
        self.message = message
        self.kind: ErrorKind = kind
        self.position = position
        self.subscript = subscript
        super().__init__(self._render())

    def _render(self) -> str:
        if self.position is None or self.subscript is None:
            return self.message
        shown = self.subscript.translate(_PRINTABLE)
        return f"{self.message}\n    {shown}\n    {' ' * self.position}^"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.message, self.kind, self.position, self.subscript))


def _rebuild(message: str, kind: ErrorKind, position: int | None, subscript: str | None) -> EinsumError:
    return EinsumError(message, kind, position=position, subscript=subscript)


# Control characters would break the caret line; show each as one visible character instead.
_PRINTABLE = {code: "?" for code in list(range(32)) + [127]}
