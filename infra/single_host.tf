# The single-host shape (shape = "single-host"): Comanda on one free-tier EC2
# instance registered to the ECS cluster, for trying it at no cost. The four
# services run as ECS services of the EC2 launch type, from the same task
# definition templates as on Fargate (taskdefs/), under the same families and
# service names, so the deploy workflow rolls them out unchanged; Redis,
# PostgreSQL and MongoDB run beside them as containers whose data lives on
# the instance's disk (single_host_stores.tf), and one collector sends the
# traces to X-Ray (single_host_collector.tf). No load balancer, no NAT, no
# managed data store: the dashboard is reached through a Session Manager
# port forward (README.md).
#
# Why the EC2 launch type: ECS adds no charge for it, and the instance is the
# free tier's (750 hours a month of a t2.micro or t3.micro for the first 12
# months, or the free plan's credits). ECS Anywhere is billed per instance
# and hour, and is meant for servers outside AWS.
#
# Why host networking: every container shares the instance's network, so the
# services reach the stores and the collector on 127.0.0.1, where the stores
# alone listen (nothing is published to the VPC, and the security group lets
# nothing in). Bridge mode would need a port mapping per container and the
# docker bridge's address in every URL, and a proxy process per published
# port, which 1 GiB cannot spare. Host mode has two costs: one task of each
# service at a time (their ports are the host's), so deployments stop the old
# task before starting the new one; and the containers share the host's
# route to the instance metadata service, which the user data closes to
# everything but root (the containers' processes run as other users).

locals {
  # Memory (MiB) of the instance, and the hard limit of each container.
  #
  #   1024  the instance (t2.micro, t3.micro, t3a.micro)
  #   -124  the firmware's and the kernel's share: the kernel reports about
  #         900-950 MiB (MemTotal), which is what the ECS agent starts from
  #   -192  ECS_RESERVED_MEMORY: the OS, dockerd, containerd and the ECS and
  #         SSM agents (about 150 MiB together)
  #   ----
  #    708  offered to the tasks, at least
  #    664  the containers' limits below add up to (44 to spare):
  #         redis 64 + postgres 104 + mongo 192 + collector 72
  #         + orders-app 56 + kitchen-app 56 + inventory-app 64 + web 56
  #
  # A 1 GiB swap file (user data) absorbs the OS's peaks, not the
  # containers': their limits are hard, and ECS places a task only where its
  # limits fit. The Go services stay far below theirs; MongoDB is the tight
  # one (its cache is capped at the minimum, 256 MB, more than its limit, but
  # filled only by as much data as a trial makes).
  host_memory = {
    instance        = 1024
    kernel          = 124
    reserved        = 192
    redis           = 64
    postgres        = 104
    mongo           = 192
    collector       = 72
    "orders-app"    = 56
    "kitchen-app"   = 56
    "inventory-app" = 64
    "web"           = 56
  }

  # Where the stores keep their data on the instance's root volume
  # (gp3, encrypted, 30 GiB: the free tier's EBS allowance).
  host_data_dir = "/var/lib/${var.name}"

  # The tasks beside the services, each its own ECS service: a store that
  # restarts takes nothing else down.
  host_stores = toset(concat(["redis", "postgres", "mongo"], var.tracing ? ["collector"] : []))
}

# --- The instance --------------------------------------------------------------

# The current ECS-optimized Amazon Linux 2023 image (x86_64, like the
# services' images). The instance ignores later releases (lifecycle below):
# replacing it would lose the stores' data.
data "aws_ssm_parameter" "ecs_ami" {
  count = local.single_host ? 1 : 0

  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}

resource "aws_instance" "host" {
  count = local.single_host ? 1 : 0

  ami           = data.aws_ssm_parameter.ecs_ami[0].insecure_value
  instance_type = var.single_host_instance_type
  # A public subnet and address: the instance reaches ECR, Secrets Manager,
  # CloudWatch, X-Ray, Session Manager and the market directly, no NAT
  # gateway. Nothing reaches it (security group below).
  subnet_id                   = local.public_subnet_ids[0]
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.host[0].id]
  iam_instance_profile        = aws_iam_instance_profile.host[0].name
  monitoring                  = false # detailed monitoring is billed

  # Standard credits: a t3 never bills CPU beyond its baseline (unlimited,
  # the t3 default, could).
  credit_specification {
    cpu_credits = "standard"
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = 30
    encrypted             = true
    delete_on_termination = true
  }

  user_data = templatefile("${path.module}/single_host/user-data.sh.tftpl", {
    cluster         = aws_ecs_cluster.this.name
    reserved_memory = local.host_memory.reserved
    data_dir        = local.host_data_dir
  })

  tags = { Name = "${var.name}-host" }

  lifecycle {
    # A new AMI or user data would replace the instance, and with it the
    # stores' data: replace it on purpose (README.md), not by an apply.
    ignore_changes = [ami, user_data]
  }
}

