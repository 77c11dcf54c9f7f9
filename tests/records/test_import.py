"""The council's family export: all or nothing, every bad line named, safe to run twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.records import service
from bot.records.models import Child, Family

HEADER = "family_reference,child_date_of_birth\n"


def write(tmp_path: Path, body: str | bytes, name: str = "families.csv") -> Path:
    path = tmp_path / name
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    return path


def counts(scope) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with scope() as session:
        return (
            session.execute(select(func.count()).select_from(Family)).scalar_one(),
            session.execute(select(func.count()).select_from(Child)).scalar_one(),
        )


def test_import_then_reimport_adds_nothing(scope, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        HEADER
        + "EBC-0001,2018-05-01\n"
        + "ebc 0001,2020-07-15\n"  # second child, reference in another spelling
        + "\n"
        + "EBC-0002,2015-01-31\n"
        + "EBC-0003,2022-02-02\nEBC-0003,2022-02-02\n",  # twins
    )
    with scope() as session:
        assert service.import_families(session, path) == 5
    assert counts(scope) == (3, 5)
    with scope() as session:
        assert service.import_families(session, path) == 0
    assert counts(scope) == (3, 5)
    with scope() as session:
        result = service.verify_identity(
            session, reference_text="EBC-0001", dob_text="15/7/2020", conversation_id="c", channel="web"
        )
    assert result.status == "verified"


def test_excel_bom_crlf_and_extra_columns(scope, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, b"\xef\xbb\xbfFamily_Reference,Child_Date_Of_Birth,name\r\nEBC-0009,2019-09-09,Ann\r\n")
    with scope() as session:
        assert service.import_families(session, path) == 1
    assert counts(scope) == (1, 1)


def test_bad_rows_are_all_reported_and_nothing_is_imported(scope, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        HEADER
        + "EBC-0001,2018-05-01\n"  # line 2: fine
        + "EBC-0002,31/02/2019\n"  # line 3: not ISO
        + "EBC-0003,2019-02-30\n"  # line 4: no such date
        + ",2019-01-01\n"  # line 5: no reference
        + "'; DROP TABLE families; --,2019-01-01\n"  # line 6
        + "EBC-0004,2999-01-01\n"  # line 7: future
        + "EBC-0005\n"  # line 8: one column
        + "EBC-0006,\n"  # line 9: no date
        + "TŶ-0007,2019-01-01\n"  # line 10
        + "EBC-0008,2019-01-01\n",  # line 11: fine
    )
    with pytest.raises(service.ImportRejected) as caught, scope() as session:
        service.import_families(session, path)
    lines = [line for line, _ in caught.value.problems]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10]
    message = str(caught.value)
    assert "line 3: child_date_of_birth is not an ISO date" in message
    assert "line 4: child_date_of_birth is not a real date" in message
    assert "line 7: child_date_of_birth is in the future" in message
    assert "line 8: expected 2 columns, found 1" in message
    assert "31/02/2019" not in message  # the bad values themselves are not repeated
    assert counts(scope) == (0, 0)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("", "empty"),
        ("\n\n", "empty"),
        ("reference,dob\nEBC-0001,2019-01-01\n", "header"),
        (HEADER, "no families"),
        (b"family_reference,child_date_of_birth\nEBC-0001,2019-01-01\n\xff\xfe\n", "not UTF-8"),
        (b"family_reference,child_date_of_birth\nEBC-0001,2019-01-01\x00\n", "NUL"),
    ],
)
def test_unusable_files_are_rejected_clearly(scope, tmp_path, body, why) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(service.ImportRejected, match=why), scope() as session:
        service.import_families(session, write(tmp_path, body))
    assert counts(scope) == (0, 0)


def test_missing_file_and_directory(scope, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(service.ImportRejected, match="cannot read"), scope() as session:
        service.import_families(session, tmp_path / "nope.csv")
    with pytest.raises(service.ImportRejected, match="directory"), scope() as session:
        service.import_families(session, tmp_path)


def test_a_larger_file_imports_quickly(scope, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = "".join(f"BIG-{i:06d},20{10 + i % 14:02d}-0{1 + i % 9}-1{i % 9}\n" for i in range(3000))
    path = write(tmp_path, HEADER + rows)
    with scope() as session:
        assert service.import_families(session, path) == 3000
    with scope() as session:
        assert service.import_families(session, path) == 0
    assert counts(scope) == (3000, 3000)
