output "alb_dns_name" {
  description = "DNS name of the load balancer: point the certificate's domain at it (CNAME or alias). None on the single host."
  value       = local.managed ? aws_lb.this[0].dns_name : null
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer, for a Route 53 alias record."
  value       = local.managed ? aws_lb.this[0].zone_id : null
}

output "cluster_name" {
  description = "ECS cluster (the deploy workflow's ECS_CLUSTER variable)."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service of each app."
  value       = { for name, service in merge(aws_ecs_service.app, aws_ecs_service.host_app) : name => service.name }
}

output "task_definition_families" {
  description = "Task definition family of each app; the deploy workflow deploys the latest revision of each with a new image."
  value       = { for name, taskdef in merge(aws_ecs_task_definition.app, aws_ecs_task_definition.host_app) : name => taskdef.family }
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
    { manager_password = aws_secretsmanager_secret.this["web/manager-password"].arn },
    local.documentdb || local.single_host ? {} : { mongo_url = aws_secretsmanager_secret.this["inventory-app/mongo-url"].arn },
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

output "bootstrap_commands" {
  description = "Run each (AWS CLI) once the databases exist, before the services start, and again whenever a service's database password changes: they create or update the services' own database users. Each task stops by itself; its container's exit code says whether it worked (logs in /ecs/<name>/db-bootstrap). None on the single host, whose database containers do it at every start."
  value = merge(
    local.managed ? { postgres = "aws ecs run-task --region ${var.region} --cluster ${aws_ecs_cluster.this.name} --launch-type FARGATE --task-definition ${aws_ecs_task_definition.postgres_bootstrap[0].family} --network-configuration 'awsvpcConfiguration={subnets=[${join(",", local.private_subnet_ids)}],securityGroups=[${aws_security_group.bootstrap[0].id}],assignPublicIp=DISABLED}'" } : {},
    local.documentdb ? { documentdb = "aws ecs run-task --region ${var.region} --cluster ${aws_ecs_cluster.this.name} --launch-type FARGATE --task-definition ${aws_ecs_task_definition.documentdb_bootstrap[0].family} --network-configuration 'awsvpcConfiguration={subnets=[${join(",", local.private_subnet_ids)}],securityGroups=[${aws_security_group.bootstrap[0].id}],assignPublicIp=DISABLED}'" } : {},
  )
}
