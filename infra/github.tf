# The role the deploy workflow (.github/workflows/deploy.yml) assumes through
# GitHub's OIDC provider: short-lived credentials, no access keys stored in
# GitHub. Only that workflow of var.github_repository, run on main, may
# assume it, and it may only push the images and roll out new revisions of
# these services.

locals {
  github_deploy = var.github_repository != ""
  github_oidc   = "token.actions.githubusercontent.com"
  # The branch that deploys, and the workflow file that does, as GitHub's
  # token names them.
  github_deploy_ref      = "refs/heads/main"
  github_deploy_workflow = ".github/workflows/deploy.yml"
  github_oidc_provider_arn = local.github_deploy ? (
    var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn
  ) : null
}

resource "aws_iam_openid_connect_provider" "github" {
  count = local.github_deploy && var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS trusts GitHub's certificate authority itself; the API still wants a value.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_openid_connect_provider" "github" {
  count = local.github_deploy && !var.create_github_oidc_provider ? 1 : 0

  url = "https://${local.github_oidc}"
}

data "aws_iam_policy_document" "github_assume" {
  count = local.github_deploy ? 1 : 0

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # A job on main: the token's subject names the repository and the
    # branch. (A job in a GitHub environment would get the environment in
    # the subject instead, whatever its branch: the deploy jobs use none.)
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc}:sub"
      values   = ["repo:${var.github_repository}:ref:${local.github_deploy_ref}"]
    }

    # Of the deploy workflow, as it is on main: no other workflow of the
    # repository, and no copy of this one on another branch.
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc}:job_workflow_ref"
      values   = ["${var.github_repository}/${local.github_deploy_workflow}@${local.github_deploy_ref}"]
    }
  }
}

resource "aws_iam_role" "github_deploy" {
  count = local.github_deploy ? 1 : 0

  name                 = "${var.name}-github-deploy"
  description          = "GitHub Actions deploys ${var.github_repository} to ECS"
  assume_role_policy   = data.aws_iam_policy_document.github_assume[0].json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "github_deploy" {
  count = local.github_deploy ? 1 : 0

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushImages"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [for repo in aws_ecr_repository.app : repo.arn]
  }

  statement {
    sid       = "RegisterTaskDefinitions"
    actions   = ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]
    resources = ["*"] # these actions have no resource-level permissions
  }

  # By ARN rather than by reference, so that the role can be created before
  # the services (README.md, first deploy).
  statement {
    sid     = "RollOutServices"
    actions = ["ecs:DescribeServices", "ecs:UpdateService"]
    resources = [
      for app in keys(local.apps) :
      "arn:${data.aws_partition.current.partition}:ecs:${var.region}:${data.aws_caller_identity.current.account_id}:service/${var.name}/${app}"
    ]
  }

  statement {
    sid       = "HandRolesToTasks"
    actions   = ["iam:PassRole"]
    resources = concat([for role in aws_iam_role.execution : role.arn], [for role in aws_iam_role.task : role.arn])

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "github_deploy" {
  count = local.github_deploy ? 1 : 0

  name   = "deploy"
  role   = aws_iam_role.github_deploy[0].id
  policy = data.aws_iam_policy_document.github_deploy[0].json
}
