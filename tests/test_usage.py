"""The usage manifest: loading, strict validation, stated vs unknown, the template."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from rights_check import vocab
from rights_check.errors import ManifestError
from rights_check.model import RestrictionType
from rights_check.usage import Agreement, Publisher, Usage, load_usage, template_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "usage"
KST = dt.timezone(dt.timedelta(hours=9))


def problems_of(source) -> list[str]:
    with pytest.raises(ManifestError) as info:
        load_usage(source)
    assert "\n" not in str(info.value)
    return info.value.problems


def write(tmp_path: Path, text: str | bytes, name: str = "use.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


# --- fixtures and template --------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.name)
def test_fixture_manifests_load(path: Path) -> None:
    assert path.read_text("utf-8").startswith("#"), "header comment says what use it describes"
    usage = load_usage(path)
    assert usage.source == str(path)
    assert usage.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_fixture_set_is_complete() -> None:
    names = {p.name for p in FIXTURES.glob("*.yaml")}
    assert {"newspaper-editorial-web.yaml", "company-advertisement.yaml", "blog-post.yaml",
            "book-cover.yaml", "ai-training.yaml"} <= names


def test_newspaper_fixture() -> None:
    u = load_usage(FIXTURES / "newspaper-editorial-web.yaml")
    assert u.publisher.type == "news_publisher" and u.publisher.country == "KR"
    assert u.purpose == "news_reporting"
    assert (u.commercial, u.advertising, u.endorsement_implied, u.political) == (False,) * 4
    assert u.edits == ("resize", "compress")
    assert u.territories == ("KR",) and u.media == ("newspaper_print", "website")
    assert u.first_use == dt.datetime(2026, 5, 1, 9, tzinfo=KST)
    assert u.run_until is None and u.is_stated("run_until")
    assert u.ai_training == "none" and u.archive is False and u.resale is False


def test_blog_fixture_leaves_fields_unknown() -> None:
    u = load_usage(FIXTURES / "blog-post.yaml")
    assert u.publisher.type == "blog" and u.edits == ("resize",)
    for path in ("territories", "credit_line", "run_until", "archive", "publisher.country"):
        assert not u.is_stated(path)
    assert u.territories is None and u.credit_line is None and u.archive is None


def test_template_loads_and_lists_every_vocabulary_value() -> None:
    text = template_text()
    usage = load_usage(FIXTURES.parent.parent / "rights_check" / "data" / "usage-template.yaml")
    assert usage.purpose == "news_reporting"
    values = (vocab.PUBLISHER_TYPES + vocab.PURPOSES + vocab.MEDIA + vocab.EDITS
              + vocab.AI_TRAINING + tuple(str(t) for t in RestrictionType) + ("WORLD",))
    missing = [v for v in values if v not in text]
    assert not missing
    for key in ("publisher", "purpose", "commercial", "advertising", "endorsement_implied",
                "political", "media", "territories", "geo_blocking", "first_use", "run_until",
                "edits", "credit_line", "archive", "resale", "ai_training", "agreements",
                "name", "type", "country", "nonprofit", "client_of", "depicted_subject"):
        assert f"{key}:" in text


# --- validation ---------------------------------------------------------------------------

def test_unknown_keys_top_level_and_nested() -> None:
    problems = problems_of({"colour": "red", "publisher": {"kind": "blog"},
                            "agreements": [{"type": "no_archive", "until": "2027"}]})
    assert any(p.startswith("colour: unknown key (allowed: publisher, purpose") for p in problems)
    assert any(p.startswith("publisher.kind: unknown key") and "depicted_subject" in p
               for p in problems)
    assert any(p.startswith("agreements[0].until: unknown key") for p in problems)


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, """\
publisher:
  type: newspaper
  country: XX
purpose: news
media: [website, billboard]
edits: [crop, photoshop]
ai_training: maybe
agreements:
  - {type: no_archiv}
