"""Every message in code and templates has an English translation; compiled catalogs are current."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
PO = ROOT / "council/locale/en/LC_MESSAGES/messages.po"
MO = ROOT / "council/locale/en/LC_MESSAGES/messages.mo"


def extract(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "-k",
            "gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return {m.id for m in read_po(pot.open("rb")) if m.id}


def test_every_message_has_an_english_translation(tmp_path):
    ids = extract(tmp_path)
    assert len(ids) > 100
    catalog = read_po(PO.open("rb"))
    untranslated = sorted(i for i in ids if not (catalog.get(i) and catalog.get(i).string))
    assert untranslated == []
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


def test_compiled_catalog_matches_the_po_file():
    po = {m.id: m.string for m in read_po(PO.open("rb")) if m.id}
    mo = {m.id: m.string for m in read_mo(MO.open("rb")) if m.id}
    assert mo == po
    buf = io.BytesIO()
    write_mo(buf, read_po(PO.open("rb")))
    assert buf.getvalue() == MO.read_bytes()


def test_placeholders_survive_translation():
    import re

    for m in read_po(PO.open("rb")):
        if m.id:
            assert set(re.findall(r"%\(\w+\)s", m.id)) == set(re.findall(r"%\(\w+\)s", m.string)), (
                m.id
            )
