# Every secret the services read, in Secrets Manager. ECS injects them into
# the containers (the task definitions' "secrets"); no secret is ever in an
# environment variable of a task definition, in a Terraform variable or in
# the repository.
#
# Terraform writes the values it makes itself (generated passwords and the
# URLs built from them), so the state holds them: keep it in the encrypted,
# access-controlled bucket README.md describes. The values a person chooses
# (the manager's password, an Atlas URI) are put by the operator and never
# pass through Terraform.

locals {
  secret_names = merge(
    {
      "auth-secret"      = "AUTH_SECRET: signs and checks the manager's sessions (gateway and services)"
      "redis-url"        = "REDIS_URL: the ElastiCache Redis carrying the streams, with its auth token"
      "manager-password" = "MANAGER_PASSWORD: the manager's dashboard password (put by the operator, 12+ characters)"
      "mongo-url"        = "MONGO_URL: inventory-app's MongoDB (DocumentDB, or the Atlas URI put by the operator)"
    },
    { for app in local.postgres_apps : "${app}/database-url" => "DATABASE_URL of ${app}: the RDS PostgreSQL" },
  )
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.secret_names

  name                    = "${var.name}/${each.key}"
  description             = each.value
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "random_password" "auth_secret" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret_version" "auth_secret" {
  secret_id     = aws_secretsmanager_secret.this["auth-secret"].id
  secret_string = random_password.auth_secret.result
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.this["redis-url"].id
  secret_string = "rediss://:${random_password.redis_auth_token.result}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:6379/0"
}

resource "aws_secretsmanager_secret_version" "database_url" {
  for_each = local.postgres_apps

  secret_id     = aws_secretsmanager_secret.this["${each.key}/database-url"].id
  secret_string = "postgres://${aws_db_instance.postgres.username}:${random_password.postgres.result}@${aws_db_instance.postgres.address}:${aws_db_instance.postgres.port}/${aws_db_instance.postgres.db_name}?sslmode=verify-full&sslrootcert=${local.rds_ca_file}"
}

# DocumentDB: TLS verified against the RDS authorities in the image; no
# retryable writes (DocumentDB has none); reads from the primary, which the
# warehouse's transactions need.
resource "aws_secretsmanager_secret_version" "mongo_url" {
  count = local.documentdb ? 1 : 0

  secret_id     = aws_secretsmanager_secret.this["mongo-url"].id
  secret_string = "mongodb://${aws_docdb_cluster.this[0].master_username}:${random_password.documentdb[0].result}@${aws_docdb_cluster.this[0].endpoint}:${aws_docdb_cluster.this[0].port}/?tls=true&tlsCAFile=${local.rds_ca_file}&replicaSet=rs0&readPreference=primary&retryWrites=false"
}

# The secrets each service's execution role may read, by variable name.
locals {
  app_secrets = {
    "orders-app" = {
      AUTH_SECRET  = aws_secretsmanager_secret.this["auth-secret"].arn
      REDIS_URL    = aws_secretsmanager_secret.this["redis-url"].arn
      DATABASE_URL = aws_secretsmanager_secret.this["orders-app/database-url"].arn
    }
    "kitchen-app" = {
      AUTH_SECRET  = aws_secretsmanager_secret.this["auth-secret"].arn
      REDIS_URL    = aws_secretsmanager_secret.this["redis-url"].arn
      DATABASE_URL = aws_secretsmanager_secret.this["kitchen-app/database-url"].arn
    }
    "inventory-app" = {
      AUTH_SECRET = aws_secretsmanager_secret.this["auth-secret"].arn
      REDIS_URL   = aws_secretsmanager_secret.this["redis-url"].arn
      MONGO_URL   = aws_secretsmanager_secret.this["mongo-url"].arn
    }
    "web" = {
      AUTH_SECRET      = aws_secretsmanager_secret.this["auth-secret"].arn
      MANAGER_PASSWORD = aws_secretsmanager_secret.this["manager-password"].arn
    }
  }
}
