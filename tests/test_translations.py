"""Every user-facing string has a Dutch translation, and the compiled catalogue is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).parent.parent / "lti_app" / "translations"


def _po(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def test_dutch_catalogue_is_complete():
    missing = [m.id for m in _po("nl") if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert missing == []


def test_compiled_catalogue_matches_the_po_file():
    with open(TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = read_mo(f)
    def as_dict(catalogue):
        return {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id:
                tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
                for m in catalogue if m.id}

    po, mo = as_dict(_po("nl")), as_dict(compiled)
    assert mo == po, "run: make translations (pybabel compile)"


def test_every_template_string_is_extracted():
    from babel.messages.extract import extract_from_dir

    pot = {m.id[0] if isinstance(m.id, (list, tuple)) else m.id for m in _po("nl") if m.id}
    method_map = [("lti_app/**.py", "python"), ("lti_app/**/templates/**.html", "jinja2")]
    root = Path(__file__).parent.parent
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(root), method_map, keywords={"_": None, "_l": None, "lazy_gettext": None,
                                         "gettext": None, "ngettext": (1, 2)},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    assert found - pot == set(), "run: make translations"
