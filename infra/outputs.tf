output "alb_dns_name" {
  description = "DNS name of the load balancer: point the certificate's domain at it (CNAME or alias)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer, for a Route 53 alias record."
  value       = aws_lb.this.zone_id
}

output "cluster_name" {
  description = "ECS cluster (the deploy workflow's ECS_CLUSTER variable)."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service of each app."
  value       = { for name, service in aws_ecs_service.app : name => service.name }
}

output "task_definition_families" {
  description = "Task definition family of each app; the deploy workflow deploys the latest revision of each with a new image."
  value       = { for name, taskdef in aws_ecs_task_definition.app : name => taskdef.family }
}

output "ecr_repository_urls" {
  description = "ECR repository of each image."
  value       = { for name, repo in aws_ecr_repository.app : name => repo.repository_url }
}

output "log_groups" {
  description = "CloudWatch log group of each app."
  value       = { for name, group in aws_cloudwatch_log_group.app : name => group.name }
}

output "secrets_to_set" {
  description = "Secrets whose value the operator puts (aws secretsmanager put-secret-value); Terraform fills the others."
  value = merge(
    { manager_password = aws_secretsmanager_secret.this["manager-password"].arn },
    local.documentdb ? {} : { mongo_url = aws_secretsmanager_secret.this["mongo-url"].arn },
  )
}

output "nat_public_ips" {
  description = "Addresses the tasks reach the internet from (allow-list them at MongoDB Atlas or the market, if needed)."
  value       = aws_eip.nat[*].public_ip
}

output "github_deploy_role_arn" {
  description = "Role for the deploy workflow: the repository variable AWS_DEPLOY_ROLE_ARN."
  value       = local.github_deploy ? aws_iam_role.github_deploy[0].arn : null
}
