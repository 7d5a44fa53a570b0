# The single host's data stores: Redis, PostgreSQL and MongoDB, each an ECS
# service of one container listening on the host's loopback interface only,
# its data in a directory of the instance (local.host_data_dir). They hold
# the same users as the managed stores, with the passwords of the same
# secrets (secrets.tf), and run the same set-up scripts (bootstrap/) at every
# start: each service has its own Redis user, database role or MongoDB user,
# and no service holds a store's administrator password.

locals {
  host_images = {
    redis     = "public.ecr.aws/docker/library/redis:7.4-alpine"
    postgres  = "public.ecr.aws/docker/library/postgres:${split(".", var.postgres_engine_version)[0]}-alpine"
    mongo     = "public.ecr.aws/docker/library/mongo:7.0"
    collector = var.adot_collector_image
  }

  # Redis's users (its ACL file): the services' users of local.redis_access
  # (those ElastiCache has), with CLIENT SETINFO, which the client library
  # sends on connecting, as in docker-compose.yaml's ACL file. The default
  # user is off: connecting without a user name gets nothing.
  host_redis_acl = join("\n", concat(
    ["user default off resetchannels -@all"],
    [for app, access in local.redis_access : "user ${app} reset ${access} resetchannels +client|setinfo >${random_password.redis_user[app].result}"],
  ))

  # Redis's own ceiling, below its container's limit: the rest is for the
  # connections' buffers and the append-only file's rewrite.
  host_redis_maxmemory_mb = 40

  # The stores' task definitions, by service.
  host_store_taskdefs = local.single_host ? merge(
    {
      redis    = aws_ecs_task_definition.host_redis[0].arn
      postgres = aws_ecs_task_definition.host_postgres[0].arn
      mongo    = aws_ecs_task_definition.host_mongo[0].arn
    },
    var.tracing ? { collector = aws_ecs_task_definition.host_collector[0].arn } : {},
  ) : {}

  # What each store's container gets from Secrets Manager (or, for the
  # collector, SSM): its execution role may read exactly these.
  host_store_secrets = local.single_host ? merge(
    {
      redis = { REDIS_ACL = aws_secretsmanager_secret.host["stores/redis-acl"].arn }
      postgres = merge(
        { POSTGRES_PASSWORD = aws_secretsmanager_secret.host["stores/postgres-password"].arn },
        { for app, db in local.postgres_bootstrap_databases : db.password_env => aws_secretsmanager_secret.this["${app}/database-password"].arn },
      )
      mongo = {
        MONGO_ROOT_PASSWORD             = aws_secretsmanager_secret.host["stores/mongo-root-password"].arn
        (local.documentdb_password_env) = aws_secretsmanager_secret.this["inventory-app/mongo-password"].arn
      }
    },
    var.tracing ? { collector = { AOT_CONFIG_CONTENT = aws_ssm_parameter.traces_collector_config[0].arn } } : {},
  ) : {}

  host_health_check = { interval = 15, timeout = 5, retries = 3 }
}

# --- Secrets -----------------------------------------------------------------

locals {
  host_secret_names = {
    "stores/redis-acl"           = "The single host's Redis users (its ACL file), with the services' passwords"
    "stores/postgres-password"   = "The single host's PostgreSQL superuser password, for its container alone"
    "stores/mongo-root-password" = "The single host's MongoDB root password, for its container alone"
  }
}

