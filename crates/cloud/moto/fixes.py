"""Fixes to moto's emulation (CloudWatch, S3), applied before `moto.server.main` starts.

Flightdeck's tests and demo run against moto_server. moto 5.2 lacks things real AWS does that
the go/no-go board and the backups depend on, so they are mended here rather than left
untested:

1. Percentile statistics (p95, p99.9...) in GetMetricData: `Statistics.get_statistics_for_type`
   returns None for any pNN statistic and the response serialiser then fails with HTTP 500.
   Percentiles are computed here from the individual values of the period (nearest rank, as
   CloudWatch documents), and a period with only StatisticValues data yields no point, as
   CloudWatch itself cannot compute a percentile from them.
2. Metric math in GetMetricData: `parse_expression` only returns the series whose id equals the
   whole expression, so "100 * errors / requests" yields nothing. Arithmetic (+ - * /, unary
   minus, parentheses, numbers, query ids) is evaluated here over the timestamps all operands
   share; anything else is refused with a ValidationError rather than answered wrongly.
3. DescribeAlarmHistory is not implemented (moto records state changes but never serves them).
4. moto never throttles. With FLIGHTDECK_MOTO_THROTTLE="UpdateService=6,PutMetricAlarm=2" the
   first N calls of each named action are answered with ThrottlingException, as AWS answers a
   caller over its rate, so the SDK's retries and Flightdeck's message are tested for real.
5. S3 does not check `x-amz-checksum-sha256` (a TODO in moto's `_get_checksum`): real S3
   refuses a PutObject or UploadPart whose body does not match it with 400 BadDigest, which is
   what makes a backup's upload checked end to end; the same check is made here.
6. DynamoDB requests are not safe to run at once (getmoto/moto#372, thread safety): the
   threaded server runs TransactWriteItems while other requests write the same table, so its
   deepcopy of the table fails with HTTP 500 ("dictionary changed size during iteration"), and
   a cancelled transaction restores that copy over writes other clients made meanwhile. Real
   DynamoDB applies each request atomically; here DynamoDB requests run one at a time.
"""

import ast
import json
import math
import os
import re
import sys
import threading

from moto.cloudwatch import models, responses
from moto.cloudwatch.exceptions import ValidationError
from moto.core.responses import ActionResult, BaseResponse

_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,2})?)$")
_original_statistic = models.Statistics.get_statistics_for_type


def _statistic(self, stat):
    match = _PERCENTILE.match(stat)
    if not match:
        return _original_statistic(self, stat)
    values = sorted(self.metric_single_values_list)
    if not values:
        return None
    rank = math.ceil(float(match.group(1)) / 100.0 * len(values))
    return values[max(rank, 1) - 1]


_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def _expression(expression, results):
    series = {r["id"]: dict(zip(r["timestamps"], r["values"])) for r in results}
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        raise ValidationError(f"Unsupported metric math expression: {expression}")

    def names(node):
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}

    used = names(tree)
    unknown = used - set(series)
    if unknown:
        raise ValidationError(f"Unknown query ids in expression: {', '.join(sorted(unknown))}")
    stamps = sorted(set.intersection(*(set(series[n]) for n in used))) if used else []

    def value(node, t):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            return float(series[node.id][t])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand, t)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.left, t), value(node.right, t))
        raise ValidationError(f"Unsupported metric math expression: {expression}")

    values, timestamps = [], []
    for t in stamps:
        try:
            values.append(value(tree, t))
        except ZeroDivisionError:
            continue
        timestamps.append(t)
    return values, timestamps


def _describe_alarm_history(self):
    name = self._get_param("AlarmName")
    items = []
    for alarm in self.cloudwatch_backend.describe_alarms():
        if name and alarm.name != name:
            continue
        states = [(h[3], h[4]) for h in alarm.history if h[0] == "StateUpdate"]
        states.append((alarm.state_value, alarm.state_updated_timestamp))
        for (old, _), (new, when) in zip(states, states[1:]):
            items.append(
                {
                    "AlarmName": alarm.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": when,
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(
                        {"oldState": {"stateValue": old}, "newState": {"stateValue": new}}
                    ),
                }
            )
    items.sort(key=lambda i: i["Timestamp"], reverse=True)
    return ActionResult({"AlarmHistoryItems": items})


_THROTTLE = {
    name: int(count)
    for name, count in (
        item.split("=", 1)
        for item in os.environ.get("FLIGHTDECK_MOTO_THROTTLE", "").split(",")
        if "=" in item
    )
}
_throttled = {}
_original_call_action = BaseResponse.call_action


def _call_action(self):
    if not _THROTTLE:
        return _original_call_action(self)
    action = self._get_action()
    if _throttled.get(action, 0) < _THROTTLE.get(action, 0):
        _throttled[action] = _throttled.get(action, 0) + 1
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
        headers = {
            "x-amzn-errortype": "ThrottlingException",
            "Content-Type": "application/x-amz-json-1.1",
        }
        return 400, headers, body
    return _original_call_action(self)


from moto.dynamodb.responses import DynamoHandler  # noqa: E402

_dynamodb_request = threading.Lock()
_dynamodb_call_action = DynamoHandler.call_action


def _one_dynamodb_request_at_a_time(self):
    with _dynamodb_request:
        return _dynamodb_call_action(self)


from moto.s3 import responses as s3_responses  # noqa: E402

_BAD_DIGEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>BadDigest</Code>'
    "<Message>The SHA256 you specified did not match the calculated checksum.</Message></Error>"
)


def _checking_sha256(original):
    def handler(self):
        given = self.headers.get("x-amz-checksum-sha256")
        if given and isinstance(self.body, bytes):
            import base64
            import hashlib

            actual = base64.b64encode(hashlib.sha256(self.body).digest()).decode()
            if actual != given:
                return 400, {"Content-Type": "application/xml"}, _BAD_DIGEST
        return original(self)

    return handler


s3_responses.S3Response.put_object = _checking_sha256(s3_responses.S3Response.put_object)
s3_responses.S3Response.upload_part = _checking_sha256(s3_responses.S3Response.upload_part)
BaseResponse.call_action = _call_action
DynamoHandler.call_action = _one_dynamodb_request_at_a_time
models.Statistics.get_statistics_for_type = _statistic
models.parse_expression = _expression
responses.CloudWatchResponse.describe_alarm_history = _describe_alarm_history

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
