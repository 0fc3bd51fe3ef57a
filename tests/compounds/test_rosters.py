"""Roster imports: all or nothing, every bad line reported, versions, re-imports keep accounts."""

from __future__ import annotations

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.compounds.tables import RosterEntry, RosterVersion, Unit

from ..conftest import ROSTER, html


def upload(client, content: bytes | str, name="roster.csv", htmx=False):
    data = content.encode() if isinstance(content, str) else content
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        "/staff/c/yipin/roster",
        files={"file": (name, data, "text/csv")},
        data={"_csrf_token": client.csrf()},
        headers=headers,
    )


def test_the_fixture_roster_made_version_one(client, compound, officer):
    page = html(client.get("/staff/c/yipin/roster"))
    rows = [[td.text() for td in tr.css("td")] for tr in page.css("table tbody tr")]
    # 6 units; persons: P1, P2+P3, P4 (two units), P5, developer = 5
    assert rows == [["1", "6", "5", "527.45", "roster.csv", "可用"]]


def test_a_bad_file_is_rejected_whole_with_every_bad_line(client, compound, officer):
    bad = ROSTER + (
        "一品水轩,3,101,abc,P9,0,,\n"
        "缤纷城,3,102,80,P10,0,,\n"
        "一品水轩,3,103,80,P11,0,,12345\n"
        "一品水轩,1,101,80,P12,0,,\n"
    )
    r = upload(client, bad)
    assert r.status_code == 422  # the form again with its errors (council/web/render.py)
    problems = [li.text() for li in html(r).css("ol.problems li")]
    assert len(problems) == 4
    assert "第 8 行" in problems[0] and "area_m2" in problems[0]
    assert any("第 9 行" in p and "compound" in p for p in problems)
    assert any("第 10 行" in p and "phone" in p for p in problems)
    assert any("第 11 行" in p and "重复" in p for p in problems)
    assert client.run(RosterVersion.count) == 1  # nothing half-imported
    assert client.run(Unit.count) == 6


def test_import_report_is_an_htmx_fragment(client, compound, officer):
    r = upload(client, "not,a,roster\n1,2,3\n", htmx=True)
    assert r.status_code == 422  # htmx swaps 422 in (base.html's responseHandling)
    frag = html(r)
    assert frag.css_first("title") is None
    assert frag.css_first("div#import-result .error")
    assert "缺少列" in frag.css_first("div#import-result").text()


def test_a_good_import_redirects_and_htmx_is_told_where(client, compound, officer):
    r = upload(client, ROSTER, htmx=True)
    assert r.status_code == 200 and r.headers["hx-redirect"].startswith(
        "/staff/c/yipin/roster?imported=2"
    )
    notice = html(client.get(r.headers["hx-redirect"])).css_first("p.notice").text()
    assert "第 2 版" in notice and "6 套房屋" in notice
    assert client.run(RosterVersion.count) == 2


def test_non_utf8_and_empty_files(client, compound, officer):
    r = upload(client, ROSTER.encode("gbk"))
    assert "UTF-8" in html(r).css_first("ol.problems").text()
    r = client.post("/staff/c/yipin/roster", data={"_csrf_token": client.csrf()})
    assert r.status_code == 422
    assert "请选择" in html(r).css_first("#import-result").text()


def test_reimport_makes_a_new_version_updates_units_and_keeps_accounts(
    client, compound, officer, superuser
):
    _, letters = client.run(
        activation.generate_codes, client.ctx, superuser.principal, compound, None
    )
    code = next(ltr.code for ltr in letters if ltr.unit == "101" and ltr.building == "1")
    account_id = client.run(
        accounts.activate,
        client.ctx,
        code,
        "13811110001",
        "a good password",
        "a good password",
        "张伟",
        "test",
    )
    changed = (
        ROSTER.replace("一品水轩,1,101,89.50", "一品水轩,1,101,90.00").replace(
            "一品水轩,2,101,101.10,P5,0,陈静,\n", ""
        )
        + "一品水轩,3,301,88,P6,0,孙丽,\n"
    )
    r = upload(client, changed)
    assert r.status_code == 303  # post/redirect/get: a reload never imports twice
    notice = html(client.get(r.headers["location"])).css_first("p.notice").text()
    assert "第 2 版" in notice and "新增 1" in notice and "移除 1" in notice
    units = client.run(accounts.my_units, account_id)
    assert [(u.building, u.number, u.area) for u in units] == [("1", "101", "90.00")]
    # version 1 still records what it recorded
    v1 = client.run(RosterVersion.select().where(RosterVersion.number == 1).first)
    entries = client.run(
        RosterEntry.select(RosterEntry.area).where(RosterEntry.version == v1["id"])
    )
    assert {"89.50", "101.10"} <= {e["area"] for e in entries}
    assert client.run(Unit.count().where(Unit.active == True)) == 6


def test_cli_import_roster(tmp_path, capsys):
    from council.cli import main

    f = tmp_path / "r.csv"
    f.write_text(ROSTER, encoding="utf-8")
    args = ["import-roster", str(f), "--compound", "一品水轩", "--data-dir", str(tmp_path / "d")]
    assert main(args) == 2
    assert "--create" in capsys.readouterr().err
    assert main([*args, "--create", "--slug", "yipin"]) == 0
    assert "第 1 版" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(ROSTER + "一品水轩,9,9,-1,P9,0,,\n", encoding="utf-8")
    assert (
        main(["import-roster", str(bad), "--compound", "yipin", "--data-dir", str(tmp_path / "d")])
        == 2
    )
    err = capsys.readouterr().err
    assert "第 8 行" in err and "area_m2" in err and "未导入" in err


def test_import_errors_follow_the_page_language(client, compound, officer, monkeypatch):
    """Every part of a roster problem goes through the catalog of the page's language."""
    from babel.support import NullTranslations

    import council.platform.web.i18n as i18n

    class Marked(NullTranslations):
        def gettext(self, message: str) -> str:
            return "«" + message + "»"

    real = i18n.translations
    monkeypatch.setattr(i18n, "translations", lambda lang: Marked() if lang == "en" else real(lang))
    client.post_form("/lang", {"lang": "en", "next": "/"})
    r = upload(client, ROSTER + "一品水轩,3,101,abc,P9,0,,\n缤纷城,3,102,80,P10,0,,\n")
    assert r.status_code == 422
    problems = [li.text() for li in html(r).css("ol.problems li")]
    assert problems[0].startswith("«roster.csv 第 8 行，area_m2 列：«面积必须是正的数字")
    assert "abc" in problems[0]
    assert "«小区名“缤纷城”与导入目标“一品水轩”不符»" in problems[1]
    assert html(r).css_first("#import-result p").text() == "«名册有错误，整个文件未导入»"
