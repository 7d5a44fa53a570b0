variable "name" {
  description = "Prefix of every resource name (cluster, repositories, roles, secrets)."
  type        = string
  default     = "comanda"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.name))
    error_message = "name must be 2 to 20 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "AWS region to deploy to, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

# --- Network -----------------------------------------------------------------

variable "create_vpc" {
  description = "Create a VPC with public subnets (load balancer, NAT) and private subnets (tasks, data stores). When false, give vpc_id, public_subnet_ids and private_subnet_ids."
  type        = bool
  default     = true
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC created when create_vpc is true."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR block of /20 or larger."
  }
}

variable "availability_zones" {
  description = "Availability zones of the created VPC; empty takes the region's first two."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || length(var.availability_zones) >= 2
    error_message = "Give at least two availability zones (the load balancer and the data stores need two), or none."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper) instead of one per availability zone (survives the loss of a zone)."
  type        = bool
  default     = false
}

variable "vpc_id" {
  description = "Existing VPC to use when create_vpc is false."
  type        = string
  default     = null

  validation {
    condition     = var.create_vpc || var.vpc_id != null
    error_message = "vpc_id is required when create_vpc is false."
  }
}

variable "public_subnet_ids" {
  description = "Existing public subnets (at least two zones) for the load balancer, when create_vpc is false."
  type        = list(string)
  default     = []

  validation {
    condition     = var.create_vpc || length(var.public_subnet_ids) >= 2
    error_message = "Give at least two public_subnet_ids when create_vpc is false."
  }
}

variable "private_subnet_ids" {
  description = "Existing private subnets (at least two zones, with a route to a NAT gateway) for the tasks and the data stores, when create_vpc is false."
  type        = list(string)
  default     = []

  validation {
    condition     = var.create_vpc || length(var.private_subnet_ids) >= 2
    error_message = "Give at least two private_subnet_ids when create_vpc is false."
  }
}

# --- Entry point -------------------------------------------------------------

variable "certificate_arn" {
  description = "ARN of the ACM certificate the load balancer's HTTPS listener serves (in the same region). Required by the managed shape; the single host has no load balancer."
  type        = string
  default     = null

  validation {
    condition     = var.shape == "single-host" || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be the ARN of an ACM certificate."
  }
}

variable "alb_ingress_cidrs" {
  description = "IPv4 ranges allowed to reach the load balancer (HTTP redirects to HTTPS)."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.alb_ingress_cidrs : can(cidrhost(c, 0))])
    error_message = "alb_ingress_cidrs must hold IPv4 CIDR blocks."
  }
}

variable "alb_idle_timeout" {
  description = "Seconds an idle connection stays open through the load balancer; the dashboard's WebSocket needs at least 120."
  type        = number
  default     = 300

  validation {
    condition     = var.alb_idle_timeout >= 120 && var.alb_idle_timeout <= 4000
    error_message = "alb_idle_timeout must be between 120 and 4000 seconds."
  }
}

# --- Services ----------------------------------------------------------------

variable "image_tag" {
  description = "Image tag (the commit SHA the deploy workflow pushed) that the task definitions Terraform registers point at. Deploys replace it; pass the commit that is deployed now."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid image tag, e.g. a commit SHA."
  }
}

variable "task_sizes" {
  description = "Fargate CPU units and memory (MiB) of each service's task."
  type = map(object({
    cpu    = number
    memory = number
  }))
  default = {
    "orders-app"    = { cpu = 512, memory = 1024 }
    "kitchen-app"   = { cpu = 512, memory = 1024 }
    "inventory-app" = { cpu = 512, memory = 1024 }
    "web"           = { cpu = 256, memory = 512 }
  }

  validation {
    condition     = alltrue([for app in ["orders-app", "kitchen-app", "inventory-app", "web"] : contains(keys(var.task_sizes), app)])
    error_message = "task_sizes needs an entry for orders-app, kitchen-app, inventory-app and web."
  }
}

variable "orders_count" {
  description = "Bounds of orders-app's task count (scaled on CPU)."
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 6 }

  validation {
    condition     = var.orders_count.min >= 1 && var.orders_count.max >= var.orders_count.min
    error_message = "orders_count needs 1 <= min <= max."
  }
}

variable "kitchen_count" {
  description = "Bounds of kitchen-app's task count (scaled on the stream lag of its consumer group)."
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 10 }

  validation {
    condition     = var.kitchen_count.min >= 1 && var.kitchen_count.max >= var.kitchen_count.min
    error_message = "kitchen_count needs 1 <= min <= max."
  }
}

