# Configuration of the collector beside kitchen-app (AWS Distro for
# OpenTelemetry), read by ECS into AOT_CONFIG_CONTENT.
resource "aws_ssm_parameter" "collector_config" {
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
