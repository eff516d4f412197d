"""One reverse() for many rows gives what reverse() gives for each."""

import pytest
from django.urls import reverse

from config.reversing import url_filler


@pytest.mark.parametrize("line_id,stage", [("1.1", "self"), ("3.5.2", "county"), ("5", "city")])
def test_filled_url_is_reverses(line_id, stage):
    fill = url_filler("evaluations:save_line", 42, slots=("LINEID", "STAGEID"))
    assert fill(line_id, stage) == reverse("evaluations:save_line", args=[42, line_id, stage])


def test_every_slot_takes_a_value():
    fill = url_filler("evaluations:evidence", 7, slots=("LINEID",))
    with pytest.raises(ValueError):
        fill("1.1", "extra")
