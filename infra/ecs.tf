resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }
}

# web finds the services as <app>.<name>.internal (A records of the tasks);
# on the single host, on its loopback interface (local.service_urls).
resource "aws_service_discovery_private_dns_namespace" "this" {
  count = local.managed ? 1 : 0

  name        = "${var.name}.internal"
  description = "Comanda services"
  vpc         = local.vpc_id
}

resource "aws_service_discovery_service" "app" {
  for_each = local.managed ? local.internal_apps : {}

  name = each.key

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this[0].id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  # ECS reports the tasks' health (their container health checks).
  health_check_custom_config {}
}

# --- Task definitions ----------------------------------------------------------
#
# The container definitions are the templates in taskdefs/<app>.json.tftpl.
# The deploy workflow takes the revision Terraform registered from them
# (describe-task-definition) and only swaps the image, so the environment,
# the secrets, the health checks and the logs have one source. The single
# host registers the same templates, under the same families
# (single_host.tf), with the values of its own shape.

locals {
  taskdef_vars = {
    for name, app in local.apps : name => merge(
      {
        image         = "${aws_ecr_repository.app[name].repository_url}:${var.image_tag}"
        log_group     = aws_cloudwatch_log_group.app[name].name
        region        = var.region
        log_level     = var.log_level
        stream_prefix = var.stream_prefix
        # Relays forget an event only once a replica has it (WAIT), where
        # ElastiCache has one; the single host's Redis has none.
        redis_wait_replicas = local.managed && var.redis_num_cache_clusters > 1 ? 1 : 0
        # The keys sessions are checked with (secrets.tf).
        auth_public_keys = local.auth_public_keys
        # The trace collector: the sidecar in the task, or the single
        # host's collector, both on the loopback interface (otel.tf).
        otlp_endpoint = local.otlp_endpoint
      },
      # AUTH_PRIVATE_KEY -> auth_private_key_arn, DATABASE_URL -> database_url_arn, ...
      { for variable, arn in local.app_secrets[name] : "${lower(variable)}_arn" => arn },
      lookup(local.taskdef_app_vars, name, {}),
    )
  }

  taskdef_app_vars = {
    "orders-app" = {
      collector_image      = var.adot_collector_image
      collector_config_arn = local.collector_config_arns["orders-app"]
    }
    "kitchen-app" = {
      collector_image      = var.adot_collector_image
      collector_config_arn = local.collector_config_arns["kitchen-app"]
    }
    "inventory-app" = {
      market_url           = var.market_url
      collector_image      = var.adot_collector_image
      collector_config_arn = local.collector_config_arns["inventory-app"]
    }
    "web" = {
      auth_key_id = var.session_key_id
      # The load balancer lives in the VPC: only its X-Forwarded-For names
      # the client. Nothing proxies on the single host (its dashboard is
      # reached through a Session Manager port forward): trust no one.
      trusted_proxies      = local.managed ? var.vpc_cidr : ""
      collector_image      = var.adot_collector_image
      collector_config_arn = local.collector_config_arns["web"]
      orders_url           = local.service_urls["orders-app"]
      kitchen_url          = local.service_urls["kitchen-app"]
      inventory_url        = local.service_urls["inventory-app"]
    }
  }
}

resource "aws_ecs_task_definition" "app" {
  for_each = local.managed_apps

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_sizes[each.key].cpu
  memory                   = var.task_sizes[each.key].memory
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # tracing = false: the collectors that carry only traces go, and the
  # services get no OTLP endpoint (tracing off); kitchen-app's collector
  # stays for its stream lag.
  container_definitions = var.tracing ? templatefile("${path.module}/taskdefs/${each.key}.json.tftpl", local.taskdef_vars[each.key]) : jsonencode([
    for c in jsondecode(templatefile("${path.module}/taskdefs/${each.key}.json.tftpl", local.taskdef_vars[each.key])) :
    merge(c, { environment = [for e in lookup(c, "environment", []) : e if e.name != "OTEL_EXPORTER_OTLP_ENDPOINT"] })
    if c.name == each.key || each.key == "kitchen-app"
  ])
}

# --- Services ------------------------------------------------------------------

resource "aws_ecs_service" "app" {
  for_each = local.managed_apps

  name            = each.key
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.app[each.key].arn
  desired_count   = each.value.desired_count
  launch_type     = "FARGATE"

  # Rolling deploys start new tasks before stopping old ones, the warehouse
  # too: its tasks elect one leader, and the store refuses a stale one's
  # writes, so an overlap of old and new tasks is safe.
  deployment_maximum_percent         = 200
  deployment_minimum_healthy_percent = 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = local.private_subnet_ids
    security_groups  = [aws_security_group.app[each.key].id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = each.key == "web" ? [each.value] : []
    content {
      target_group_arn = aws_lb_target_group.web[0].arn
      container_name   = each.key
      container_port   = load_balancer.value.port
    }
  }
  health_check_grace_period_seconds = each.key == "web" ? 30 : null

  dynamic "service_registries" {
    for_each = { for name, registry in aws_service_discovery_service.app : name => registry.arn if name == each.key }
    content {
      registry_arn = service_registries.value
    }
  }

  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  lifecycle {
    # The deploy workflow registers a revision per release, and Application
    # Auto Scaling owns the task counts (between min_count and max_count).
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_lb_listener.https, aws_iam_role_policy.execution]
}

# desired_count is left to autoscaling elsewhere; the warehouse has none,
# so say so loudly if someone scales it by hand below a leader and a standby.
# (The single host runs one task of each: a standby there would share the
# leader's instance, which is what fails.)
check "inventory_standby" {
  data "aws_ecs_service" "inventory" {
    cluster_arn  = aws_ecs_cluster.this.arn
    service_name = "inventory-app"

    depends_on = [aws_ecs_service.app]
  }

  assert {
    condition     = local.single_host || data.aws_ecs_service.inventory.desired_count >= 2
    error_message = "inventory-app runs ${data.aws_ecs_service.inventory.desired_count} task(s): with fewer than two no standby takes over when the leader dies."
  }
}
