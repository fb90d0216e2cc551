"""Asserting domain errors by their stable code, not by the words of their message."""

from contextlib import contextmanager

import pytest


@contextmanager
def raises_code(error_class, code: str):
    """Like pytest.raises(error_class), and the error's code must be `code`."""
    with pytest.raises(error_class) as caught:
        yield caught
    assert caught.value.code == code, f"{caught.value.code}: {caught.value.message}"