resource "aws_secretsmanager_secret" "host" {
  for_each = local.single_host ? local.host_secret_names : {}

  name                    = "${var.name}/${each.key}"
  description             = each.value
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "random_password" "host_store" {
  for_each = local.single_host ? toset(["postgres", "mongo-root", "inventory-mongo"]) : toset([])

  length  = 40
  special = false # goes into URLs and command lines
}

resource "aws_secretsmanager_secret_version" "host" {
  for_each = local.single_host ? {
    "stores/redis-acl"           = local.host_redis_acl
    "stores/postgres-password"   = random_password.host_store["postgres"].result
    "stores/mongo-root-password" = random_password.host_store["mongo-root"].result
  } : {}

  secret_id     = aws_secretsmanager_secret.host[each.key].id
  secret_string = each.value
}

resource "aws_secretsmanager_secret_version" "host_mongo_password" {
  count = local.single_host ? 1 : 0

  secret_id     = aws_secretsmanager_secret.this["inventory-app/mongo-password"].id
  secret_string = random_password.host_store["inventory-mongo"].result
}

# inventory-app's own MongoDB user (authenticated in admin, where the mongo
# container creates it), on the loopback interface; a replica set of one,
# for the warehouse's transactions.
resource "aws_secretsmanager_secret_version" "host_mongo_url" {
  count = local.single_host ? 1 : 0

  secret_id     = aws_secretsmanager_secret.this["inventory-app/mongo-url"].id
  secret_string = "mongodb://${local.documentdb_user.user}:${random_password.host_store["inventory-mongo"].result}@127.0.0.1:27017/?replicaSet=rs0&readPreference=primary&authSource=admin"
}

# --- Roles and logs ----------------------------------------------------------

resource "aws_cloudwatch_log_group" "host" {
  for_each = local.single_host ? local.host_stores : toset([])

  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "host_execution" {
  for_each = local.single_host ? local.host_stores : toset([])

  name               = "${var.name}-${each.key}-execution"
  description        = "ECS starts the single host's ${each.key}: logs, its secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "host_execution" {
  for_each = local.single_host ? local.host_stores : toset([])

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.host[each.key].arn}:*"]
  }

  dynamic "statement" {
    for_each = each.key == "collector" ? [] : [values(local.host_store_secrets[each.key])]
    content {
      sid       = "ReadOwnSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = each.key == "collector" ? [values(local.host_store_secrets[each.key])] : []
    content {
      sid       = "ReadCollectorConfig"
      actions   = ["ssm:GetParameters"]
      resources = statement.value
    }
  }
}

resource "aws_iam_role_policy" "host_execution" {
  for_each = local.single_host ? local.host_stores : toset([])

  name   = "start-${each.key}"
  role   = aws_iam_role.host_execution[each.key].id
  policy = data.aws_iam_policy_document.host_execution[each.key].json
}

locals {
  host_log_options = {
    for name in local.host_stores : name => {
      "awslogs-group"         = "/ecs/${var.name}/${name}"
      "awslogs-region"        = var.region
      "awslogs-stream-prefix" = name
      "mode"                  = "non-blocking"
      "max-buffer-size"       = "25m"
    }
  }
}

# --- Redis -------------------------------------------------------------------

# The event streams. Append-only file fsynced before each answer: an entry
# Redis took survives a crash of the host, and there is no replica to wait
# for (REDIS_WAIT_REPLICAS is 0 here). Streams must never be evicted: past
# maxmemory writes fail, and the relays keep their events. The ACL file
# (with the passwords) is written from its secret to a memory-only
# directory at each start.
resource "aws_ecs_task_definition" "host_redis" {
  count = local.single_host ? 1 : 0

  family                   = "${var.name}-redis"
  requires_compatibilities = ["EC2"]
  network_mode             = "host"
  memory                   = local.host_memory.redis
  execution_role_arn       = aws_iam_role.host_execution["redis"].arn

  volume {
    name      = "data"
    host_path = "${local.host_data_dir}/redis"
  }

  container_definitions = jsonencode([
    {
      name       = "redis"
      image      = local.host_images.redis
      essential  = true
      memory     = local.host_memory.redis
      entryPoint = ["/bin/sh", "-ec"]
      command = [join("\n", [
        "umask 077",
        "printf '%s\\n' \"$REDIS_ACL\" > /run/redis/users.acl",
        "unset REDIS_ACL",
        "chown redis:redis /run/redis/users.acl",
        "exec docker-entrypoint.sh redis-server --bind 127.0.0.1 --port 6379 --dir /data --appendonly yes --appendfsync always --maxmemory ${local.host_redis_maxmemory_mb}mb --maxmemory-policy noeviction --aclfile /run/redis/users.acl",
      ])]
      secrets     = [for name, arn in local.host_store_secrets["redis"] : { name = name, valueFrom = arn }]
      mountPoints = [{ sourceVolume = "data", containerPath = "/data" }]
      linuxParameters = {
        tmpfs = [{ containerPath = "/run/redis", size = 1 }]
      }
      # The default user is off, so an anonymous PING gets NOAUTH: either
      # answer means the server is up.
      healthCheck = merge(local.host_health_check, {
        command     = ["CMD-SHELL", "redis-cli -h 127.0.0.1 ping 2>&1 | grep -qE 'PONG|NOAUTH'"]
        startPeriod = 10
      })
      stopTimeout      = 30
      logConfiguration = { logDriver = "awslogs", options = local.host_log_options["redis"] }
    },
  ])

  depends_on = [aws_secretsmanager_secret_version.host]
}

# --- PostgreSQL ----------------------------------------------------------------

# orders-app's and kitchen-app's databases. At every start, once the server
# answers on TCP (not the socket-only server of a first start's init), the
# container runs bootstrap/postgres.sql.tftpl as the superuser, as the
# managed shape's postgres-bootstrap task does against RDS: each service's
# role, with the password of its database-password secret, owning its own
# database. Healthy once that is done.
resource "aws_ecs_task_definition" "host_postgres" {
  count = local.single_host ? 1 : 0

  family                   = "${var.name}-postgres"
  requires_compatibilities = ["EC2"]
  network_mode             = "host"
  memory                   = local.host_memory.postgres
  execution_role_arn       = aws_iam_role.host_execution["postgres"].arn

  volume {
    name      = "data"
    host_path = "${local.host_data_dir}/postgres"
  }

  container_definitions = jsonencode([
    {
      name       = "postgres"
      image      = local.host_images.postgres
      essential  = true
      memory     = local.host_memory.postgres
      entryPoint = ["/bin/sh", "-ec"]
      command = [join("\n", [
        "docker-entrypoint.sh postgres -c listen_addresses=127.0.0.1 -c max_connections=40 -c shared_buffers=24MB -c work_mem=2MB -c maintenance_work_mem=16MB &",
        "pid=$!",
        "trap 'kill -INT \"$pid\"' INT TERM",
        "until pg_isready -q -h 127.0.0.1 -U postgres; do kill -0 \"$pid\"; sleep 1; done",
        "printf '%s\\n' \"$BOOTSTRAP_SQL\" | PGPASSWORD=\"$POSTGRES_PASSWORD\" psql -X -q -h 127.0.0.1 -U postgres -d postgres -f -",
        "touch /tmp/ready",
        "wait \"$pid\" || wait \"$pid\"",
      ])]
      environment = [
        { name = "POSTGRES_USER", value = "postgres" },
        {
          name = "BOOTSTRAP_SQL"
          value = templatefile("${path.module}/bootstrap/postgres.sql.tftpl", {
            master_database = "postgres"
            databases       = local.postgres_bootstrap_databases
          })
        },
      ]
      secrets     = [for name, arn in local.host_store_secrets["postgres"] : { name = name, valueFrom = arn }]
      mountPoints = [{ sourceVolume = "data", containerPath = "/var/lib/postgresql/data" }]
      healthCheck = merge(local.host_health_check, {
        command     = ["CMD-SHELL", "test -f /tmp/ready && pg_isready -q -h 127.0.0.1 -U postgres -d postgres"]
        startPeriod = 60
      })
      stopTimeout      = 30
      logConfiguration = { logDriver = "awslogs", options = local.host_log_options["postgres"] }
    },
  ])

  depends_on = [aws_secretsmanager_secret_version.host, aws_secretsmanager_secret_version.database_password]
}

# --- MongoDB -------------------------------------------------------------------

# inventory-app's warehouse: a replica set of one (the warehouse's
# transactions need a replica set), with authentication and the key file a
# replica set with authentication needs (made on the first start, kept with
# the data). At every start the container initiates the set if it is not
# yet and creates the root user on the first start (host_mongo_setup_js,
# through the localhost exception, which holds only while there is no user),
# then runs bootstrap/documentdb.js.tftpl as root: inventory-app's own user,
# readWrite on its database, with its mongo-password secret. Healthy once
# that is done. The health check does not start mongosh (a Node.js process
# the size of the container's spare memory): it only connects.
locals {
  host_mongo_setup_js = <<-EOT
    if (!db.hello().setName) {
      rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: '127.0.0.1:27017' }] });
    }
    while (!db.hello().isWritablePrimary) {
      sleep(500);
    }
    const admin = db.getSiblingDB('admin');
    try {
      admin.auth('root', process.env.MONGO_ROOT_PASSWORD);
    } catch (e) {
      admin.createUser({ user: 'root', pwd: process.env.MONGO_ROOT_PASSWORD, roles: ['root'] });
      print('created the root user');
    }
  EOT
}

