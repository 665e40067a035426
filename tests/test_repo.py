"""Repository rules: CI runs the README's test command verbatim; no copied shared data."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "README has no bash block with the two commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_shows_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "streamlit run app.py" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci


def test_no_tracked_file_is_a_copy_of_shared_data(shared_data: Path) -> None:
    shared = {hashlib.sha1(p.read_bytes()).hexdigest() for p in shared_data.rglob("*") if p.is_file() and p.name != "README.md"}
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    copies = [f.decode() for f in tracked if f and (ROOT / f.decode()).is_file()
              and hashlib.sha1((ROOT / f.decode()).read_bytes()).hexdigest() in shared]
    assert not copies


def test_geo_never_imports_streamlit() -> None:
    offenders = [str(p) for p in (ROOT / "geo").rglob("*.py") if re.search(r"^\s*(import|from)\s+streamlit", p.read_text(encoding="utf-8"), re.M)]
    assert not offenders
