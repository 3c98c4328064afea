"""Every output pinned (tests/golden): both samples, the input at the year end, check, template,
word-templates and a 200-unit synthetic build with two periods, each run as a clerk types it.

A change that moves an output byte fails here; when the change is meant, rewrite the digests with
``python tests/golden/outputs.py --update`` and say in the commit which outputs changed and why."""
import pytest
from golden import outputs


@pytest.fixture(scope="module")
def records():
    return outputs.run_all()


@pytest.mark.parametrize("case", list(outputs.CASES))
def test_outputs_as_pinned(records, case):
    record = records[case]
    assert record["<exit>"] in ("0", "1"), f"{case} exited {record['<exit>']}"
    assert outputs.differences(case, record) == []
