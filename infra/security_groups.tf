# Only the load balancer is reachable from the internet, and only on 80/443.
# All of this is the managed shape's: the single host has a security group
# of its own (single_host.tf).
# Each task accepts traffic only from whoever calls it (the load balancer for
# web, web for the services) and each data store only from the tasks that own
# it. Security groups do not filter the VPC's DNS resolver, which Cloud Map
# names need.

resource "aws_security_group" "alb" {
  count = local.managed ? 1 : 0

  name        = "${var.name}-alb"
  description = "Comanda load balancer: HTTPS (and HTTP, redirected) from the internet"
  vpc_id      = local.vpc_id
  tags        = { Name = "${var.name}-alb" }
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each = local.managed ? toset(var.alb_ingress_cidrs) : toset([])

  security_group_id = aws_security_group.alb[0].id
  description       = "HTTPS"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  for_each = local.managed ? toset(var.alb_ingress_cidrs) : toset([])

  security_group_id = aws_security_group.alb[0].id
  description       = "HTTP, redirected to HTTPS"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_egress_rule" "alb_to_web" {
  count = local.managed ? 1 : 0

  security_group_id            = aws_security_group.alb[0].id
  description                  = "To the web tasks"
  referenced_security_group_id = aws_security_group.app["web"].id
  ip_protocol                  = "tcp"
  from_port                    = local.apps["web"].port
  to_port                      = local.apps["web"].port
}

# --- Tasks -------------------------------------------------------------------

resource "aws_security_group" "app" {
  for_each = local.managed_apps

  name        = "${var.name}-${each.key}"
  description = "Comanda ${each.key} tasks"
  vpc_id      = local.vpc_id
  tags        = { Name = "${var.name}-${each.key}" }
}

resource "aws_vpc_security_group_ingress_rule" "web_from_alb" {
  count = local.managed ? 1 : 0

  security_group_id            = aws_security_group.app["web"].id
  description                  = "From the load balancer"
  referenced_security_group_id = aws_security_group.alb[0].id
  ip_protocol                  = "tcp"
  from_port                    = local.apps["web"].port
  to_port                      = local.apps["web"].port
}

resource "aws_vpc_security_group_ingress_rule" "service_from_web" {
  for_each = local.managed ? local.internal_apps : {}

  security_group_id            = aws_security_group.app[each.key].id
  description                  = "From the web gateway (API proxy, live feed)"
  referenced_security_group_id = aws_security_group.app["web"].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "web_to_service" {
  for_each = local.managed ? local.internal_apps : {}

  security_group_id            = aws_security_group.app["web"].id
  description                  = "To ${each.key}"
  referenced_security_group_id = aws_security_group.app[each.key].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

# ECR, Secrets Manager, CloudWatch and (for inventory-app) the farmers market,
# all over HTTPS through NAT.
resource "aws_vpc_security_group_egress_rule" "app_https" {
  for_each = local.managed_apps

  security_group_id = aws_security_group.app[each.key].id
  description       = "HTTPS: AWS APIs, ECR, the farmers market"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

# --- Data stores -------------------------------------------------------------

resource "aws_security_group" "redis" {
  count = local.managed ? 1 : 0

  name        = "${var.name}-redis"
  description = "Comanda Redis (streams): from the services only"
  vpc_id      = local.vpc_id
  tags        = { Name = "${var.name}-redis" }
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_app" {
  for_each = local.managed ? local.redis_clients : toset([])

  security_group_id            = aws_security_group.redis[0].id
  description                  = "From ${each.key}"
  referenced_security_group_id = aws_security_group.app[each.key].id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_vpc_security_group_egress_rule" "app_to_redis" {
  for_each = local.managed ? local.redis_clients : toset([])

  security_group_id            = aws_security_group.app[each.key].id
  description                  = "To Redis"
  referenced_security_group_id = aws_security_group.redis[0].id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_security_group" "postgres" {
  count = local.managed ? 1 : 0

  name        = "${var.name}-postgres"
  description = "Comanda PostgreSQL: from orders-app and kitchen-app only"
  vpc_id      = local.vpc_id
  tags        = { Name = "${var.name}-postgres" }
}

resource "aws_vpc_security_group_ingress_rule" "postgres_from_app" {
  for_each = local.managed ? local.postgres_apps : toset([])

  security_group_id            = aws_security_group.postgres[0].id
  description                  = "From ${each.key}"
  referenced_security_group_id = aws_security_group.app[each.key].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "app_to_postgres" {
  for_each = local.managed ? local.postgres_apps : toset([])

  security_group_id            = aws_security_group.app[each.key].id
  description                  = "To PostgreSQL"
  referenced_security_group_id = aws_security_group.postgres[0].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_security_group" "documentdb" {
  count = local.documentdb ? 1 : 0

  name        = "${var.name}-documentdb"
  description = "Comanda DocumentDB: from inventory-app only"
  vpc_id      = local.vpc_id
  tags        = { Name = "${var.name}-documentdb" }
}

resource "aws_vpc_security_group_ingress_rule" "documentdb_from_inventory" {
  count = local.documentdb ? 1 : 0

  security_group_id            = aws_security_group.documentdb[0].id
  description                  = "From inventory-app"
  referenced_security_group_id = aws_security_group.app["inventory-app"].id
  ip_protocol                  = "tcp"
  from_port                    = 27017
  to_port                      = 27017
}

resource "aws_vpc_security_group_egress_rule" "inventory_to_documentdb" {
  count = local.documentdb ? 1 : 0

  security_group_id            = aws_security_group.app["inventory-app"].id
  description                  = "To DocumentDB"
  referenced_security_group_id = aws_security_group.documentdb[0].id
  ip_protocol                  = "tcp"
  from_port                    = 27017
  to_port                      = 27017
}

# MongoDB Atlas is outside the VPC (through NAT; allow-list the NAT gateways'
# addresses, output nat_public_ips, in Atlas).
resource "aws_vpc_security_group_egress_rule" "inventory_to_atlas" {
  count = local.managed && !local.documentdb ? 1 : 0

  security_group_id = aws_security_group.app["inventory-app"].id
  description       = "To MongoDB Atlas"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 27015
  to_port           = 27017
}
