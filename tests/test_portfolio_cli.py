"""`python -m geo portfolio`: CSV with one row per office, the overview, and Danish errors (exit 2)."""

from __future__ import annotations

import csv
import io

import pytest

from geo.cli.main import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["portfolio", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(text: str) -> list[dict]:
    table = text.lstrip("\ufeff").split("\n\n")[0]
    return list(csv.DictReader(io.StringIO(table)))


def test_portfolio_csv_international_codes_fixed_office_and_gap(capsys):
    code, out, err = run(capsys, "--clusters", "byggeri,food,energy", "--fixed", "byggeri=Næstved",
                         "--one-per-municipality", "--draws", "200", "--international")
    assert code == 0
    got = rows(out)
    assert [r["cluster"] for r in got] == ["byggeri", "food", "energy"]
    assert list(got[0])[:6] == ["cluster", "town", "kommunekode", "kommune", "employees_covered", "share_covered"]
    assert got[0]["town"] == "Næstved" and got[0]["fixed"] == "True"
    assert len({r["kommunekode"] for r in got}) == 3
    assert "optimalitetsgab" in err and "af 200 trækninger" in got[1]["robustness"]
    assert "Kilder og metode" in out and "Klynge food: Food & Bio Cluster Denmark" in out


def test_portfolio_danish_headers_and_overview(capsys, tmp_path):
    code, out, _ = run(capsys, "--clusters", "byggeri,digital", "--draws", "0")
    assert code == 0 and out.lstrip("\ufeff").startswith("klynge;by;Kommunekode;Kommune;ansatte_daekket")
    code, out, _ = run(capsys, "--overview", "--clusters", "byggeri,mine:62+63.1", "--international")
    got = rows(out)
    assert code == 0 and [r["cluster"] for r in got] == ["byggeri", "mine"]
    assert got[0]["office_in_region"] == "Næstved" and got[0]["codes_verified"] == "True"
    assert int(got[0]["workplaces_k17"]) > 0 and 1 <= int(got[0]["municipalities_present"]) <= 17
    xlsx = tmp_path / "p.xlsx"
    assert run(capsys, "--clusters", "byggeri,food", "--draws", "0", "--out", str(xlsx))[0] == 0
    assert xlsx.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(("args", "words"), [
    (["--clusters", "byggeri,nope"], "Ukendt klynge"),
    (["--clusters", "byggeri", "--fixed", "byggeri"], "klynge=by"),
    (["--clusters", "byggeri,food", "--fixed", "byggeri=Atlantis"], "kandidaterne"),
    (["--clusters", "byggeri,food", "--offices", "1"], "Antal kontorer"),
    (["--clusters", "byggeri", "--out", "x.pdf"], ".csv eller .xlsx"),
    (["--clusters", "byggeri", "--minutes", "0"], "Dækningsgrænsen"),
])
def test_bad_input_exit_2_one_danish_line(capsys, args, words):
    code, _, err = run(capsys, *args)
    assert code == 2
    assert err.count("\n") == 1 and words in err
