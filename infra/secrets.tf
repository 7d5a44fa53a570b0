# Every secret the services read, in Secrets Manager. ECS injects them into
# the containers (the task definitions' "secrets"); no secret is ever in an
# environment variable of a task definition, in a Terraform variable or in
# the repository.
#
# Terraform writes the values it makes itself (generated passwords and the
# URLs built from them), so the state holds them: keep it in the encrypted,
# access-controlled bucket README.md describes. The values a person chooses
# (the manager's password, an Atlas URI) are put by the operator and never
# pass through Terraform. The databases' master passwords are not here
# either: RDS and DocumentDB keep them in secrets of their own
# (manage_master_user_password), which only the bootstrap tasks read
# (bootstrap.tf).
#
# Every service has credentials of its own: its Redis user, its database
# role or user. Nothing is shared: the gateway alone holds the key that signs
# sessions (web/auth-private-key); the services get its public key, which is
# no secret (AUTH_PUBLIC_KEYS in their task definitions).

locals {
  secret_names = merge(
    {
      "web/auth-private-key"    = "AUTH_PRIVATE_KEY of web: the Ed25519 key that signs the manager's sessions"
      "web/manager-password"    = "MANAGER_PASSWORD: the manager's dashboard password (put by the operator, 12+ characters)"
      "inventory-app/mongo-url" = "MONGO_URL of inventory-app: its own DocumentDB user, or the Atlas URI put by the operator"
    },
    { for app in keys(local.redis_access) : "${app}/redis-url" => "REDIS_URL of ${app}: its own ElastiCache user" },
    { for app, db in local.postgres_databases : "${app}/database-url" => "DATABASE_URL of ${app}: the role ${db.role}, owner of the database ${db.database}" },
    { for app, db in local.postgres_databases : "${app}/database-password" => "The password of the PostgreSQL role ${db.role}, for the postgres-bootstrap task" },
    local.documentdb ? { "inventory-app/mongo-password" = "The password of the DocumentDB user ${local.documentdb_user.user}, for the documentdb-bootstrap task" } : {},
    local.single_host ? { "inventory-app/mongo-password" = "The password of the MongoDB user ${local.documentdb_user.user}, for the single host's mongo container, which sets it" } : {},
  )
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.secret_names

  name                    = "${var.name}/${each.key}"
  description             = each.value
  recovery_window_in_days = var.secret_recovery_window_days
}

# The gateway's session signing key. Rotation (docs/security.md): add the
# current public key to session_previous_public_keys, bump session_key_id and
# `terraform apply -replace=tls_private_key.session`; remove the old entry
# after SESSION_TTL.
resource "tls_private_key" "session" {
  algorithm = "ED25519"
}

resource "aws_secretsmanager_secret_version" "auth_private_key" {
  secret_id     = aws_secretsmanager_secret.this["web/auth-private-key"].id
  secret_string = tls_private_key.session.private_key_pem_pkcs8
}

locals {
  # KID=KEY, KEY the base64 of the public key's DER: the body of its PEM.
  session_public_key = "${var.session_key_id}=${replace(replace(replace(tls_private_key.session.public_key_pem, "-----BEGIN PUBLIC KEY-----", ""), "-----END PUBLIC KEY-----", ""), "\n", "")}"
  auth_public_keys   = join(",", compact([local.session_public_key, var.session_previous_public_keys]))
}

# Each service's own ElastiCache user (redis.tf); on the single host, the
# same user of its Redis container, on the loopback interface: no TLS, the
# traffic never leaves the instance (single_host_stores.tf).
resource "aws_secretsmanager_secret_version" "redis_url" {
  for_each = local.redis_access

  secret_id = aws_secretsmanager_secret.this["${each.key}/redis-url"].id
  secret_string = (local.managed
    ? "rediss://${aws_elasticache_user.app[each.key].user_name}:${random_password.redis_user[each.key].result}@${aws_elasticache_replication_group.redis[0].primary_endpoint_address}:6379/0"
    : "redis://${each.key}:${random_password.redis_user[each.key].result}@127.0.0.1:6379/0"
  )
}

# Each service's own role and database (postgres.tf); verify-full against the
# RDS CA bundle in the images. On the single host, the same role and
# database in its PostgreSQL container, on the loopback interface.
resource "aws_secretsmanager_secret_version" "database_url" {
  for_each = local.postgres_databases

  secret_id = aws_secretsmanager_secret.this["${each.key}/database-url"].id
  secret_string = (local.managed
    ? "postgres://${each.value.role}:${random_password.postgres_role[each.key].result}@${aws_db_instance.postgres[0].address}:${aws_db_instance.postgres[0].port}/${each.value.database}?sslmode=verify-full&sslrootcert=${local.rds_ca_file}"
    : "postgres://${each.value.role}:${random_password.postgres_role[each.key].result}@127.0.0.1:5432/${each.value.database}?sslmode=disable"
  )
}

resource "aws_secretsmanager_secret_version" "database_password" {
  for_each = local.postgres_databases

  secret_id     = aws_secretsmanager_secret.this["${each.key}/database-password"].id
  secret_string = random_password.postgres_role[each.key].result
}

# DocumentDB, as inventory-app's own user (authenticated in admin, where
# DocumentDB keeps its users): TLS verified against the RDS authorities in
# the image; no retryable writes (DocumentDB has none); reads from the
# primary, which the warehouse's transactions need.
resource "aws_secretsmanager_secret_version" "mongo_url" {
  count = local.documentdb ? 1 : 0

  secret_id     = aws_secretsmanager_secret.this["inventory-app/mongo-url"].id
  secret_string = "mongodb://${local.documentdb_user.user}:${random_password.documentdb_user[0].result}@${aws_docdb_cluster.this[0].endpoint}:${aws_docdb_cluster.this[0].port}/?tls=true&tlsCAFile=${local.rds_ca_file}&replicaSet=rs0&readPreference=primary&retryWrites=false&authSource=admin"
}

resource "aws_secretsmanager_secret_version" "mongo_password" {
  count = local.documentdb ? 1 : 0

  secret_id     = aws_secretsmanager_secret.this["inventory-app/mongo-password"].id
  secret_string = random_password.documentdb_user[0].result
}

# The secrets each service's execution role may read, by variable name:
# its own credentials.
locals {
  app_secrets = {
    "orders-app" = {
      REDIS_URL    = aws_secretsmanager_secret.this["orders-app/redis-url"].arn
      DATABASE_URL = aws_secretsmanager_secret.this["orders-app/database-url"].arn
    }
    "kitchen-app" = {
      REDIS_URL    = aws_secretsmanager_secret.this["kitchen-app/redis-url"].arn
      DATABASE_URL = aws_secretsmanager_secret.this["kitchen-app/database-url"].arn
    }
    "inventory-app" = {
      REDIS_URL = aws_secretsmanager_secret.this["inventory-app/redis-url"].arn
      MONGO_URL = aws_secretsmanager_secret.this["inventory-app/mongo-url"].arn
    }
    "web" = {
      AUTH_PRIVATE_KEY = aws_secretsmanager_secret.this["web/auth-private-key"].arn
      MANAGER_PASSWORD = aws_secretsmanager_secret.this["web/manager-password"].arn
      REDIS_URL        = aws_secretsmanager_secret.this["web/redis-url"].arn
    }
  }
}