""")
    with pytest.raises(ManifestError) as info:
        load_usage(path)
    err = info.value
    assert err.source == str(path) and str(err).startswith(f"{path}: ")
    joined = "\n".join(err.problems)
    for path_ in ("publisher.type:", "publisher.country:", "purpose:", "media[1]:", "edits[1]:",
                  "ai_training:", "agreements[0].type:"):
        assert path_ in joined
    assert "'newspaper' is not one of news_agency, news_publisher" in joined
    assert "individual" in joined  # the whole vocabulary is listed
    assert len(err.problems) == 7


@pytest.mark.parametrize("manifest, path", [
    ({"commercial": "yes"}, "commercial"),
    ({"commercial": 1}, "commercial"),
    ({"publisher": {"nonprofit": "no"}}, "publisher.nonprofit"),
    ({"publisher": "Example Daily"}, "publisher"),
    ({"publisher": {"client_of": "AP"}}, "publisher.client_of"),
    ({"publisher": {"client_of": ["AP", 7]}}, "publisher.client_of[1]"),
    ({"media": "website"}, "media"),
    ({"edits": [["crop"]]}, "edits[0]"),
    ({"credit_line": 42}, "credit_line"),
    ({"first_use": 20260501}, "first_use"),
    ({"run_until": "next week"}, "run_until"),
    ({"agreements": {"type": "no_archive"}}, "agreements"),
    ({"agreements": [{"type": "no_archive", "ref": 17}]}, "agreements[0].ref"),
    ({"agreements": [{"supplier": "Yonhap"}]}, "agreements[0].type"),
    ({"agreements": [{"type": "no_resale", "supplier": " "}]}, "agreements[0].supplier"),
    ({"publisher": {"client_of": ["AP", ""]}}, "publisher.client_of[1]"),
    ({"publisher": {"name": ""}}, "publisher.name"),
])
def test_wrong_types(manifest: dict, path: str) -> None:
    problems = problems_of(manifest)
    assert len(problems) == 1 and problems[0].startswith(path + ":")


def test_country_codes() -> None:
    problems = problems_of({"publisher": {"country": "UK"}, "territories": ["KR", "KOR"],
                            "geo_blocking": ["ZZ"]})
    assert problems[0].startswith("publisher.country: 'UK' is not an ISO 3166-1 alpha-2")
    assert "'GB'" in problems[0]
    assert problems[1].startswith("territories[1]:") and problems[2].startswith("geo_blocking[0]:")
    # lower case is normalised, WORLD is allowed in territories
    u = load_usage({"territories": ["kr", "World"], "publisher": {"country": "jp"}})
    assert u.territories == ("KR", "WORLD") and u.publisher.country == "JP"


def test_world_only_in_territories() -> None:
    problems = problems_of({"geo_blocking": ["WORLD"], "publisher": {"country": "WORLD"}})
    assert problems == ["geo_blocking[0]: 'WORLD' is allowed only in territories",
                        "publisher.country: 'WORLD' is allowed only in territories"]
    assert load_usage({"territories": ["WORLD"], "geo_blocking": ["CN"]}).territories == ("WORLD",)


def test_norway_problem_gets_a_hint(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "territories: [NO]\n"))
    assert problems[0].startswith("territories[0]:") and "quotes" in problems[0]
    assert load_usage(write(tmp_path, "territories: ['NO']\n")).territories == ("NO",)


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "edits: [crop]\npurpose: other\nedits: [retouch]\n"))
    assert problems == ["edits: duplicate key (line 3)"]
    problems = problems_of(write(tmp_path, '{"edits": [], "edits": ["crop"]}', "use.json"))
    assert problems == ["edits: duplicate key"]


# --- stated vs unknown ---------------------------------------------------------------------

def test_absent_null_false_are_distinguished(tmp_path: Path) -> None:
    u = load_usage(write(tmp_path, """\
run_until: null
archive: false
geo_blocking: []
ai_training: none
credit_line:
publisher:
  nonprofit: false
