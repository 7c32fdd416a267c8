from core.request_reference import (
    is_request_reference,
    request_reference_grouped,
    request_reference_new,
    request_reference_normalised,
)


def test_a_reference_is_eight_characters_without_look_alikes():
    references = {request_reference_new() for _ in range(2000)}
    assert len(references) == 2000
    for reference in references:
        assert len(reference) == 8 and is_request_reference(reference)
        assert not set(reference) & set("0O1ILU"), reference


def test_grouped_for_reading_out_and_normalised_back_from_what_staff_type():
    assert request_reference_grouped("7K3M9QXD") == "7K3M-9QXD"
    assert request_reference_normalised(" 7k3m-9qxd ") == "7K3M9QXD"
    # Anything else (an empty id outside a request) is shown as it is.
    assert request_reference_grouped("") == ""
    assert not is_request_reference("7K3M-9QXD") and not is_request_reference("0123ABCD")
