# inventory-app's MongoDB: an Amazon DocumentDB cluster (mongo_mode =
# "documentdb"; 4.0+ supports the multi-document transactions the warehouse
# uses), or nothing here when the URI of a MongoDB Atlas cluster is stored in
# the mongo-url secret instead (mongo_mode = "atlas").
#
# inventory-app connects as its own user (local.documentdb_user), limited to
# readWrite on its database; the documentdb-bootstrap task creates it
# (bootstrap.tf). The master user's password is kept by DocumentDB in a
# Secrets Manager secret of its own (manage_master_user_password), which only
# that task reads.

resource "random_password" "documentdb_user" {
  count = local.documentdb ? 1 : 0

  length  = 40
  special = false # goes into MONGO_URL
}

resource "aws_docdb_subnet_group" "this" {
  count = local.documentdb ? 1 : 0

  name       = "${var.name}-documentdb"
  subnet_ids = local.private_subnet_ids
}

resource "aws_docdb_cluster_parameter_group" "this" {
  count = local.documentdb ? 1 : 0

  name   = "${var.name}-documentdb"
  family = "docdb${join(".", slice(split(".", var.documentdb_engine_version), 0, 2))}"

  parameter {
    name  = "tls"
    value = "enabled"
  }
}

resource "aws_docdb_cluster" "this" {
  count = local.documentdb ? 1 : 0

  cluster_identifier              = "${var.name}-documentdb"
  engine                          = "docdb"
  engine_version                  = var.documentdb_engine_version
  db_cluster_parameter_group_name = aws_docdb_cluster_parameter_group.this[0].name

  master_username             = "comanda"
  manage_master_user_password = true

  db_subnet_group_name   = aws_docdb_subnet_group.this[0].name
  vpc_security_group_ids = [aws_security_group.documentdb[0].id]
  storage_encrypted      = true

  backup_retention_period   = 7
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-documentdb-final"
  apply_immediately         = false
}

resource "aws_docdb_cluster_instance" "this" {
  count = local.documentdb ? var.documentdb_instance_count : 0

  identifier                 = "${var.name}-documentdb-${count.index}"
  cluster_identifier         = aws_docdb_cluster.this[0].id
  instance_class             = var.documentdb_instance_class
  auto_minor_version_upgrade = true
}
