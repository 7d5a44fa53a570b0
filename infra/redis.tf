# Redis 7 on ElastiCache carries the event streams: encrypted in transit and
# at rest, replicated across zones with automatic failover. Streams and
# consumer groups must never be evicted, so memory pressure makes writes fail
# (noeviction) instead of silently losing events; watch the
# DatabaseMemoryUsagePercentage metric.
#
# Access control is ElastiCache RBAC: every service has its own user and
# password (its <app>/redis-url secret), limited to the keys under the
# stream prefix and to the commands its code sends, as in
# docker-compose.yaml's ACL file (infra/deploycheck checks both against
# the code). The default user, which every user group must hold, is off.
#
# The single host runs Redis itself, with the same users (single_host_stores.tf).

locals {
  # The commands of the stream services: the streams, the Lua scripts of the
  # consumers and of the dead-letter replay (EVAL/EVALSHA, and what the
  # scripts call), WAIT, the feed's cursor marks, the order counts and the
  # session checks, INFO for the memory gauges. No pub/sub, no other keys,
  # no administration.
  redis_stream_commands = "-@all +ping +info +xadd +xreadgroup +xack +xclaim +xpending +xinfo +xgroup +xtrim +xlen +xrange +xrevrange +xdel +eval +evalsha +wait +multi +exec +set +del +exists"

  # Each user's access string. web's has the gateway's sessions and login
  # limits.
  redis_access = {
    "orders-app"    = "on ~${var.stream_prefix}:* ${local.redis_stream_commands}"
    "kitchen-app"   = "on ~${var.stream_prefix}:* ${local.redis_stream_commands}"
    "inventory-app" = "on ~${var.stream_prefix}:* ${local.redis_stream_commands} +get"
    "web"           = "on ~${var.stream_prefix}:session:* ~${var.stream_prefix}:login:* -@all +ping +eval +evalsha +incr +pexpire +pttl +set +del +exists"
  }
}

resource "random_password" "redis_user" {
  for_each = local.redis_access

  length  = 64
  special = false # goes into REDIS_URL
}

resource "random_password" "redis_default" {
  length  = 64
  special = false
}

# Disabled: connecting without a user name gets nothing.
resource "aws_elasticache_user" "default" {
  count = local.managed ? 1 : 0

  user_id       = "${var.name}-default"
  user_name     = "default"
  engine        = "redis"
  access_string = "off -@all"

  authentication_mode {
    type      = "password"
    passwords = [random_password.redis_default.result]
  }
}

resource "aws_elasticache_user" "app" {
  for_each = local.managed ? local.redis_access : {}

  user_id       = "${var.name}-${each.key}"
  user_name     = each.key
  engine        = "redis"
  access_string = each.value

  authentication_mode {
    type      = "password"
    passwords = [random_password.redis_user[each.key].result]
  }
}

resource "aws_elasticache_user_group" "redis" {
  count = local.managed ? 1 : 0

  user_group_id = "${var.name}-redis"
  engine        = "redis"
  user_ids      = concat([aws_elasticache_user.default[0].user_id], [for user in aws_elasticache_user.app : user.user_id])
}

resource "aws_elasticache_subnet_group" "redis" {
  count = local.managed ? 1 : 0

  name       = "${var.name}-redis"
  subnet_ids = local.private_subnet_ids
}

resource "aws_elasticache_parameter_group" "redis" {
  count = local.managed ? 1 : 0

  name   = "${var.name}-redis7"
  family = "redis7"

  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }
}

resource "aws_elasticache_replication_group" "redis" {
  count = local.managed ? 1 : 0

  replication_group_id = "${var.name}-redis"
  description          = "Comanda event streams"

  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.redis[0].name

  num_cache_clusters         = var.redis_num_cache_clusters
  automatic_failover_enabled = var.redis_num_cache_clusters > 1
  multi_az_enabled           = var.redis_num_cache_clusters > 1

  subnet_group_name  = aws_elasticache_subnet_group.redis[0].name
  security_group_ids = [aws_security_group.redis[0].id]

  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  user_group_ids             = [aws_elasticache_user_group.redis[0].user_group_id]

  snapshot_retention_limit   = 7
  auto_minor_version_upgrade = true
  apply_immediately          = false
}
