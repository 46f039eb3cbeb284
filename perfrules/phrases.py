"""Official scoring phrases (评价要点 / 评分标准) compiled into rules.

Three steps, each usable on its own:

1. :func:`normalise` folds the many ways a published table writes the same phrase (full-width
   digits and punctuation, ≥ and ≦, 百分之九十, 计5分, traditional characters, spaces, OCR
   noise) into one form, keeping for every character of the result where it came from in
   the original (:func:`normalise_mapped`), so that errors point at the original text;
2. the second grammar, ``grammars/phrases.lark``, reads the normalised text into clauses
   ("办理比率在99%以上得10分", "每降低5%扣2分", "低于60%不得分", …);
3. the clauses are assembled into one :mod:`perfrules.ast` rule — or, for phrases about the
   grade or the whole framework (一票否优, 降一档, grade bands, 不适用), into a framework
   setting — with the inputs the rule needs and notes on what the phrase left open.

:func:`compile_phrase` does all three. A phrase it cannot read raises :class:`PhraseError`
(a :class:`~perfrules.errors.RuleSyntaxError`) pointing at the unread span of the original
text, with the nearest known phrasing as a hint; it never guesses. docs/official-phrases.md
lists every phrasing understood, with its reading.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Union

import attrs
import lark
from attrs import define, field, frozen
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from . import ast
from .errors import Diagnostic, RuleSyntaxError
from .source import Source, Span
from .syntax import grammar_text

__all__ = [
    "CATALOGUE",
    "DEFAULT_GRADES",
    "Normalised",
    "PhraseError",
    "PhraseResult",
    "Setting",
    "compile_phrase",
    "nearest_form",
    "normalise",
    "normalise_mapped",
    "phrase_parser",
]

GRAMMAR_NAME = "phrases.lark"

#: A phrase longer than this is refused (a 评价要点 cell is a sentence or three).
MAX_PHRASE_CHARS = 2000

#: The grade ladder assumed by 一票否优 / 不得评为优秀 when the caller gives none.
DEFAULT_GRADES: tuple[str, ...] = ("优秀", "良好", "中", "差")

#: What a framework-level phrase compiles to: a veto, the grade bands, or a 不适用 policy.
Setting = Union[ast.Veto, tuple[ast.GradeBand, ...], ast.NotApplicable]


# ====================================================================== normalisation

# Traditional characters of the words scoring phrases use, and their simplified forms. This is
# a small explicit table (no conversion library is used): only characters whose simplified form
# is unambiguous are listed, so a simplified text is never changed by it.
_TRADITIONAL = (
    "得分扣滿計記達為於減項處發現問題線性個點標準執行內過該實際較優別獎勵國務級縣無結餘時數據確規範"
    "報違紀檔評價應辦預決費統與進覆蓋訓練調資產盤務單額積開嚴導責職員歲齡間劃況經區會議錄檢驗設證質"
    "帳賬臺這兩萬給們從對將還來後並則視當選擇傳遞監層類樣總獲態斷歷壓編權錯誤雙遲詢門體係製節圍強"
)
_SIMPLIFIED_FOR = {
    "滿": "满", "計": "计", "記": "记", "達": "达", "為": "为", "於": "于", "減": "减", "項": "项",
    "處": "处", "發": "发", "現": "现", "問": "问", "題": "题", "線": "线", "個": "个", "點": "点",
    "標": "标", "準": "准", "執": "执", "內": "内", "過": "过", "該": "该", "實": "实", "際": "际",
    "較": "较", "優": "优", "別": "别", "獎": "奖", "勵": "励", "國": "国", "務": "务", "級": "级",
    "縣": "县", "無": "无", "結": "结", "餘": "余", "時": "时", "數": "数", "據": "据", "確": "确",
    "規": "规", "範": "范", "報": "报", "違": "违", "紀": "纪", "檔": "档", "評": "评", "價": "价",
    "應": "应", "辦": "办", "預": "预", "決": "决", "費": "费", "統": "统", "與": "与", "進": "进",
    "蓋": "盖", "訓": "训", "練": "练", "調": "调", "資": "资", "產": "产", "盤": "盘", "單": "单",
    "額": "额", "積": "积", "開": "开", "嚴": "严", "導": "导", "責": "责", "職": "职", "員": "员",
    "歲": "岁", "齡": "龄", "間": "间", "劃": "划", "況": "况", "經": "经", "區": "区", "會": "会",
    "議": "议", "錄": "录", "檢": "检", "驗": "验", "設": "设", "證": "证", "質": "质", "帳": "账",
    "賬": "账", "臺": "台", "這": "这", "兩": "两", "萬": "万", "給": "给", "們": "们", "從": "从",
    "對": "对", "將": "将", "還": "还", "來": "来", "後": "后", "並": "并", "則": "则", "視": "视",
    "當": "当", "選": "选", "擇": "择", "傳": "传", "遞": "递", "監": "监", "層": "层", "類": "类",
    "樣": "样", "總": "总", "獲": "获", "態": "态", "斷": "断", "歷": "历", "壓": "压", "編": "编",
    "權": "权", "錯": "错", "誤": "误", "雙": "双", "遲": "迟", "詢": "询", "門": "门", "體": "体",
    "係": "系", "製": "制", "節": "节", "圍": "围", "強": "强", "覆": "覆", "扣": "扣", "得": "得",
    "分": "分", "性": "性", "行": "行",
}
assert set(_TRADITIONAL) <= set(_SIMPLIFIED_FOR), "every listed character has its simplified form"

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = "[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"


def _cn_value(text: str) -> str:
    """The decimal digits of a Chinese number word: 九十五 → 95, 零点五 → 0.5, 九五 → 95."""
    whole, _, fraction = text.partition("点")
    if any(c in _CN_UNITS for c in whole):
        total = 0
        digit = 0
        for char in whole:
            if char in _CN_UNITS:
                total += (digit or 1) * _CN_UNITS[char]
                digit = 0
            else:
                digit = _CN_DIGITS[char]
        value = str(total + digit)
    else:
        value = "".join(str(_CN_DIGITS[c]) for c in whole) or "0"
        value = str(int(value))
    if fraction:
        value += "." + "".join(str(_CN_DIGITS[c]) for c in fraction)
    return value


# Units after which a Chinese number word is a number (一处, 两项, 三档, 一个百分点). 分 needs a
# scoring verb or a list mark before the number (得两分, 扣零点五分), so 十分重要 stays text.
_CN_CONTEXT = re.compile(
    rf"(?<![同统逐唯单第万])({_CN_NUMBER})"
    r"(?=个百分点|百分点|个|%|项|次|处|档|件|日|天|岁|年(?!度)|月|人|元|万元|条|起|例|家|份|篇|倍|周|小时|等次)"
)
_CN_POINTS = re.compile(rf"(?<=[得扣加计记减给为至到和、,;:\-])({_CN_NUMBER})(?=分(?![之别值]))")
_CN_GRADE_DROP = re.compile(r"(?<=降|低)([一二两三四五])(?=级|档)")
_PERCENT_WORDS = re.compile(rf"百分之({_CN_NUMBER}|\d+(?:\.\d+)?)")


@frozen
class Normalised:
    """A normalised phrase, with where each of its characters came from in the original.

    Attributes:
        text: the normalised text, what the phrase grammar reads.
        original: the text as given.
        origin: for each character of ``text``, the ``(start, end)`` offsets in ``original``
            of the characters it was made from.
    """

    text: str
    original: str
    origin: tuple[tuple[int, int], ...] = field(repr=False)

    def original_range(self, start: int, end: int) -> tuple[int, int]:
        """The offsets in the original text of the normalised range ``[start, end)``."""
        if not self.origin:
            return 0, len(self.original)
        if start >= len(self.origin):
            return len(self.original), len(self.original)
        end = min(max(end, start + 1), len(self.origin))
        low = self.origin[start][0]
        high = max(self.origin[i][1] for i in range(start, end))
        return low, max(high, low)

    def original_text(self, start: int, end: int) -> str:
        """The original text behind the normalised range ``[start, end)``."""
        low, high = self.original_range(start, end)
        return self.original[low:high]


class _Text:
    """Text being normalised: characters and, for each, its range in the original."""

    def __init__(self, original: str):
        self.chars: list[str] = []
        self.origin: list[tuple[int, int]] = []
        for i, char in enumerate(original):
            folded = char if char in _CIRCLED else unicodedata.normalize("NFKC", char)
            folded = "".join(_SIMPLIFIED_FOR.get(c, c) for c in folded)
            for piece in folded:
                self.chars.append(piece)
                self.origin.append((i, i + 1))

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def sub(self, pattern: str | re.Pattern[str], replace: Any) -> None:
        """Replace each match; the new characters come from the whole matched range."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        text = self.text
        chars: list[str] = []
        origin: list[tuple[int, int]] = []
        last = 0
        for match in regex.finditer(text):
            start, end = match.span()
            chars.extend(self.chars[last:start])
            origin.extend(self.origin[last:start])
            new = replace(match) if callable(replace) else match.expand(replace)
            if start < end:
                span = (self.origin[start][0], max(o[1] for o in self.origin[start:end]))
            elif start < len(self.origin):
                span = (self.origin[start][0], self.origin[start][0])
            else:
                span = (self.origin[-1][1], self.origin[-1][1]) if self.origin else (0, 0)
            chars.extend(new)
            origin.extend([span] * len(new))
            last = end
        chars.extend(self.chars[last:])
        origin.extend(self.origin[last:])
        self.chars, self.origin = chars, origin


def normalise_mapped(text: str) -> Normalised:
    """Normalise a phrase, keeping where each character of the result came from.

    The steps, in order:

    1. Unicode NFKC on every character (full-width ``９９％，；：（）`` become ``99%,;:()``;
       the circled numbers ①–⑳ are kept, they number the elements of a composite phrase);
       traditional characters of the usual scoring words become simplified (a small explicit
       table, ``_SIMPLIFIED_FOR``);
    2. spaces and other white space are removed;
    3. punctuation is unified: ``。`` → ``.``, ``【】[]`` → ``()``, dashes and tildes between
       values → ``-``, ``……`` → ``;``, ``*`` → ``×``, ``÷`` → ``/``;
    4. comparison signs: ``≥ ≧ ⩾ =>`` → ``>=``, ``≤ ≦ ⩽ =<`` → ``<=``, ``大于等于`` → ``>=``,
       ``小于等于`` → ``<=``, ``+-`` and ``正负`` → ``±``; ``（含本数）`` and ``（包含）`` → ``(含)``;
    5. number words: ``百分之九十`` → ``90%``, and a Chinese number before a unit or measure
       word (一处, 两项, 三档, 零点五分 after 得/扣/加) → digits; ``半`` before 分 or a percent → ``0.5``;
    6. ``个百分点`` / ``百分点`` / ``个点`` after a number → ``%``;
    7. ``计X分`` / ``记X分`` / ``给予X分`` / ``可得X分`` → ``得X分`` (and 计满分 → 得满分);
    8. OCR noise that is safe to fix: the letter O inside a number → 0, l or I → 1.
    """
    t = _Text(text)
    t.sub(r"[\s\u200b\ufeff]+", "")
    t.sub(r"。", ".")
    t.sub(r"[【\[〔]", "(")
    t.sub(r"[】\]〕]", ")")
    t.sub(r"(?:…|⋯|\.\.\.)+", ";")
    t.sub(r"[—–―‐−～〜~]+|-{2,}", "-")
    t.sub(r"[*✕╳]", "×")
    t.sub(r"÷", "/")
    t.sub(r"大于或?等于|≥|≧|⩾|=>", ">=")
    t.sub(r"小于或?等于|≤|≦|⩽|=<", "<=")
    t.sub(r"\+/?-|正负", "±")
    t.sub(r"\((?:含本数|包含|含)(?:\d+(?:\.\d+)?[%分]?)?\)", "(含)")
    t.sub(r"\((?:不含本数|不包含|不含)(?:\d+(?:\.\d+)?[%分]?)?\)", "(不含)")
    t.sub(r"(?<=[\d%分])含(?=以上|以下)", "(含)")
    t.sub(r"(?<=\d)[Oo](?=[\d%.])|(?<=\d\.)[Oo]", "0")
    t.sub(r"(?<=\d)[lI](?=[\d%])", "1")
    t.sub(_PERCENT_WORDS, lambda m: _cn_value(m.group(1)) + "%" if not m.group(1)[0].isdigit()
          else m.group(1) + "%")
    t.sub(_CN_GRADE_DROP, lambda m: _cn_value(m.group(1)))
    t.sub(_CN_CONTEXT, lambda m: _cn_value(m.group(1)))
    t.sub(_CN_POINTS, lambda m: _cn_value(m.group(1)))
    t.sub(r"(?<![\d.])半(?=分|个百分点|百分点|%)", "0.5")
    t.sub(r"(?<=\d)(?:个百分点|百分点|个百分比|个点)", "%")
    t.sub(r"(?:可得|给予|给|计|记)(?=\d+(?:\.\d+)?分|满分)", "得")
    t.sub(r"不(?:计|记)分", "不得分")
    return Normalised(t.text, text, tuple(t.origin))