variable "inventory_count" {
  description = "inventory-app's task count: one leads the warehouse, the others stand by to take over (never autoscaled)."
  type        = number
  default     = 2

  validation {
    condition     = var.inventory_count >= 2
    error_message = "inventory_count needs at least 2 tasks: a leader and a standby."
  }
}

variable "web_count" {
  description = "Bounds of the web gateway's task count (scaled on CPU)."
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 4 }

  validation {
    condition     = var.web_count.min >= 1 && var.web_count.max >= var.web_count.min
    error_message = "web_count needs 1 <= min <= max."
  }
}

variable "kitchen_target_lag" {
  description = "Stream entries not yet delivered to the kitchen's consumer group that autoscaling aims for: more adds kitchen tasks, less removes them."
  type        = number
  default     = 500

  validation {
    condition     = var.kitchen_target_lag > 0
    error_message = "kitchen_target_lag must be positive."
  }
}

variable "stream_lag_metric" {
  description = "The Prometheus gauge kitchen-app exports at /metrics for a consumer group's lag, with labels stream and group; the collector sidecar publishes it to CloudWatch as Comanda/StreamLag."
  type        = string
  default     = "comanda_stream_group_lag"
}

variable "stream_prefix" {
  description = "STREAM_PREFIX of the services: the streams are <prefix>:orders, <prefix>:kitchen, ..."
  type        = string
  default     = "comanda"
}

variable "market_url" {
  description = "The farmers market's buy endpoint (MARKET_URL of inventory-app). The tasks reach it through the NAT gateway on port 443."
  type        = string
  default     = "https://recruitment.alegra.com/api/farmers-market/buy"

  validation {
    condition     = can(regex("^https://[^/]+/", var.market_url))
    error_message = "market_url must be an https:// URL."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of every service."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the services' logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs supports (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "container_insights" {
  description = "Turn on CloudWatch Container Insights for the cluster."
  type        = bool
  default     = true
}

variable "adot_collector_image" {
  description = "Image of the AWS Distro for OpenTelemetry collector that runs beside kitchen-app and publishes its stream lag to CloudWatch."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0"
}

variable "ecr_keep_images" {
  description = "Tagged images each ECR repository keeps (older ones expire)."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_images >= 5
    error_message = "Keep at least 5 images, so that a rollback has something to roll back to."
  }
}

# --- Data stores -------------------------------------------------------------

variable "redis_node_type" {
  description = "ElastiCache node type of the Redis carrying the streams."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_engine_version" {
  description = "Redis engine version on ElastiCache (7.x: the streams commands the services use)."
  type        = string
  default     = "7.1"

  validation {
    condition     = startswith(var.redis_engine_version, "7.")
    error_message = "redis_engine_version must be a 7.x version."
  }
}

variable "redis_num_cache_clusters" {
  description = "Redis nodes: one primary and the rest replicas; 2 or more turns on automatic failover across zones."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_num_cache_clusters >= 1 && var.redis_num_cache_clusters <= 6
    error_message = "redis_num_cache_clusters must be between 1 and 6."
  }
}

variable "postgres_instance_class" {
  description = "RDS instance class of the PostgreSQL holding orders and kitchen."
  type        = string
  default     = "db.t4g.small"
}

variable "postgres_engine_version" {
  description = "PostgreSQL major version (or major.minor) on RDS."
  type        = string
  default     = "15"

  validation {
    condition     = can(regex("^1[5-9](\\.[0-9]+)?$", var.postgres_engine_version))
    error_message = "postgres_engine_version must be 15 or later, e.g. 15 or 16.4."
  }
}

variable "postgres_allocated_storage" {
  description = "Initial storage of the PostgreSQL instance in GiB; it grows automatically up to 5 times this."
  type        = number
  default     = 20

  validation {
    condition     = var.postgres_allocated_storage >= 20
    error_message = "postgres_allocated_storage must be at least 20 GiB."
  }
}

variable "postgres_multi_az" {
  description = "Run PostgreSQL with a standby in another zone."
  type        = bool
  default     = true
}

variable "mongo_mode" {
  description = "Where inventory-app's MongoDB lives: \"documentdb\" (an Amazon DocumentDB 5.0 cluster created here; it supports the transactions the warehouse uses) or \"atlas\" (a MongoDB Atlas cluster whose URI you store in the mongo-url secret)."
  type        = string
  default     = "documentdb"

  validation {
    condition     = contains(["documentdb", "atlas"], var.mongo_mode)
    error_message = "mongo_mode must be \"documentdb\" or \"atlas\"."
  }
}

