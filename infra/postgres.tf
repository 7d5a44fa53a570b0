# PostgreSQL on RDS for orders-app and kitchen-app: encrypted, TLS enforced,
# private, backed up.
#
# Each service has its own role, owning its own database
# (local.postgres_databases), and keeps its tables in its schema there
# (ORDERS_DB_SCHEMA, KITCHEN_DB_SCHEMA), which it creates at start. No
# service uses the master user: RDS keeps its password in a Secrets Manager
# secret of its own (manage_master_user_password), which only the
# postgres-bootstrap task reads, to create the roles and databases
# (bootstrap.tf).

# The passwords of the services' roles; each is in its service's
# database-url secret and in its own database-password secret (secrets.tf).
resource "random_password" "postgres_role" {
  for_each = local.postgres_databases

  length  = 40
  special = false # goes into DATABASE_URL
}

resource "aws_db_subnet_group" "postgres" {
  count = local.managed ? 1 : 0

  name       = "${var.name}-postgres"
  subnet_ids = local.private_subnet_ids
}

resource "aws_db_parameter_group" "postgres" {
  count = local.managed ? 1 : 0

  name_prefix = "${var.name}-postgres-"
  family      = "postgres${split(".", var.postgres_engine_version)[0]}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "postgres" {
  count = local.managed ? 1 : 0

  identifier = "${var.name}-postgres"

  engine                     = "postgres"
  engine_version             = var.postgres_engine_version
  auto_minor_version_upgrade = true
  instance_class             = var.postgres_instance_class
  parameter_group_name       = aws_db_parameter_group.postgres[0].name

  allocated_storage     = var.postgres_allocated_storage
  max_allocated_storage = var.postgres_allocated_storage * 5
  storage_type          = "gp3"
  storage_encrypted     = true

  # The master user's database; the services have their own.
  db_name                     = "comanda"
  username                    = "comanda"
  manage_master_user_password = true

  db_subnet_group_name   = aws_db_subnet_group.postgres[0].name
  vpc_security_group_ids = [aws_security_group.postgres[0].id]
  publicly_accessible    = false
  multi_az               = var.postgres_multi_az
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period   = 7
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-postgres-final"
  apply_immediately         = false
}
