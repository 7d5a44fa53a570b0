resource "aws_cloudwatch_log_group" "app" {
  for_each = local.apps

  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
}

# Embedded-metric-format records the collector beside kitchen-app writes;
# CloudWatch turns them into the Comanda/StreamLag metric.
resource "aws_cloudwatch_log_group" "metrics" {
  name              = "/ecs/${var.name}/metrics"
  retention_in_days = 7
}
