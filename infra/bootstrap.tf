# The one-off tasks that give each service its own database user, since the
# AWS provider cannot create users inside PostgreSQL or DocumentDB. They run
# in the private subnets as the databases' master users, whose passwords RDS
# and DocumentDB keep in secrets of their own (manage_master_user_password):
# no service can read those, only these tasks' execution role.
#
#   postgres-bootstrap     a role per service (local.postgres_databases),
#                          owning its own database (bootstrap/postgres.sql.tftpl)
#   documentdb-bootstrap   inventory-app's user, readWrite on its database
#                          (bootstrap/documentdb.js.tftpl; mongo_mode = "documentdb")
#
# Both are idempotent. Run them (output bootstrap_commands) once the
# databases exist, before the services start, and again whenever a
# service's database password changes (README.md, first deploy).
#
# All of it is the managed shape's: on the single host the PostgreSQL and
# MongoDB containers run the same scripts themselves at every start
# (single_host_stores.tf).

locals {
  # Where the tasks fetch the Amazon RDS certificate authorities from, to
  # verify the databases (the services' images carry the same bundle).
  rds_ca_url = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"

  postgres_bootstrap_databases = {
    for app, db in local.postgres_databases : app => merge(db, { password_env = "${upper(replace(db.role, "-", "_"))}_PASSWORD" })
  }
  documentdb_password_env = "${upper(local.documentdb_user.user)}_PASSWORD"

  bootstrap_log_options = {
    "awslogs-group"  = aws_cloudwatch_log_group.bootstrap.name
    "awslogs-region" = var.region
  }
}

resource "aws_cloudwatch_log_group" "bootstrap" {
  name              = "/ecs/${var.name}/db-bootstrap"
  retention_in_days = var.log_retention_days
}

# --- Network -----------------------------------------------------------------

resource "aws_security_group" "bootstrap" {
  count = local.managed ? 1 : 0

  name        = "${var.name}-db-bootstrap"
  description = "Comanda database bootstrap tasks: to the databases, and HTTPS"
  vpc_id      = local.vpc_id
  tags        = { Name = "${var.name}-db-bootstrap" }
}

# Secrets Manager, CloudWatch, the image registry and the CA bundle.
resource "aws_vpc_security_group_egress_rule" "bootstrap_https" {
  count = local.managed ? 1 : 0

  security_group_id = aws_security_group.bootstrap[0].id
  description       = "HTTPS: AWS APIs, public images, the RDS CA bundle"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "bootstrap_to_postgres" {
  count = local.managed ? 1 : 0

  security_group_id            = aws_security_group.bootstrap[0].id
  description                  = "To PostgreSQL"
  referenced_security_group_id = aws_security_group.postgres[0].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_ingress_rule" "postgres_from_bootstrap" {
  count = local.managed ? 1 : 0

  security_group_id            = aws_security_group.postgres[0].id
  description                  = "From the database bootstrap tasks"
  referenced_security_group_id = aws_security_group.bootstrap[0].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "bootstrap_to_documentdb" {
  count = local.documentdb ? 1 : 0

  security_group_id            = aws_security_group.bootstrap[0].id
  description                  = "To DocumentDB"
  referenced_security_group_id = aws_security_group.documentdb[0].id
  ip_protocol                  = "tcp"
  from_port                    = 27017
  to_port                      = 27017
}

resource "aws_vpc_security_group_ingress_rule" "documentdb_from_bootstrap" {
  count = local.documentdb ? 1 : 0

  security_group_id            = aws_security_group.documentdb[0].id
  description                  = "From the database bootstrap tasks"
  referenced_security_group_id = aws_security_group.bootstrap[0].id
  ip_protocol                  = "tcp"
  from_port                    = 27017
  to_port                      = 27017
}

# --- Roles ---------------------------------------------------------------------

# ECS starts the tasks with it: their logs, the master users' secrets and
# the passwords they set. The tasks themselves call no AWS API (no task role).
resource "aws_iam_role" "bootstrap_execution" {
  count = local.managed ? 1 : 0

  name               = "${var.name}-db-bootstrap-execution"
  description        = "ECS starts the database bootstrap tasks: logs, the master and service database passwords"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "bootstrap_execution" {
  count = local.managed ? 1 : 0

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.bootstrap.arn}:*"]
  }

  statement {
    sid     = "ReadDatabaseSecrets"
    actions = ["secretsmanager:GetSecretValue"]
    resources = concat(
      [aws_db_instance.postgres[0].master_user_secret[0].secret_arn],
      [for app in keys(local.postgres_databases) : aws_secretsmanager_secret.this["${app}/database-password"].arn],
      local.documentdb ? [aws_docdb_cluster.this[0].master_user_secret[0].secret_arn, aws_secretsmanager_secret.this["inventory-app/mongo-password"].arn] : [],
    )
  }
}

resource "aws_iam_role_policy" "bootstrap_execution" {
  count = local.managed ? 1 : 0

  name   = "start-db-bootstrap"
  role   = aws_iam_role.bootstrap_execution[0].id
  policy = data.aws_iam_policy_document.bootstrap_execution[0].json
}

# --- Task definitions ------------------------------------------------------------

resource "aws_ecs_task_definition" "postgres_bootstrap" {
  count = local.managed ? 1 : 0

  family                   = "${var.name}-postgres-bootstrap"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.bootstrap_execution[0].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name       = "postgres"
      image      = var.bootstrap_postgres_image
      essential  = true
      entryPoint = ["/bin/sh", "-ec"]
      command    = ["wget -qO \"$PGSSLROOTCERT\" ${local.rds_ca_url}\nprintf '%s\\n' \"$BOOTSTRAP_SQL\" | psql -X -f -"]
      environment = [
        { name = "PGHOST", value = aws_db_instance.postgres[0].address },
        { name = "PGPORT", value = tostring(aws_db_instance.postgres[0].port) },
        { name = "PGDATABASE", value = aws_db_instance.postgres[0].db_name },
        { name = "PGSSLMODE", value = "verify-full" },
        { name = "PGSSLROOTCERT", value = "/tmp/rds-ca.pem" },
        { name = "PGCONNECT_TIMEOUT", value = "10" },
        {
          name = "BOOTSTRAP_SQL"
          value = templatefile("${path.module}/bootstrap/postgres.sql.tftpl", {
            master_database = aws_db_instance.postgres[0].db_name
            databases       = local.postgres_bootstrap_databases
          })
        },
      ]
      secrets = concat(
        [
          { name = "PGUSER", valueFrom = "${aws_db_instance.postgres[0].master_user_secret[0].secret_arn}:username::" },
          { name = "PGPASSWORD", valueFrom = "${aws_db_instance.postgres[0].master_user_secret[0].secret_arn}:password::" },
        ],
        [for app, db in local.postgres_bootstrap_databases : { name = db.password_env, valueFrom = aws_secretsmanager_secret.this["${app}/database-password"].arn }],
      )
      logConfiguration = {
        logDriver = "awslogs"
        options   = merge(local.bootstrap_log_options, { "awslogs-stream-prefix" = "postgres" })
      }
    },
  ])

  # What the task needs to run besides what it names: the passwords in
  # their secrets, its permissions and its way to the database.
  depends_on = [
    aws_secretsmanager_secret_version.database_password,
    aws_iam_role_policy.bootstrap_execution,
    aws_vpc_security_group_egress_rule.bootstrap_https,
    aws_vpc_security_group_egress_rule.bootstrap_to_postgres,
    aws_vpc_security_group_ingress_rule.postgres_from_bootstrap,
  ]
}

