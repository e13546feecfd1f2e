"""Personal data is masked before it can reach a page."""

from data.domain.pii import mask_name, mask_phone


def test_names_keep_only_the_family_name():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李*"  # even one character reveals nothing more than the family name
    assert mask_name("") == "" and mask_name(None) == ""


def test_phones_keep_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_phone("021-63211234") == "****1234"
    assert "1234" not in mask_phone("138") and mask_phone(None) == ""