resource "aws_ecs_task_definition" "host_mongo" {
  count = local.single_host ? 1 : 0

  family                   = "${var.name}-mongo"
  requires_compatibilities = ["EC2"]
  network_mode             = "host"
  memory                   = local.host_memory.mongo
  execution_role_arn       = aws_iam_role.host_execution["mongo"].arn

  volume {
    name      = "data"
    host_path = "${local.host_data_dir}/mongo/db"
  }

  volume {
    name      = "config"
    host_path = "${local.host_data_dir}/mongo/config"
  }

  container_definitions = jsonencode([
    {
      name       = "mongo"
      image      = local.host_images.mongo
      essential  = true
      memory     = local.host_memory.mongo
      entryPoint = ["/bin/bash", "-ec"]
      command = [join("\n", [
        "keyfile=/data/configdb/keyfile",
        "[ -s \"$keyfile\" ] || head -c 756 /dev/urandom | base64 -w 0 > \"$keyfile\"",
        "chmod 400 \"$keyfile\"",
        "chown mongodb:mongodb \"$keyfile\"",
        "docker-entrypoint.sh mongod --replSet rs0 --bind_ip 127.0.0.1 --port 27017 --keyFile \"$keyfile\" --wiredTigerCacheSizeGB 0.25 --oplogSize 128 &",
        "pid=$!",
        "trap 'kill -TERM \"$pid\"' INT TERM",
        "until mongosh --quiet --norc --host 127.0.0.1 --eval 'db.hello().ok' >/dev/null 2>&1; do kill -0 \"$pid\"; sleep 2; done",
        "mongosh --quiet --norc --host 127.0.0.1 --eval \"$SETUP_JS\"",
        "mongosh --quiet --norc --host 127.0.0.1 --username root --password \"$MONGO_ROOT_PASSWORD\" --authenticationDatabase admin --eval \"$BOOTSTRAP_JS\"",
        "touch /tmp/ready",
        "wait \"$pid\" || wait \"$pid\"",
      ])]
      environment = [
        { name = "SETUP_JS", value = local.host_mongo_setup_js },
        {
          name = "BOOTSTRAP_JS"
          value = templatefile("${path.module}/bootstrap/documentdb.js.tftpl", {
            user         = local.documentdb_user.user
            database     = local.documentdb_user.database
            password_env = local.documentdb_password_env
          })
        },
      ]
      secrets = [for name, arn in local.host_store_secrets["mongo"] : { name = name, valueFrom = arn }]
      mountPoints = [
        { sourceVolume = "data", containerPath = "/data/db" },
        { sourceVolume = "config", containerPath = "/data/configdb" },
      ]
      healthCheck = merge(local.host_health_check, {
        command     = ["CMD-SHELL", "test -f /tmp/ready && bash -c 'exec 3<>/dev/tcp/127.0.0.1/27017'"]
        startPeriod = 120
      })
      stopTimeout      = 30
      logConfiguration = { logDriver = "awslogs", options = local.host_log_options["mongo"] }
    },
  ])

  depends_on = [aws_secretsmanager_secret_version.host, aws_secretsmanager_secret_version.host_mongo_password]
}
