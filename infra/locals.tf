locals {
  # One entry per deployable: its image, task definition (taskdefs/<app>.json.tftpl),
  # log group, roles, security group and ECS service. elected apps run a
  # fixed number of tasks that elect a leader among themselves. The ports are the
  # services' defaults (the *_ADDR variables); infra/deploycheck checks
  # them against the code and the task definition templates.
  apps = {
    "orders-app" = {
      port          = 3000
      desired_count = var.orders_count.min
      min_count     = var.orders_count.min
      max_count     = var.orders_count.max
      elected       = false
    }
    "kitchen-app" = {
      port          = 3001
      desired_count = var.kitchen_count.min
      min_count     = var.kitchen_count.min
      max_count     = var.kitchen_count.max
      elected       = false
    }
    # The warehouse's tasks elect one leader with a lease in its store; the
    # others stand by, ready to take over. A fixed count, never autoscaled:
    # more tasks add standbys, not throughput.
    "inventory-app" = {
      port          = 3002
      desired_count = var.inventory_count
      min_count     = var.inventory_count
      max_count     = var.inventory_count
      elected       = true
    }
    "web" = {
      port          = 8080
      desired_count = var.web_count.min
      min_count     = var.web_count.min
      max_count     = var.web_count.max
      elected       = false
    }
  }

  # The services behind the gateway, found through Cloud Map DNS.
  internal_apps = { for name, app in local.apps : name => app if name != "web" }

  # The services that reach Redis: those given a REDIS_URL (each its own
  # ElastiCache user, redis.tf): all four.
  redis_clients = toset([for app, secrets in local.app_secrets : app if contains(keys(secrets), "REDIS_URL")])

  # The services with a PostgreSQL database of their own: its name and the
  # role owning it, which the service connects as (the postgres-bootstrap
  # task creates both). The services create their schema inside at start.
  postgres_databases = {
    "orders-app"  = { role = "orders_app", database = "orders" }
    "kitchen-app" = { role = "kitchen_app", database = "kitchen" }
  }
  postgres_apps = toset(keys(local.postgres_databases))

  # inventory-app's DocumentDB user (mongo_mode = "documentdb"): readWrite on
  # its database, MONGO_DATABASE's default.
  documentdb_user = { user = "inventory_app", database = "comanda_inventory" }

  # DocumentDB is the managed shape's; the single host runs MongoDB itself.
  documentdb = local.managed && var.mongo_mode == "documentdb"

  # Where the images keep the Amazon RDS certificate authorities (see the
  # services' Dockerfiles), so that database connections verify the server.
  rds_ca_file = "/etc/ssl/certs/rds-global-bundle.pem"

  # Cloud Map names in the managed shape; the single host's containers share
  # its network (host mode), so the services are on its loopback interface.
  service_urls = {
    for name, app in local.internal_apps :
    name => local.managed ? "http://${name}.${aws_service_discovery_private_dns_namespace.this[0].name}:${app.port}" : "http://127.0.0.1:${app.port}"
  }

  # The shape (var.shape): the managed-only resources have a count or a
  # for_each of nothing in the single-host shape, and the other way round.
  managed     = var.shape == "managed"
  single_host = var.shape == "single-host"
  # local.apps where each runs on Fargate; nothing on the single host.
  managed_apps = local.managed ? local.apps : {}
}
