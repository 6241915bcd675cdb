"""`connect-survey verify`: every check against stubbed AWS answers, healthy and broken."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import botocore.session
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from connect_survey import PROJECT_ROOT, cli, verify
from connect_survey.config.stage import StageConfig, load_stage
from connect_survey.flows.catalog import FLOW_KEYS, FOLLOW_UP_TASK, HANDLERS
from connect_survey.infra.outputs import ALERT_TOPIC_OUTPUT, RESULTS_TABLE_OUTPUT, stack_name

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

ROOT = PROJECT_ROOT
TABLE = "survey-dev-stack-ResultsTable1234-ABCD"
TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:survey-dev-stack-AlertTopic1234"
SCORE_OK = {
    "valid": "true", "score": "5", "attribute": "EffortScore", "question": "effort",
    "stored": "false", "reason": "verification",
}  # fmt: skip
FINISH_OK = {
    "escalate": "false", "lowest": "", "answered": "0", "status": "offered",
    "reason": "verification",
}  # fmt: skip
ELIGIBILITY_OK = {
    "eligible": "false", "decision": "undecided", "callerKey": "", "reason": "verification",
}  # fmt: skip


def one_language_config(folder: Path) -> str:
    """The project's cdk.json with its dev stage speaking only English, as `stage` below."""
    document = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))
    document["context"]["stages"]["dev"].pop("languages", None)
    path = folder / "cdk.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def stage() -> StageConfig:
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    # The dev example also speaks ko-KR (its test cases need the Korean flows); these checks
    # are counted on its six flows of one language (`bilingual` below has both).
    context["stages"]["dev"].pop("languages", None)
    return load_stage(context, "dev")


@dataclass
class Deployment:
    """What the stubbed account holds: healthy by default; tests break one thing at a time."""

    stage: StageConfig
    missing_functions: set[str] = field(default_factory=set)
    missing_flows: set[str] = field(default_factory=set)
    flow_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    content_overrides: dict[str, str] = field(default_factory=dict)
    unassociated: set[str] = field(default_factory=set)
    answers: dict[str, dict[str, str]] = field(
        default_factory=lambda: {
            "score": SCORE_OK,
            "finish": FINISH_OK,
            "eligibility": ELIGIBILITY_OK,
        }
    )
    function_errors: set[str] = field(default_factory=set)
    seconds_per_invocation: float = 0.4
    list_flows_error: str | None = None
    stack_exists: bool = True
    table_error: str | None = None
    topic_error: str | None = None

    def function_arn(self, key: str) -> str:
        return self.stage.offline.function_arn(key)

    def flow_arn(self, key: str) -> str:
        return self.stage.offline.flow_arn(key)

    def queue(self, stubs: dict[str, Stubber]) -> None:
        """Queue every answer in the order verify asks, per client."""
        offline = self.stage.offline
        lambda_, connect = stubs["lambda"], stubs["connect"]
        for key in HANDLERS:
            name = self.stage.offline.resource_name(key)
            if key in self.missing_functions:
                lambda_.add_client_error(
                    "get_function_configuration", "ResourceNotFoundException", "not found"
                )
            else:
                lambda_.add_response(
                    "get_function_configuration",
                    {"FunctionArn": self.function_arn(key), "State": "Active"},
                    {"FunctionName": name},
                )
        if self.list_flows_error:
            connect.add_client_error("list_contact_flows", self.list_flows_error, "denied")
        else:
            summaries = [
                {"Name": self.stage.offline.resource_name(s.key), "Arn": self.flow_arn(s.key)}
                for s in offline.flows
                if s.key not in self.missing_flows
            ]
            connect.add_response(
                "list_contact_flows",
                {"ContactFlowSummaryList": summaries},
                {
                    "InstanceId": self.stage.offline.instance_arn,
                    "ContactFlowTypes": ["CONTACT_FLOW"],
                },
            )
            for spec in offline.flows:
                if spec.key in self.missing_flows:
                    continue
                content = self.content_overrides.get(spec.key) or json.dumps(
                    offline.render(spec.key)
                )
                flow = {
                    "Arn": self.flow_arn(spec.key),
                    "Name": self.stage.offline.resource_name(spec.key),
                    "State": "ACTIVE",
                    "Status": "PUBLISHED",
                    "Content": content,
                    **self.flow_overrides.get(spec.key, {}),
                }
                connect.add_response(
                    "describe_contact_flow",
                    {"ContactFlow": flow},
                    {"InstanceId": self.stage.offline.instance_arn, "ContactFlowId": flow["Arn"]},
                )
        connect.add_response(
            "list_integration_associations",
            {
                "IntegrationAssociationSummaryList": [
                    {"IntegrationArn": self.function_arn(key)}
                    for key in HANDLERS
                    if key not in self.unassociated
                ]
            },
        )
        for key in HANDLERS:
            if key in self.missing_functions:
                continue
            body = json.dumps(self.answers[key]).encode()
            response: dict[str, Any] = {
                "StatusCode": 200,
                "Payload": StreamingBody(io.BytesIO(body), len(body)),
            }
            if key in self.function_errors:
                response["FunctionError"] = "Unhandled"
            lambda_.add_response(
                "invoke",
                response,
                {
                    "FunctionName": self.function_arn(key),
                    "InvocationType": "RequestResponse",
                    "Payload": ANY,
                },
            )
        stack = stack_name(self.stage)
        if not self.stack_exists:
            stubs["cloudformation"].add_client_error(
                "describe_stacks", "ValidationError", f"Stack with id {stack} does not exist"
            )
            return
        outputs = [
            {"OutputKey": RESULTS_TABLE_OUTPUT, "OutputValue": TABLE},
            {"OutputKey": ALERT_TOPIC_OUTPUT, "OutputValue": TOPIC_ARN},
        ]
        stubs["cloudformation"].add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": stack,
                        "CreationTime": "2026-01-01T00:00:00Z",
                        "StackStatus": "UPDATE_COMPLETE",
                        "Outputs": outputs,
                    }
                ]
            },
            {"StackName": stack},
        )
        if self.table_error:
            stubs["dynamodb"].add_client_error("describe_table", self.table_error, "missing")
        else:
            stubs["dynamodb"].add_response(
                "describe_table", {"Table": {"TableStatus": "ACTIVE"}}, {"TableName": TABLE}
            )
        if self.topic_error:
            stubs["sns"].add_client_error("get_topic_attributes", self.topic_error, "missing")
        else:
            stubs["sns"].add_response(
                "get_topic_attributes", {"Attributes": {}}, {"TopicArn": TOPIC_ARN}
            )


