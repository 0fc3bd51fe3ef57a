"""Thresholds of 民法典 §278, as exact integer ratios (see shared domain.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from fractions import Fraction

from council.kernel.errors import N_


class Item(IntEnum):
    """The nine matters of 民法典 §278 (第一款第一至九项)."""

    ASSEMBLY_RULES = 1  # 制定和修改业主大会议事规则
    COVENANT = 2  # 制定和修改管理规约
    COMMITTEE_ELECTION = 3  # 选举业主委员会或者更换业主委员会成员
    PROPERTY_MANAGER = 4  # 选聘和解聘物业服务企业或者其他管理人
    USE_MAINTENANCE_FUND = 5  # 使用建筑物及其附属设施的维修资金
    RAISE_MAINTENANCE_FUND = 6  # 筹集建筑物及其附属设施的维修资金
    REBUILD = 7  # 改建、重建建筑物及其附属设施
    CHANGE_COMMON_USE = 8  # 改变共有部分的用途或者利用共有部分从事经营活动
    OTHER_MAJOR = 9  # 有关共有和共同管理权利的其他重大事项

    @property
    def is_special(self) -> bool:
        """Items 6–8 need 3/4 of the participants; the others a simple majority."""
        return self in (Item.RAISE_MAINTENANCE_FUND, Item.REBUILD, Item.CHANGE_COMMON_USE)


ITEM_TITLES_ZH: dict[Item, str] = {
    Item.ASSEMBLY_RULES: N_("制定和修改业主大会议事规则"),
    Item.COVENANT: N_("制定和修改管理规约"),
    Item.COMMITTEE_ELECTION: N_("选举业主委员会或者更换业主委员会成员"),
    Item.PROPERTY_MANAGER: N_("选聘和解聘物业服务企业或者其他管理人"),
    Item.USE_MAINTENANCE_FUND: N_("使用建筑物及其附属设施的维修资金"),
    Item.RAISE_MAINTENANCE_FUND: N_("筹集建筑物及其附属设施的维修资金"),
    Item.REBUILD: N_("改建、重建建筑物及其附属设施"),
    Item.CHANGE_COMMON_USE: N_("改变共有部分的用途或者利用共有部分从事经营活动"),
    Item.OTHER_MAJOR: N_("有关共有和共同管理权利的其他重大事项"),
}


Quantity = int | Decimal | Fraction


@dataclass(frozen=True)
class Threshold:
    """`part` meets the threshold of `whole` when part/whole ≥ num/den (以上, inclusive)
    or part/whole > num/den (超过/过半数, strict). 民法典 §1259."""

    num: int
    den: int
    inclusive: bool

    def met(self, part: Quantity, whole: Quantity) -> bool:
        # Integer cross-multiplication: exact for int, Decimal and Fraction alike.
        lhs = Fraction(part) * self.den
        rhs = Fraction(whole) * self.num
        return lhs >= rhs if self.inclusive else lhs > rhs

    def shortfall(self, part: Quantity, whole: Quantity) -> Fraction:
        """How much must be added to `part` (and to `whole` not at all) to meet the threshold;
        for a strict threshold this is the amount that reaches the boundary, so callers needing
        an integer count use `shortfall_count`."""
        need = Fraction(whole) * self.num / self.den - Fraction(part)
        return max(need, Fraction(0))

    def shortfall_count(self, part: int, whole: int) -> int:
        """Smallest k ≥ 0 such that part + k meets the threshold of a fixed whole."""
        target = Fraction(whole * self.num, self.den)
        k = -(-(target.numerator) // target.denominator) - part  # ceil(target) - part
        if not self.inclusive and Fraction(part + max(k, 0)) == target:
            k += 1
        return max(k, 0)

    def describe_zh(self) -> str:
        if self.num * 2 == self.den and not self.inclusive:
            return "过半数"
        return f"{self.num}/{self.den}{'以上' if self.inclusive else '以上（不含本数）'}"


QUORUM = Threshold(2, 3, inclusive=True)  # 参与表决: 面积与人数均占 2/3 以上
SPECIAL_APPROVAL = Threshold(3, 4, inclusive=True)  # 第六至八项: 参与表决者 3/4 以上同意
ORDINARY_APPROVAL = Threshold(1, 2, inclusive=False)  # 其他事项: 参与表决者过半数同意
SIMPLE_MAJORITY = ORDINARY_APPROVAL


def approval_for(item: Item) -> Threshold:
    return SPECIAL_APPROVAL if item.is_special else ORDINARY_APPROVAL
