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


def test_stored_tables_are_the_toml_files_parsed():
    """data/tables.json is what the resolvers read: it must be the TOML tables, parsed."""
    from rights_check import values

    committed = (ROOT / "rights_check" / "data" / values.TABLES).read_text(encoding="utf-8")
    assert committed == values.tables_json(), "run: python -m rights_check.phrases"
    for name in values.TABLE_FILES:
        parsed = tomllib.loads((ROOT / "rights_check" / "data" / name).read_text(encoding="utf-8"))
        assert values._data(name) == parsed


def test_a_table_edited_since_tables_json_is_parsed_from_its_toml(monkeypatch):
    from rights_check import values

    real = values.read_data

    def edited(*parts):
        raw = real(*parts)
        return raw + b'\n[added]\nword = "new"\n' if parts == ("words.toml",) else raw
    monkeypatch.setattr(values, "read_data", edited)
    values._data.cache_clear()
    try:
        assert values._data("words.toml")["added"] == {"word": "new"}
    finally:
        values._data.cache_clear()
