# Two roles per service. The execution role is what ECS uses to start the
# task: pull its own image, write its own log group, read its own secrets
# (and nothing else). The task role is what the code runs as: nothing for the
# services, which talk to AWS through nothing but their data stores; the
# kitchen's collector may write its metrics log group, and every task's
# collector send traces to X-Ray (otel.tf).

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  for_each = local.apps

  name               = "${var.name}-${each.key}-execution"
  description        = "ECS starts ${each.key}: image pull, logs, its secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  for_each = local.apps

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the action has no resource-level permissions
  }

  statement {
    sid       = "PullOwnImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [aws_ecr_repository.app[each.key].arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.app[each.key].arn}:*"]
  }

  statement {
    sid       = "ReadOwnSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(local.app_secrets[each.key])
  }

  # The configuration of the task's collector (otel.tf): the managed
  # shape's sidecars; the single host's apps have none.
  dynamic "statement" {
    for_each = local.managed && (each.key == "kitchen-app" || var.tracing) ? [local.collector_config_arns[each.key]] : []
    content {
      sid       = "ReadCollectorConfig"
      actions   = ["ssm:GetParameters"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  for_each = local.apps

  name   = "start-${each.key}"
  role   = aws_iam_role.execution[each.key].id
  policy = data.aws_iam_policy_document.execution[each.key].json
}

resource "aws_iam_role" "task" {
  for_each = local.apps

  name               = "${var.name}-${each.key}-task"
  description        = "What ${each.key} runs as"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "kitchen_metrics" {
  count = local.managed ? 1 : 0

  statement {
    sid       = "PublishStreamLag"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [aws_cloudwatch_log_group.metrics.arn, "${aws_cloudwatch_log_group.metrics.arn}:*"]
  }

  statement {
    sid       = "FindLogGroup"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"] # the action has no resource-level permissions
  }
}

resource "aws_iam_role_policy" "kitchen_metrics" {
  count = local.managed ? 1 : 0

  name   = "publish-stream-lag"
  role   = aws_iam_role.task["kitchen-app"].id
  policy = data.aws_iam_policy_document.kitchen_metrics[0].json
}
