from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peritus.certification import numbers

ALPHABET = numbers.ALPHABET
bodies = st.text(alphabet=ALPHABET, min_size=1, max_size=24)


def with_check(body: str) -> str:
    return body + numbers.check_character(body)


@given(bodies)
def test_a_number_with_its_check_character_is_valid(body: str) -> None:
    assert numbers.has_valid_check(with_check(body))


@given(bodies, st.data())
def test_every_single_character_substitution_is_caught(body: str, data: st.DataObject) -> None:
    number = with_check(body)
    position = data.draw(st.integers(0, len(number) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != number[position]))
    mistyped = number[:position] + replacement + number[position + 1 :]

    assert not numbers.has_valid_check(mistyped)


@given(bodies, st.data())
def test_every_adjacent_transposition_is_caught(body: str, data: st.DataObject) -> None:
    number = with_check(body)
    if len(set(number)) == 1:
        return
    position = data.draw(
        st.integers(0, len(number) - 2).filter(lambda i: number[i] != number[i + 1])
    )
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]

    assert not numbers.has_valid_check(swapped)


def test_the_check_catches_every_substitution_and_swap_of_a_real_number_exhaustively() -> None:
    number = numbers.fold(numbers.format_number("WI", 1234))
    for position, original in enumerate(number):
        for replacement in ALPHABET:
            if replacement != original:
                mistyped = number[:position] + replacement + number[position + 1 :]
                assert not numbers.has_valid_check(mistyped), mistyped
    for position in range(len(number) - 1):
        if number[position] != number[position + 1]:
            swapped = (
                number[:position] + number[position + 1] + number[position] + number[position + 2 :]
            )
            assert not numbers.has_valid_check(swapped), swapped


def test_the_alphabet_has_no_look_alike_characters() -> None:
    assert len(ALPHABET) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert set(ALPHABET) <= set(string.digits + string.ascii_uppercase)


@given(st.integers(1, 10**9), st.sampled_from(["WI", "MI", "CLOUD", "S1"]))
def test_look_alikes_typed_for_one_another_still_read_as_the_same_number(
    serial: int, prefix: str
) -> None:
    number = numbers.format_number(prefix, serial)
    sloppy = number.lower().replace("0", "o").replace("1", "l").replace("-", " ")

    assert numbers.number_key(sloppy) == numbers.number_key(number)
    assert numbers.has_valid_check(sloppy)


@settings(max_examples=50)
@given(st.integers(1, 10**7))
def test_numbers_are_scheme_prefixed_and_zero_padded(serial: int) -> None:
    number = numbers.format_number("WI", serial)

    assert number.startswith("WI-")
    assert number.split("-")[1] == f"{serial:07d}"


def test_a_scheme_code_becomes_a_prefix_of_letters_and_digits() -> None:
    assert numbers.prefix_for("cloud-sec 2") == "CLOUDSEC2"
    with pytest.raises(ValueError, match="letter or a digit"):
        numbers.prefix_for("--")


def test_a_revision_suffix_is_read_apart_from_the_number() -> None:
    number = numbers.format_number("WI", 1234)

    readings = numbers.parse_reference(f"{number}-R2")

    assert readings[0] == numbers.NumberReference(numbers.number_key(number), 2, check_ok=True)
    assert numbers.format_revision(number, 2) == f"{number}-R2"
    assert numbers.format_revision(number, 1) == number


def test_a_check_character_r_is_not_mistaken_for_a_revision() -> None:
    serial = next(s for s in range(1, 5000) if numbers.format_number("WI", s).endswith("-R"))
    number = numbers.format_number("WI", serial)

    assert numbers.parse_reference(number)[0].revision is None
    assert numbers.parse_reference(number)[0].check_ok


def test_text_that_is_not_a_number_has_no_reading() -> None:
    assert numbers.parse_reference("") == []
    assert numbers.parse_reference("<script>") == []
    assert numbers.parse_reference("x" * 100) == []
    with pytest.raises(ValueError, match="Serials start at 1"):
        numbers.format_number("WI", 0)


def step(interim: int, value: int) -> int:
    return numbers._STEP[interim] ^ value


def test_the_quasigroup_is_a_latin_square_so_any_single_error_persists_to_the_end() -> None:
    # Proof over all 32 × 32 entries: each row and each column is a permutation, so a changed
    # interim value or a changed character changes every later interim value.
    for interim in range(32):
        assert sorted(step(interim, value) for value in range(32)) == list(range(32))
        assert sorted(step(other, interim) for other in range(32)) == list(range(32))


def test_the_quasigroup_is_totally_anti_symmetric_so_any_adjacent_swap_is_caught() -> None:
    # Proof over all 32³ triples: (c∘x)∘y = (c∘y)∘x only when x = y (Damm's condition).
    for interim in range(32):
        for first in range(32):
            for second in range(32):
                if first != second:
                    assert step(step(interim, first), second) != step(step(interim, second), first)
