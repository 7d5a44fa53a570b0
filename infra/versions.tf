terraform {
  # 1.10+: S3 state locking without DynamoDB (use_lockfile) and variable
  # validations that refer to other variables.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.100: DocumentDB's manage_master_user_password.
      version = "~> 5.100"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
    # Ed25519 keys (tls_private_key): 4.0.
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
  }

  # Partial configuration: the bucket, key and region are given to
  # `terraform init -backend-config=...` (see README.md), so that one copy of
  # this code serves several accounts.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      Project   = var.name
      ManagedBy = "terraform"
    })
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}