class FakeClock:
    """Advances by the deployment's invocation time on every second reading (start, end)."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment, self.now, self.readings = deployment, 100.0, 0

    def __call__(self) -> float:
        self.readings += 1
        if self.readings % 2 == 0:
            self.now += self.deployment.seconds_per_invocation
        return self.now


@pytest.fixture
def deployment(stage: StageConfig) -> Deployment:
    return Deployment(stage)


@pytest.fixture
def stubbed_aws(deployment: Deployment) -> Iterator[Callable[[], verify.Clients]]:
    """Clients answering from the stubbed deployment; every queued answer must be used."""
    stubbers: list[Stubber] = []

    def build() -> verify.Clients:
        session = botocore.session.get_session()
        names = ("connect", "lambda", "cloudformation", "dynamodb", "sns")
        clients = {name: session.create_client(name, region_name="us-east-1") for name in names}
        stubs = {name: Stubber(client) for name, client in clients.items()}
        deployment.queue(stubs)
        for stub in stubs.values():
            stub.activate()
        stubbers.extend(stubs.values())
        return verify.Clients(
            connect=clients["connect"],
            lambda_=clients["lambda"],
            cloudformation=clients["cloudformation"],
            dynamodb=clients["dynamodb"],
            sns=clients["sns"],
            clock=FakeClock(deployment),
        )

    yield build
    for stub in stubbers:
        stub.assert_no_pending_responses()


@pytest.fixture
def run_verify(
    deployment: Deployment, stubbed_aws: Callable[[], verify.Clients]
) -> Callable[[], list[verify.Check]]:
    """Verify the dev stage against the stubbed deployment."""
    return lambda: verify.verify_stage(deployment.stage, stubbed_aws())


def failures(checks: list[verify.Check]) -> list[str]:
    return [str(check) for check in checks if not check.passed]


def test_verify_passes_every_check_of_a_healthy_stage(run_verify: Any) -> None:
    # GIVEN a stage deployed as the stack defines it
    # WHEN verified
    checks = run_verify()

    # THEN one passing line per function, flow, integration, invocation, the table and the topic
    assert failures(checks) == []
    names = [check.name for check in checks]
    assert names == [
        "function survey-dev-score",
        "function survey-dev-finish",
        "function survey-dev-eligibility",
        f"flow survey-dev-{FOLLOW_UP_TASK}",  # dev's followUp: the task flow is checked first
        *(f"flow survey-dev-{key}" for key in FLOW_KEYS),
        "integration survey-dev-score",
        "integration survey-dev-finish",
        "integration survey-dev-eligibility",
        "invoke survey-dev-score",
        "invoke survey-dev-finish",
        "invoke survey-dev-eligibility",
        f"table {TABLE}",
        f"alert topic {TOPIC_ARN}",
    ]


def test_verify_reports_a_flow_missing_from_the_instance(
    deployment: Deployment, run_verify: Any
) -> None:
    # GIVEN the instance has no escalation survey flow
    deployment.missing_flows.add("escalation-survey")

    # WHEN verified
    # THEN that flow fails, and so does the inbound flow that names it
    assert failures(run_verify()) == [
        "FAIL  flow survey-dev-escalation-survey: no flow of this name on the instance",
        "FAIL  flow survey-dev-escalation-inbound: names a flow that is not one of this stage's: "
        f"{deployment.flow_arn('escalation-survey')}",
    ]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"Status": "SAVED"}, "status SAVED, expected PUBLISHED"),
        ({"State": "ARCHIVED"}, "state ARCHIVED, expected ACTIVE"),
    ],
)
def test_verify_reports_a_flow_that_is_not_published_and_active(
    deployment: Deployment, run_verify: Any, override: dict[str, str], message: str
) -> None:
    # GIVEN a survey flow saved but not published, or archived
    deployment.flow_overrides["opt-in-survey"] = override

    # WHEN verified
    # THEN that flow fails with its state
    assert failures(run_verify()) == [f"FAIL  flow survey-dev-opt-in-survey: {message}"]


def test_verify_reports_a_flow_calling_another_stages_function(
    deployment: Deployment, run_verify: Any, stage: StageConfig
) -> None:
    # GIVEN the on-demand survey calls the staging score function instead of this stage's
    rendered = json.dumps(stage.offline.render("on-demand-survey"))
    other = "arn:aws:lambda:us-east-1:111122223333:function:survey-staging-score"
    deployment.content_overrides["on-demand-survey"] = rendered.replace(
        deployment.function_arn("score"), other
    )

    # WHEN verified
    # THEN the flow fails naming both problems
    assert failures(run_verify()) == [
        "FAIL  flow survey-dev-on-demand-survey: does not call survey-dev-score; "
        f"calls a function of another stage: {other}"
    ]


def test_verify_reports_an_inbound_flow_that_does_not_set_its_survey_flow(
    deployment: Deployment, run_verify: Any, stage: StageConfig
) -> None:
    # GIVEN the opt-in inbound flow names a flow that is not this stage's opt-in survey
    rendered = json.dumps(stage.offline.render("opt-in-inbound"))
    foreign = f"{stage.offline.instance_arn}/contact-flow/somebody-elses-flow"
    deployment.content_overrides["opt-in-inbound"] = rendered.replace(
        deployment.flow_arn("opt-in-survey"), foreign
    )

    # WHEN verified
    # THEN the inbound flow fails
    assert failures(run_verify()) == [
        "FAIL  flow survey-dev-opt-in-inbound: does not set survey-dev-opt-in-survey; "
        f"names a flow that is not one of this stage's: {foreign}"
    ]


def bilingual_context() -> dict[str, Any]:
    """cdk.json's context, its dev stage speaking English and Korean."""
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    context["stages"]["dev"].update(languages=["en-US", "ko-KR"], languageMenu=True)
    return context


