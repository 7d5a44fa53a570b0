# The single entry point: HTTPS to the web gateway, which serves the
# dashboard, the login, the services' APIs and the WebSocket feed on one
# origin. ALBs pass WebSocket upgrades through; the idle timeout keeps quiet
# feeds open. No stickiness: any web task serves any request.

resource "aws_lb" "this" {
  count = local.managed ? 1 : 0

  name               = "${var.name}-alb"
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb[0].id]
  subnets            = local.public_subnet_ids

  idle_timeout               = var.alb_idle_timeout
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
}

resource "aws_lb_target_group" "web" {
  count = local.managed ? 1 : 0

  name        = "${var.name}-web"
  target_type = "ip"
  protocol    = "HTTP"
  port        = local.apps["web"].port
  vpc_id      = local.vpc_id

  # ECS takes a stopping task out of the target group and waits this long
  # before it sends SIGTERM: API requests are short; WebSocket clients are
  # cut then and reconnect to another task.
  deregistration_delay = 30

  health_check {
    path                = "/health"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  count = local.managed ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.managed ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web[0].arn
  }
}

# Prometheus metrics are for the VPC (the collector), not for the internet.
resource "aws_lb_listener_rule" "hide_metrics" {
  count = local.managed ? 1 : 0

  listener_arn = aws_lb_listener.https[0].arn
  priority     = 10

  action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      status_code  = "404"
      message_body = jsonencode({ error = { code = "not_found", message = "not found" } })
    }
  }

  condition {
    path_pattern {
      values = ["/metrics", "/metrics/*"]
    }
  }
}