"""))
    assert u.is_stated("run_until") and u.run_until is None      # null = indefinitely
    assert u.is_stated("archive") and u.archive is False
    assert u.is_stated("geo_blocking") and u.geo_blocking == ()
    assert u.is_stated("ai_training") and u.ai_training == "none"
    assert not u.is_stated("credit_line") and u.credit_line is None  # null elsewhere = unknown
    assert not u.is_stated("resale") and u.resale is None            # absent = unknown
    assert u.is_stated("publisher") and u.is_stated("publisher.nonprofit")
    assert not u.is_stated("publisher.type") and u.publisher.type is None
    assert not u.is_stated("first_use")
    assert u.to_dict() == {"publisher": {"nonprofit": False}, "geo_blocking": [],
                           "run_until": None, "archive": False, "ai_training": "none"}


def test_empty_manifest_is_all_unknown(tmp_path: Path) -> None:
    for text in ("", "# nothing known yet\n"):
        u = load_usage(write(tmp_path, text))
        assert u.stated == frozenset() and u.publisher == Publisher() and u.agreements == ()
        assert u.to_dict() == {}


# --- dates --------------------------------------------------------------------------------

def test_yaml_timestamps_and_iso_strings(tmp_path: Path) -> None:
    u = load_usage(write(tmp_path, "first_use: 2026-05-01T09:00:00+09:00\n"
                                   "run_until: '2026-06-01T00:00:00Z'\n"))
    assert u.first_use == dt.datetime(2026, 5, 1, 9, tzinfo=KST)
    assert u.run_until == dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    u = load_usage(write(tmp_path, "first_use: 2026-05-01\nrun_until: '2026-05-31'\n"))
    assert u.first_use == dt.datetime(2026, 5, 1) and u.first_use.tzinfo is None
    assert u.run_until == dt.datetime(2026, 5, 31)
    u = load_usage({"first_use": dt.date(2026, 5, 1)})
    assert u.first_use == dt.datetime(2026, 5, 1)


def test_naive_datetime_stays_naive(tmp_path: Path) -> None:
    text = "first_use: 2026-05-01 09:00:00\nrun_until: '2026-05-02T10:30'\n"
    u = load_usage(write(tmp_path, text))
    assert u.first_use == dt.datetime(2026, 5, 1, 9) and u.first_use.tzinfo is None
    assert u.run_until == dt.datetime(2026, 5, 2, 10, 30) and u.run_until.tzinfo is None
    assert u.to_dict()["first_use"] == "2026-05-01T09:00:00"


# --- files and other inputs ---------------------------------------------------------------

def test_not_yaml_names_file_and_position(tmp_path: Path) -> None:
    path = write(tmp_path, "purpose: news_reporting\nmedia: [website\nedits: [crop]\n")
    with pytest.raises(ManifestError) as info:
        load_usage(path)
    message = str(info.value)
    assert str(path) in message and "not valid YAML" in message and "line " in message
    assert "column " in message and "\n" not in message


def test_invalid_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b"purpose: news_reporting\ncredit_line: \xff\xfe\n")
    with pytest.raises(ManifestError) as info:
        load_usage(path)
    assert str(path) in str(info.value) and "UTF-8" in str(info.value)
    assert "offset 37" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ManifestError) as info:
        load_usage(path)
    assert str(path) in str(info.value) and "not found" in str(info.value)
    assert "\n" not in str(info.value)


def test_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="directory"):
        load_usage(tmp_path)


@pytest.mark.parametrize("text", ["- website\n- print\n", "just a sentence\n", "42\n"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1 and "must be a mapping" in problems[0]


def test_json_file(tmp_path: Path) -> None:
    data = {"publisher": {"type": "broadcaster", "client_of": ["AP"]}, "purpose": "documentary",
            "media": ["tv_broadcast"], "first_use": "2026-05-01T09:00:00+09:00", "run_until": None}
    path = write(tmp_path, json.dumps(data), "use.json")
    u = load_usage(str(path))
    assert u.publisher.client_of == ("AP",) and u.media == ("tv_broadcast",)
    assert u.is_stated("run_until") and u.first_use.tzinfo is not None
    assert u.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert u.to_dict() == data
    bad = write(tmp_path, '{"purpose": ', "bad.json")
    with pytest.raises(ManifestError, match=r"not valid JSON: .* line 1, column"):
        load_usage(bad)


def test_bom_is_accepted(tmp_path: Path) -> None:
    assert load_usage(write(tmp_path, b"\xef\xbb\xbfpurpose: personal\n")).purpose == "personal"


def test_mapping_input_and_round_trip() -> None:
    data = {"publisher": {"name": "Example Daily", "type": "news_publisher"},
            "purpose": "news_reporting", "territories": ["KR"], "edits": [],
            "agreements": [{"type": "no_archive", "supplier": "Yonhap", "ref": "2024-17"},
                           {"type": "embargo"}]}
    u = load_usage(data)
    assert u.source is None
    expected = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    assert u.sha256 == expected
    assert u.agreements == (Agreement(RestrictionType.NO_ARCHIVE, "Yonhap", "2024-17"),
                            Agreement(RestrictionType.EMBARGO))
    assert u.agreements[0].type == "no_archive"
    assert u.to_dict() == data
    again = load_usage(u.to_dict())
    assert (again.publisher, again.agreements) == (u.publisher, u.agreements)
    assert again.stated == u.stated
    assert json.loads(json.dumps(u.to_dict())) == data


def test_usage_is_returned_as_is_and_immutable() -> None:
    u = load_usage({"purpose": "personal"})
    assert load_usage(u) is u
    assert isinstance(u, Usage)
    with pytest.raises(AttributeError):
        u.purpose = "advertising"  # type: ignore[misc]


def test_error_message_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "publisher:\n  type: [\n")
    with pytest.raises(ManifestError) as info:
        load_usage(path)
    assert "\n" not in str(info.value)
    with pytest.raises(ManifestError) as info:
        load_usage({"credit_line": ["a\nb"], "weird\nkey": 1, "purpose": "line\nbreak"})
    assert "\n" not in str(info.value) and len(info.value.problems) == 3


def test_manifest_and_data_errors_survive_pickling() -> None:
    # e.g. raised in a multiprocessing worker of a caller's: pickle rebuilds an exception
    # from its arguments, which for these are not the message alone
    import pickle

    from rights_check.errors import DataError

    err = ManifestError("a.yaml", ["purpose: unknown value 'x'", "edits: not a list"])
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), str(back), back.source, back.problems) == \
        (ManifestError, str(err), "a.yaml", err.problems)
    data = pickle.loads(pickle.dumps(DataError(["en.toml: bad pattern"])))
    assert str(data) == "invalid rights_check data: en.toml: bad pattern"
    assert data.problems == ["en.toml: bad pattern"]
