"""The simulated contact: its system values, what changes during the call, and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

DEFAULT_CONTACT_ID = "5fb5a0c5-0000-4000-8000-000000000001"
DEFAULT_INSTANCE_ARN = (
    "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-4333-8444-555555555555"
)

EndedBy = Literal["flow", "caller", "agent"]
HangsUpFirst = Literal["agent", "caller"]


@dataclass(frozen=True)
class SimulatedContact:
    """System values of the simulated contact: what `$.ContactId`, `$.Channel`... resolve to."""

    contact_id: str = DEFAULT_CONTACT_ID
    initial_contact_id: str = DEFAULT_CONTACT_ID
    previous_contact_id: str = DEFAULT_CONTACT_ID
    channel: str = "VOICE"
    instance_arn: str = DEFAULT_INSTANCE_ARN
    initiation_method: str = "INBOUND"
    language_code: str = "en-US"
    customer_address: str = "+15555550100"
    system_address: str = "+15555550199"
    name: str = ""


@dataclass(frozen=True)
class Queue:
    """The contact's target queue: the reference the flow used and its logical name."""

    reference: str
    name: str


class EventKind(StrEnum):
    """What happened at one step of the call, in the order the call log lists them."""

    FLOW = "flow"  # a flow run started
    PROMPT = "prompt"  # the caller heard something
    KEYS = "keys"  # the caller pressed keys
    TIMEOUT = "timeout"  # the caller said nothing in time
    HANG_UP = "hang-up"  # someone hung up
    LAMBDA = "lambda"  # a Lambda call and its answer (or error)
    ATTRIBUTE = "attribute"  # a contact attribute changed
    QUEUE = "queue"  # the target queue was set
    TRANSFER = "transfer"  # a transfer to a queue succeeded, or failed
    CALLBACK = "callback"  # a callback contact was created
    HOOK = "hook"  # an event hook (e.g. the disconnect flow) was set
    SETTING = "setting"  # voice, logging or recording behaviour changed
    BRANCH = "branch"  # an error branch was taken
    END = "end"  # the flow ended the call or its own run


@dataclass(frozen=True)
class Event:
    """One entry of the call log; `data` holds the machine-readable details."""

    kind: EventKind
    flow: str
    action: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class CallState:
    """Everything a call changes as it runs; the actions read and update it."""

    contact: SimulatedContact
    attributes: dict[str, str]
    language_code: str  # $.LanguageCode: the contact's, until UpdateContactData sets another
    external: dict[str, Any] = field(default_factory=dict)
    stored_input: str | None = None
    queue: Queue | None = None
    voice: str = "Joanna"
    hooks: dict[str, str] = field(default_factory=dict)
    callback_number: str | None = None  # None: the caller's number (UpdateContactCallbackNumber)
    customer_present: bool = True  # False once the caller has hung up
    loop_counters: dict[tuple[str, str], int] = field(default_factory=dict)
    flows: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    transfers: list[dict[str, str]] = field(default_factory=list)
    callbacks: list[dict[str, str]] = field(default_factory=list)
    lambda_invocations: list[dict[str, Any]] = field(default_factory=list)
    visited: list[tuple[str, str]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    listener: Callable[[Event], None] | None = None  # told of each entry as it is logged

    def log(self, kind: EventKind, flow: str, action: str, text: str, /, **data: Any) -> None:
        event = Event(kind, flow, action, text, data)
        self.events.append(event)
        if self.listener is not None:
            self.listener(event)


@dataclass(frozen=True)
class CallResult:
    """What a simulated call did, for assertions, coverage and the transcript."""

    flows: list[str]
    prompts: list[str]
    attributes: dict[str, str]
    transfers: list[dict[str, str]]
    callbacks: list[dict[str, str]]
    lambda_invocations: list[dict[str, Any]]
    visited: list[tuple[str, str]]
    ended_by: EndedBy
    events: list[Event]
    unused_input: list[str]
    contact: SimulatedContact
    language_code: str

    @classmethod
    def from_state(cls, state: CallState, ended_by: EndedBy, unused: list[str]) -> CallResult:
        return cls(
            flows=state.flows,
            prompts=state.prompts,
            attributes=state.attributes,
            transfers=state.transfers,
            callbacks=state.callbacks,
            lambda_invocations=state.lambda_invocations,
            visited=state.visited,
            ended_by=ended_by,
            events=state.events,
            unused_input=unused,
            contact=state.contact,
            language_code=state.language_code,
        )
