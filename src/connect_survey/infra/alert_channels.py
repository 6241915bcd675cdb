"""The stack's side of the alert channels: the Lambda asset's registry (`channels.CHANNELS`)
says which channels the alert function sends through; for each, the construct that owns its
resource grants the send and gives the channel's settings. No code here knows a channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from connect_survey.lambda_asset.survey.channels import CHANNELS, ChannelRegistry

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_


class ChannelBinding(Protocol):
    """The resource one registered alert channel sends to, as its owning construct exposes it."""

    @property
    def channel(self) -> str:
        """The name of the registered channel it serves."""
        ...

    @property
    def environment(self) -> Mapping[str, str]:
        """The value of each of the channel's `variables`."""
        ...

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """Let `grantee` send alerts to the resource (and use its key, where it has one)."""
        ...


def connect_channels(
    function: lambda_.Function,
    bindings: Sequence[ChannelBinding],
    *,
    registry: ChannelRegistry = CHANNELS,
) -> None:
    """Grant `function` the send of every registered channel and give it their settings.

    An optional channel without a binding stays off (the stage does not use it). ValueError,
    naming the channel, when another registered channel has no binding or a binding no channel,
    or when a binding's settings are not exactly the variables its channel reads.
    """
    by_channel = {binding.channel: binding for binding in bindings}
    unbound = [c.name for c in registry if c.name not in by_channel and not c.optional]
    unknown = [name for name in by_channel if name not in registry.names]
    if unbound or unknown:
        raise ValueError(
            "alert channels and the stack disagree: "
            + "; ".join(
                [f"{name!r} is registered but no construct serves it" for name in unbound]
                + [f"{name!r} is served but not registered" for name in unknown]
            )
        )
    for channel in registry:
        binding = by_channel.get(channel.name)
        if binding is None:
            continue
        if set(binding.environment) != set(channel.variables):
            raise ValueError(
                f"alert channel {channel.name!r} reads {sorted(channel.variables)}; its "
                f"construct sets {sorted(binding.environment)}"
            )
        binding.grant_send(function)
        for variable, value in binding.environment.items():
            function.add_environment(variable, value)