@pytest.fixture
def bilingual(deployment: Deployment) -> StageConfig:
    """The deployment is of the dev stage in English and Korean: twelve flows."""
    deployment.stage = load_stage(bilingual_context(), "dev")
    return deployment.stage


def test_verify_checks_every_flow_of_every_language(
    bilingual: StageConfig, run_verify: Any
) -> None:
    # GIVEN a stage in English and Korean, deployed as the stack defines it
    # WHEN verified
    checks = run_verify()

    # THEN each of its thirteen flows, the Korean ones and the task flow included, is checked
    # and passes
    assert failures(checks) == []
    flows = [check.name for check in checks if check.name.startswith("flow ")]
    assert flows == [f"flow survey-dev-{key}" for key in bilingual.offline.flow_keys]
    assert len(flows) == 13
    assert "flow survey-dev-escalation-survey-ko-kr" in flows


def test_verify_reports_a_korean_flow_missing_from_the_instance(
    bilingual: StageConfig, deployment: Deployment, run_verify: Any
) -> None:
    # GIVEN the instance lacks the Korean opt-in survey flow
    deployment.missing_flows.add("opt-in-survey-ko-kr")

    # WHEN verified
    # THEN that flow fails, and so does the Korean inbound flow that names it
    assert failures(run_verify()) == [
        "FAIL  flow survey-dev-opt-in-survey-ko-kr: no flow of this name on the instance",
        "FAIL  flow survey-dev-opt-in-inbound-ko-kr: names a flow that is not one of this "
        f"stage's: {deployment.flow_arn('opt-in-survey-ko-kr')}",
    ]


