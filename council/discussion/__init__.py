"""The discussion area: comments on needs, proposals and meetings, replies one level deep, reports
and moderation in the open."""
