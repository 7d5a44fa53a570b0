# Every service but the elected warehouse scales between its min_count and
# max_count: kitchen-app on the lag of its consumer group (dishes waiting to
# be picked up), web and orders-app on CPU.
#
# The lag reaches CloudWatch through the collector beside kitchen-app: it
# scrapes the gauge var.stream_lag_metric (labels stream and group) from the
# service's /metrics every 30 s and writes it as the metric StreamLag in the
# namespace Comanda with dimensions stream and group (otel/kitchen-collector.yaml.tftpl).
# Every kitchen task reports the same group-wide lag, so the policy takes the
# maximum.

locals {
  # The single host runs one task of each (single_host.tf): nothing scales.
  scaled_apps = { for name, app in local.managed_apps : name => app if !app.elected }
  cpu_scaled  = toset([for name in keys(local.scaled_apps) : name if name != "kitchen-app"])
}

resource "aws_appautoscaling_target" "app" {
  for_each = local.scaled_apps

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.app[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min_count
  max_capacity       = each.value.max_count
}

resource "aws_appautoscaling_policy" "kitchen_stream_lag" {
  count = local.managed ? 1 : 0

  name               = "${var.name}-kitchen-stream-lag"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app["kitchen-app"].service_namespace
  resource_id        = aws_appautoscaling_target.app["kitchen-app"].resource_id
  scalable_dimension = aws_appautoscaling_target.app["kitchen-app"].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.kitchen_target_lag
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      namespace   = "Comanda"
      metric_name = "StreamLag"
      statistic   = "Maximum"

      dimensions {
        name  = "stream"
        value = "${var.stream_prefix}:orders"
      }

      dimensions {
        name  = "group"
        value = "kitchen"
      }
    }
  }
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each = local.cpu_scaled

  name               = "${var.name}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.app[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.app[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