variable "documentdb_instance_class" {
  description = "Instance class of the DocumentDB instances (mongo_mode = \"documentdb\")."
  type        = string
  default     = "db.t4g.medium"
}

variable "documentdb_instance_count" {
  description = "DocumentDB instances: one primary and the rest replicas (mongo_mode = \"documentdb\")."
  type        = number
  default     = 2

  validation {
    condition     = var.documentdb_instance_count >= 1 && var.documentdb_instance_count <= 16
    error_message = "documentdb_instance_count must be between 1 and 16."
  }
}

variable "documentdb_engine_version" {
  description = "DocumentDB engine version; transactions need 4.0 or later."
  type        = string
  default     = "5.0.0"

  validation {
    condition     = contains(["4.0.0", "5.0.0"], var.documentdb_engine_version)
    error_message = "documentdb_engine_version must be 4.0.0 or 5.0.0 (transactions need 4.0 or later)."
  }
}

variable "bootstrap_postgres_image" {
  description = "Image of the postgres-bootstrap task (psql, and wget for the CA bundle): a PostgreSQL client at least as new as the server."
  type        = string
  default     = "public.ecr.aws/docker/library/postgres:17-alpine"
}

variable "bootstrap_mongo_image" {
  description = "Image of the documentdb-bootstrap task (mongosh; mongo_mode = \"documentdb\")."
  type        = string
  default     = "public.ecr.aws/docker/library/mongo:7.0"
}

variable "deletion_protection" {
  description = "Protect the load balancer and the databases from deletion (turn off before `terraform destroy`)."
  type        = bool
  default     = true
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once)."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or between 7 and 30."
  }
}

# --- Continuous deployment ---------------------------------------------------

variable "github_repository" {
  description = "owner/name of the GitHub repository whose deploy workflow (.github/workflows/deploy.yml, on main) may push images and deploy, through OIDC; empty creates no deploy role."
  type        = string
  default     = ""

  validation {
    condition     = var.github_repository == "" || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub Actions OIDC provider; false when the account has one already (there can be only one)."
  type        = bool
  default     = true
}

variable "session_key_id" {
  description = "Name (kid) of the gateway's session signing key; change it with each rotation (docs/security.md)."
  type        = string
  default     = "k1"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,64}$", var.session_key_id))
    error_message = "session_key_id must be 1-64 letters, digits, '.', '_' or '-'."
  }
}

variable "session_previous_public_keys" {
  description = "During a key rotation, the previous key's KID=KEY entry (AUTH_PUBLIC_KEYS), so that sessions it signed stay valid until they expire; empty otherwise."
  type        = string
  default     = ""
}

# --- Shape and tracing ---------------------------------------------------------

variable "shape" {
  description = "What runs the stack: \"managed\" (ECS Fargate behind a load balancer, ElastiCache, RDS, DocumentDB or Atlas; README.md) or \"single-host\" (one free-tier EC2 instance in the ECS cluster running the four services, Redis, PostgreSQL and MongoDB as containers; single_host.tf)."
  type        = string
  default     = "managed"

  validation {
    condition     = contains(["managed", "single-host"], var.shape)
    error_message = "shape must be \"managed\" or \"single-host\"."
  }
}

variable "single_host_instance_type" {
  description = "EC2 instance type of the single host (shape = \"single-host\"): x86_64 (the images' architecture) with 1 GiB of memory, the free tier's size; the containers' memory limits (single_host.tf) fit it. t2.micro is the 12-month free tier's type where the region has it, t3.micro where it has not and on the free plan of accounts opened since July 2025."
  type        = string
  default     = "t3.micro"

  validation {
    condition     = contains(["t2.micro", "t3.micro", "t3a.micro"], var.single_host_instance_type)
    error_message = "single_host_instance_type must be t2.micro, t3.micro or t3a.micro: 1 GiB, x86_64, the size the containers' memory limits are set for."
  }
}

variable "tracing" {
  description = "Export the services' OpenTelemetry traces to AWS X-Ray through an ADOT collector (a sidecar in every Fargate task, one container on the single host). false: no trace collector, no OTLP endpoint for the services, no X-Ray permissions; the kitchen's stream-lag metric stays."
  type        = bool
  default     = true
}
