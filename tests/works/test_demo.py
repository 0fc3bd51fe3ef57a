"""The demo's 办 and 评 runs through the services on a small compound and leaves the wall story
closed, with before/after pairs, a rework and the evaluation meeting's conclusion."""

from __future__ import annotations

from council.demo_parts.works import build_works
from council.matters import service as matters
from council.meetings import service as meetings
from council.procedure import Stage
from council.works import queries

from ..factories import html
from ..needs.helpers import manager
from .helpers import executing_matter


def test_the_demo_closes_the_wall_story(client, compound, officers, owners, clock):
    committee, party = officers
    mid = executing_matter(client, compound, committee)
    raters = [owners[n] for n in ("张伟", "王芳", "赵敏", "陈静")]
    meeting = client.run(
        build_works,
        client.ctx,
        clock,
        mid,
        committee=committee.principal,
        party=party.principal,
        manager=manager(client, compound).principal,
        representative=owners["陈静"],
        raters=raters,
    )
    assert client.run(matters.get_matter, mid).stage is Stage.CLOSED
    work = client.run(queries.work_of, client.ctx, mid)
    assert [t.state for t in work.tasks] == ["accepted"] * 3
    assert sum(len(t.pairs) for t in work.tasks) == 3
    # the park's second after photo (after the rework) has no before photo left: it is shown
    # with its update
    doc = html(client.get(f"/c/yipin/works/{mid}"))
    park = doc.css_first(f"#task-{work.tasks[2].id}")
    assert [i.attributes["alt"] for i in park.css(".updates img")] == ["施工后"]
    assert [v.verdict for v in work.tasks[2].reviews] == ["rework", "accept", "accept"]
    assert work.satisfaction.figures.shown
    m = client.run(meetings.get_meeting, meeting)
    assert (m.state, m.evaluations[0].outcome) == ("minutes_published", "closed")
