"""The results table: one item per answer, one summary item per contact (and outbox.py's item).

Every write is keyed by (contactId, question), so a retried invocation overwrites instead of
adding. Uses the low-level client (lighter to load than the resource API).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError

from . import aws, deadline
from .contract import (
    ITEM_SCORE,
    PENDING_SINCE,
    PENDING_WORK,
    SUMMARY_COMPLETED_AT,
    TABLE_PARTITION_KEY,
    TABLE_SORT_KEY,
)
from .exceptions import DeadlineError, MalformedItemError, StorageError
from .items import Answer, Summary, contact_of, result_key
from .telemetry import logger

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .contact import Contact

CONDITION_FAILED: Final = "ConditionalCheckFailedException"
# BatchGetItem reads at most 100 keys per request.
BATCH_GET_KEYS: Final = 100


def put_answer(
    table: str,
    contact: Contact,
    *,
    question: str,
    attribute: str,
    score: int,
    now: datetime,
    retention_days: int,
    mode: str | None = None,
    language: str | None = None,
    pending_cooldown: str | None = None,
) -> None:
    """Store one valid answer at once, so a caller who hangs up later still counts; with the
    caller key whose cooldown record is still to be written, if any (marked for the sweeper)."""
    answer = Answer(
        contact_id=contact.contact_id,
        question=question,
        score=score,
        attribute=attribute,
        answered_at=iso(now),
        expires_at=expires_at(now, retention_days),
        initial_contact_id=contact.initial_contact_id,
        channel=contact.channel,
        initiation_method=contact.initiation_method,
        queue=contact.queue_name,
        mode=mode or None,
        language=language or None,
        pending_cooldown=pending_cooldown,
        pending_since=iso(now) if pending_cooldown else None,
    )
    call("put_item", TableName=table, Item=answer.to_item())


def read_scores(table: str, contact_id: str, questions: Sequence[str]) -> dict[str, int]:
    """The contact's stored answers as question key → score (consistent read).

    The keys are known (contact + each question), so one BatchGetItem fetches exactly them:
    no Query over the contact's items, and nothing to filter out.
    """
    keys = [result_key(contact_id, question) for question in questions]
    scores: dict[str, int] = {}
    for _ in range(2):  # DynamoDB may leave keys unprocessed under throttling: ask once more
        response = call(
            "batch_get_item",
            RequestItems={
                table: {
                    "Keys": keys,
                    "ConsistentRead": True,
                    "ProjectionExpression": "#pk, #sk, #score",
                    "ExpressionAttributeNames": {
                        "#pk": TABLE_PARTITION_KEY,
                        "#sk": TABLE_SORT_KEY,
                        "#score": ITEM_SCORE,
                    },
                }
            },
        )
        for item in response.get("Responses", {}).get(table, []):
            try:
                answer = Answer.from_item(item)
            except MalformedItemError as error:
                logger.warning("Stored answer skipped", extra={"error": str(error)})
                continue
            scores[answer.question] = answer.score
        keys = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        if not keys:
            return scores
    raise StorageError(f"dynamodb batch_get_item left {len(keys)} answer(s) unread")


def complete_survey(
    table: str,
    contact: Contact,
    *,
    mode: str,
    scores: Mapping[str, int],
    status: str,
    now: datetime,
    retention_days: int,
    from_attributes_only: bool = False,
) -> None:
    """Close the contact's survey with its status (complete, partial, unanswered); an update,
    so alert claims already there survive. A summary `from_attributes_only` (the answers were not
    read) is marked for the sweeper to complete; any other removes such a marker."""
    summary = Summary(
        contact_id=contact.contact_id,
        status=status,
        mode=mode,
        answered=len(scores),
        scores=scores,
        lowest=min(scores.values()) if scores else None,
        completed_at=iso(now),
        expires_at=expires_at(now, retention_days),
        initial_contact_id=contact.initial_contact_id,
        pending_since=iso(now) if from_attributes_only else None,
    )
    fields = summary.to_item()
    key = {name: fields.pop(name) for name in (TABLE_PARTITION_KEY, TABLE_SORT_KEY)}
    completed_at = fields.pop(SUMMARY_COMPLETED_AT)
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = {f":f{i}": value for i, value in enumerate(fields.values())}
    sets = [f"#f{i} = :f{i}" for i in range(len(fields))]
    # The first completion time is the one that counts; retries must not move it.
    names["#completedAt"], values[":now"] = SUMMARY_COMPLETED_AT, completed_at
    sets.append("#completedAt = if_not_exists(#completedAt, :now)")
    removes = "" if from_attributes_only else " REMOVE #pendingWork, #pendingSince"
    if not from_attributes_only:
        names.update({"#pendingWork": PENDING_WORK, "#pendingSince": PENDING_SINCE})
    call(
        "update_item",
        TableName=table,
        Key=key,
        UpdateExpression="SET " + ", ".join(sets) + removes,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def read_contacts(
    table: str, contact_ids: Sequence[str], sort_keys: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each contact's items under `sort_keys` (answers, summary, outbox), consistently read.

    The keys are known, so BatchGetItem fetches exactly them (no Query per contact), for all the
    contacts at once, BATCH_GET_KEYS keys per request. A contact whose keys DynamoDB still left
    unprocessed after a second request is missing from the answer (its caller retries it).
    """
    keys = [
        result_key(contact_id, sort_key)
        for contact_id in dict.fromkeys(contact_ids)
        for sort_key in sort_keys
    ]
    found: dict[str, list[dict[str, Any]]] = {contact_id: [] for contact_id in contact_ids}
    unread: set[str] = set()
    for first in range(0, len(keys), BATCH_GET_KEYS):
        chunk = keys[first : first + BATCH_GET_KEYS]
        for _ in range(2):  # DynamoDB may leave keys unprocessed under throttling: ask once more
            response = call(
                "batch_get_item",
                RequestItems={table: {"Keys": chunk, "ConsistentRead": True}},
            )
            for item in response.get("Responses", {}).get(table, []):
                found.setdefault(contact_of(item), []).append(item)
            chunk = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if not chunk:
                break
        unread.update(contact_of(key) for key in chunk)
    return {contact_id: items for contact_id, items in found.items() if contact_id not in unread}


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds: sorts as text, which the question index relies on."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def expires_at(moment: datetime, retention_days: int) -> int:
    """Epoch seconds for DynamoDB's TTL."""
    return int((moment + timedelta(days=retention_days)).timestamp())


def call(operation: str, *, tolerate: str | None = None, **request: Any) -> Any:
    """One bounded DynamoDB call: its response, None for the `tolerate` error, else StorageError
    (DeadlineError when the invocation's deadline cut it).

    Any exception counts, not only ClientError and BotoCoreError: a reply botocore cannot parse
    raises ResponseParserError, which derives from neither.
    """
    try:
        return deadline.call(getattr(aws.client("dynamodb"), operation), **request)
    except DeadlineError as error:
        raise DeadlineError(f"dynamodb {operation}: {error}") from None
    except ClientError as error:
        if _code(error) == tolerate:
            return None
        raise StorageError(f"dynamodb {operation} failed: {_code(error)}") from error
    except Exception as error:
        raise StorageError(f"dynamodb {operation} failed: {type(error).__name__}") from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))
