"""The contact view: what the handlers read from a Connect event, whatever its shape."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.lambda_asset.survey.contact import Contact
from connect_survey.lambda_asset.survey.exceptions import MalformedEventError


def test_contact_view_reads_the_full_event(load_event: Any) -> None:
    # GIVEN the full sample event
    event = load_event("connectContactFlowEventAll")

    # WHEN it is read
    contact = Contact.from_event(event)

    # THEN every field the handlers use is there, and the caller's number is not
    assert contact == Contact(
        contact_id="6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5",
        initial_contact_id="0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
        channel="VOICE",
        initiation_method="INBOUND",
        queue_name="BasicQueue",
        attributes={"Survey_Opt_in": "true", "language": "en-US"},
        parameters={"question": "effort", "digits": "4"},
    )
    assert "+1234567890" not in repr(contact)


def test_contact_view_reads_the_minimal_event(load_event: Any) -> None:
    # GIVEN the minimal sample event: null queue and endpoints, empty maps
    # WHEN it is read
    contact = Contact.from_event(load_event("connectContactFlowEventMin"))

    # THEN what is missing is None or empty
    assert (contact.queue_name, contact.attributes, contact.parameters) == (None, {}, {})
    assert contact.initiation_method == "API"


@pytest.mark.parametrize(
    ("channel", "method"), [("TASK", "DISCONNECT"), ("CHAT", "QUEUE_TRANSFER"), ("EMAIL", "API")]
)
def test_contact_view_keeps_values_the_powertools_enums_do_not_know(
    load_event: Any, channel: str, method: str
) -> None:
    # GIVEN a channel and initiation method newer than Powertools' enums
    event = load_event("connectContactFlowEventAll")
    event["Details"]["ContactData"].update(Channel=channel, InitiationMethod=method)

    # WHEN it is read
    contact = Contact.from_event(event)

    # THEN the raw values come through
    assert (contact.channel, contact.initiation_method) == (channel, method)


def test_contact_view_drops_values_connect_would_never_send(load_event: Any) -> None:
    # GIVEN attributes and parameters that are not strings
    event = load_event(
        "connectContactFlowEventAll",
        parameters={"question": "effort", "digits": 4, "nested": {"a": "b"}},
        attributes={"EffortScore": "4", "PromoterScore": None},
    )

    # WHEN it is read
    contact = Contact.from_event(event)

    # THEN only the strings remain
    assert contact.parameters == {"question": "effort"}
    assert contact.attributes == {"EffortScore": "4"}


@pytest.mark.parametrize(
    "event",
    [None, [], {}, "text", {"Details": None}, {"Details": {"ContactData": None}}],
)
def test_contact_view_rejects_events_without_a_contact_id(event: Any) -> None:
    # GIVEN an event without Details.ContactData.ContactId
    # WHEN it is read
    # THEN it is malformed
    with pytest.raises(MalformedEventError, match="ContactId"):
        Contact.from_event(event)
