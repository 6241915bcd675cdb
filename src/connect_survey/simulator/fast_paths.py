"""moto's shorter paths for the requests the simulator makes most, while an embedded AWS runs.

A simulated call makes about fifteen DynamoDB requests, and most of moto's time went into work
whose result the handlers never see (measured with cProfile over the bench's calls):

- Answering: moto walks each reply through the operation's botocore output shape, member by
  member and alias by alias (`moto/core/serialize.py`), about a fifth of a call. moto's DynamoDB
  replies for item operations are already in the wire's attribute-value form, so JSON-encoding
  them gives the same reply: botocore parses it to the same response (a test compares the two
  replies for every operation a played call makes). Anything JSON cannot encode, and every
  error, still takes moto's own path.
- Dispatching: moto lists the handler class's methods with `inspect.getmembers` on every
  request; a class's methods do not change while it runs, so the list is kept.
- Starting sessions: moto resets boto3's default session and the handlers rebuild their clients,
  and each new botocore session parsed AWS's service models and endpoint data from JSON again
  (`shared_service_data`).

Nothing here changes what moto stores, checks or answers: moto stays the embedded AWS.
"""

from __future__ import annotations

import functools
import json
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, Final
from unittest import mock

if TYPE_CHECKING:
    from collections.abc import Iterator

# The item operations whose replies moto builds as attribute-value JSON already.
JSON_REPLIES: Final = frozenset(
    {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
)
# DynamoDB speaks JSON 1.0 (its service model's jsonVersion).
DYNAMODB_CONTENT_TYPE: Final = "application/x-amz-json-1.0"


@contextmanager
def fast_paths() -> Iterator[None]:
    """moto's shorter paths, in force until the block ends."""
    from moto.core import responses, utils

    moto_serialized = responses.BaseResponse.serialized
    listed = functools.cache(utils.method_names_from_class)

    def serialized(handler: Any, action_result: Any) -> Any:
        reply = json_reply(handler, action_result)
        return moto_serialized(handler, action_result) if reply is None else reply

    with ExitStack() as patches:
        patches.enter_context(mock.patch.object(responses.BaseResponse, "serialized", serialized))
        patches.enter_context(mock.patch.object(responses, "method_names_from_class", listed))
        patches.enter_context(shared_service_data())
        yield


@contextmanager
def shared_service_data() -> Iterator[None]:
    """Every botocore session started in the block reads service models and endpoint data through
    one loader per data path, which keeps what it parsed. The files do not change while a process
    runs, and botocore only reads what it loads."""
    from botocore import loaders, session

    shared: dict[str | None, loaders.Loader] = {}

    def register_data_loader(self: session.Session) -> None:
        def data_loader() -> loaders.Loader:
            path = self.get_config_variable("data_path")
            if path not in shared:
                shared[path] = loaders.create_loader(path)
            return shared[path]

        self._components.lazy_register_component("data_loader", data_loader)

    with mock.patch.object(session.Session, "_register_data_loader", register_data_loader):
        yield


def json_reply(handler: Any, action_result: Any) -> tuple[int, dict[str, str], str] | None:
    """moto's DynamoDB item reply as JSON; None where moto's own serializer must answer."""
    from moto.dynamodb.responses import DynamoHandler

    result = action_result.result
    if not isinstance(handler, DynamoHandler) or isinstance(result, Exception):
        return None
    if handler._get_action() not in JSON_REPLIES:
        return None
    try:
        body = json.dumps(result)
    except (TypeError, ValueError):  # a value only the output shape knows how to write
        return None
    return 200, {"Content-Type": DYNAMODB_CONTENT_TYPE, **handler.response_headers}, body
