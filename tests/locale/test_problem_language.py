"""A rejected file's report in Spanish: every reason the validation gives is translated."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxpulse.errors import ValidationError
from cxpulse.workspace import Workspace

TICKETS = (
    "ticket_id,account_id,opened_at,status,priority,handle_time_minutes,first_contact_resolution\n"
    "t1,a1,2026-01-05,open,high,12,true\n"
    "t2,a1,someday,open,high,12,true\n"  # not a date-time
    "t3,a1,2026-01-05,lost,high,12,true\n"  # not an allowed status
    "t4,a1,2026-01-05,open,high,-3,true\n"  # below the minimum
    "t5,a1,2026-01-05,open,high,many,maybe\n"  # not a number, not true/false
    "t1,a1,2026-01-05,open,high,12,true\n"  # duplicate key
    "t6,,2026-01-05,open,high,12,true\n"  # required value missing
)


def _rejection(tmp_path: Path, table: str, text: str) -> ValidationError:
    path = tmp_path / f"{table}.csv"
    path.write_text(text, encoding="utf-8")
    with Workspace.connect() as ws, pytest.raises(ValidationError) as caught:
        ws.load(table, path)
    return caught.value


def test_every_problem_of_a_rejected_file_is_reported_in_spanish(tmp_path: Path):
    err = _rejection(tmp_path, "tickets", TICKETS)
    assert len(err.problems) >= 6
    assert all(problem.key for problem in err.problems)  # each reason has its catalogue text
    spanish = err.message_in("es")
    assert "rechazado, no se cargó nada en 'tickets'" in spanish
    assert "fila 3" in spanish and "no es una fecha y hora" in spanish
    assert "1 filas" not in spanish  # singular and plural
    assert "debe ser uno de" in spanish
    assert "clave duplicada: el mismo ticket_id que la fila 2" in spanish
    assert "rejected" not in spanish and "must be" not in spanish
    assert str(err) == err.message_in("en") and "rejected, nothing was loaded" in str(err)


def test_a_missing_column_is_reported_in_spanish(tmp_path: Path):
    err = _rejection(tmp_path, "accounts", "segment\nSMB\n")
    assert "falta una columna obligatoria" in err.message_in("es")
    assert "columna 'account_id'" in err.message_in("es")