def test_verify_reports_an_inbound_flow_that_does_not_hand_callers_to_their_language(
    bilingual: StageConfig, deployment: Deployment, run_verify: Any
) -> None:
    # GIVEN the default opt-in inbound flow hands Korean callers to some other flow
    rendered = json.dumps(bilingual.offline.render("opt-in-inbound"))
    foreign = f"{bilingual.offline.instance_arn}/contact-flow/somebody-elses-flow"
    deployment.content_overrides["opt-in-inbound"] = rendered.replace(
        deployment.flow_arn("opt-in-inbound-ko-kr"), foreign
    )

    # WHEN verified
    # THEN the inbound flow fails naming the Korean flow it should hand callers to
    assert failures(run_verify()) == [
        "FAIL  flow survey-dev-opt-in-inbound: does not hand callers to "
        "survey-dev-opt-in-inbound-ko-kr; names a flow that is not one of this stage's: "
        f"{foreign}"
    ]


def test_verify_reports_a_missing_function_and_does_not_invoke_it(
    deployment: Deployment, run_verify: Any
) -> None:
    # GIVEN the finish function does not exist
    deployment.missing_functions.add("finish")

    # WHEN verified (the stub holds no invocation for it: calling it would fail the test)
    # THEN only the function check fails
    assert failures(run_verify()) == [
        "FAIL  function survey-dev-finish: ResourceNotFoundException: not found"
    ]


def test_verify_reports_a_function_not_associated_with_the_instance(
    deployment: Deployment, run_verify: Any
) -> None:
    # GIVEN the score function lost its instance association
    deployment.unassociated.add("score")

    # WHEN verified
    # THEN its integration check fails
    assert failures(run_verify()) == [
        "FAIL  integration survey-dev-score: not associated: Connect cannot call it"
    ]


def test_verify_reports_a_function_that_stored_the_verification_answer(
    deployment: Deployment, run_verify: Any
) -> None:
    # GIVEN a score function that does not recognise the verification event and stores it
    deployment.answers["score"] = {**SCORE_OK, "stored": "true"}
    del deployment.answers["score"]["reason"]

    # WHEN verified
    [failure] = failures(run_verify())

    # THEN its invocation fails, showing what it answered
    assert failure.startswith("FAIL  invoke survey-dev-score: answered {")
    assert "expected {'valid': 'true', 'stored': 'false', 'reason': 'verification'}" in failure


def test_verify_reports_a_function_error(deployment: Deployment, run_verify: Any) -> None:
    # GIVEN the finish function crashes
    deployment.function_errors.add("finish")

    # WHEN verified
    [failure] = failures(run_verify())

    # THEN its invocation fails
    assert failure.startswith("FAIL  invoke survey-dev-finish: the function failed")


def test_verify_reports_functions_slower_than_the_flows_limit(
    deployment: Deployment, run_verify: Any
) -> None:
    # GIVEN every function answers after 8.5 s, over the flows' 8-second limit
    deployment.seconds_per_invocation = 8.5

    # WHEN verified
    # THEN every invocation fails with the time and the limit read from the deployed flows
    assert failures(run_verify()) == [
        "FAIL  invoke survey-dev-score: answered in 8.5 s, over the flow's 8 s",
        "FAIL  invoke survey-dev-finish: answered in 8.5 s, over the flow's 8 s",
        "FAIL  invoke survey-dev-eligibility: answered in 8.5 s, over the flow's 8 s",
    ]


