"""A reply posted from a need's page (the discussion partial's form) lands under its comment."""

from __future__ import annotations

from council.discussion import service as discussion

from .helpers import login_owner, post


def test_a_reply_from_the_need_page_is_a_reply(client, compound, owners):
    zhang, wang = owners["张伟"], owners["王芳"]
    need_id = post(client, zhang, compound)
    login_owner(client, zhang)
    url = f"/c/yipin/needs/{need_id}/comments"
    assert client.post_form(url, {"body": "什么时候修？"}).status_code == 303
    (top,) = client.run(discussion.thread, f"need:{need_id}", viewer=None).comments
    login_owner(client, wang)
    r = client.post_form(url, {"body": "我也想知道", "parent": str(top.id)})
    assert r.status_code == 303
    (top,) = client.run(discussion.thread, f"need:{need_id}", viewer=None).comments
    assert [c.body for c in top.replies] == ["我也想知道"]
