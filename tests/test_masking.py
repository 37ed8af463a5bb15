"""Masking in staff views: what residents really type into a complaint, numbers every which way."""

from __future__ import annotations

import pytest

from cases.masking import mask_name, mask_phone, mask_text


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("有事打我电话13812345678。", "有事打我电话138****5678。"),
        ("电话：138 1234 5678，白天都在", "电话：138****5678，白天都在"),
        ("联系139-0591-2345", "联系139****2345"),
        ("+86 135 9999 0000", "135****0000"),
        ("手机８６１５０１２３４５６７８", "手机150****5678"),
        (
            "我的手机是１３８－１２３４－５６７８，村主任不给办",
            "我的手机是138****5678，村主任不给办",
        ),
        ("手机号：１３８ １２３４ ５６７８", "手机号：138****5678"),
    ],
)
def test_mobiles_in_every_shape_keep_only_the_first_three_and_last_four_digits(written, shown):
    assert mask_text(written) == shown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("村委会电话0594-7654321，一直没人接", "村委会电话0594-****4321，一直没人接"),
        ("打过（0591）22345678", "打过0591-****5678"),
        ("北京010 8765 4321也打了", "北京010-****4321也打了"),
    ],
)
def test_landlines_keep_the_area_code(written, shown):
    assert mask_text(written) == shown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (
            "我身份证号350124198805061234，户口在湖头村",
            "我身份证号350***********1234，户口在湖头村",
        ),
        ("身份证：35012419880506123x", "身份证：350***********123x"),
        ("身份证３５０１２４１９８８０５０６１２３Ｘ", "身份证350***********123X"),
        ("老身份证350124880506123还在用", "老身份证350********6123还在用"),
    ],
)
def test_id_numbers_hide_the_birth_date(written, shown):
    assert mask_text(written) == shown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("补贴打到社保卡6217 0012 3456 7890 123里", "补贴打到社保卡***************0123里"),
        ("一卡通6228480012345678", "一卡通************5678"),
        ("存折号6013-8200-1234-5678", "存折号************5678"),
        ("账号12345678901", "账号*******8901"),
    ],
)
def test_bank_cards_and_other_long_numbers_keep_the_last_four_digits(written, shown):
    assert mask_text(written) == shown


def test_amounts_dates_and_plain_text_are_left_alone():
    text = (
        "2019年5月1日房子验收了，说好补助15000元，到2020-03-15还没发。"
        "村干部说要交2000块“手续费”。门牌号88号，户号20190501。"
    )
    assert mask_text(text) == text
    assert mask_text("") == ""


def test_a_long_complaint_masks_every_number_and_nothing_else():
    text = (
        "我叫张大山，身份证350124197001011234，电话１３９ ０５９１ ２３４５。"
        "去年危房改造补助3.5万元，村支书说要打到他指定的卡6222 0212 3456 7890，"
        "不然不给验收。有问题可以打村委会0591-22345678核实。"
    )
    masked = mask_text(text)
    for secret in ("197001011234", "0591 2345", "２３４５", "0212 3456", "22345678"):
        assert secret not in masked
    for kept in (
        "我叫张大山",
        "350***********1234",
        "139****2345",
        "************7890",
        "0591-****5678",
        "3.5万元",
        "不然不给验收",
    ):
        assert kept in masked


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张大山", "张**"),
        ("李四", "李*"),
        ("王", "*"),
        ("欧阳娜娜", "欧***"),
        (" 陈红 ", "陈*"),
        ("", ""),
    ],
)
def test_names_keep_only_the_family_name(name, shown):
    assert mask_name(name) == shown


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("059122345678", "********5678"),
    ],
)
def test_contact_phone(phone, shown):
    assert mask_phone(phone) == shown


# ------------------------------------------------------- generated formats (hypothesis)

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_DIGIT = "0123456789"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# What residents put between digit groups: spaces, dashes, dots, commas, 、, slashes, in both widths.
_SEPARATOR = st.sampled_from(
    [" ", "-", ".", ",", "，", "、", "/", "·", "－", "．", "\u3000", " - ", "  "]
)
# Words around a number; they carry no digits.
_WORDS = st.text(alphabet="我的电话是身份证号码请联系村委会主任补助款没有发下来：", max_size=12)


@st.composite
def _grouped(draw, digits: str) -> str:
    """`digits` cut into groups of 1-8 joined by one separator each, sometimes in full-width."""
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=5)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=False)]
    if any(len(g) > 8 for g in groups):
        groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    written = groups[0]
    for group in groups[1:]:
        written += draw(_SEPARATOR) + group
    return written.translate(_FULL_WIDTH) if draw(st.booleans()) else written


@st.composite
def mobiles(draw) -> tuple[str, str]:
    """(mobile digits, how it was written): grouped, in parentheses, with or without +86."""
    number = (
        "1"
        + draw(st.sampled_from("3456789"))
        + draw(st.text(alphabet=_DIGIT, min_size=9, max_size=9))
    )
    shape = draw(st.sampled_from(["grouped", "parentheses", "country"]))
    if shape == "parentheses":
        written = f"({number[:3]}){draw(_grouped(number[3:]))}"
    elif shape == "country":
        written = draw(st.sampled_from(["+86 ", "+86-", "0086 ", "86"])) + draw(_grouped(number))
    else:
        written = draw(_grouped(number))
    return number, written


@st.composite
def id_numbers(draw) -> tuple[str, str]:
    """(ID number, how it was written): 18 characters with a real birth date, grouped any way."""
    area = draw(st.sampled_from("123456789")) + draw(
        st.text(alphabet=_DIGIT, min_size=5, max_size=5)
    )
    birth = f"{draw(st.integers(1900, 2025))}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}"
    tail = draw(st.text(alphabet=_DIGIT, min_size=3, max_size=3)) + draw(
        st.sampled_from([*_DIGIT, "X", "x"])
    )
    number = area + birth + tail
    return number, draw(_grouped(number))


def _digits_of(text: str) -> str:
    return "".join(
        ch
        for ch in text.translate(str.maketrans("０１２３４５６７８９", _DIGIT))
        if ch.isdigit() or ch in "Xx"
    )


@given(mobiles(), _WORDS, _WORDS)
def test_a_mobile_written_any_way_shows_only_its_first_three_and_last_four_digits(
    mobile, before, after
):
    number, written = mobile
    masked = mask_text(before + written + after)
    assert _digits_of(masked) == number[:3] + number[-4:], masked
    assert masked.startswith(before) and masked.endswith(after)


@given(id_numbers(), _WORDS, _WORDS)
def test_an_id_number_written_any_way_hides_its_birth_date(id_number, before, after):
    number, written = id_number
    masked = mask_text(before + written + after)
    assert _digits_of(masked) == number[:3] + number[-4:], masked
    assert masked.startswith(before) and masked.endswith(after)


@given(st.lists(st.tuples(_WORDS.filter(bool), st.integers(0, 999_999)), max_size=6))
def test_short_numbers_between_words_are_left_alone(parts):
    text = "".join(f"{words}{number}" for words, number in parts)
    assert mask_text(text) == text
