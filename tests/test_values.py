"""The value tables extraction and manifest checks read."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from rights_check.values import iso_country_codes

ROOT = Path(__file__).resolve().parent.parent


def test_country_tables_are_what_pycountry_gives():
    # the committed [countries] and [codes] tables are the generator's output, verbatim
    made = subprocess.run([sys.executable, str(ROOT / "tools" / "make_territories.py")],
                          capture_output=True, text=True, check=True).stdout
    committed = (ROOT / "rights_check" / "data" / "territories.toml").read_text(encoding="utf-8")
    assert committed.endswith(made), "run tools/make_territories.py and paste its output"
    assert tomllib.loads(made)["codes"]["alpha_2"] == sorted(iso_country_codes())


def test_iso_codes():
    codes = iso_country_codes()
    assert len(codes) == 249 and {"KR", "JP", "GB", "CD", "SH"} <= codes
    assert "UK" not in codes and "EL" not in codes
