"""Tables of the works area (办 execute, 评 evaluate): the compound's settings for acceptance
and satisfaction, a matter's tasks with their progress updates and photos (before/after pairs),
the acceptance reviews, the residents' representatives a committee names for a matter, the
rating window of each evaluation round and the households' ratings.

Other areas' rows (compound, matter, unit, account, stored file) are keys here, with their
foreign keys in the migration; a budget line is the ledger's, named by its id."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Compound, Unit
from council.matters.tables import Matter


class WorkSettings(Table, tablename="work_settings"):
    """A compound's rules for 评: how long households may rate, how many must rate before the
    figures are shown, and the share of 满意 + 基本满意 a result must reach."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    window_days = Integer(default=15)
    min_households = Integer(default=5)
    threshold_percent = Integer(default=80)
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class WorkTask(Table, tablename="work_task"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    matter = ForeignKey(Matter, null=False)
    position = Integer(default=0)
    title = Varchar(length=200, default="")
    party_kind = Varchar(length=12, default="")  # property | contractor | volunteers | person
    party_name = Varchar(length=100, default="")
    due_on = Varchar(length=10, default="")  # YYYY-MM-DD, the compound's calendar day
    budget_line = Integer(null=True, default=None)  # the ledger's budget line id
    percent = Integer(default=0)  # the latest update's
    state = Varchar(length=12, default="doing")  # doing | done (waits for 验收) | accepted
    round = Integer(default=1)  # acceptance round: a send-back for rework starts the next
    ok_committee_by = Integer(null=True, default=None)
    ok_resident_by = Integer(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WorkUpdate(Table, tablename="work_update"):
    id = Serial(primary_key=True)
    task = ForeignKey(WorkTask, null=False)
    body = Text(default="")
    percent = Integer(default=0)
    by = Integer(default=0)
    at = Timestamptz()


class WorkPhoto(Table, tablename="work_photo"):
    """A photo of an update: before (施工前), after (施工后, paired with a before photo of the
    task) or progress (施工中)."""

    id = Serial(primary_key=True)
    task = ForeignKey(WorkTask, null=False)
    update = ForeignKey(WorkUpdate, null=False)
    file = Integer()  # stored_file.id
    kind = Varchar(length=10, default="progress")  # before | after | progress
    pair_of = Integer(null=True, default=None)  # an after photo: the before photo's work_photo.id
    position = Integer(default=0)


class WorkReview(Table, tablename="work_review"):
    """One acceptance decision (验收): accepted, or sent back for rework with the reasons."""

    id = Serial(primary_key=True)
    task = ForeignKey(WorkTask, null=False)
    round = Integer(default=1)
    side = Varchar(length=12, default="")  # committee | resident
    verdict = Varchar(length=10, default="")  # accept | rework
    reasons = Text(default="")
    by = Integer(default=0)
    at = Timestamptz()


class WorkRepresentative(Table, tablename="work_representative"):
    """An owner the committee named to accept a matter's work for the residents."""

    id = Serial(primary_key=True)
    matter = ForeignKey(Matter, null=False)
    account = Integer()
    named_by = Integer(default=0)
    at = Timestamptz()


class WorkEvaluation(Table, tablename="work_evaluation"):
    """One evaluation round of a matter: households rate from `opens_at` until `closes_at`."""

    id = Serial(primary_key=True)
    matter = ForeignKey(Matter, null=False)
    round = Integer(default=1)
    opens_at = Timestamptz()
    closes_at = Timestamptz()


class WorkRating(Table, tablename="work_rating"):
    """A household's rating in a round: one row per unit of the household (as needs count a
    me-too), or a resident's account when they hold no unit. The unit's rows keep no account."""

    id = Serial(primary_key=True)
    matter = ForeignKey(Matter, null=False)
    round = Integer(default=1)
    unit = ForeignKey(Unit, null=True, default=None)
    account = Integer(null=True, default=None)
    building = Varchar(length=50, default="")
    rating = Varchar(length=12, default="")
    words = Varchar(length=300, default="")
    at = Timestamptz()


TABLES: tuple[type[Table], ...] = (
    WorkSettings,
    WorkTask,
    WorkUpdate,
    WorkPhoto,
    WorkReview,
    WorkRepresentative,
    WorkEvaluation,
    WorkRating,
)