resource "aws_security_group" "host" {
  count = local.single_host ? 1 : 0

  name        = "${var.name}-host"
  description = "Comanda single host: nothing in; HTTPS out"
  vpc_id      = local.vpc_id
  tags        = { Name = "${var.name}-host" }
}

# ECR, Secrets Manager, CloudWatch, X-Ray, Session Manager, the OS's package
# repositories and the farmers market, all over HTTPS.
resource "aws_vpc_security_group_egress_rule" "host_https" {
  count = local.single_host ? 1 : 0

  security_group_id = aws_security_group.host[0].id
  description       = "HTTPS: AWS APIs, ECR, the farmers market"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

# --- The instance's role ---------------------------------------------------------
#
# What the ECS agent and the Session Manager agent run as: registering to the
# cluster, and the port forward to the dashboard. The tasks have their own
# roles (iam.tf, and below for the stores).

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "host" {
  count = local.single_host ? 1 : 0

  name               = "${var.name}-host"
  description        = "The single host: ECS agent, Session Manager"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_role_policy_attachment" "host" {
  for_each = local.single_host ? {
    ecs = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
    ssm = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
  } : {}

  role       = aws_iam_role.host[0].name
  policy_arn = each.value
}

resource "aws_iam_instance_profile" "host" {
  count = local.single_host ? 1 : 0

  name = "${var.name}-host"
  role = aws_iam_role.host[0].name
}

# --- The services ----------------------------------------------------------------

# The templates Fargate runs, with the single host's values (local.taskdef_vars
# is shape-aware: the stores and the services on 127.0.0.1, no Redis replica
# to wait for, no proxy to trust) and without the sidecar collector: the
# host's one serves them all. The container's memory is its hard limit
# (local.host_memory); its port is the host's.
resource "aws_ecs_task_definition" "host_app" {
  for_each = local.single_host ? local.apps : {}

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["EC2"]
  network_mode             = "host"
  memory                   = local.host_memory[each.key]
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  container_definitions = jsonencode([
    for c in jsondecode(templatefile("${path.module}/taskdefs/${each.key}.json.tftpl", local.taskdef_vars[each.key])) :
    merge(c, {
      memory       = local.host_memory[each.key]
      portMappings = [for p in c.portMappings : { containerPort = p.containerPort, hostPort = p.containerPort, protocol = p.protocol }]
      environment  = [for e in c.environment : e if var.tracing || e.name != "OTEL_EXPORTER_OTLP_ENDPOINT"]
    })
    if c.name == each.key
  ])
}

resource "aws_ecs_service" "host_app" {
  for_each = local.single_host ? local.apps : {}

  name            = each.key
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.host_app[each.key].arn
  desired_count   = 1
  launch_type     = "EC2"

  # One task at a time (its port is the host's): a deployment stops the old
  # task, then starts the new one. The warehouse's new task takes the lease
  # over once the old one's expires.
  deployment_maximum_percent         = 100
  deployment_minimum_healthy_percent = 0

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  lifecycle {
    # The deploy workflow registers a revision per release, as on Fargate.
    ignore_changes = [task_definition]
  }

  # The stores are up and healthy first (wait_for_steady_state), so that the
  # services' first tasks do not fail against stores still starting.
  depends_on = [aws_ecs_service.host_store, aws_iam_role_policy.execution]
}

resource "aws_ecs_service" "host_store" {
  for_each = local.single_host ? local.host_stores : toset([])

  name            = each.key
  cluster         = aws_ecs_cluster.this.id
  task_definition = local.host_store_taskdefs[each.key]
  desired_count   = 1
  launch_type     = "EC2"

  deployment_maximum_percent         = 100
  deployment_minimum_healthy_percent = 0

  # Terraform waits until the store's task is healthy: the instance has
  # booted, registered and pulled the image.
  wait_for_steady_state = true

  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  depends_on = [aws_instance.host, aws_iam_role_policy.host_execution]
}

# --- Outputs -----------------------------------------------------------------------

output "single_host_instance_id" {
  description = "The single host's EC2 instance (shape = \"single-host\"): the target of Session Manager sessions."
  value       = local.single_host ? aws_instance.host[0].id : null
}

output "single_host_dashboard_command" {
  description = "Forwards localhost:8080 to the single host's web gateway through Session Manager (needs the AWS CLI's Session Manager plugin); then open http://localhost:8080."
  value       = local.single_host ? "aws ssm start-session --region ${var.region} --target ${aws_instance.host[0].id} --document-name AWS-StartPortForwardingSession --parameters '{\"portNumber\":[\"${local.apps["web"].port}\"],\"localPortNumber\":[\"8080\"]}'" : null
}
