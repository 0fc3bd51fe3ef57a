"""No Chinese reaches an English page from a template: every CJK character in a template is
inside a message id (`_("…")`), so the English catalog covers it."""

import re
from pathlib import Path

import council

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ROOT = Path(council.__file__).parent


def untranslated(text: str) -> list[tuple[int, str]]:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r'_\(\s*"(?:[^"\\]|\\.)*"', "_(", text)
    text = re.sub(r"_\(\s*'(?:[^'\\]|\\.)*'", "_(", text)
    return [(i, line.strip()) for i, line in enumerate(text.split("\n"), 1) if CJK.search(line)]


def test_every_chinese_text_in_templates_is_a_message_id():
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        found += [
            f"{path.relative_to(ROOT)}:{i}: {line[:100]}"
            for i, line in untranslated(path.read_text())
        ]
    assert found == []


def test_the_check_sees_a_stray_chinese_word():
    assert untranslated('<p>{{ _("已投票") }}</p>\n<p>{{ name }}：{{ x }}</p>') == [
        (2, "<p>{{ name }}：{{ x }}</p>")
    ]


def test_every_text_input_says_its_type():
    """The stylesheet sizes fields by type (input[type=text] …): an input without a type got
    no touch-sized style at all (a 21 px 具体位置 field on the phone)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "council"
    untyped = [
        f"{t.relative_to(root)}: {m.group(0)[:60]}"
        for t in root.glob("**/templates/**/*.html")
        for m in re.finditer(r"<input\b[^>]*>", t.read_text())
        if "type=" not in m.group(0)
    ]
    assert untyped == []
