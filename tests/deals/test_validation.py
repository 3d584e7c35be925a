"""Template rules of DESIGN §4: the 3-line proposal reason, 法人番号 check digits, normalised customer names."""

import pytest
from django.core.exceptions import ValidationError

from deals.validation import (
    clean_proposal_reason,
    corporate_number_check_digit,
    normalize_corporate_number,
    normalize_customer_name,
    validate_corporate_number,
    validate_proposal_reason,
)

JA_60 = "あ" * 60


class TestProposalReason:
    def test_three_japanese_lines_of_sixty_characters_are_accepted(self):
        validate_proposal_reason("\n".join([JA_60, JA_60, JA_60]))

    def test_a_fourth_line_is_refused_with_the_count(self):
        with pytest.raises(ValidationError) as error:
            validate_proposal_reason("一\n二\n三\n四")
        assert error.value.messages == ["The proposal reason has 4 lines; keep it to 3 lines."]

    def test_sixty_one_characters_are_refused_naming_the_line(self):
        with pytest.raises(ValidationError) as error:
            validate_proposal_reason(f"短い理由\n{JA_60}い")
        assert error.value.messages == ["Line 2 is 61 characters long, 1 character over the limit of 60."]

    def test_characters_not_bytes_are_counted(self):
        # 60 Japanese characters are 180 bytes in UTF-8: still within the limit.
        assert len(JA_60.encode()) == 180
        validate_proposal_reason(JA_60)

    def test_blank_lines_do_not_count(self):
        validate_proposal_reason("\n一\n\n  \n二\n\n三\n")
        assert clean_proposal_reason("\n一\n\n  \n 二 \n\n三\n") == "一\n二\n三"

    def test_empty_is_refused(self):
        with pytest.raises(ValidationError):
            validate_proposal_reason(" \n \n")

    def test_windows_line_endings_count_as_one_break(self):
        validate_proposal_reason("一\r\n二\r\n三\r\n")


class TestCorporateNumber:
    def test_the_published_example_is_valid(self):
        validate_corporate_number("7000012050002")
        assert corporate_number_check_digit("000012050002") == 7

    @pytest.mark.parametrize("number", ["8000012050002", "7000012050003"])
    def test_a_wrong_digit_is_caught_by_the_check_digit(self, number):
        with pytest.raises(ValidationError) as error:
            validate_corporate_number(number)
        assert error.value.code == "corporate_number_check_digit"

    @pytest.mark.parametrize("number", ["700001205000", "70000120500021", "70000120500O2"])
    def test_anything_but_thirteen_digits_is_refused(self, number):
        with pytest.raises(ValidationError) as error:
            validate_corporate_number(number)
        assert error.value.code == "corporate_number_format"

    def test_optional(self):
        validate_corporate_number("")

    def test_full_width_digits_and_hyphens_are_read_as_typed(self):
        assert normalize_corporate_number("７０００－０１２０－５０００２") == "7000012050002"
        assert normalize_corporate_number(" 7000 0120 50002 ") == "7000012050002"


class TestCustomerName:
    @pytest.mark.parametrize(
        "name",
        [
            "株式会社サンプル",
            "サンプル株式会社",
            "(株)サンプル",
            "（株）サンプル",
            "㈱サンプル",
            "ｻﾝﾌﾟﾙ 株式会社",
            "サンプル　㈱",
        ],
    )
    def test_japanese_company_forms_and_widths_give_one_key(self, name):
        assert normalize_customer_name(name) == "サンプル"

    @pytest.mark.parametrize(
        "name",
        [
            "Sample Co., Ltd.",
            "SAMPLE CO.,LTD.",
            "Sample Inc.",
            "Sample Corporation",
            "Ｓａｍｐｌｅ",
            " sample  k.k. ",
        ],
    )
    def test_english_company_forms_case_and_full_width_give_one_key(self, name):
        assert normalize_customer_name(name) == "sample"

    @pytest.mark.parametrize("name", ["ABC株式会社", "ABC(株)", "ＡＢＣ（株）", "㈱ABC", "ABC Co., Ltd."])
    def test_a_japanese_form_right_after_latin_letters_or_digits_is_removed(self, name):
        assert normalize_customer_name(name) == "abc"
        assert normalize_customer_name("顧客1（株）") == normalize_customer_name("株式会社顧客1")

    def test_words_that_merely_contain_a_form_keep_their_letters(self):
        assert normalize_customer_name("Incline Systems Inc.") == "inclinesystems"
        assert normalize_customer_name("Limitless Company") == "limitless"

    def test_the_long_vowel_mark_is_part_of_the_name(self):
        assert normalize_customer_name("ホールディングス") != normalize_customer_name("ホルディングス")

    def test_different_customers_stay_different(self):
        assert normalize_customer_name("サンプル商事") != normalize_customer_name("サンプル物産")