def normalise(text: str) -> str:
    """The normalised form of a phrase (see :func:`normalise_mapped` for the steps)."""
    return normalise_mapped(text).text


# ====================================================================== errors and results


class PhraseError(RuleSyntaxError):
    """A phrase cannot be read; the one diagnostic points at the unread span of the original."""

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]


@frozen
class PhraseResult:
    """What a phrase compiles to.

    Attributes:
        text: the phrase as given.
        normalised: the text the phrase grammar read.
        kind: the form recognised: ``yes/no``, ``threshold``, ``proportional``, ``bands``,
            ``deduct``, ``baseline``, ``deviation``, ``levels``, ``judged``, ``composite``,
            ``awards``, or for settings ``veto``, ``grades``, ``not applicable``.
        rule: the rule (None for a framework setting).
        setting: an :class:`ast.Veto`, a tuple of :class:`ast.GradeBand`, or an
            :class:`ast.NotApplicable` policy (None for a rule).
        inputs: the inputs the rule or setting uses, by name, each a suggested declaration
            (type, unit, range, level or award names, and a description taken from the
            phrase's subject, such as "办理比率").
        notes: what the phrase left open and how it was read ("step counting not stated: the
            framework default applies").
        span: the whole phrase.
    """

    text: str
    normalised: str
    kind: str
    rule: ast.Rule | None
    setting: Setting | None
    inputs: Mapping[str, ast.InputDecl] = field(eq=False)
    notes: tuple[str, ...]
    span: Span = field(eq=False)


# ====================================================================== the catalogue

#: Example phrasings of every supported form (used for the nearest-form hint on an error).
CATALOGUE: tuple[tuple[str, str], ...] = (
    ("yes/no", "决策制度建立完整，得2分"),
    ("yes/no", "完成得满分，未完成不得分"),
    ("yes/no", "年度工作计划完整可行的，得3分；否则不得分"),
    ("threshold", "预算执行率在90%以上，得2分"),
    ("threshold", "办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分"),
    ("threshold", "在职人员控制率≤100%，计5分；每超过1个百分点扣1分，扣完为止"),
    ("threshold", "按时交付率低于100%的，每低1%扣1分，不满1%按1%计算，扣完为止"),
    ("threshold", "项目完成率达到100%的得8分，每减少1个百分点扣0.4分，按线性计算"),
    ("threshold", "主动公开信息超过规定数量10%的加1分，每再超过20%加1分，最多加3分"),
    ("threshold", "平均年龄不大于全市平均年龄的，得2分；每超过1岁扣0.5分，扣完为止"),
    ("threshold", "资金到位时间≤10日得满分，>30日不得分，10-30日之间按比例减分"),
    ("proportional", "得分=实际完成率×分值"),
    ("proportional", "得分=实际完成值/计划值×10，最高不超过10分"),
    ("proportional", "培训覆盖率≥90%得满分，不足按比例得分"),
    ("bands", "满意度≥90%得满分，80%（含）-90%得3分，80%以下不得分"),
    ("bands", "预算调整率=0，计4分；0-5%（含），计3分；5-15%（含），计1分；大于15%不得分"),
    ("deduct", "每发现一处问题扣0.5分，扣完为止"),
    ("deduct", "台账缺失的，每项扣1分，最高扣4分"),
    ("deduct", "受到通报批评的，每次扣2分；发生重大责任事故的，扣5分；扣分不超过5分"),
    ("deviation", "偏差率在±10%以内得满分，每超出1个百分点扣0.5分"),
    ("baseline", "增长指数以100为基准得6分，每降低1扣1分，每提高1加0.5分"),
    ("levels", "好、较好、一般、差分别得100%、80%、60%、0分值"),
    ("levels", "工作成效评价为好、较好、一般、差的，分别得10分、8分、6分、0分"),
    ("levels", "资金结余为零的得3分；有结余但不超过上年结转的得2分；超过上年结转的不得分"),
    ("judged", "酌情扣分"),
    ("composite", "①已建立管理制度，1分；②制度合法合规，1分；③制度有效执行，1分"),
    ("composite", "两项任务完成率均达到100%的得2分，每有一项未完成扣1分"),
    ("awards", "受到国务院嘉奖加3分，受到省级嘉奖加2分；同一项工作不累计加分"),
    ("veto", "发生重大安全生产事故的，实行一票否优，等级不得评为优秀"),
    ("veto", "存在严重违纪问题的，考核等级降一档"),
    ("grades", "总分90分（含）以上为优秀，80分（含）至90分为良好，60分以下为差"),
    ("not applicable", "不适用本指标的单位，该项分值按比例分摊至同级其他指标"),
)


