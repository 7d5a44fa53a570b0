# The single host's trace collector (tracing = true): one ADOT collector
# container for the four services, on the host's loopback interface
# (local.otlp_endpoint), with the configuration the Fargate sidecars have
# (otel/traces-collector.yaml.tftpl), sending the spans to X-Ray as its
# task's role (otel.tf). The single host has no stream-lag metric: nothing
# scales there.

resource "aws_iam_role" "host_task" {
  for_each = local.single_host && var.tracing ? toset(["collector"]) : toset([])

  name               = "${var.name}-${each.key}-task"
  description        = "What the single host's ${each.key} runs as"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_ecs_task_definition" "host_collector" {
  count = local.single_host && var.tracing ? 1 : 0

  family                   = "${var.name}-collector"
  requires_compatibilities = ["EC2"]
  network_mode             = "host"
  memory                   = local.host_memory.collector
  execution_role_arn       = aws_iam_role.host_execution["collector"].arn
  task_role_arn            = aws_iam_role.host_task["collector"].arn

  container_definitions = jsonencode([
    {
      name      = "collector"
      image     = local.host_images.collector
      essential = true
      memory    = local.host_memory.collector
      secrets   = [for name, arn in local.host_store_secrets["collector"] : { name = name, valueFrom = arn }]
      # The configuration's health_check extension, on 127.0.0.1:13133.
      healthCheck = merge(local.host_health_check, {
        command     = ["CMD", "/healthcheck"]
        startPeriod = 10
      })
      stopTimeout      = 30
      logConfiguration = { logDriver = "awslogs", options = local.host_log_options["collector"] }
    },
  ])
}