resource "aws_ecs_task_definition" "documentdb_bootstrap" {
  count = local.documentdb ? 1 : 0

  family                   = "${var.name}-documentdb-bootstrap"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  execution_role_arn       = aws_iam_role.bootstrap_execution[0].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # The CA bundle, fetched by the first container for mongosh's (the mongo
  # image has no HTTP client).
  volume {
    name = "ca"
  }

  container_definitions = jsonencode([
    {
      name        = "ca"
      image       = var.bootstrap_postgres_image
      essential   = false
      entryPoint  = ["/bin/sh", "-ec"]
      command     = ["wget -qO /ca/rds-ca.pem ${local.rds_ca_url}"]
      mountPoints = [{ sourceVolume = "ca", containerPath = "/ca" }]
      logConfiguration = {
        logDriver = "awslogs"
        options   = merge(local.bootstrap_log_options, { "awslogs-stream-prefix" = "ca" })
      }
    },
    {
      name        = "documentdb"
      image       = var.bootstrap_mongo_image
      essential   = true
      dependsOn   = [{ containerName = "ca", condition = "SUCCESS" }]
      entryPoint  = ["/bin/sh", "-ec"]
      command     = ["mongosh --quiet --norc --tls --tlsCAFile /ca/rds-ca.pem --host \"$DOCDB_HOST:$DOCDB_PORT\" --retryWrites=false --authenticationDatabase admin --username \"$MASTER_USERNAME\" --password \"$MASTER_PASSWORD\" --eval \"$BOOTSTRAP_JS\""]
      mountPoints = [{ sourceVolume = "ca", containerPath = "/ca", readOnly = true }]
      environment = [
        { name = "DOCDB_HOST", value = aws_docdb_cluster.this[0].endpoint },
        { name = "DOCDB_PORT", value = tostring(aws_docdb_cluster.this[0].port) },
        {
          name = "BOOTSTRAP_JS"
          value = templatefile("${path.module}/bootstrap/documentdb.js.tftpl", {
            user         = local.documentdb_user.user
            database     = local.documentdb_user.database
            password_env = local.documentdb_password_env
          })
        },
      ]
      secrets = [
        { name = "MASTER_USERNAME", valueFrom = "${aws_docdb_cluster.this[0].master_user_secret[0].secret_arn}:username::" },
        { name = "MASTER_PASSWORD", valueFrom = "${aws_docdb_cluster.this[0].master_user_secret[0].secret_arn}:password::" },
        { name = local.documentdb_password_env, valueFrom = aws_secretsmanager_secret.this["inventory-app/mongo-password"].arn },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options   = merge(local.bootstrap_log_options, { "awslogs-stream-prefix" = "documentdb" })
      }
    },
  ])

  depends_on = [
    aws_docdb_cluster_instance.this,
    aws_secretsmanager_secret_version.mongo_password,
    aws_iam_role_policy.bootstrap_execution,
    aws_vpc_security_group_egress_rule.bootstrap_https,
    aws_vpc_security_group_egress_rule.bootstrap_to_documentdb,
    aws_vpc_security_group_ingress_rule.documentdb_from_bootstrap,
  ]
}
