"""Regenerate the [countries] table of rights_check/data/territories.toml from pycountry.

    python tools/make_territories.py > /tmp/countries.toml   (then paste over the table)

Extraction reads the committed table, so matching "X OUT" needs no pycountry at run time.
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