def _shape(text: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", "9", text)


@functools.cache
def _catalogue_shapes() -> tuple[tuple[str, str, str], ...]:
    return tuple((kind, example, _shape(normalise(example))) for kind, example in CATALOGUE)


def nearest_form(text: str) -> tuple[str, str]:
    """The catalogue's (kind, example) closest to a phrase (difflib, numbers masked)."""
    shape = _shape(normalise(text))
    best = max(
        _catalogue_shapes(),
        key=lambda entry: difflib.SequenceMatcher(None, shape, entry[2], autojunk=False).ratio(),
    )
    return best[0], best[1]


# ====================================================================== parsing


@functools.cache
def phrase_parser() -> lark.Lark:
    """The phrase grammar's Earley parser, built once per process."""
    return lark.Lark(
        grammar_text(GRAMMAR_NAME),
        parser="earley",
        lexer="dynamic",
        propagate_positions=True,
        ambiguity="resolve",
    )


@frozen
class _Qty:
    value: Decimal
    unit: str | None
    start: int
    end: int


@frozen
class _Bound:
    op: str
    qty: _Qty
    explicit: bool  # False: an inclusive end set by 以上/以下/以内 alone (art. 1259 default)


@frozen
class _Range:
    low: _Qty
    low_inc: bool | None  # None: not marked; decided by the neighbouring bands
    high: _Qty
    high_inc: bool | None


@define
class _Clause:
    kind: str
    start: int
    end: int
    data: dict[str, Any] = field(factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.data.get(key)


_GE = {">=", "达到", "达", "不低于", "不少于", "不小于", "未低于", "未少于"}
_GT = {">", "超过", "高于", "大于", "多于"}
_LE = {"<=", "不超过", "不高于", "不大于", "不多于", "未超过", "未高于"}
_LT = {"<", "低于", "小于", "少于", "不足", "不满", "未达到", "未满"}
_EQ = {"=", "等于"}
_UP = {"以上", "及以上"}
_DOWN = {"以下", "及以下", "以内", "之内", "范围内"}
_OUT = {"以外"}

_LOWER_WORDS = {"降低", "下降", "减少", "下浮", "低于", "低", "少"}
_HIGHER_WORDS = {"超过", "超出", "高出", "高于", "高", "增加", "增长", "提高", "上升", "上浮", "多"}
_PERCENT_UNITS = {"%"}
_MONEY_UNITS = {"元", "万元"}
_NONNEGATIVE_UNITS = {"日", "天", "岁", "年", "月", "个月", "周", "小时", "个", "人", "件", "项",
                      "次", "处", "户", "家", "篇", "条", "份", "倍"}
_AWARD_VERBS = re.compile(r"^(?:受到|获得|得到|荣获|获评|获|被评为|被授予|被)")
_SUBJECT_LEADS = re.compile(r"^(?:按照|按|根据|依据|以|对|凡|如|若)")


def _op_of(word: str) -> str:
    for words, op in ((_GE, ">="), (_GT, ">"), (_LE, "<="), (_LT, "<"), (_EQ, "=")):
        if word in words:
            return op
    raise KeyError(word)  # pragma: no cover - the grammar admits only listed words


def _with_inclusion(op: str, incl: str | None) -> str:
    if incl == "incl":
        return {">": ">=", "<": "<="}.get(op, op)
    if incl == "excl":
        return {">=": ">", "<=": "<"}.get(op, op)
    return op


_COMPLEMENT = {">=": "<", ">": "<=", "<=": ">", "<": ">="}


class _Reader:
    """Lark tree → clauses (positions in the normalised text)."""

    def __init__(self, fail: Any):
        self.fail = fail

    def clauses(self, tree: lark.Tree) -> list[_Clause]:
        out: list[_Clause] = []
        for child in tree.children:
            if isinstance(child, lark.Tree):
                out.extend(self.clause(child))
        return out

    @staticmethod
    def _pos(node: Any) -> tuple[int, int]:
        if isinstance(node, lark.Token):
            return node.start_pos or 0, node.end_pos or 0
        meta = node.meta
        if getattr(meta, "empty", True):
            return 0, 0
        return meta.start_pos, meta.end_pos

    def clause(self, tree: lark.Tree) -> list[_Clause]:
        start, end = self._pos(tree)
        kind = tree.data
        kids = tree.children
        if kind == "element":
            marker = kids[0]
            cap = weight = None
            rest: list[_Clause] = []
            for kid in kids[1:]:
                if isinstance(kid, lark.Tree) and kid.data in ("element_cap", "element_weighted"):
                    cap = _points(kid.children[0])
                    if kid.data == "element_weighted":
                        weight = Decimal(str(kid.children[1]))
                elif isinstance(kid, lark.Tree):
                    rest.extend(self.clause(kid))
            m_start, m_end = self._pos(marker)
            return [_Clause("element", m_start, m_end, {"cap": cap, "weight": weight}), *rest]
        if kind.startswith("cond_") and kind != "cond_award":
            clause = self._cond(tree)
            clause.data["cond_end"] = end
            return [clause]
        method = getattr(self, "_" + kind)
        return [method(kids, start, end)]

    # ------------------------------------------------------------ pieces
    def _qty(self, tree: lark.Tree) -> _Qty:
        number = tree.children[0]
        unit = str(tree.children[1]) if len(tree.children) > 1 else None
        start, end = self._pos(tree)
        return _Qty(Decimal(str(number)), unit, start, end)

    def _bound(self, tree: lark.Tree) -> _Bound:
        kids = tree.children
        qty = next(self._qty(k) for k in kids if isinstance(k, lark.Tree) and k.data == "quantity")
        incls = [k.data for k in kids if isinstance(k, lark.Tree) and k.data in ("incl", "excl")]
        incl = incls[-1] if incls else None
        words = [str(k) for k in kids if isinstance(k, lark.Token)]
        cmp = next((w for w in words if w not in _UP | _DOWN | _OUT), None)
        suffix = next((w for w in words if w in _UP | _DOWN | _OUT), None)
        if tree.data == "bound_prefix" and cmp is not None:
            op = _op_of(cmp)
            if suffix is not None:
                agrees = (op in (">=", ">") and suffix in _UP) or (
                    op in ("<=", "<") and suffix in _DOWN
                )
                if not agrees:
                    start, end = self._pos(tree)
                    self.fail(
                        "contradictory-bound",
                        f"'{cmp}' and '{suffix}' point in opposite directions",
                        start,
                        end,
                    )
            return _Bound(_with_inclusion(op, incl), qty, True)
        assert suffix is not None
        if suffix in _UP:
            op, explicit = ">=", False
        elif suffix in _OUT:
            op, explicit = ">", True
        else:
            op, explicit = "<=", False
        return _Bound(_with_inclusion(op, incl), qty, explicit or incl is not None)

    def _range(self, tree: lark.Tree) -> _Range:
        if tree.data == "range_and":
            first, second = (self._bound(k) for k in tree.children if isinstance(k, lark.Tree))
            lows = [b for b in (first, second) if b.op in (">=", ">")]
            highs = [b for b in (first, second) if b.op in ("<=", "<")]
            if len(lows) != 1 or len(highs) != 1:
                start, end = self._pos(tree)
                self.fail("bad-range", "a range needs one lower and one upper bound", start, end)
            return _Range(lows[0].qty, lows[0].op == ">=", highs[0].qty, highs[0].op == "<=")
        qtys: list[_Qty] = []
        incs: list[bool | None] = []
        for kid in tree.children:
            if isinstance(kid, lark.Tree) and kid.data == "quantity":
                qtys.append(self._qty(kid))
                incs.append(None)
            elif isinstance(kid, lark.Tree) and kid.data in ("incl", "excl"):
                incs[-1] = kid.data == "incl"
        low, high = qtys
        unit = low.unit or high.unit
        low = _Qty(low.value, low.unit or unit, low.start, low.end)
        high = _Qty(high.value, high.unit or unit, high.start, high.end)
        return _Range(low, incs[0], high, incs[1])

    def _subjects(self, kids: list[Any]) -> list[tuple[str, int, int]]:
        return [
            (str(k), k.start_pos, k.end_pos)
            for k in kids
            if isinstance(k, lark.Token) and k.type == "SUBJECT"
        ]

    def _award_of(self, tree: lark.Tree) -> _Clause:
        start, end = self._pos(tree)
        kind = tree.data.removeprefix("award_")
        data: dict[str, Any] = {"award": kind}
        if kind in ("points", "add", "deduct"):
            data["points"] = _points(tree.children[-1])
        elif kind == "grade":
            data["label"] = str(tree.children[-1])
        return _Clause("award", start, end, data)

    # ------------------------------------------------------------ conditions
    def _cond(self, tree: lark.Tree) -> _Clause:
        start, end = self._pos(tree)
        kids = tree.children
        subjects = self._subjects(kids)
        data: dict[str, Any] = {"cond": tree.data.removeprefix("cond_"), "subject": None}
        kind = data["cond"]
        if kind == "bound":
            for kid in kids:
                if isinstance(kid, lark.Tree) and kid.data == "count_all":
                    data["count"] = int(Decimal(str(kid.children[0])))
                elif isinstance(kid, lark.Tree):
                    data["bound"] = self._bound(kid)
                elif kid.type == "ALL":
                    data["all"] = True
            data["subject"] = subjects[0] if subjects else None
        elif kind == "range":
            data["range"] = self._range(next(k for k in kids if isinstance(k, lark.Tree)))
            data["subject"] = subjects[0] if subjects else None
        elif kind in ("ref", "excess"):
            data["cmp"] = str(next(k for k in kids if isinstance(k, lark.Token) and k.type == "CMP"))
            data["subject"] = subjects[0] if len(subjects) == 2 else None
            data["ref"] = subjects[-1]
            if kind == "excess":
                data["qty"] = self._qty(next(k for k in kids if isinstance(k, lark.Tree)))
        elif kind in ("tolerance", "tolerance_to"):
            qtys = [self._qty(k) for k in kids if isinstance(k, lark.Tree)]
            data["subject"] = subjects[0] if subjects else None
            data["tolerance"] = qtys[-1]
            data["target"] = qtys[0] if kind == "tolerance_to" else None
            data["cond"] = "tolerance"
        elif kind == "base":
            qtys = [self._qty(k) for k in kids if isinstance(k, lark.Tree)]
            if qtys:
                data["subject"] = subjects[0] if subjects else None
                data["ref"] = qtys[0]
            else:
                data["subject"] = subjects[0] if len(subjects) == 2 else None
                data["ref"] = subjects[-1]
        elif kind == "bare":
            data["subject"] = subjects[0]
            data["qty"] = self._qty(next(k for k in kids if isinstance(k, lark.Tree)))
        elif kind == "between":
            # 90%<=满意度<95%: a range written around its subject.
            qtys = [self._qty(k) for k in kids if isinstance(k, lark.Tree)]
            ops = [_op_of(str(k)) for k in kids if isinstance(k, lark.Token) and k.type == "CMP"]
            data["subject"] = subjects[0]
            if ops[0] in (">", ">=") and ops[1] in (">", ">="):
                qtys.reverse()
                ops = [{">": "<", ">=": "<="}[o] for o in reversed(ops)]
            if ops[0] not in ("<", "<=") or ops[1] not in ("<", "<="):
                self.fail("bad-range", "a range written around its subject goes one way "
                          "(60%<=x<80%)", start, end)
            low, high = qtys
            unit = low.unit or high.unit
            data["range"] = _Range(_Qty(low.value, low.unit or unit, low.start, low.end),
                                   ops[0] == "<=",
                                   _Qty(high.value, high.unit or unit, high.start, high.end),
                                   ops[1] == "<=")
            data["cond"] = "range"
        else:  # quality
            data["subject"] = subjects[0]
        return _Clause("cond", start, end, data)

    def _cond_award(self, kids: list[Any], start: int, end: int) -> _Clause:
        cond = self._cond(kids[0])
        award = self._award_of(kids[-1])
        cond.data["award"] = award.data
        cond.data["cond_end"] = award.start
        cond.start, cond.end = start, end
        return cond

    def _award_points(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("award", start, end, {"award": "points", "points": _points(kids[-1])})

    def _award_full(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("award", start, end, {"award": "full"})

    def _award_zero(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("award", start, end, {"award": "zero"})

    def _award_add(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("award", start, end, {"award": "add", "points": _points(kids[-1])})

    def _award_deduct(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("award", start, end, {"award": "deduct", "points": _points(kids[-1])})

    def _award_grade(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("award", start, end, {"award": "grade", "label": str(kids[-1])})

    def _otherwise(self, kids: list[Any], start: int, end: int) -> _Clause:
        award = self._award_of(kids[-1])
        return _Clause("otherwise", start, end, {"award": award})

    # ------------------------------------------------------------ steps
    def _step(self, kids: list[Any], start: int, end: int, direction: str | None) -> _Clause:
        qty = next(self._qty(k) for k in kids if isinstance(k, lark.Tree) and k.data == "quantity")
        effect = next(k for k in kids if isinstance(k, lark.Tree) and k.data == "effect")
        word = str(effect.children[0])
        lead = next((str(k) for k in kids if isinstance(k, lark.Token) and k.type == "STEP_LEAD"), None)
        again = any(isinstance(k, lark.Token) and k.type == "AGAIN" for k in kids)
        return _Clause(
            "step",
            start,
            end,
            {
                "direction": direction,
                "lead": lead,
                "again": again,
                "size": qty,
                "effect": "add" if word == "加" else "deduct",
                "points": _points(effect.children[1]),
            },
        )

    def _step_dir(self, kids: list[Any], start: int, end: int) -> _Clause:
        word = str(next(k for k in kids if isinstance(k, lark.Token) and k.type == "DIRECTION"))
        return self._step(kids, start, end, word)

    def _step_nodir(self, kids: list[Any], start: int, end: int) -> _Clause:
        return self._step(kids, start, end, None)

    def _occurrence(self, kids: list[Any], start: int, end: int) -> _Clause:
        effect = next(k for k in kids if isinstance(k, lark.Tree) and k.data == "effect")
        every = next(
            i for i, k in enumerate(kids) if isinstance(k, lark.Token) and k.type == "MEASURE"
        )
        # The subject before 每 names the occurrences; failing that, the words around the
        # measure word do (每发现1处问题 → 发现问题).
        before = [
            (str(k), k.start_pos, k.end_pos)
            for k in kids[:every]
            if isinstance(k, lark.Token) and k.type == "SUBJECT"
        ]
        after = [
            (str(k.children[0]), k.children[0].start_pos, k.children[0].end_pos)
            for k in kids[:every]
            if isinstance(k, lark.Tree) and k.data == "occ_verb"
        ] + [
            (str(k), k.start_pos, k.end_pos)
            for k in kids[every:]
            if isinstance(k, lark.Token) and k.type == "SUBJECT"
        ]
        number = next(
            (k for k in kids[:every] if isinstance(k, lark.Token) and k.type == "NUMBER"), None
        )
        if number is not None and Decimal(str(number)) != 1:
            self.fail(
                "occurrence-count",
                f"a deduction is per one occurrence, not per {number}",
                number.start_pos,
                number.end_pos,
                "write 每发现1处扣…分",
            )
        word = str(effect.children[0])
        return _Clause(
            "occurrence",
            start,
            end,
            {
                "subject": None,
                "before": before,
                "after": after,
                "measure": str(kids[every]),
                "effect": "add" if word == "加" else "deduct",
                "points": _points(effect.children[1]),
            },
        )

    def _counting_started(self, kids: list[Any], start: int, end: int) -> _Clause:
        qtys = [self._qty(k) for k in kids if isinstance(k, lark.Tree)]
        return _Clause("counting", start, end, {"counting": ast.Counting.STARTED, "sizes": qtys})

    def _counting_full(self, kids: list[Any], start: int, end: int) -> _Clause:
        qtys = [self._qty(k) for k in kids if isinstance(k, lark.Tree)]
        return _Clause("counting", start, end, {"counting": ast.Counting.FULL, "sizes": qtys})

    def _counting_pro_rata(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("counting", start, end, {"counting": ast.Counting.PRO_RATA, "sizes": []})

    def _floor(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("floor", start, end, {"word": str(kids[0])})

    def _deduct_limit(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("deduct_limit", start, end, {"points": _points(kids[-1])})

    def _score_limit(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("score_limit", start, end, {"points": _points(kids[-1])})

    # ------------------------------------------------------------ proportional
    def _formula(self, kids: list[Any], start: int, end: int) -> _Clause:
        numerator: list[tuple[str, Any, int, int]] = []
        denominator: list[tuple[str, Any, int, int]] = []

        def walk(expr: lark.Tree, divide: bool) -> None:
            op = "×"
            for kid in expr.children:
                if isinstance(kid, lark.Token) and kid.type == "MULDIV":
                    op = str(kid)
                    continue
                into = denominator if (op == "/") != divide else numerator
                s, e = self._pos(kid)
                if kid.data == "expr":
                    walk(kid, (op == "/") != divide)
                elif kid.data == "factor_subject":
                    into.append(("subject", str(kid.children[0]), s, e))
                elif kid.data == "factor_number":
                    into.append(("number", self._qty(kid.children[0]), s, e))
                else:
                    into.append(("cap", str(kid.children[0]), s, e))

        walk(kids[-1], False)
        return _Clause("formula", start, end, {"num": numerator, "den": denominator})

    def _intro(self, kids: list[Any], start: int, end: int) -> _Clause:
        token = kids[0]
        return _Clause("intro", start, end, {"subject": (str(token), token.start_pos, token.end_pos)})

    def _prop_tail(self, kids: list[Any], start: int, end: int) -> _Clause:
        qtys = [self._qty(k) for k in kids if isinstance(k, lark.Tree)]
        return _Clause("prop_tail", start, end, {"qty": qtys[0] if qtys else None})

    def _interp(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("interp", start, end, {"range": self._range(kids[0])})

    # ------------------------------------------------------------ levels
    def _labels(self, tree: lark.Tree) -> list[tuple[str, int, int]]:
        return [(str(k), k.start_pos, k.end_pos) for k in tree.children]

    def _levels_def(self, kids: list[Any], start: int, end: int) -> _Clause:
        subjects = self._subjects(kids)
        labels = next(self._labels(k) for k in kids if isinstance(k, lark.Tree) and k.data == "labels")
        count = next(
            (int(Decimal(str(k.children[0]))) for k in kids
             if isinstance(k, lark.Tree) and k.data == "level_count"),
            None,
        )
        return _Clause(
            "levels_def",
            start,
            end,
            {"subject": subjects[0] if subjects else None, "labels": labels, "count": count},
        )

    def _levels_values(self, kids: list[Any], start: int, end: int) -> _Clause:
        labels = next(
            (self._labels(k) for k in kids if isinstance(k, lark.Tree) and k.data == "labels"), None
        )
        values_tree = next(k for k in kids if isinstance(k, lark.Tree) and k.data == "values")
        values = []
        for value in values_tree.children:
            number = Decimal(str(value.children[0]))
            unit = str(value.children[1]) if len(value.children) > 1 else None
            s, e = self._pos(value)
            values.append((number, unit, s, e))
        intro = next(
            (str(k) for k in kids if isinstance(k, lark.Token) and k.type == "VALUES_INTRO"), None
        )
        outro = next(
            (str(k) for k in kids if isinstance(k, lark.Token) and k.type == "VALUES_OUTRO"), None
        )
        return _Clause(
            "levels_values",
            start,
            end,
            {"labels": labels, "values": values, "intro": intro, "outro": outro},
        )

    # ------------------------------------------------------------ the rest
    def _judged(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("judged", start, end)

    def _stack_highest(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("stacking", start, end, {"stacking": ast.Stacking.HIGHEST_PER_ITEM})

    def _stack_all(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("stacking", start, end, {"stacking": ast.Stacking.ALL})

    def _veto(self, kids: list[Any], start: int, end: int, **data: Any) -> _Clause:
        subjects = self._subjects(kids)
        data["subject"] = subjects[0] if subjects else None
        return _Clause("veto", start, end, data)

    def _veto_best(self, kids: list[Any], start: int, end: int) -> _Clause:
        return self._veto(kids, start, end, veto="not", label=None)

    def _veto_fail(self, kids: list[Any], start: int, end: int) -> _Clause:
        return self._veto(kids, start, end, veto="fail")

    def _veto_not(self, kids: list[Any], start: int, end: int) -> _Clause:
        return self._veto(kids, start, end, veto="not", label=str(kids[-1]))

    def _veto_at_most(self, kids: list[Any], start: int, end: int) -> _Clause:
        return self._veto(kids, start, end, veto="at_most", label=str(kids[-1]))

    def _veto_down(self, kids: list[Any], start: int, end: int) -> _Clause:
        number = next(k for k in kids if isinstance(k, lark.Token) and k.type == "NUMBER")
        return self._veto(kids, start, end, veto="down", down=int(Decimal(str(number))))

    def _na_head(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("na_head", start, end)

    def _na_spread(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("na_spread", start, end)

    def _take_lower(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("combine_mode", start, end, {"mode": ast.Combine.MIN})

    def _take_higher(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("combine_mode", start, end, {"mode": ast.Combine.MAX})

    def _take_weighted(self, kids: list[Any], start: int, end: int) -> _Clause:
        return _Clause("combine_mode", start, end, {"mode": ast.Combine.WEIGHTED})


def _points(token: Any) -> Decimal:
    return Decimal(str(token).removesuffix("分"))


# ====================================================================== assembly


@define
class _Context:
    normalised: Normalised
    source: str
    counting: ast.Counting | None
    declared: Mapping[str, ast.InputType]
    grades: tuple[str, ...]
    decls: dict[str, ast.InputDecl] = field(factory=dict)
    notes: list[str] = field(factory=list)
    kind: str = ""

    # ------------------------------------------------------------ errors
    def span(self, start: int, end: int) -> Span:
        low, high = self.normalised.original_range(start, end)
        return _span_of(self.normalised.original, self.source, low, high)

    def fail(self, code: str, message: str, start: int, end: int, hint: str | None = None) -> Any:
        if hint is None:
            kind, example = nearest_form(self.normalised.original)
            hint = f"the nearest known form is {kind}: “{example}” (see docs/official-phrases.md)"
        raise PhraseError(
            [Diagnostic(code, message, self.span(start, end), hint)],
            Source(self.source, self.normalised.original),
        )

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # ------------------------------------------------------------ inputs
    def input(
        self,
        base: str | None,
        role: str,
        type_: ast.InputType,
        description: str | None,
        *,
        unit: str | None = None,
        low: ast.Quantity | None = None,
        high: ast.Quantity | None = None,
        choices: tuple[str, ...] = (),
        flexible: bool = False,
    ) -> ast.InputRef:
        """Declare an input; ``flexible``: any numeric declared type fits (a ratio's terms)."""
        if base is not None:
            name = base if role == "" else f"{base}_{role}"
        else:
            key = description if description else f"{self.normalised.text}#{role}"
            name = "q_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        declared = self.declared.get(name)
        if declared is not None and declared is not type_:
            numeric = {ast.InputType.NUMBER, ast.InputType.MONEY, ast.InputType.COUNT}
            if flexible:
                numeric.add(ast.InputType.PERCENT)
            if type_ in numeric and declared in numeric:
                type_ = declared
            else:
                where = (0, len(self.normalised.text))
                self.fail(
                    "input-type-mismatch",
                    f"the phrase reads '{name}' as {type_.value}, but it is declared "
                    f"{declared.value}",
                    *where,
                    hint="check the input named, or the phrase",
                )
        decl = ast.InputDecl(
            name, type_, unit=unit, low=low, high=high, choices=choices, description=description
        )
        previous = self.decls.get(name)
        if previous is not None and previous != decl:
            if previous.type is decl.type and previous.description == decl.description:
                decl = previous
            else:
                suffix = 2
                while f"{name}_{suffix}" in self.decls:
                    suffix += 1
                name = f"{name}_{suffix}"
                decl = ast.InputDecl(
                    name, type_, unit=unit, low=low, high=high, choices=choices,
                    description=description,
                )
        self.decls[name] = decl
        return ast.InputRef(name)

    def text(self, start: int, end: int) -> str:
        return self.normalised.text[start:end]


def _span_of(original: str, source: str, low: int, high: int) -> Span:
    def line_col(offset: int) -> tuple[int, int]:
        line = original.count("\n", 0, offset) + 1
        column = offset - (original.rfind("\n", 0, offset) + 1) + 1
        return line, column

    line, column = line_col(low)
    end_line, end_column = line_col(max(high, low + 1) if low < len(original) else low)
    if high <= low:
        end_line, end_column = line, column + 1
    return Span(source, line, column, end_line, end_column)


def _clean_subject(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip("的,;.:")
    return text or None


_NUMERIC_CONDS = {"bound", "bare", "range", "excess", "tolerance", "base"}


def _is_numeric(clause: _Clause, steps: bool = True) -> bool:
    """A condition with a value; a comparison of two subjects is one only with steps."""
    if clause.kind != "cond":
        return False
    return clause["cond"] in _NUMERIC_CONDS or (steps and clause["cond"] == "ref")


class _Assembler:
    """Clauses → one rule (or setting), for one cap and one naming base."""

    def __init__(self, ctx: _Context, cap: Decimal | None, base: str | None):
        self.ctx = ctx
        self.cap = cap
        self.base = base

    def fail(self, code: str, message: str, where: _Clause | tuple[int, int], hint: str | None = None) -> Any:
        start, end = (where.start, where.end) if isinstance(where, _Clause) else where
        return self.ctx.fail(code, message, start, end, hint)

    def need_cap(self, where: _Clause) -> Decimal:
        if self.cap is None:
            self.fail("cap-needed", "this phrase scores points: give the indicator's cap", where,
                      "pass cap= (the points of the indicator)")
        assert self.cap is not None
        return self.cap

    # ------------------------------------------------------------ entry
    def assemble(self, clauses: list[_Clause]) -> ast.Rule | Setting:
        clauses = self.merge(clauses)
        kinds = {c.kind for c in clauses}
        if "element" in kinds:
            return self.composite(clauses)
        if "judged" in kinds:
            return self.judged(clauses)
        if kinds & {"na_head", "na_spread"}:
            return self.not_applicable(clauses)
        if "veto" in kinds:
            return self.veto(clauses)
        if any(c["award"] is not None and c["award"]["award"] == "grade" for c in clauses
               if c.kind == "cond"):
            return self.grades(clauses)
        if kinds & {"levels_def", "levels_values"}:
            return self.levels(clauses)
        if "formula" in kinds:
            return self.formula(clauses)
        if any(c.kind == "cond" and c["count"] for c in clauses):
            return self.all_of(clauses)
        has_steps = "step" in kinds
        if any(_is_numeric(c, has_steps) for c in clauses):
            return self.numeric(clauses)
        if "occurrence" in kinds or any(
            c.kind == "cond" and c["award"] is not None and c["award"]["award"] == "deduct"
            for c in clauses
        ):
            return self.deduct(clauses)
        if "stacking" in kinds or sum(
            1 for c in clauses
            if c.kind == "cond" and c["award"] is not None and c["award"]["award"] == "add"
        ) >= 2:
            return self.awards(clauses)
        return self.qualitative(clauses)

    def merge(self, clauses: list[_Clause]) -> list[_Clause]:
        """Join a condition and the points in the clause after it, a subject and its step."""
        out: list[_Clause] = []
        for clause in clauses:
            prev = out[-1] if out else None
            waiting = prev is not None and prev.kind == "cond" and prev["award"] is None
            if clause.kind == "award" and waiting:
                assert prev is not None
                prev.data["award"] = clause.data
                prev.end = clause.end
                continue
            if clause.kind == "occurrence" and waiting and prev["cond"] == "quality" and not clause["before"]:
                assert prev is not None
                clause.data["before"] = [prev["subject"]]
                clause.start = prev.start
                out[-1] = clause
                continue
            if clause.kind == "veto" and clause["subject"] is None and waiting and prev["cond"] == "quality":
                assert prev is not None
                clause.data["event"] = prev["subject"]
                out[-1] = clause
                continue
            if clause.kind == "veto" and prev is not None and prev.kind == "veto":
                if clause["veto"] == "not" and prev["veto"] == "not":
                    # 实行一票否优，等级不得评为优秀: one veto said twice.
                    prev.data["label"] = clause["label"] or prev["label"]
                    continue
            out.append(clause)
        return out

    # ------------------------------------------------------------ helpers
    def points_of(self, award: dict[str, Any], where: _Clause) -> Decimal | None:
        """An award's points: None for the cap (满分, or the cap's own number)."""
        kind = award["award"]
        if kind == "full":
            return None
        if kind == "zero":
            return Decimal(0)
        points: Decimal = award["points"]
        cap = self.need_cap(where)
        if points > cap:
            self.fail("points-exceed-cap", f"{_fmt(points)} points exceed the cap of {_fmt(cap)}",
                      where, "check the indicator's cap")
        return None if points == cap else points

    def check_no_others(self, clauses: list[_Clause], allowed: set[str], what: str) -> None:
        for clause in clauses:
            if clause.kind not in allowed:
                self.fail(
                    "phrase-mixes-forms",
                    f"this clause cannot be part of {what}",
                    clause,
                )

    def limits(self, clauses: list[_Clause], *, deduct_ok: bool = False) -> Decimal | None:
        """Score limits (最高不超过N分) must not undercut the cap; returns a deduction limit."""
        limit = None
        for clause in clauses:
            if clause.kind == "score_limit":
                cap = self.need_cap(clause)
                if clause["points"] < cap:
                    self.fail(
                        "limit-below-cap",
                        f"the phrase caps the score at {_fmt(clause['points'])}, below the "
                        f"indicator's cap of {_fmt(cap)}",
                        clause,
                        "give the indicator the stated maximum as its cap",
                    )
                self.ctx.note(f"'{self.ctx.text(clause.start, clause.end)}': the cap "
                              f"({_fmt(cap)}) bounds the score")
            elif clause.kind == "deduct_limit":
                if not deduct_ok:
                    self.fail("phrase-mixes-forms", "a deduction limit belongs to a "
                              "per-occurrence deduction", clause)
                limit = clause["points"]
            elif clause.kind == "floor":
                word = clause["word"]
                if "满" in word and "扣满" not in word:
                    self.ctx.note(f"'{word}': no score goes above the cap")
                else:
                    self.ctx.note(f"'{word}': no score goes below 0")
        return limit

    def subject_of(self, clauses: list[_Clause]) -> tuple[str | None, _Clause | None]:
        found: str | None = None
        where: _Clause | None = None
        for clause in clauses:
            if clause.kind == "intro":
                text = _SUBJECT_LEADS.sub("", clause["subject"][0])
                found = found or text
                continue
            if clause.kind != "cond" or clause["subject"] is None:
                continue
            text = _clean_subject(clause["subject"][0])
            if found is None:
                found, where = text, clause
            elif text != found:
                self.fail(
                    "two-subjects",
                    f"one phrase scores one thing: '{found}' and '{text}' are two",
                    clause,
                    "split the phrase, or use ①②… for the parts of a combined rule",
                )
        return found, where

    def quantity_type(self, quantities: list[_Qty], where: _Clause) -> tuple[ast.InputType, str | None]:
        units = {q.unit for q in quantities if q.unit is not None}
        units.discard("分") if units - {"分"} else None
        if len(units) > 1:
            self.fail("mixed-units", f"the values are in different units: {', '.join(sorted(units))}",
                      where)
        unit = next(iter(units), None)
        if unit in _PERCENT_UNITS:
            return ast.InputType.PERCENT, None
        if unit in _MONEY_UNITS:
            return ast.InputType.MONEY, unit
        if unit == "分":
            return ast.InputType.NUMBER, "分"
        return ast.InputType.NUMBER, unit

    def quantity(self, qty: _Qty, type_: ast.InputType) -> ast.Quantity:
        return ast.Quantity(qty.value, is_percent=type_ is ast.InputType.PERCENT)

    def main_input(
        self,
        type_: ast.InputType,
        unit: str | None,
        description: str | None,
        values: list[Decimal],
        *,
        open_above: bool = False,
        role: str = "",
    ) -> ast.InputRef:
        low = high = None
        if type_ is ast.InputType.PERCENT and (open_above or any(v > 100 for v in values)):
            low = ast.Quantity(Decimal(0), True)
        elif type_ is ast.InputType.NUMBER and unit in _NONNEGATIVE_UNITS:
            low = ast.Quantity(Decimal(0))
        if unit == "分":
            unit = None
        return self.ctx.input(self.base, role, type_, description, unit=unit, low=low, high=high)

    def counting(self, clauses: list[_Clause], steps: list[_Clause]) -> dict[int, ast.Counting | None]:
        """The counting of each step: its own clause, the phrase's one clause, or the default."""
        counts = [c for c in clauses if c.kind == "counting"]
        result: dict[int, ast.Counting | None] = {}
        if not steps:
            if counts:
                self.fail("counting-without-steps", "there is no step for this counting to apply to",
                          counts[0])
            return result
        if len(counts) == 1:
            for step in steps:
                result[id(step)] = counts[0]["counting"]
            sizes = counts[0]["sizes"]
            if counts[0]["counting"] is ast.Counting.STARTED and len(steps) == 1 and sizes:
                step_size = steps[0]["size"].value
                if any(s.value != step_size for s in sizes):
                    self.fail("counting-size", f"the counting speaks of {_fmt(sizes[0].value)}, "
                              f"but the step is {_fmt(step_size)}", counts[0])
        elif len(counts) > 1:
            # Each step followed by its own counting clause.
            order = {id(c): i for i, c in enumerate(clauses)}
            for step in steps:
                after = [c for c in counts if order[id(c)] == order[id(step)] + 1]
                if not after:
                    self.fail("counting-ambiguous", "several countings: say each right after its "
                              "step", counts[0])
                result[id(step)] = after[0]["counting"]
        else:
            for step in steps:
                result[id(step)] = self.ctx.counting
            if self.ctx.counting is None:
                self.ctx.note("step counting not stated: the framework default applies")
            else:
                self.ctx.note(f"step counting not stated: {self.ctx.counting.value} (as given) applies")
        return result

    # ------------------------------------------------------------ composite
    def composite(self, clauses: list[_Clause]) -> ast.Rule:
        groups: list[tuple[_Clause, list[_Clause]]] = []
        modes = [c for c in clauses if c.kind == "combine_mode"]
        if len(modes) > 1:
            self.fail("phrase-mixes-forms", "one way to combine the elements", modes[1])
        mode = modes[0]["mode"] if modes else ast.Combine.SUM
        lead: list[_Clause] = []
        for clause in clauses:
            if clause.kind == "element":
                groups.append((clause, []))
            elif clause.kind == "combine_mode":
                pass
            elif groups:
                groups[-1][1].append(clause)
            else:
                lead.append(clause)
        for clause in lead:
            if clause.kind == "cond" and clause["cond"] == "quality" and clause["award"] is None:
                self.ctx.note(f"'{self.ctx.text(clause.start, clause.end)}' read as a heading")
            else:
                self.fail("phrase-mixes-forms", "a clause before the first element (①)", clause)
        parts = []
        for i, (marker, body) in enumerate(groups, start=1):
            if not body:
                self.fail("empty-element", "this element says nothing", marker)
            cap = marker["cap"]
            if cap is None:
                cap = self.stated_points(body)
            if cap is None:
                self.fail("element-cap", "this element needs its points", marker,
                          "write ①(2分)… or end the element with 得2分")
            weight = marker["weight"]
            if (mode is ast.Combine.WEIGHTED) != (weight is not None):
                self.fail("element-weight", "a weighted combination gives every element a weight "
                          "(①(10分,权重0.6)), and only it", marker)
            base = None if self.base is None else f"{self.base}_{i}"
            sub = _Assembler(self.ctx, cap, base)
            rule = sub.assemble(body)
            if not isinstance(rule, ast.RULE_KINDS):
                self.fail("phrase-mixes-forms", "an element scores points", marker)
            parts.append(ast.Part(cap, weight, rule))
        total = sum((p.cap * (p.weight or 1) for p in parts), Decimal(0))
        cap = self.cap
        if cap is not None and mode in (ast.Combine.SUM, ast.Combine.WEIGHTED):
            if total > cap:
                self.fail("elements-exceed-cap", f"the elements add up to {_fmt(total)}, above the "
                          f"cap of {_fmt(cap)}", clauses[0])
            if total < cap:
                self.ctx.note(f"the elements add up to {_fmt(total)}, less than the cap "
                              f"({_fmt(cap)})")
        self.ctx.kind = "composite"
        return ast.Composite(mode, tuple(parts))

    def stated_points(self, clauses: list[_Clause]) -> Decimal | None:
        best: Decimal | None = None
        for clause in clauses:
            awards = []
            if clause.kind == "cond" and clause["award"] is not None:
                awards.append(clause["award"])
            if clause.kind == "award":
                awards.append(clause.data)
            for award in awards:
                if award["award"] in ("points", "add"):
                    best = award["points"] if best is None else max(best, award["points"])
            if clause.kind == "levels_values":
                for number, unit, _, _ in clause["values"]:
                    if unit == "分":
                        best = number if best is None else max(best, number)
        return best

    def all_of(self, clauses: list[_Clause]) -> ast.Rule:
        head = next(c for c in clauses if c.kind == "cond" and c["count"])
        count = head["count"]
        if head["award"] is None or head["award"]["award"] not in ("points", "full"):
            self.fail("missing-points", "say what meeting every one of them scores", head)
        cap = self.need_cap(head)
        total = head["award"]["points"] if head["award"]["award"] == "points" else cap
        per = [c for c in clauses if c.kind == "occurrence"]
        self.check_no_others(clauses, {"cond", "occurrence", "floor", "score_limit"}, "this rule")
        self.limits(clauses)
        bound = head["bound"]
        type_, unit = self.quantity_type([bound.qty], head)
        subject = _clean_subject(head["subject"][0]) if head["subject"] else None
        if per:
            if len(per) > 1:
                self.fail("phrase-mixes-forms", "one deduction per missed item", per[1])
            each = per[0]["points"]
            if each * count != total:
                self.fail("parts-mismatch", f"{count} items at {_fmt(each)} each make "
                          f"{_fmt(each * count)}, not {_fmt(total)}", per[0])
            mode, part_cap = ast.Combine.SUM, each
        else:
            mode, part_cap = ast.Combine.MIN, total
        parts = []
        for i in range(1, count + 1):
            description = f"{subject}（第{i}项）" if subject else None
            ref = self.ctx.input(self.base, str(i), type_, description,
                                 unit=None if unit == "分" else unit)
            rule = ast.Threshold(ref, ast.Comparison(bound.op, self.quantity(bound.qty, type_)))
            parts.append(ast.Part(part_cap, None, rule))
        self.ctx.kind = "composite"
        if total < cap:
            self.ctx.note(f"the items add up to {_fmt(total)}, less than the cap ({_fmt(cap)})")
        return ast.Composite(mode, tuple(parts))

    # ------------------------------------------------------------ judged
    def judged(self, clauses: list[_Clause]) -> ast.Rule:
        for clause in clauses:
            if clause.kind in ("judged", "floor", "score_limit", "award", "otherwise"):
                continue
            if clause.kind == "cond" and clause["cond"] == "quality":
                continue
            self.fail("phrase-mixes-forms", "a judged phrase (酌情) cannot also compute a score",
                      clause, "score it as judged, and state the computed part as its own rule")
        self.ctx.kind = "judged"
        self.ctx.note("the evaluator gives the score (酌情); a score below the cap needs a reason")
        return ast.Judged()

    # ------------------------------------------------------------ settings
    def not_applicable(self, clauses: list[_Clause]) -> Setting:
        policy = None
        for clause in clauses:
            if clause.kind == "na_spread":
                policy = ast.NotApplicable.RESCALE
            elif clause.kind == "award" or (clause.kind == "cond" and clause["award"] is not None):
                award = clause.data if clause.kind == "award" else clause["award"]
                if award["award"] == "full":
                    policy = ast.NotApplicable.FULL
                elif award["award"] == "zero":
                    policy = ast.NotApplicable.ZERO
        if policy is None:
            self.fail("not-applicable-policy", "say what a 不适用 indicator scores", clauses[0],
                      "…按比例分摊至同级其他指标 / 视同得满分 / 不得分")
        self.ctx.kind = "not applicable"
        return policy

    def veto(self, clauses: list[_Clause]) -> Setting:
        vetoes = [c for c in clauses if c.kind == "veto"]
        if len(vetoes) > 1:
            self.fail("phrase-mixes-forms", "one veto per phrase", vetoes[1])
        veto = vetoes[0]
        event = veto["event"]
        for clause in clauses:
            if clause.kind == "cond" and clause["cond"] == "quality" and clause["award"] is None:
                event = event or clause["subject"]
            elif clause.kind != "veto":
                self.fail("phrase-mixes-forms", "a veto names its event and what it does to the "
                          "grade, nothing else", clause)
        if event is None:
            self.fail("veto-event", "say what event triggers the veto", veto,
                      "发生重大安全生产事故的，实行一票否优")
        description = _clean_subject(event[0])
        ref = self.ctx.input(self.base, "", ast.InputType.BOOL, description)
        grades = self.ctx.grades
        self.ctx.kind = "veto"
        if veto["veto"] == "down":
            return ast.Veto(ref, down=veto["down"])
        if veto["veto"] == "fail":
            self.ctx.note(f"一票否决: the grade is at most {grades[-1]}")
            return ast.Veto(ref, at_most=grades[-1])
        label = veto["label"]
        if veto["veto"] == "not":
            label = label or grades[0]
            if label not in grades or grades.index(label) + 1 >= len(grades):
                self.fail("unknown-grade", f"'{label}' is not a grade above another of "
                          f"{'、'.join(grades)}", veto, "pass grades= with the framework's grades")
            below = grades[grades.index(label) + 1]
            if label != grades[0]:
                self.fail("veto-grade", f"不得评为{label} does not say whether {grades[0]} is "
                          "allowed", veto, f"write 最高评为{below}")
            self.ctx.note(f"the grade is at most {below}")
            return ast.Veto(ref, at_most=below)
        if label not in grades:
            self.fail("unknown-grade", f"'{label}' is not one of {'、'.join(grades)}", veto,
                      "pass grades= with the framework's grades")
        return ast.Veto(ref, at_most=label)

    def grades(self, clauses: list[_Clause]) -> Setting:
        rows = []
        for clause in clauses:
            if clause.kind != "cond" or clause["award"] is None or clause["award"]["award"] != "grade":
                self.fail("phrase-mixes-forms", "a grade phrase gives each grade its points",
                          clause)
            rows.append((clause, clause["award"]["label"]))
        intervals = self.intervals([c for c, _ in rows])
        order = sorted(
            range(len(rows)),
            key=lambda i: (intervals[i][0] is None, -(intervals[i][0] or Decimal(0))),
        )
        bands: list[ast.GradeBand] = []
        for position, i in enumerate(order):
            low, low_inc, _, _ = intervals[i]
            label = rows[i][1]
            last = position == len(order) - 1
            if last:
                bands.append(ast.GradeBand(label, None))
                continue
            if low is None:
                self.fail("grade-order", "only the lowest grade may have no lower bound", rows[i][0])
            bands.append(ast.GradeBand(label, ast.Comparison(">=" if low_inc else ">",
                                                             ast.Quantity(low))))
        self.check_contiguous([intervals[i] for i in order][::-1], [rows[i][0] for i in order][::-1])
        self.ctx.kind = "grades"
        return tuple(bands)

    # ------------------------------------------------------------ intervals (bands, grades)
    def intervals(
        self, conds: list[_Clause]
    ) -> list[tuple[Decimal | None, bool, Decimal | None, bool]]:
        """Each condition as (low, low_inc, high, high_inc), unmarked ends decided by neighbours."""
        raw: list[list[Any]] = []  # [low, low_inc, low_explicit, high, high_inc, high_explicit]
        for cond in conds:
            if cond["cond"] == "bound":
                b: _Bound = cond["bound"]
                v = b.qty.value
                if b.op == ">=":
                    raw.append([v, True, b.explicit, None, False, True])
                elif b.op == ">":
                    raw.append([v, False, True, None, False, True])
                elif b.op == "<=":
                    raw.append([None, False, True, v, True, b.explicit])
                elif b.op == "<":
                    raw.append([None, False, True, v, False, True])
                else:
                    raw.append([v, True, True, v, True, True])
            elif cond["cond"] == "range":
                r: _Range = cond["range"]
                if r.low.value > r.high.value:
                    self.fail("bad-range", "a range's first value is its lower end", cond)
                raw.append([r.low.value, r.low_inc, r.low_inc is not None,
                            r.high.value, r.high_inc, r.high_inc is not None])
            else:
                self.fail("phrase-mixes-forms", "a band is a bound or a range of values", cond)
        # Decide unmarked ends, and let an explicit (含) win over the default of 以上/以下.
        ends: dict[Decimal, list[tuple[int, int]]] = {}
        for i, row in enumerate(raw):
            if row[0] is not None:
                ends.setdefault(row[0], []).append((i, 0))
            if row[3] is not None:
                ends.setdefault(row[3], []).append((i, 3))
        for value, touching in ends.items():
            for i, side in touching:
                if raw[i][side + 1] is not None:
                    continue
                others = [raw[j][s + 1] for j, s in touching
                          if j != i and raw[j][s + 1] is not None]
                unmarked = [1 for j, s in touching if j != i and raw[j][s + 1] is None]
                if unmarked:
                    self.fail("ambiguous-boundary", f"both bands that meet at {_fmt(value)} leave "
                              "it unmarked: which one holds it?", conds[i],
                              "mark the end that includes it with （含）")
                raw[i][side + 1] = not any(others)
        for value, touching in ends.items():
            inclusive = [(i, s) for i, s in touching if raw[i][s + 1]]
            if len({i for i, _ in inclusive}) > 1:
                explicit = [(i, s) for i, s in inclusive if raw[i][s + 2]]
                implicit = [(i, s) for i, s in inclusive if not raw[i][s + 2]]
                if len({i for i, _ in explicit}) == 1 and implicit:
                    for i, s in implicit:
                        raw[i][s + 1] = False
                    self.ctx.note(f"{_fmt(value)} belongs to the band that says （含） or ≥/≤; "
                                  "the other band's 以上/以下 gives way")
        return [(r[0], bool(r[1]), r[3], bool(r[4])) for r in raw]

    def check_contiguous(
        self,
        intervals: list[tuple[Decimal | None, bool, Decimal | None, bool]],
        conds: list[_Clause],
    ) -> None:
        """Sorted from low to high: each band starts where the previous ends, once."""
        for (a, b), cond in zip(zip(intervals, intervals[1:]), conds[1:]):
            a_high, a_inc = a[2], a[3]
            b_low, b_inc = b[0], b[1]
            if a_high is None or b_low is None:
                self.fail("band-overlap", "two bands overlap", cond)
            assert a_high is not None and b_low is not None
            if a_high > b_low or (a_high == b_low and a_inc and b_inc):
                self.fail("band-overlap", f"two bands both hold {_fmt(b_low)}", cond,
                          "mark which band holds the shared value with （含）")
            if a_high < b_low or (a_high == b_low and not a_inc and not b_inc):
                self.fail("band-gap", f"no band holds the values between {_fmt(a_high)} and "
                          f"{_fmt(b_low)}", cond)

    # ------------------------------------------------------------ levels
    def levels(self, clauses: list[_Clause]) -> ast.Rule:
        defs = [c for c in clauses if c.kind == "levels_def"]
        values = [c for c in clauses if c.kind == "levels_values"]
        self.check_no_others(clauses, {"levels_def", "levels_values", "floor", "score_limit"},
                             "a levels rule")
        self.limits(clauses)
        if len(values) != 1 or len(defs) > 1:
            self.fail("levels-values", "say the levels once and their values once (分别得…)",
                      clauses[0])
        vals = values[0]
        labels = vals["labels"] or (defs[0]["labels"] if defs else None)
        if labels is None:
            self.fail("levels-labels", "say the levels (好、较好、一般、差) before 分别", vals)
        if defs and vals["labels"]:
            self.fail("levels-labels", "the levels are named twice", vals)
        subject = _clean_subject(defs[0]["subject"][0]) if defs and defs[0]["subject"] else None
        if defs and defs[0]["count"] is not None and defs[0]["count"] != len(labels):
            self.fail("levels-count", f"{defs[0]['count']} levels announced, {len(labels)} named",
                      defs[0])
        if len(labels) != len(vals["values"]):
            self.fail("levels-count", f"{len(labels)} levels but {len(vals['values'])} values",
                      vals)
        of_cap = (vals["intro"] or "").endswith("的") or (vals["outro"] or "") in ("分值", "的分值")
        any_percent = any(u == "%" for _, u, _, _ in vals["values"])
        levels = []
        for (name, _, _), (number, unit, s, e) in zip(labels, vals["values"]):
            is_percent = unit == "%" or (unit is None and (of_cap or any_percent))
            if is_percent and number > 100:
                self.fail("points-exceed-cap", f"{_fmt(number)}% of the cap is above the cap", (s, e))
            if not is_percent:
                limit = self.need_cap(vals)
                if number > limit:
                    self.fail("points-exceed-cap", f"{_fmt(number)} points exceed the cap of "
                              f"{_fmt(limit)}", (s, e))
            levels.append(ast.Level(name, ast.Quantity(number, is_percent=is_percent)))
        names = [lv.name for lv in levels]
        if len(set(names)) != len(names):
            self.fail("levels-duplicate", "a level is named twice", vals)
        ref = self.ctx.input(self.base, "", ast.InputType.LEVEL, subject, choices=tuple(names))
        self.ctx.kind = "levels"
        return ast.Graded(ref, tuple(levels))

    # ------------------------------------------------------------ proportional
    def formula(self, clauses: list[_Clause]) -> ast.Rule:
        formulas = [c for c in clauses if c.kind == "formula"]
        if len(formulas) > 1:
            self.fail("phrase-mixes-forms", "one formula per phrase", formulas[1])
        formula = formulas[0]
        for clause in clauses:
            if clause.kind in ("formula", "floor", "score_limit", "intro"):
                continue
            if clause.kind == "cond" and clause["cond"] == "quality" and clause["award"] is None:
                self.ctx.note(f"'{self.ctx.text(clause.start, clause.end)}' read as an explanation "
                              "of the formula")
                continue
            self.fail("phrase-mixes-forms", "this clause cannot be part of a formula", clause)
        self.limits(clauses)
        cap = self.need_cap(formula)
        num, den = formula["num"], formula["den"]
        # 得分=实际数÷计划数×100%×分值: ×100% only turns a ratio into a percent.
        num = [f for f in num if not (f[0] == "number" and f[1].unit == "%" and f[1].value == 100)]
        subjects = [f for f in num if f[0] == "subject"]
        scale = [f for f in num if f[0] in ("cap", "number")]
        if len(subjects) != 1:
            self.fail("formula-shape", "the formula multiplies one value by the cap "
                      "(得分=完成率×分值, 得分=实际值/目标值×分值)", formula)
        if len(scale) != 1:
            self.fail("formula-shape", "the formula scales by the cap (×分值 or ×the cap's points)",
                      formula)
        if scale[0][0] == "number":
            qty: _Qty = scale[0][1]
            if qty.value != cap or qty.unit not in (None, "分"):
                self.fail("formula-scale", f"the formula scales by {_fmt(qty.value)}, not by the "
                          f"cap of {_fmt(cap)}", (scale[0][2], scale[0][3]))
        description = _clean_subject(subjects[0][1])
        if len(den) > 1:
            self.fail("formula-shape", "divide by one value", formula)
        self.ctx.kind = "proportional"
        if not den:
            ref = self.ctx.input(self.base, "", ast.InputType.PERCENT, description)
            return ast.Proportional(ref, ast.Quantity(Decimal(100), is_percent=True))
        kind, value, s, e = den[0]
        if kind == "subject":
            x = self.ctx.input(self.base, "", ast.InputType.NUMBER, description, flexible=True)
            target = self.ctx.input(self.base, "target", ast.InputType.NUMBER,
                                    _clean_subject(value), flexible=True)
            return ast.Proportional(x, target)
        if kind == "number":
            if value.value <= 0:
                self.fail("nonpositive-target", "the divisor must be above 0", (s, e))
            if value.unit == "%":
                x = self.ctx.input(self.base, "", ast.InputType.PERCENT, description)
                return ast.Proportional(x, ast.Quantity(value.value, is_percent=True))
            x = self.ctx.input(self.base, "", ast.InputType.NUMBER, description)
            return ast.Proportional(x, ast.Quantity(value.value))
        return self.fail("formula-shape", "the cap is a factor, not the divisor", (s, e))

    # ------------------------------------------------------------ numeric rules
    def numeric(self, clauses: list[_Clause]) -> ast.Rule:
        allowed = {"cond", "step", "counting", "floor", "score_limit", "otherwise", "prop_tail",
                   "interp", "intro"}
        self.check_no_others(clauses, allowed, "a numeric rule")
        conds = [c for c in clauses if c.kind == "cond"]
        for cond in conds:
            if not _is_numeric(cond):
                self.fail("phrase-mixes-forms", "a statement without a value among numeric bounds",
                          cond, "give it a value, or make it a separate rule")
        self.resolve_bare(conds, [c for c in clauses if c.kind == "step"])
        if any(c["cond"] == "tolerance" for c in conds):
            return self.deviation(clauses)
        if any(c["cond"] == "base" for c in conds):
            return self.baseline(clauses)
        if any(c.kind == "interp" for c in clauses):
            return self.interpolation(clauses)
        if any(c.kind == "prop_tail" for c in clauses):
            return self.proportional_tail(clauses)
        positives = [c for c in conds if c["award"] is not None and c["award"]["award"] != "zero"]
        zeros = [c for c in conds if c["award"] is not None and c["award"]["award"] == "zero"]
        if any(c["cond"] == "range" for c in conds) or len(positives) >= 2:
            return self.bands(clauses)
        steps = any(c.kind == "step" for c in clauses)
        if not steps and len(positives) + len(zeros) >= 2 and len(positives) + len(zeros) == len(conds):
            # 满意度≥90%得2分，低于90%不得分: two bands. Only a 不得分 bound that leaves a gap
            # below the bound is a threshold's (redundant) cut-off.
            if len(positives) == 1 and len(zeros) == 1 and not self.complements(positives[0], zeros[0]):
                return self.threshold(clauses)
            return self.bands(clauses)
        return self.threshold(clauses)

    @staticmethod
    def complements(first: _Clause, second: _Clause) -> bool:
        """Whether two bounds split the values between them, each value in exactly one."""
        if first["cond"] != "bound" or second["cond"] != "bound":
            return False
        a, b = first["bound"], second["bound"]
        return a.qty.value == b.qty.value and _COMPLEMENT.get(a.op) == b.op

    def resolve_bare(self, conds: list[_Clause], steps: list[_Clause]) -> None:
        """完成率100%得满分: a value without a boundary word takes its side from the steps."""
        for cond in conds:
            if cond["cond"] != "bare":
                continue
            words = {s["direction"] for s in steps if s["direction"] is not None}
            if words and words <= _LOWER_WORDS:
                op = ">="
            elif words and words <= _HIGHER_WORDS:
                op = "<="
            elif not steps:
                op = "="
            else:
                return self.fail("missing-boundary-word", "a value without 以上/以下/达到…: "
                                 "say which side scores", cond, "write 达到100% or 100%以上")
            qty: _Qty = cond["qty"]
            cond.data["cond"] = "bound"
            cond.data["bound"] = _Bound(op, qty, True)
            self.ctx.note(f"no boundary word at {_fmt(qty.value)}{qty.unit or ''}: read as "
                          f"'{op} {_fmt(qty.value)}{qty.unit or ''}'")

    def main_subject(self, clauses: list[_Clause]) -> str | None:
        subject, _ = self.subject_of(clauses)
        if subject is None:
            self.ctx.note("the phrase names no subject: describe the input yourself")
        return subject

    def threshold(self, clauses: list[_Clause]) -> ast.Rule:
        conds = [c for c in clauses if c.kind == "cond"]
        steps = [c for c in clauses if c.kind == "step"]
        positives = [c for c in conds if c["award"] is not None and c["award"]["award"] != "zero"]
        zeros = [c for c in conds if c["award"] is not None and c["award"]["award"] == "zero"]
        triggers = [c for c in conds if c["award"] is None]
        for clause in clauses:
            if clause.kind == "otherwise" and clause["award"]["award"] != "zero":
                self.fail("phrase-mixes-forms", "否则 gives 0 in a threshold", clause)
        if len(positives) == 1 and not triggers:
            main = positives[0]
            points = self.award_points(main)
        elif not positives and len(triggers) == 1 and steps:
            # 按时交付率低于100%的，每低1%扣1分: the bound is the trigger's complement.
            main = triggers[0]
            points = None
        elif not positives and not triggers:
            return self.fail("missing-points", "say what meeting the bound scores", conds[0])
        else:
            return self.fail("missing-points", "a bound without its points", (triggers or conds)[0],
                             "add 得N分 after the bound")
        if len(zeros) > 1:
            self.fail("two-cutoffs", "one 不得分 bound at most", zeros[1])
        subject = self.main_subject(clauses)
        self.limits(clauses)

        # The bound, and the type of the input.
        kind = main["cond"]
        quantities: list[_Qty] = [s["size"] for s in steps]
        reference: ast.InputRef | None = None
        if kind == "bound":
            bound: _Bound = main["bound"]
            op = bound.op
            quantities.append(bound.qty)
            bound_qty: _Qty | None = bound.qty
        elif kind == "excess":
            op = _op_of(main["cmp"])
            quantities.append(main["qty"])
            bound_qty = main["qty"]
            ref_text = _clean_subject(main["ref"][0])
            subject = f"{subject or ''}超过{ref_text}的比例"
        elif kind == "ref":
            op = _op_of(main["cmp"])
            bound_qty = None
        else:
            return self.fail("phrase-mixes-forms", "a threshold has one bound", main)
        if main["award"] is None:
            op = _COMPLEMENT.get(op, op)
            if op == "=":
                self.fail("bad-bound", "'=' has no complement", main)
        for zero in zeros:
            if zero["cond"] == "bound":
                quantities.append(zero["bound"].qty)
        type_, unit = self.quantity_type(quantities, main)
        if kind == "excess" and type_ is not ast.InputType.PERCENT:
            self.fail("bad-bound", "an excess over a required number is a percent", main)
        failing = "lower" if op in (">=", ">", "=") else "higher"
        values = [q.value for q in quantities]
        open_above = (kind == "excess") or (
            failing == "higher" and bound_qty is not None and bound_qty.value >= 100
        )
        x = self.main_input(type_, unit, subject, values, open_above=open_above)
        if kind == "ref":
            reference = self.ctx.input(
                self.base, "ref", type_, _clean_subject(main["ref"][0]),
                unit=None if unit == "分" else unit,
            )
            operand: ast.Operand = reference
        else:
            assert bound_qty is not None
            operand = self.quantity(bound_qty, type_)

        short = beyond = None
        countings = self.counting(clauses, steps)
        for step in steps:
            made, side = self.step(step, op, failing, type_, countings[id(step)])
            if side == "short":
                if short is not None:
                    self.fail("duplicate-steps", "two deduction steps", step)
                short = made
            else:
                if beyond is not None:
                    self.fail("duplicate-steps", "two addition steps", step)
                beyond = made

        cutoff = None
        if zeros:
            zero = zeros[0]
            if zero["cond"] == "ref":
                cut = ast.Comparison(_op_of(zero["cmp"]), reference or operand)
            elif zero["cond"] == "bound":
                cut = ast.Comparison(zero["bound"].op, self.quantity(zero["bound"].qty, type_))
            else:
                return self.fail("phrase-mixes-forms", "a 不得分 bound is one value", zero)
            wrong_side = (failing == "lower" and cut.op not in ("<", "<=")) or (
                failing == "higher" and cut.op not in (">", ">=")
            )
            if wrong_side:
                self.fail("bad-cutoff", "the 不得分 bound must lie on the failing side of the "
                          "full-points bound", zero)
            cutoff = cut
            if short is None and beyond is None:
                self.ctx.note("without steps the 不得分 bound changes nothing: below the bound "
                              "the score is 0 anyway")
        self.ctx.kind = "threshold"
        return ast.Threshold(x, ast.Comparison(op, operand), points, short, beyond, cutoff)

    def award_points(self, cond: _Clause) -> Decimal | None:
        return self.points_of(cond["award"], cond)

    def step(
        self,
        step: _Clause,
        op: str,
        failing: str,
        type_: ast.InputType,
        counting: ast.Counting | None,
    ) -> tuple[ast.Steps, str]:
        word = step["direction"]
        if word in _LOWER_WORDS:
            direction = "lower"
        elif word in _HIGHER_WORDS:
            direction = "higher"
        elif word == "偏离":
            direction = "lower" if op == "=" else failing
        else:
            lead = step["lead"] or ""
            if "超" in lead:
                direction = "higher"
            elif lead:
                direction = "lower"
            else:
                direction = failing if step["effect"] == "deduct" else (
                    "higher" if failing == "lower" else "lower"
                )
        effect = step["effect"]
        if effect == "deduct" and direction != failing:
            self.fail("bad-step", "this step deducts on the side that meets the bound", step)
        if effect == "add" and direction == failing:
            self.fail("bad-step", "this step adds on the side that misses the bound", step)
        size = step["size"]
        if (size.unit == "%") != (type_ is ast.InputType.PERCENT):
            self.fail("mixed-units", "the step and the bound are in different units", step)
        if size.value <= 0 or step["points"] <= 0:
            self.fail("nonpositive-step", "a step and its points are above 0", step)
        steps = ast.Steps(self.quantity(size, type_), direction, effect, step["points"], counting)
        return steps, ("short" if effect == "deduct" else "beyond")

    def bands(self, clauses: list[_Clause]) -> ast.Rule:
        conds = [c for c in clauses if c.kind == "cond"]
        for clause in clauses:
            if clause.kind in ("step", "counting", "prop_tail", "interp"):
                self.fail("phrase-mixes-forms", "bands do not take steps", clause)
        for cond in conds:
            if cond["award"] is None:
                self.fail("missing-points", "a band without its points", cond)
            if cond["award"]["award"] not in ("points", "full", "zero"):
                self.fail("phrase-mixes-forms", "a band scores points (得N分)", cond)
        subject = self.main_subject(clauses)
        self.limits(clauses)
        quantities = []
        for cond in conds:
            if cond["cond"] == "bound":
                quantities.append(cond["bound"].qty)
            elif cond["cond"] == "range":
                quantities.extend([cond["range"].low, cond["range"].high])
        type_, unit = self.quantity_type(quantities, conds[0])
        intervals = self.intervals(conds)
        order = sorted(range(len(conds)), key=lambda i: (intervals[i][0] is not None,
                                                         intervals[i][0] or Decimal(0)))
        self.check_contiguous([intervals[i] for i in order], [conds[i] for i in order])
        values = [q.value for q in quantities]
        x = self.main_input(type_, unit, subject, values)
        bands = []
        for cond, (low, low_inc, high, high_inc) in zip(conds, intervals):
            interval = ast.Interval(
                None if low is None else ast.Quantity(low, type_ is ast.InputType.PERCENT),
                low_inc if low is not None else False,
                None if high is None else ast.Quantity(high, type_ is ast.InputType.PERCENT),
                high_inc if high is not None else False,
            )
            bands.append(ast.Band(interval, self.award_points(cond)))
        self.ctx.kind = "bands"
        return ast.Bands(x, tuple(bands))

    def proportional_tail(self, clauses: list[_Clause]) -> ast.Rule:
        conds = [c for c in clauses if c.kind == "cond"]
        positives = [c for c in conds if c["award"] is not None and c["award"]["award"] != "zero"]
        zeros = [c for c in conds if c["award"] is not None and c["award"]["award"] == "zero"]
        self.check_no_others(clauses, {"cond", "prop_tail", "floor", "score_limit", "intro"},
                             "a proportional rule")
        if len(positives) != 1 or positives[0]["cond"] != "bound":
            return self.fail("missing-points", "say the value that scores full marks "
                             "(达到90%得满分)", conds[0] if conds else clauses[0])
        main = positives[0]
        bound: _Bound = main["bound"]
        if bound.op not in (">=", ">") or self.award_points(main) is not None:
            self.fail("bad-bound", "按比例得分 follows 达到T得满分", main)
        subject = self.main_subject(clauses)
        self.limits(clauses)
        quantities = [bound.qty] + [z["bound"].qty for z in zeros if z["cond"] == "bound"]
        type_, unit = self.quantity_type(quantities, main)
        if bound.qty.value <= 0:
            self.fail("nonpositive-target", "the full-marks value must be above 0", main)
        x = self.main_input(type_, unit, subject, [q.value for q in quantities])
        rule = ast.Proportional(x, self.quantity(bound.qty, type_))
        self.ctx.kind = "proportional"
        if not zeros:
            return rule
        if len(zeros) > 1 or zeros[0]["cond"] != "bound" or zeros[0]["bound"].op not in ("<", "<="):
            return self.fail("bad-cutoff", "one 低于C不得分 bound below the full-marks value",
                             zeros[-1])
        cut: _Bound = zeros[0]["bound"]
        cap = self.need_cap(main)
        floor = ast.Threshold(x, ast.Comparison(_COMPLEMENT[cut.op], self.quantity(cut.qty, type_)))
        self.ctx.kind = "composite"
        self.ctx.note("按比例 above the 不得分 bound: the smaller of the proportional score and "
                      "a yes/no on the bound")
        return ast.Composite(ast.Combine.MIN, (ast.Part(cap, None, rule), ast.Part(cap, None, floor)))

    def interpolation(self, clauses: list[_Clause]) -> ast.Rule:
        conds = [c for c in clauses if c.kind == "cond"]
        interps = [c for c in clauses if c.kind == "interp"]
        self.check_no_others(clauses, {"cond", "interp", "floor", "score_limit"}, "a linear rule")
        positives = [c for c in conds if c["award"] is not None and c["award"]["award"] != "zero"]
        zeros = [c for c in conds if c["award"] is not None and c["award"]["award"] == "zero"]
        if len(interps) != 1 or len(positives) != 1 or positives[0]["cond"] != "bound":
            return self.fail("interpolation-shape", "a linear fall needs the full-marks bound and "
                             "the range it falls over", interps[0])
        main = positives[0]
        bound: _Bound = main["bound"]
        span: _Range = interps[0]["range"]
        ends = {span.low.value, span.high.value}
        if bound.qty.value not in ends or bound.op not in (">=", "<="):
            self.fail("interpolation-shape", "the range must start at the full-marks bound",
                      interps[0])
        zero_at = (ends - {bound.qty.value}).pop()
        for zero in zeros:
            b = zero["bound"] if zero["cond"] == "bound" else None
            if b is None or b.qty.value != zero_at:
                self.fail("interpolation-shape", "the 不得分 bound must be the range's other end",
                          zero)
        if (bound.op == ">=") != (zero_at < bound.qty.value):
            self.fail("interpolation-shape", "the range lies on the wrong side of the bound",
                      interps[0])
        subject = self.main_subject(clauses)
        self.limits(clauses)
        quantities = [bound.qty, span.low, span.high]
        type_, unit = self.quantity_type(quantities, main)
        x = self.main_input(type_, unit, subject, [q.value for q in quantities])
        cap = self.need_cap(main)
        points = self.award_points(main)
        full = cap if points is None else points
        width = abs(zero_at - bound.qty.value)
        per_unit = full / width
        if per_unit * width == full and -per_unit.as_tuple().exponent <= 4:  # type: ignore[operator]
            size, deduct = Decimal(1), per_unit.normalize()
        else:
            size, deduct = width, full
        direction = "lower" if bound.op == ">=" else "higher"
        steps = ast.Steps(
            ast.Quantity(size, type_ is ast.InputType.PERCENT), direction, "deduct", deduct,
            ast.Counting.PRO_RATA,
        )
        self.ctx.kind = "threshold"
        self.ctx.note(f"linear from the full points at {_fmt(bound.qty.value)} to 0 at "
                      f"{_fmt(zero_at)}")
        return ast.Threshold(x, ast.Comparison(bound.op, self.quantity(bound.qty, type_)), points,
                             steps)

    def deviation(self, clauses: list[_Clause]) -> ast.Rule:
        conds = [c for c in clauses if c.kind == "cond"]
        steps = [c for c in clauses if c.kind == "step"]
        self.check_no_others(clauses, {"cond", "step", "counting", "floor", "score_limit"},
                             "a deviation rule")
        if len(conds) != 1 or conds[0]["award"] is None:
            return self.fail("deviation-shape", "a deviation rule has one tolerance, with its "
                             "points", conds[0])
        main = conds[0]
        if self.award_points(main) is not None:
            self.fail("deviation-shape", "within the tolerance the score is the cap (得满分)", main)
        self.limits(clauses)
        tolerance: _Qty = main["tolerance"]
        relative = tolerance.unit == "%"
        subject = _clean_subject(main["subject"][0]) if main["subject"] else None
        target_value: _Qty | None = main["target"]
        actual = target_text = None
        if subject and target_value is not None:
            actual = subject  # 完成值与50的偏差: the subject is the actual value
        elif subject:
            m = re.match(r"^(.+?)与(.+?)的?(?:偏差|偏离)(?:率|度|值)?$", subject)
            if m:
                actual, target_text = m.group(1), m.group(2)
            else:
                stem = re.sub(r"(?:的)?(?:偏差|偏离)(?:率|度|值)?$", "", subject) or subject
                actual, target_text = f"{stem}实际值", f"{stem}目标值"
                self.ctx.note(f"'{subject}' is read as the deviation of an actual value from its "
                              "target: the two are inputs")
        x = self.ctx.input(self.base, "", ast.InputType.NUMBER, actual)
        if target_value is not None:
            if target_value.unit == "%":
                self.fail("mixed-units", "the target is a plain value", main)
            target: ast.Operand = ast.Quantity(target_value.value)
            if relative and target_value.value == 0:
                self.fail("nonpositive-target", "a relative deviation from 0 is undefined", main)
        else:
            target = self.ctx.input(self.base, "target", ast.InputType.NUMBER, target_text)
        made = None
        countings = self.counting(clauses, steps)
        if len(steps) > 1:
            self.fail("duplicate-steps", "one step beyond the tolerance", steps[1])
        for step in steps:
            if step["effect"] != "deduct" or step["direction"] in _LOWER_WORDS:
                self.fail("bad-step", "beyond the tolerance a step deducts (超出部分每…扣…)", step)
            size: _Qty = step["size"]
            if (size.unit == "%") != relative:
                self.fail("mixed-units", "the step and the tolerance are in different units", step)
            made = ast.Steps(ast.Quantity(size.value, relative), "beyond", "deduct",
                             step["points"], countings[id(step)])
        self.ctx.kind = "deviation"
        return ast.Deviation(x, target, ast.Quantity(tolerance.value, relative), made)

    def baseline(self, clauses: list[_Clause]) -> ast.Rule:
        conds = [c for c in clauses if c.kind == "cond"]
        steps = [c for c in clauses if c.kind == "step"]
        self.check_no_others(clauses, {"cond", "step", "counting", "floor", "score_limit"},
                             "a baseline rule")
        if len(conds) != 1 or conds[0]["award"] is None or not steps:
            return self.fail("baseline-shape", "a baseline gives its points at the reference and "
                             "steps up or down", conds[0])
        main = conds[0]
        points = self.award_points(main)
        base_points = self.need_cap(main) if points is None else points
        subject = _clean_subject(main["subject"][0]) if main["subject"] else None
        self.limits(clauses)
        ref = main["ref"]
        quantities = [s["size"] for s in steps]
        if isinstance(ref, _Qty):
            quantities.append(ref)
        type_, unit = self.quantity_type(quantities, main)
        x = self.main_input(type_, unit, subject, [q.value for q in quantities])
        if isinstance(ref, _Qty):
            reference: ast.Operand = self.quantity(ref, type_)
        else:
            reference = self.ctx.input(self.base, "ref", type_, _clean_subject(ref[0]),
                                       unit=None if unit == "分" else unit)
        countings = self.counting(clauses, steps)
        sides: dict[str, ast.Steps] = {}
        for step in steps:
            word = step["direction"]
            if word in _LOWER_WORDS:
                direction = "lower"
            elif word in _HIGHER_WORDS:
                direction = "higher"
            else:
                return self.fail("bad-step", "say which way a baseline step goes (每降低/每提高)",
                                 step)
            if direction in sides:
                self.fail("duplicate-steps", f"two {direction} steps", step)
            size: _Qty = step["size"]
            if (size.unit == "%") != (type_ is ast.InputType.PERCENT):
                self.fail("mixed-units", "the step and the reference are in different units", step)
            sides[direction] = ast.Steps(self.quantity(size, type_), direction, step["effect"],
                                         step["points"], countings[id(step)])
        self.ctx.kind = "baseline"
        return ast.Baseline(x, reference, base_points, sides.get("lower"), sides.get("higher"))

    # ------------------------------------------------------------ deductions and awards
    def deduct(self, clauses: list[_Clause]) -> ast.Rule:
        self.check_no_others(clauses, {"cond", "occurrence", "floor", "score_limit",
                                       "deduct_limit"}, "a deduction")
        limit = self.limits(clauses, deduct_ok=True)
        occurrences = []
        for clause in clauses:
            if clause.kind == "occurrence":
                if clause["effect"] != "deduct":
                    self.fail("phrase-mixes-forms", "a deduction deducts (扣)", clause)
                if clause["before"]:
                    description = _clean_subject(clause["before"][0][0])
                elif clause["after"]:
                    description = "".join(t for t, _, _ in clause["after"])
                else:
                    description = None
                ref = self.ctx.input(self.base, self.role(len(occurrences)), ast.InputType.COUNT,
                                     description)
                occurrences.append(ast.Occurrence(ref, clause["points"]))
            elif clause.kind == "cond":
                award = clause["award"]
                if clause["cond"] != "quality" or award is None or award["award"] != "deduct":
                    self.fail("phrase-mixes-forms", "in a deduction, each event says what it "
                              "deducts (…的，扣N分)", clause)
                description = _clean_subject(clause["subject"][0])
                ref = self.ctx.input(self.base, self.role(len(occurrences)), ast.InputType.BOOL,
                                     description)
                occurrences.append(ast.Occurrence(ref, award["points"], is_flag=True))
        if not occurrences:
            return self.fail("missing-points", "say what each occurrence deducts", clauses[0])
        self.ctx.kind = "deduct"
        return ast.Deduct(tuple(occurrences), limit)

    def role(self, index: int) -> str:
        return "" if index == 0 else str(index + 1)

    def awards(self, clauses: list[_Clause]) -> ast.Rule:
        self.check_no_others(clauses, {"cond", "stacking", "score_limit", "floor"}, "awards")
        self.limits(clauses)
        stacking = None
        awards = []
        for clause in clauses:
            if clause.kind == "stacking":
                stacking = clause["stacking"]
            elif clause.kind == "cond":
                award = clause["award"]
                if clause["cond"] != "quality" or award is None or award["award"] != "add":
                    self.fail("phrase-mixes-forms", "each award says what it adds (受到…加N分)",
                              clause)
                name = _AWARD_VERBS.sub("", _clean_subject(clause["subject"][0]) or "")
                if not name:
                    self.fail("award-name", "name the award", clause)
                if any(a.name == name for a in awards):
                    self.fail("award-duplicate", f"'{name}' is listed twice", clause)
                awards.append(ast.Award(name, award["points"]))
        if not awards:
            return self.fail("missing-points", "list the awards and their points", clauses[0])
        if stacking is None:
            stacking = ast.Stacking.ALL
            self.ctx.note("stacking not stated: every award counts (write 同一项工作不累计加分 "
                          "for the highest per item)")
        ref = self.ctx.input(self.base, "", ast.InputType.AWARDS, "获得的奖励（每项工作一条）",
                             choices=tuple(a.name for a in awards))
        self.ctx.kind = "awards"
        return ast.Awards(ref, stacking, tuple(awards))

    # ------------------------------------------------------------ qualitative
    def qualitative(self, clauses: list[_Clause]) -> ast.Rule:
        self.check_no_others(clauses, {"cond", "otherwise", "floor", "score_limit", "award"},
                             "a yes/no rule")
        self.limits(clauses)
        conds = [c for c in clauses if c.kind == "cond"]
        otherwise = [c for c in clauses if c.kind == "otherwise"]
        loose = [c for c in clauses if c.kind == "award"]
        if loose:
            self.fail("missing-condition", "points without a condition", loose[0])
        if not conds:
            return self.fail("unreadable", "nothing to score", clauses[0] if clauses else (0, 0))
        scored = [c for c in conds if c["award"] is not None]
        if not scored:
            if len(conds) > 1:
                return self.fail("missing-points", "these statements give no points: how do they "
                                 "score?", conds[1])
            self.ctx.note("no points stated: the condition earns the cap")
            cond = conds[0]
            ref = self.ctx.input(self.base, "", ast.InputType.BOOL, self.situation(cond))
            self.ctx.kind = "yes/no"
            return ast.YesNo(ref)
        if len(conds) != len(scored):
            bare = next(c for c in conds if c["award"] is None)
            self.fail("missing-points", "a statement without its points", bare)
        positive = [c for c in scored if c["award"]["award"] in ("points", "full")]
        zero = [c for c in scored if c["award"]["award"] == "zero"]
        for cond in scored:
            if cond["award"]["award"] not in ("points", "full", "zero"):
                self.fail("phrase-mixes-forms", "a yes/no gives points (得N分)", cond)
        self.ctx.kind = "yes/no"
        if len(scored) == 1 and positive:
            cond = positive[0]
            if otherwise and otherwise[0]["award"]["award"] != "zero":
                self.fail("phrase-mixes-forms", "否则 gives 0 after 得N分", otherwise[0])
            ref = self.ctx.input(self.base, "", ast.InputType.BOOL, self.situation(cond))
            return ast.YesNo(ref, self.points_of(cond["award"], cond))
        if len(scored) == 1 and zero and otherwise:
            # X的不得分，否则得N分: the points when X does not hold.
            other = otherwise[0]["award"]
            if other["award"] not in ("points", "full"):
                self.fail("missing-points", "否则 needs its points", otherwise[0])
            cond = zero[0]
            ref = self.ctx.input(self.base, "", ast.InputType.BOOL, self.situation(cond))
            return ast.YesNo(ref, self.points_of(other, otherwise[0]), negated=True)
        if len(scored) == 2 and len(positive) == 1 and len(zero) == 1:
            yes = self.situation(positive[0])
            no = self.situation(zero[0])
            if no in (f"未{yes}", f"没有{yes}", f"不{yes}", f"无{yes}", f"非{yes}", "否则"):
                ref = self.ctx.input(self.base, "", ast.InputType.BOOL, yes)
                return ast.YesNo(ref, self.points_of(positive[0]["award"], positive[0]))
        if otherwise:
            self.fail("phrase-mixes-forms", "否则 after several situations", otherwise[0])
        # Several named situations, each with its points: a levels rule on those situations.
        names = []
        levels = []
        for cond in scored:
            name = self.situation(cond)
            points = self.points_of(cond["award"], cond)
            value = self.need_cap(cond) if points is None else points
            names.append(name)
            levels.append(ast.Level(name, ast.Quantity(value)))
        if len(set(names)) != len(names):
            self.fail("levels-duplicate", "a situation is named twice", scored[-1])
        description = None
        lead = re.match(r"^(.*?)(?:评价结果|考核结果|评价等级|考核等级|评价|评定|结果|等级)为(.+)$",
                        names[0])
        if lead is not None and lead.group(2) not in names:
            # 评价结果为优秀的得5分，良好的得4分…: the first situation names the scale.
            description = (lead.group(1) + names[0][len(lead.group(1)):].split("为")[0]) or None
            names[0] = lead.group(2)
            levels[0] = ast.Level(names[0], levels[0].value)
        ref = self.ctx.input(self.base, "", ast.InputType.LEVEL, description, choices=tuple(names))
        self.ctx.kind = "levels"
        self.ctx.note("several situations, each with its points: a levels input names the "
                      "unit's situation")
        return ast.Graded(ref, tuple(levels))

    def situation(self, cond: _Clause) -> str:
        """The words of a situation, without its points (有结余但不超过上年结转)."""
        text = self.ctx.text(cond.start, cond["cond_end"] or cond.end)
        return _clean_subject(text) or text


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# ====================================================================== compile_phrase


def _parse_error(error: UnexpectedInput, normalised: Normalised, ctx: _Context) -> Any:
    text = normalised.text
    if isinstance(error, UnexpectedCharacters):
        pos = error.pos_in_stream
    elif isinstance(error, UnexpectedEOF):
        pos = len(text)
    else:
        pos = getattr(error, "pos_in_stream", None) or len(text)
    # The unread span: from the clause holding the error to the next separator.
    clause_start = max(text.rfind(c, 0, pos) for c in ",;.:") + 1
    if pos >= len(text):
        start = clause_start if clause_start < len(text) else max(len(text) - 1, 0)
        end = len(text)
        message = "the phrase ends before its clause is complete"
    else:
        start = pos
        nexts = [i for i in (text.find(c, pos) for c in ",;.:") if i != -1]
        end = min(nexts) if nexts else len(text)
        end = max(end, pos + 1)
        unread = normalised.original_text(start, end)
        message = f"cannot read '{unread}'"
        if clause_start < pos:
            message += f" after '{normalised.original_text(clause_start, pos)}'"
    ctx.fail("unread-phrase", message, start, end)


def compile_phrase(
    text: str,
    *,
    cap: Decimal | int | str | None,
    input: str | None = None,  # noqa: A002 - the name the brief and the docs use
    counting: ast.Counting | None = None,
    inputs: Mapping[str, ast.InputType] | None = None,
    grades: Sequence[str] = DEFAULT_GRADES,
    source: str = "<phrase>",
) -> PhraseResult:
    """Compile one scoring phrase (评价要点) into a rule, or into a framework setting.

    Args:
        text: the phrase, as published ("办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分").
        cap: the indicator's points. ``None`` only for phrases about the grade or the whole
            framework (一票否优, 降一档, grade bands).
        input: the name of the rule's input. Without it, inputs are named ``q_`` plus a hash of
            their description (stable: the same subject gives the same name). A rule with
            several inputs names the others ``INPUT_target``, ``INPUT_ref``, ``INPUT_2``, … or,
            in a combined rule, ``INPUT_1``, ``INPUT_2``, … for the parts.
        counting: the step counting to write into steps whose phrase does not state one
            (None: leave it to the framework's declared default; the notes say so).
        inputs: the framework's declared inputs (name → type). An input the phrase needs
            that is declared takes the declared type when both are numbers; a clash
            (a percent phrase on a bool input) is an error.
        grades: the framework's grades, best first, for 一票否优 and 不得评为优秀.
        source: the name shown in diagnostics.

    Returns:
        A :class:`PhraseResult`.

    Raises:
        PhraseError: the phrase cannot be read, or says something contradictory; the
            diagnostic points at the original text, with the nearest known phrasing as a hint.
    """
    normalised = normalise_mapped(text)
    ctx = _Context(normalised, source, counting, dict(inputs or {}), tuple(grades))
    if cap is not None:
        try:
            cap = Decimal(str(cap))
        except InvalidOperation:
            raise ValueError(f"cap must be a number, not {cap!r}") from None
        if cap < 0:
            raise ValueError("cap must not be negative")
    if not normalised.text.strip(",;.:"):
        ctx.fail("empty-phrase", "the phrase is empty", 0, 0, "write the scoring standard")
    if len(text) > MAX_PHRASE_CHARS:
        ctx.fail("phrase-too-long", f"a phrase may hold at most {MAX_PHRASE_CHARS} characters",
                 0, 1, "split it into one phrase per indicator")
    try:
        tree = phrase_parser().parse(normalised.text)
    except UnexpectedInput as error:
        _parse_error(error, normalised, ctx)
        raise AssertionError("unreachable") from None  # pragma: no cover
    clauses = _Reader(ctx.fail).clauses(tree)
    made = _Assembler(ctx, cap, input).assemble(clauses)  # type: ignore[arg-type]
    span = _span_of(text, source, 0, len(text))
    rule = made if isinstance(made, ast.RULE_KINDS) else None
    setting = None if rule is not None else made
    if rule is not None:
        rule = attrs.evolve(rule, span=span)  # type: ignore[misc]
    return PhraseResult(
        text=text,
        normalised=normalised.text,
        kind=ctx.kind,
        rule=rule,
        setting=setting,
        inputs=dict(ctx.decls),
        notes=tuple(ctx.notes),
        span=span,
    )
