"""Property-based run of schemathesis against the app's own /openapi.json (default corpus).

Every operation gets a bounded number of generated requests, valid and invalid; no
response may be a server error, and every response must match the documented status
codes, content types, headers and schemas. ``positive_data_acceptance`` is left out on
purpose: schema-valid input can still be meaningless (a random cursor, a query of only
punctuation), and the API answers that with a documented 422.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

# 16 operations x 25 examples: about 15 s on a laptop-class machine (the brief's budget is 60 s).
EXAMPLES_PER_OPERATION = 25


def test_schemathesis_finds_no_server_error_and_no_schema_violation(api_client: Any) -> None:
    import schemathesis
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi import checks

    app = api_client.app  # its lifespan is running: the database is open
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    enabled = [
        schemathesis.checks.not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_headers_conformance,
        checks.response_schema_conformance,
        checks.negative_data_rejection,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(checks=enabled)

        run()
