"""Every case of testdata/client-policy/cases.json (contract §8) through the Python binding's
``Exchange``: the expected actions are the table's, written by hand from the contract."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import pytest

import nuvera_signing as ns

from conftest import API_KEY, TESTDATA

CASES: List[Dict[str, Any]] = json.loads(
    (TESTDATA / "client-policy" / "cases.json").read_text("utf-8")
)["cases"]


def policy_of(case: Dict[str, Any]) -> ns.ClientPolicy:
    given = case.get("policy", {})
    retry: Optional[ns.RetryPolicy] = None
    if "retry" in given:
        r = given["retry"]
        retry = ns.RetryPolicy(
            statuses=r.get("statuses"),
            methods=r.get("methods"),
            max_attempts=r.get("maxAttempts"),
            base_delay_ms=r.get("baseDelayMs"),
            max_delay_ms=r.get("maxDelayMs"),
        )
    return ns.ClientPolicy(
        max_redirects=given.get("maxRedirects"), retry=retry, correct_clock=given.get("correctClock")
    )


def attempt_dict(attempt: ns.Attempt) -> Dict[str, Any]:
    return {
        "method": attempt.method,
        "url": attempt.url,
        "sendBody": attempt.send_body,
        "credentials": attempt.credentials,
    }


def test_the_table_has_cases() -> None:
    assert len(CASES) >= 77
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: Dict[str, Any], key: ns.PrivateKey) -> None:
    signer = ns.Signer(key, API_KEY, clock_offset=case["clockOffset"])
    request = case["request"]
    make = lambda: ns.Exchange(  # noqa: E731
        policy_of(case), signer, request["method"], request["url"],
        has_body=request["hasBody"], jitter=case.get("jitter"),
    )
    if "fail" in case["first"]:
        with pytest.raises(ns.NuveraSigningError) as refused:
            make()
        assert refused.value.code == case["first"]["fail"]
        return
    exchange = make()
    assert attempt_dict(exchange.first) == case["first"]
    for n, step in enumerate(case["steps"]):
        response, expect = step["response"], step["expect"]
        where = f"step {n}"
        headers = [(name, value) for name, value in response["headers"]]
        if expect["action"] == "fail":
            with pytest.raises(ns.NuveraSigningError) as failed:
                exchange.on_response(
                    response["status"], headers, response["body"].encode(),
                    sent_at_ms=response["sentAtMs"], received_at_ms=response["receivedAtMs"],
                )
            assert failed.value.code == expect["code"], where
        else:
            action = exchange.on_response(
                response["status"], headers, response["body"].encode(),
                sent_at_ms=response["sentAtMs"], received_at_ms=response["receivedAtMs"],
            )
            assert action.kind == expect["action"], where
            if expect["action"] == "send":
                assert action.attempt is not None, where
                assert attempt_dict(action.attempt) == expect["attempt"], where
                assert action.reason == expect["reason"], where
                assert action.delay_ms == expect["delayMs"], where
            else:
                assert action.attempt is None and action.reason is None, where
        assert signer.clock_offset == expect["clockOffset"], where


def test_an_exchange_over_refuses_more_responses(key: ns.PrivateKey) -> None:
    exchange = ns.Exchange(ns.ClientPolicy(), ns.Signer(key, API_KEY), "GET", "https://a.test/x", has_body=False)
    assert exchange.on_response(200, {}, sent_at_ms=0, received_at_ms=0).kind == "done"
    with pytest.raises(ns.InvalidRequestError) as e:
        exchange.on_response(200, {}, sent_at_ms=0, received_at_ms=0)
    assert e.value.code == "OBJECT_CLOSED"


def test_the_defaults_are_the_contracts() -> None:
    # Contract §8: 10 hops; retries off; clock correction on; retry defaults as listed there.
    policy = ns.ClientPolicy()
    assert (policy.max_redirects, policy.retry, policy.correct_clock) == (10, None, True)
    retry = ns.RetryPolicy()
    assert retry.statuses == [429, 502, 503, 504]
    assert retry.methods == ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]
    assert (retry.max_attempts, retry.base_delay_ms, retry.max_delay_ms) == (3, 200, 10_000)
    assert ns.ClientPolicy(retry=True).retry == retry
    assert ns.ClientPolicy(retry=False).retry is None
    assert ns.RetryPolicy.including_post().methods == [*retry.methods, "POST"]
    assert ns.RetryPolicy(methods=["post", "get"]).methods == ["POST", "GET"]


def test_bad_policies_are_refused_with_core_codes() -> None:
    with pytest.raises(ns.InvalidRequestError) as e:
        ns.RetryPolicy(max_attempts=0)
    assert e.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ns.InvalidRequestError) as e:
        ns.RetryPolicy(base_delay_ms=2, max_delay_ms=1)
    assert e.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ns.InvalidRequestError) as e:
        ns.RetryPolicy(methods=["NOT A METHOD"])
    assert e.value.code == "INVALID_METHOD"
    with pytest.raises(TypeError):
        ns.ClientPolicy(retry="yes")  # type: ignore[arg-type]
    for bad in (lambda: ns.ClientPolicy(max_redirects=-1), lambda: ns.RetryPolicy(statuses=[70_000]),
                lambda: ns.RetryPolicy(max_attempts=2**40), lambda: ns.RetryPolicy(max_delay_ms=-1)):
        with pytest.raises(ns.InvalidRequestError) as e:
            bad()
        assert e.value.code == "INVALID_ARGUMENT"


def test_a_signer_offset_over_a_day_is_refused(key: ns.PrivateKey) -> None:
    with pytest.raises(ns.ClientError) as e:
        ns.Signer(key, API_KEY, clock_offset=86_401)
    assert e.value.code == "CLOCK_SKEW_TOO_LARGE"
    assert ns.Signer(key, API_KEY, clock_offset=-600).clock_offset == -600
