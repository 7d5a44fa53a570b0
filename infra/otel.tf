# Configuration of the collector beside kitchen-app (AWS Distro for
# OpenTelemetry), read by ECS into AOT_CONFIG_CONTENT: the stream lag for
# autoscaling, and the task's traces (to X-Ray).
resource "aws_ssm_parameter" "collector_config" {
  count = local.managed ? 1 : 0

  name        = "/${var.name}/kitchen-app/collector-config"
  description = "ADOT collector: kitchen-app stream lag to CloudWatch (Comanda/StreamLag)"
  type        = "String"
  tier        = "Standard"
  value = templatefile("${path.module}/otel/kitchen-collector.yaml.tftpl", {
    port          = local.apps["kitchen-app"].port
    source_metric = var.stream_lag_metric
    log_group     = aws_cloudwatch_log_group.metrics.name
    region        = var.region
  })
}

# --- Traces ------------------------------------------------------------------
#
# Every service exports its spans over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT
# (the standard variable; the code names the service itself). In the managed
# shape a collector runs beside each service in its task (the "collector"
# container of taskdefs/<app>.json.tftpl; kitchen-app's, which also carries
# the stream lag, has its own configuration above); on the single host one
# collector container serves the four (single_host_collector.tf). Either
# way it listens on the loopback interface the service shares with it, and
# sends the spans to AWS X-Ray as the task's role. tracing = false removes
# the trace collectors, the endpoint and the X-Ray permissions.

locals {
  otlp_endpoint = "http://127.0.0.1:4318"

  # The configuration each app's task definition names for its collector
  # container: kitchen-app's own in the managed shape, the traces-only one
  # otherwise ("" when there is none; the container is dropped then).
  collector_config_arns = {
    for app in keys(local.apps) : app => (
      local.managed && app == "kitchen-app" ? aws_ssm_parameter.collector_config[0].arn :
      var.tracing ? aws_ssm_parameter.traces_collector_config[0].arn : ""
    )
  }

  # The tasks whose role sends traces to X-Ray: every service's (its
  # sidecar's) in the managed shape, the single host's collector's there.
  xray_roles = var.tracing ? (local.managed
    ? { for app, role in aws_iam_role.task : app => role.id }
    : { for name, role in aws_iam_role.host_task : name => role.id if name == "collector" }
  ) : {}
}

resource "aws_ssm_parameter" "traces_collector_config" {
  count = var.tracing ? 1 : 0

  name        = "/${var.name}/collector/traces-config"
  description = "ADOT collector: the services' OTLP traces to AWS X-Ray"
  type        = "String"
  tier        = "Standard"
  value = templatefile("${path.module}/otel/traces-collector.yaml.tftpl", {
    region = var.region
  })
}

data "aws_iam_policy_document" "xray" {
  statement {
    sid       = "SendTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # these actions have no resource-level permissions
  }
}

resource "aws_iam_role_policy" "xray" {
  for_each = local.xray_roles

  name   = "send-traces"
  role   = each.value
  policy = data.aws_iam_policy_document.xray.json
}
