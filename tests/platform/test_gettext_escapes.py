"""A template's `_()` takes a msgid, and newstyle gettext marks what it returns as safe markup.
Some msgids are data (a compound's own need kinds and places, typed by its officers), so the
text is escaped before it is marked: a label is shown as typed, never run as markup."""

from __future__ import annotations

from council.needs import service as needs
from council.platform.web.app import jinja_environment

from ..factories import html
from ..needs.helpers import post

ATTACK = "<img src=x>"


def test_a_label_passed_to_gettext_is_escaped_and_parameters_too():
    env = jinja_environment()
    assert env.from_string("{{ _(x) }}").render(x=ATTACK) == "&lt;img src=x&gt;"
    out = env.from_string('{{ _("还差 %(n)s 户附议", n=x) }}').render(x=ATTACK)
    assert out == "还差 &lt;img src=x&gt; 户附议"


def test_a_need_kind_typed_by_an_officer_is_shown_as_typed(client, compound, officer, owners):
    client.run(needs.save_kind, client.ctx, officer.principal, compound.id, code="", label=ATTACK)
    (kind,) = [k for k in client.run(needs.kinds, compound.id) if k.label == ATTACK]
    post(client, owners["张伟"], compound, kind=kind.code)
    for path in ("/c/yipin", "/c/yipin/needs", "/c/yipin/needs/1", "/m/1"):
        page = html(client.get(path))
        assert not page.css("main img[src=x]"), path
        assert ATTACK in page.css_first("main").text(), path
