"""A test that needs a browser, axe-core or the scale-out services is skipped with a counted reason, or failed
under PDA_TESTS_REQUIRE_ALL=1 (as CI runs), never silently dropped."""

from __future__ import annotations

import pytest

from tests.needs import REQUIRE_ALL_ENV, kind_of, missing, summary_line


def test_a_missing_dependency_skips_with_a_reason_that_names_its_kind_and_the_command(monkeypatch):
    monkeypatch.delenv(REQUIRE_ALL_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        missing("browser", "Chromium not found at /nope")
    assert kind_of(str(skipped.value)) == "browser"
    assert "make test-deps" in str(skipped.value)


@pytest.mark.parametrize("kind", ["browser", "accessibility", "scale-out"])
def test_under_require_all_a_missing_dependency_fails_the_test(monkeypatch, kind):
    monkeypatch.setenv(REQUIRE_ALL_ENV, "1")
    with pytest.raises(pytest.fail.Exception):
        missing(kind, "not here")


def test_other_skips_are_not_counted_and_the_line_names_each_kind():
    assert kind_of("PostgreSQL is not answering") is None
    assert summary_line({}) is None
    line = summary_line({"browser": 22, "scale-out": 4})
    assert line is not None and "22 browser" in line and "4 scale-out" in line and "`make test-deps`" in line
    assert "\n" not in line