def test_verify_reports_a_missing_table_and_topic(deployment: Deployment, run_verify: Any) -> None:
    # GIVEN the stack's table and topic are gone
    deployment.table_error = "ResourceNotFoundException"
    deployment.topic_error = "NotFound"

    # WHEN verified
    # THEN both fail
    assert failures(run_verify()) == [
        f"FAIL  table {TABLE}: ResourceNotFoundException: missing",
        f"FAIL  alert topic {TOPIC_ARN}: NotFound: missing",
    ]


def test_verify_reports_a_missing_stack(deployment: Deployment, run_verify: Any) -> None:
    # GIVEN the stage was never deployed under the stack name make deploy uses
    deployment.stack_exists = False

    # WHEN verified
    # THEN the stack check fails (and the table and topic cannot be looked up)
    assert failures(run_verify()) == [
        "FAIL  stack survey-dev-stack: ValidationError: Stack with id survey-dev-stack does not "
        "exist"
    ]


def test_verify_reports_flows_it_cannot_list(deployment: Deployment, run_verify: Any) -> None:
    # GIVEN the credentials may not list the instance's flows
    deployment.list_flows_error = "AccessDeniedException"

    # WHEN verified
    # THEN one line says so and the other checks still run
    assert failures(run_verify()) == [
        "FAIL  flows: cannot list the instance's flows: AccessDeniedException: denied"
    ]


@pytest.fixture
def stubbed_clients(monkeypatch: pytest.MonkeyPatch, stubbed_aws: Any) -> None:
    """The CLI verifies the stubbed deployment instead of building real clients."""
    monkeypatch.setattr(
        verify.Clients, "for_stage", classmethod(lambda cls, config, role=None: stubbed_aws())
    )


@pytest.mark.usefixtures("stubbed_clients")
def test_verify_command_prints_one_line_per_check_and_exits_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a healthy stage
    monkeypatch.chdir(ROOT)

    # WHEN `connect-survey verify --stage dev` runs
    code = cli.main(["verify", "--stage", "dev", "--config", one_language_config(tmp_path)])

    # THEN every check has a PASS line, a summary follows, and it exits 0
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert len(lines) == 19
    assert all(line.startswith("PASS  ") for line in lines[:-1])
    assert lines[-1] == "verify dev: 18 checks, 0 failed"


@pytest.mark.usefixtures("stubbed_clients")
def test_verify_command_exits_one_on_any_failure(
    monkeypatch: pytest.MonkeyPatch,
    deployment: Deployment,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # GIVEN a stage whose table is gone
    monkeypatch.chdir(ROOT)
    deployment.table_error = "ResourceNotFoundException"

    # WHEN verified from the command line
    code = cli.main(["verify", "--stage", "dev", "--config", one_language_config(tmp_path)])

    # THEN it exits 1 and the summary counts the failure
    assert code == 1
    assert capsys.readouterr().out.splitlines()[-1] == "verify dev: 18 checks, 1 failed"


@pytest.mark.usefixtures("stubbed_clients")
def test_verify_command_checks_the_flows_of_every_language_of_the_stage(
    bilingual: StageConfig, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a cdk.json whose dev stage speaks English and Korean
    config = tmp_path / "cdk.json"
    config.write_text(json.dumps({"context": bilingual_context()}), encoding="utf-8")

    # WHEN `connect-survey verify` runs on it
    code = cli.main(["verify", "--stage", "dev", "--config", str(config)])

    # THEN the thirteen flows are checked with everything else, and all pass
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert (
        "PASS  flow survey-dev-on-demand-inbound-ko-kr: published, active, references this "
        "stage's resources" in lines
    )
    assert lines[-1] == "verify dev: 24 checks, 0 failed"


def test_verify_command_rejects_an_unknown_stage_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a stage that cdk.json does not define
    monkeypatch.chdir(ROOT)

    # WHEN verified
    code = cli.main(["verify", "--stage", "qa"])

    # THEN one line on stderr, exit 2, nothing checked
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "unknown stage 'qa'" in err


def test_verify_clients_are_bounded(stage: StageConfig) -> None:
    # GIVEN the clients verify builds for a stage
    clients = verify.Clients.for_stage(stage)

    # THEN reads time out and retry a little; an invocation gets one attempt within the limit
    read = clients.connect.meta.config
    invoke = clients.lambda_.meta.config
    assert (read.connect_timeout, read.read_timeout) == (5, 10)
    assert invoke.retries["total_max_attempts"] == 1
    assert invoke.read_timeout == 10
    assert clients.lambda_.meta.region_name == stage.offline.region
