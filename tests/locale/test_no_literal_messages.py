"""No user-facing message is written as a literal in the code: each comes from the catalogue
(a ``key=`` on a cxpulse error, ``tr``/``gettext`` in the CLI and the web), so it exists in
Spanish and English. The scan reads the source with ``ast``:

- a cxpulse error (any subclass of ``CxpulseError``) raised with a literal message;
- ``HTTPException(detail="...")`` with a literal detail;
- ``typer.BadParameter("...")``, ``fail("...")``, ``typer.echo("...")``, ``print("...")`` and
  ``console.print("...")`` of a literal with words in it;
- a ``ValueError`` raised with a literal inside a pydantic validator (pydantic shows it to the
  user in the 422 answer).

Messages for developers only (a Python caller's wrong argument, a broken invariant, a
packaged data file) are listed in DEVELOPER_ONLY. Messages a user can meet that are not in the
catalogue yet are listed in NOT_YET_TRANSLATED: the list may only shrink (a new literal fails,
and an entry that no longer matches fails too, so a fixed message leaves the list).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "cxpulse"

# (file relative to src/cxpulse, first 30 characters of the fixed text).
DEVELOPER_ONLY: set[tuple[str, str]] = {
    # stats/: input contracts of the pure-math API, fed by the engine's aggregates;
    # datasets/demo, truth, bank_churn arguments: the demo generator's Python API;
    # metrics/frame: an operator the engine never builds; web/training: the packaged glossary;
    # loop/cases: an unknown event kind (code) and a lost race retried by the caller.
    ("datasets/bank_churn.py", "horizon_days must be at least "),
    ("datasets/demo.py", "the number of responses must b"),
    ("datasets/demo.py", "need accounts >= 1, responses "),
    ("datasets/demo.py", "chunk_accounts must be a posit"),
    ("datasets/demo.py", "unknown demo size ; use one of"),
    ("datasets/truth.py", "truth tables must be a path, a"),
    ("datasets/truth.py", "horizon_days must be positive,"),
    ("datasets/truth.py", "truth_monthly lacks columns ; "),
    ("datasets/truth.py", "paths must be at least 1, got "),
    ("health/models.py", "ExpertModel: feature table lac"),
    ("loop/cases.py", "unknown case event kind "),
    ("loop/cases.py", "case  is being opened; retry"),
    ("metrics/frame.py", "unsupported operator "),
    ("schema/sources.py", "cannot load an object of type "),
    ("stats/compare.py", ":  must be (promoters, passive"),
    ("stats/compare.py", ": successes cannot exceed n (a"),
    ("stats/compare.py", ": events with zero exposure (a"),
    ("stats/compare.py", ":  must be (n, sum_x, sum_y, s"),
    ("stats/inputs.py", ":  must be a finite number >= "),
    ("stats/inputs.py", ":  must be finite, got . Check"),
    ("stats/inputs.py", ": confidence must be strictly "),
    ("stats/inputs.py", ":  must be a number, got . Pas"),
    ("stats/inputs.py", ":  must be a number, got ."),
    ("stats/means.py", ": total^2 () exceeds n * total"),
    ("stats/nps.py", "nps_from_scores: NPS answers a"),
    ("stats/proportions.py", ": successes () cannot exceed n"),
    ("stats/quantiles.py", ": q must be strictly between 0"),
    ("stats/quantiles.py", ": n must be at least 1, got ."),
    ("stats/quantiles.py", ": expected lower <= value <= u"),
    ("stats/rates.py", ":  events with zero exposure. "),
    ("text/sentiment.py", "sentiment() got  texts but  la"),
    ("text/themes.py", "k must be at least 1, got ."),
    ("web/pages/surveys.py", "closed"),
    ("web/training.py", "the glossary needs exactly one"),
    ("web/training.py", "web/data/glossary.json is not "),
}
NOT_YET_TRANSLATED: set[tuple[str, str]] = set()  # every user-facing message is in the catalogue
ALLOWED = DEVELOPER_ONLY | NOT_YET_TRANSLATED

WORDS = re.compile(r"[A-Za-z]{3,}")
PRINTERS = {"echo", "print", "secho"}


def _literal_text(node: ast.expr | None) -> str | None:
    """The fixed text of a str literal or f-string, None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return None


def _words(text: str | None) -> bool:
    if text is None:
        return False
    plain = re.sub(r"\[/?[a-z ]*\]", "", text)  # rich markup is not a message
    return bool(WORDS.search(plain))


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _cxpulse_errors(trees: dict[str, ast.Module]) -> set[str]:
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(_name(b) for b in node.bases)
    found = {"CxpulseError"}
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                grew = True
    return found


def _validators(tree: ast.Module) -> list[ast.FunctionDef]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(
            _name(d.func if isinstance(d, ast.Call) else d).endswith("validator")
            for d in node.decorator_list
        )
    ]


def literal_messages(trees: dict[str, ast.Module]) -> list[tuple[str, int, str]]:
    """(file, line, text) of every literal user-facing message."""
    errors = _cxpulse_errors(trees)
    found: list[tuple[str, int, str]] = []
    for rel, tree in trees.items():
        in_validator = {id(n) for v in _validators(tree) for n in ast.walk(v)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            first = node.args[0] if node.args else None
            if any(k.arg == "key" for k in node.keywords):
                continue  # the catalogue key decides the text; the literal is its English
            texts: list[str | None] = []
            if name in errors or name in ("BadParameter", "fail"):
                texts.append(_literal_text(first))
            if name == "HTTPException":
                texts += [_literal_text(k.value) for k in node.keywords if k.arg == "detail"]
                texts += [_literal_text(a) for a in node.args[1:2]]
            if name in PRINTERS and rel.startswith("cli/"):
                texts += [_literal_text(a) for a in node.args]
            if name == "ValueError" and id(node) in in_validator:
                texts.append(_literal_text(first))
            for text in texts:
                if _words(text):
                    found.append((rel, node.lineno, str(text)))
    return found


def _trees() -> dict[str, ast.Module]:
    return {
        str(p.relative_to(SRC)): ast.parse(p.read_text("utf-8")) for p in sorted(SRC.rglob("*.py"))
    }


def test_no_literal_user_facing_message_in_the_code():
    found = literal_messages(_trees())
    new = [f"{f}:{line}: {text[:70]!r}" for f, line, text in found if (f, text[:30]) not in ALLOWED]
    assert new == []


def test_the_lists_of_remaining_literals_are_not_stale():
    found = {(f, text[:30]) for f, _line, text in literal_messages(_trees())}
    assert sorted(ALLOWED - found) == []
    assert not DEVELOPER_ONLY & NOT_YET_TRANSLATED


def test_the_scan_finds_each_kind_of_literal_message():
    sample = ast.parse(
        "class SurveyError(CxpulseError): pass\n"
        "raise SurveyError('the survey is closed')\n"
        "raise SurveyError(key='collect.error.closed')\n"
        "raise HTTPException(status_code=404, detail='no such case')\n"
        "raise HTTPException(404, f'case {n} not found')\n"
        "raise typer.BadParameter('use table or csv')\n"
        "typer.echo(f'{n} rows loaded')\n"
        "console.print(tr('cli.loaded', n=n))\n"
        "console.print(f'[green]✓[/] {step}')\n"
        "class Body(BaseModel):\n"
        "    @field_validator('x')\n"
        "    def check(cls, v):\n"
        "        raise ValueError('must be positive')\n"
        "raise ValueError('internal: bad state')\n"
    )
    found = literal_messages({"cli/sample.py": sample})
    assert [line for _, line, _ in found] == [2, 4, 5, 6, 7, 13]
