import pytest

from kb.text.numerals import cn_to_int, int_to_cn, roman_to_int

CASES = [
    ("一", 1),
    ("十", 10),
    ("十三", 13),
    ("二十", 20),
    ("九十九", 99),
    ("一百", 100),
    ("一百零五", 105),
    ("一百一十", 110),
    ("二百六十", 260),
    ("一千", 1000),
    ("一千零三十四", 1034),
    ("一千二百六十", 1260),
    ("两千", 2000),
    ("一万零一", 10001),
    ("17", 17),
    ("１７", 17),
]


@pytest.mark.parametrize(("text", "value"), CASES)
def test_cn_to_int(text: str, value: int) -> None:
    assert cn_to_int(text) == value


@pytest.mark.parametrize("bad", ["", "abc", "第一", "十三条"])
def test_cn_to_int_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        cn_to_int(bad)


def test_round_trip() -> None:
    assert all(cn_to_int(int_to_cn(n)) == n for n in [*range(1, 3000), 9999, 10000, 10001, 10010, 20500, 123456])
    assert int_to_cn(1260) == "一千二百六十"
    assert int_to_cn(10) == "十"


@pytest.mark.parametrize(("text", "value"), [("i", 1), ("iv", 4), ("vii", 7), ("ix", 9), ("xiv", 14)])
def test_roman(text: str, value: int) -> None:
    assert roman_to_int(text) == value
