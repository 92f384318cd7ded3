import numpy as np
import pytest

from geo.employers import credit_code


def test_known_real_code_is_valid():
    # Published code of Alibaba (China) Co., Ltd.; check character computed by GB 32100-2015.
    assert credit_code.validate("91330100799655058B") == "91330100799655058B"


def test_lower_case_and_whitespace_are_normalised():
    assert credit_code.validate(" 91330100799655058b ") == "91330100799655058B"


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(credit_code.CreditCodeError, match="expected B"):
        credit_code.validate("91330100799655058C")


@pytest.mark.parametrize("code, message", [
    ("9133010079965505", "18 characters"),
    ("91330100799655058BB", "18 characters"),
    ("9133010079965505IB", "not allowed"),
    ("9133010079965505ZB", "not allowed"),
])
def test_malformed_codes_are_rejected_with_a_reason(code, message):
    with pytest.raises(credit_code.CreditCodeError, match=message):
        credit_code.validate(code)


def test_generated_codes_are_valid_and_carry_the_adcode():
    rng = np.random.default_rng(1)
    adcodes = np.array(["410102", "411728"] * 500)
    codes = credit_code.generate(adcodes, rng)
    for c in codes:
        credit_code.validate(c)  # raises CreditCodeError for an invalid code
    assert [c[2:8] for c in codes] == list(adcodes)
    assert len(set(codes)) > 990
