"""Fake but well-formed identifiers (NHS number, UPN, PNC id) and allocators that never repeat one.

Check characters come from ``graph_model.normalise.identifiers``, so the generator and the matcher
agree by construction.
"""

from __future__ import annotations

from graph_model.normalise.identifiers import nhs_check_digit, pnc_check_letter, upn_check_letter

__all__ = ["NhsAllocator", "Permutation", "nhs_check_digit", "pnc_check_letter", "upn_check_letter"]


class Permutation:
    """n -> a scrambled, never-repeating number below 10**width (an affine map mod 10**width)."""

    __slots__ = ("_mod", "_mult", "_offset", "width")

    def __init__(self, width: int, offset: int, mult: int = 7_368_787) -> None:
        # mult is prime and not 2 or 5, so it is invertible modulo any power of ten.
        self.width = width
        self._mod = 10**width
        self._mult = mult
        self._offset = offset % self._mod

    def __call__(self, n: int) -> str:
        if n >= self._mod:  # out of numbers: widen rather than repeat
            return str(self._mod + n)
        return str((n * self._mult + self._offset) % self._mod).zfill(self.width)


class NhsAllocator:
    """Unique valid NHS numbers in the 999 test range (serials whose check digit would be 10 are skipped)."""

    __slots__ = ("_n", "_perm")

    def __init__(self, offset: int) -> None:
        self._perm = Permutation(6, offset)
        self._n = 0

    def next(self) -> str:
        while True:
            if self._n >= 1_000_000:
                raise RuntimeError(
                    "the 999 test range holds about 900,000 NHS numbers; generate fewer people"
                )
            nine = "999" + self._perm(self._n)
            self._n += 1
            check = nhs_check_digit(nine)
            if check is not None:
                return nine + str(check)


def nhs_is_valid(number: str) -> bool:
    return len(number) == 10 and number.isdigit() and nhs_check_digit(number[:9]) == int(number[9])
