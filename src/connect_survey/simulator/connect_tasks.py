"""Amazon Connect's StartTaskContact on the embedded AWS: moto has none, so it is answered here.

`EmbeddedTasks` answers the call in process on botocore's `before-call` hook, as Connect does:
it refuses what Connect documents it refuses (exactly one of ContactFlowId, QuickConnectId and
TaskTemplateId; a flow the instance does not have; Name, Description, References, Attributes and
ClientToken over their limits; a ScheduledTime in the past or more than 6 days ahead), and it
answers a ClientToken it has seen with the task that token started, starting no other. Every
task is kept, so tests and the simulator can count them and read what each carries.

It is registered on the generic `before-call` event: botocore asks the handlers of a more
specific event first, so a fault injected on the operation (or the sandbox's `--fail-service`,
registered before it) answers instead, and the request never reaches Connect.
https://docs.aws.amazon.com/connect/latest/APIReference/API_StartTaskContact.html
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ReadTimeoutError

from connect_survey.lambda_asset.survey.channels.task import (
    DESCRIPTION_CHARACTERS,
    NAME_CHARACTERS,
    SCHEDULE_MAX_MINUTES,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

OPERATION: Final = "before-call.connect.StartTaskContact"
REFERENCE_TYPES: Final = ("URL", "NUMBER", "STRING", "DATE", "EMAIL")
REFERENCES_BYTES: Final = 4096  # across all references of a contact
ATTRIBUTES_BYTES: Final = 32_768  # across all attributes of a contact
ATTRIBUTE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
CLIENT_TOKEN_CHARACTERS: Final = 500
FLOW_SOURCES: Final = ("ContactFlowId", "QuickConnectId", "TaskTemplateId")


@dataclass
class Task:
    """One task Connect started: its contact id and the request that started it."""

    contact_id: str
    request: dict[str, Any]
    # What its flow did, once the simulator played it (queue, or why it was not queued).
    routing: dict[str, Any] = field(default_factory=dict)

    @property
    def related_contact_id(self) -> str | None:
        return self.request.get("RelatedContactId")

    @property
    def attributes(self) -> dict[str, str]:
        return dict(self.request.get("Attributes") or {})


class EmbeddedTasks:
    """StartTaskContact answered as Connect answers it; `tasks` holds what it started."""

    def __init__(
        self,
        *,
        flow_ids: Collection[str] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.flow_ids = None if flow_ids is None else frozenset(flow_ids)  # None: any flow
        self.now = now
        self.tasks: list[Task] = []
        self.calls = 0  # requests Connect answered with a task (started, or found by token)
        self._by_token: dict[str, Task] = {}
        self._lost = 0
        self._lock = threading.Lock()  # a per-contact channel calls from several threads

    def attach(self, events: Any) -> None:
        """Answer StartTaskContact for a client's or a session's event hooks."""
        events.register("before-call", self._answer)

    def forget(self) -> None:
        """No task started yet (`simulate --calls`: each call as if alone)."""
        with self._lock:
            self.tasks.clear()
            self._by_token.clear()
            self.calls = self._lost = 0

    def lose_replies(self, times: int = 1) -> None:
        """The next `times` tasks are started, and their replies never arrive (a read timeout)."""
        self._lost = times

    def for_contact(self, contact_id: str) -> list[Task]:
        """The tasks related to the surveyed contact `contact_id`, in the order started."""
        return [task for task in self.tasks if task.related_contact_id == contact_id]

    def _answer(self, event_name: str, params: dict[str, Any], **_: Any) -> Any:
        if event_name != OPERATION:
            return None
        request = json.loads(params.get("body") or b"{}")
        refusal = self._refusal(request)
        if refusal is not None:
            code, message = refusal
            error = {"Code": code, "Message": message}
            return _Reply(400), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}
        with self._lock:
            token = request.get("ClientToken") or str(uuid.uuid4())  # the SDK fills it in
            task = self._by_token.get(token)
            if task is None:
                # Drawn from the token, so a seeded call starts the same task every run.
                task = Task(contact_id=str(uuid.uuid5(uuid.NAMESPACE_URL, token)), request=request)
                self._by_token[token] = task
                self.tasks.append(task)
            self.calls += 1
            lost, self._lost = self._lost > 0, max(self._lost - 1, 0)
        if lost:
            raise ReadTimeoutError(endpoint_url=params.get("url", "https://connect"))
        reply = {"ContactId": task.contact_id, "ResponseMetadata": {"HTTPStatusCode": 200}}
        return _Reply(200), reply

    def _refusal(self, request: dict[str, Any]) -> tuple[str, str] | None:
        """Connect's error for a request it refuses (code, message), or None."""
        sources = [name for name in FLOW_SOURCES if request.get(name)]
        if len(sources) != 1:
            return "InvalidRequestException", f"give exactly one of {', '.join(FLOW_SOURCES)}"
        flow = request.get("ContactFlowId")
        if flow is not None and self.flow_ids is not None and flow not in self.flow_ids:
            return "ResourceNotFoundException", f"flow {flow} is not on the instance"
        for name, limit in (("Name", NAME_CHARACTERS), ("Description", DESCRIPTION_CHARACTERS),
                            ("ClientToken", CLIENT_TOKEN_CHARACTERS)):  # fmt: skip
            if len(request.get(name) or "") > limit:
                return "InvalidParameterException", f"{name} is longer than {limit} characters"
        references = request.get("References") or {}
        if any(ref.get("Type") not in REFERENCE_TYPES for ref in references.values()):
            return "InvalidParameterException", f"a reference type is not one of {REFERENCE_TYPES}"
        if _bytes(references, "Value") > REFERENCES_BYTES:
            return "InvalidParameterException", f"references exceed {REFERENCES_BYTES} bytes"
        attributes = request.get("Attributes") or {}
        if not all(ATTRIBUTE_KEY.fullmatch(key) for key in attributes):
            return "InvalidParameterException", "attribute keys are letters, digits, - and _"
        if sum(len(k.encode()) + len(v.encode()) for k, v in attributes.items()) > ATTRIBUTES_BYTES:
            return "InvalidParameterException", f"attributes exceed {ATTRIBUTES_BYTES} bytes"
        scheduled = request.get("ScheduledTime")
        if scheduled is not None:
            at, now = datetime.fromtimestamp(float(scheduled), UTC), self.now()
            if at < now or at > now + timedelta(minutes=SCHEDULE_MAX_MINUTES):
                return "InvalidParameterException", "ScheduledTime is past or over 6 days ahead"
        expiry = request.get("SegmentAttributes", {}).get("connect:ContactExpiry")
        if expiry is not None:
            minutes = expiry.get("ValueMap", {}).get("ExpiryDuration", {}).get("ValueInteger")
            if not isinstance(minutes, int) or minutes < 1:
                return "InvalidParameterException", "ContactExpiry needs ExpiryDuration minutes"
        return None


class _Reply:
    """The HTTP side of an answer given in process: botocore reads the status code here."""

    headers: dict[str, str] = {}  # noqa: RUF012 (read-only)
    content = b""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def _bytes(references: dict[str, Any], value: str) -> int:
    """UTF-8 bytes of every reference's name and value together."""
    return sum(len(name.encode()) + len(str(ref.get(value, "")).encode())
               for name, ref in references.items())  # fmt: skip
