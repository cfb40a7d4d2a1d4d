"""Regenerate the [countries] and [codes] tables of rights_check/data/territories.toml from
pycountry.

    python tools/make_territories.py > /tmp/countries.toml   (then paste over the tables)

Extraction and manifest checks read the committed tables, so neither needs pycountry at run
time.
"""

import pycountry

names: dict[str, str] = {}
for c in pycountry.countries:
    for attr in ("name", "common_name", "official_name"):
        value = getattr(c, attr, None)
        if value and "," not in value:
            names.setdefault(value.lower(), c.alpha_2)
print("[countries]")
for name in sorted(names):
    print(f'"{name}" = "{names[name]}"')
print()
print("# Every ISO 3166-1 alpha-2 code (manifests are checked against it).")
print("[codes]")
print("alpha_2 = [")
codes = sorted(c.alpha_2 for c in pycountry.countries)
for i in range(0, len(codes), 16):
    print("    " + ", ".join(f'"{c}"' for c in codes[i:i + 16]) + ",")
print("]")
