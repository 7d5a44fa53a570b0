package deploycheck

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Least privilege on AWS: every service reads only its own credentials (its
// Redis user, its database role or user, the gateway's signing key; nothing
// is shared), no
// task definition of a service gets a master password, and the GitHub deploy
// role trusts only the deploy workflow on main.

// tfLocals returns the "key = value" entries of every locals block of the
// given files, values as written.
func tfLocals(t testing.TB, files ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range files {
		bodies, _ := blocks(read(t, f), `locals`)
		for _, body := range bodies {
			for k, v := range entries(body) {
				out[k] = v
			}
		}
	}
	return out
}

var tfRef = regexp.MustCompile(`\$\{(var|local)\.([a-z_]+)\}`)

// resolve unquotes a Terraform string and replaces ${var.x} by x's default
// and ${local.x} by x, when they are plain strings themselves.
func resolve(value string, locals, vars map[string]string) string {
	s := strings.Trim(strings.TrimSpace(value), `"`)
	for range 5 {
		s = tfRef.ReplaceAllStringFunc(s, func(m string) string {
			g := tfRef.FindStringSubmatch(m)
			v, ok := "", false
			if g[1] == "local" {
				v, ok = locals[g[2]]
			} else {
				v, ok = vars[g[2]]
			}
			if !ok || !strings.HasPrefix(strings.TrimSpace(v), `"`) {
				return m
			}
			return strings.Trim(strings.TrimSpace(v), `"`)
		})
	}
	return s
}

// tfVariableDefaults returns the default of every variable, as written.
func tfVariableDefaults(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	bodies, names := blocks(read(t, "infra/variables.tf"), `variable "([^"]+)"`)
	for i, body := range bodies {
		if d, ok := entries(body)["default"]; ok {
			out[names[i][0]] = d
		}
	}
	return out
}

// resource returns the body of one resource or data block, or "".
func resource(t testing.TB, file, kind, typ, name string) string {
	t.Helper()
	bodies, _ := blocks(read(t, file), kind+` "`+regexp.QuoteMeta(typ)+`" "`+regexp.QuoteMeta(name)+`"`)
	if len(bodies) != 1 {
		return ""
	}
	return bodies[0]
}

var secretRef = regexp.MustCompile(`^aws_secretsmanager_secret\.this\["([^"]+)"\]\.arn$`)

// TestServicesOwnCredentials checks infra/: each service's execution role
// and task definition get only its own secrets; those hold its own Redis
// user and database user, never a master user's; the master passwords stay
// with RDS and DocumentDB, read only by the bootstrap tasks.
func TestServicesOwnCredentials(t *testing.T) {
	tf := readTerraform(t)
	var bad problems

	// local.app_secrets: <app>/... secrets only; a service holds no signing
	// key (AUTH_* secrets are web's alone).
	locals := tfLocals(t, "infra/secrets.tf")
	for app, body := range entries(object(locals["app_secrets"])) {
		for variable, value := range entries(object(body)) {
			m := secretRef.FindStringSubmatch(value)
			switch {
			case m == nil:
				bad.addf("local.app_secrets[%q].%s = %s: want aws_secretsmanager_secret.this[...].arn", app, variable, value)
			case strings.HasPrefix(variable, "AUTH_") && app != "web":
				bad.addf("local.app_secrets[%q].%s: only the gateway holds a session key; services verify with AUTH_PUBLIC_KEYS", app, variable)
			case !strings.HasPrefix(m[1], app+"/"):
				bad.addf("local.app_secrets[%q].%s reads the secret %s, not one of %s's own (%s/...)", app, variable, m[1], app, app)
			}
		}
	}
	if len(tf.appSecrets) == 0 {
		bad.addf("read no local.app_secrets")
	}

	// No service's task definition, nor what ecs.tf passes it, names a
	// master user or its secret.
	master := regexp.MustCompile(`(?i)master`)
	templates, _ := filepath.Glob(filepath.Join(root(t), "infra", "taskdefs", "*.json.tftpl"))
	for _, p := range templates {
		rel := "infra/taskdefs/" + filepath.Base(p)
		if master.MatchString(read(t, rel)) {
			bad.addf("%s mentions a master user", rel)
		}
	}
	if master.MatchString(read(t, "infra/ecs.tf")) {
		bad.addf("infra/ecs.tf mentions a master user: the services' task definitions must not get one")
	}
	// The values of the services' secrets.
	for _, name := range []string{"redis_url", "database_url", "mongo_url"} {
		body := resource(t, "infra/secrets.tf", "resource", "aws_secretsmanager_secret_version", name)
		if body == "" {
			bad.addf("infra/secrets.tf has no aws_secretsmanager_secret_version.%s", name)
			continue
		}
		value := entries(body)["secret_string"]
		if master.MatchString(value) || strings.Contains(value, "aws_db_instance.postgres.username") {
			bad.addf("aws_secretsmanager_secret_version.%s is built from a master user: %s", name, value)
		}
	}
	dbURL := entries(resource(t, "infra/secrets.tf", "resource", "aws_secretsmanager_secret_version", "database_url"))["secret_string"]
	for _, want := range []string{"${each.value.role}:", "random_password.postgres_role[each.key].result", "/${each.value.database}?"} {
		if !strings.Contains(dbURL, want) {
			bad.addf("DATABASE_URL is not built from the service's own role and database (%s): %s", want, dbURL)
		}
	}
	redisURL := entries(resource(t, "infra/secrets.tf", "resource", "aws_secretsmanager_secret_version", "redis_url"))["secret_string"]
	for _, want := range []string{"aws_elasticache_user.app[each.key].user_name", "random_password.redis_user[each.key].result"} {
		if !strings.Contains(redisURL, want) {
			bad.addf("REDIS_URL is not built from the service's own ElastiCache user (%s): %s", want, redisURL)
		}
	}

	// The databases keep their master passwords; only bootstrap.tf reads
	// their secrets.
	pg := entries(resource(t, "infra/postgres.tf", "resource", "aws_db_instance", "postgres"))
	if pg["manage_master_user_password"] != "true" || pg["password"] != "" {
		bad.addf("aws_db_instance.postgres: want manage_master_user_password = true and no password (RDS keeps it in its own secret)")
	}
	docdb := entries(resource(t, "infra/documentdb.tf", "resource", "aws_docdb_cluster", "this"))
	if docdb["manage_master_user_password"] != "true" || docdb["master_password"] != "" {
		bad.addf("aws_docdb_cluster.this: want manage_master_user_password = true and no master_password")
	}
	files, _ := filepath.Glob(filepath.Join(root(t), "infra", "*.tf"))
	for _, p := range files {
		if base := filepath.Base(p); base != "bootstrap.tf" && strings.Contains(read(t, "infra/"+base), "master_user_secret") {
			bad.addf("infra/%s reads a master user's secret: only the bootstrap tasks (bootstrap.tf) may", base)
		}
	}

	// One role and one database per service, none the master's.
	dbs := entries(object(tfLocals(t, "infra/locals.tf")["postgres_databases"]))
	roles, names := map[string]string{}, map[string]string{}
	field := func(body, name string) string {
		if m := regexp.MustCompile(name + `\s*=\s*"([^"]*)"`).FindStringSubmatch(body); m != nil {
			return m[1]
		}
		return ""
	}
	for app, body := range dbs {
		role, db := field(body, "role"), field(body, "database")
		if other, dup := roles[role]; dup || role == "" || role == strings.Trim(pg["username"], `"`) {
			bad.addf("local.postgres_databases[%q]: role %q is empty, the master's or %s's too", app, role, other)
		}
		if other, dup := names[db]; dup || db == "" || db == strings.Trim(pg["db_name"], `"`) {
			bad.addf("local.postgres_databases[%q]: database %q is empty, the master's or %s's too", app, db, other)
		}
		roles[role], names[db] = app, app
	}
	var withDB []string
	for _, d := range deployables(t) {
		if _, ok := d.variable("DATABASE_URL"); ok && d.ecs {
			withDB = append(withDB, d.name)
		}
	}
	slices.Sort(withDB)
	if got := sortedKeysOf(dbs); !slices.Equal(got, withDB) {
		bad.addf("local.postgres_databases has %v, want the services that read DATABASE_URL: %v", got, withDB)
	}
	sql := read(t, "infra/bootstrap/postgres.sql.tftpl")
	for _, want := range []string{"CREATE ROLE ${db.role} LOGIN", "PASSWORD :'role_password'", "CREATE DATABASE ${db.database} OWNER ${db.role}", "REVOKE ALL ON DATABASE ${db.database} FROM PUBLIC"} {
		if !strings.Contains(sql, want) {
			bad.addf("infra/bootstrap/postgres.sql.tftpl does not %q", want)
		}
	}
	js := read(t, "infra/bootstrap/documentdb.js.tftpl")
	if !strings.Contains(js, "role: 'readWrite', db: '${database}'") || strings.Contains(js, "root") {
		bad.addf("infra/bootstrap/documentdb.js.tftpl does not limit the user to readWrite on its database")
	}
	bad.report(t, "infra (service credentials)")
}

// TestElastiCacheUsers checks infra/redis.tf against the compose ACL file:
// the default user off, one user per service with the access of its compose
// user (the same keys and commands, but those only compose's Redis has),
// and the replication group authenticating with those users only.
func TestElastiCacheUsers(t *testing.T) {
	composeUsers, _, _, _ := composeACL(t)
	tf := readTerraform(t)
	locals := tfLocals(t, "infra/redis.tf")
	vars := tfVariableDefaults(t)
	prefix := strings.Trim(vars["stream_prefix"], `"`)
	var bad problems
	if prefix != streamPrefix(t) {
		bad.addf("var.stream_prefix defaults to %q, STREAM_PREFIX to %q", prefix, streamPrefix(t))
	}

	access := entries(object(locals["redis_access"]))
	if got := sortedKeysOf(access); !slices.Equal(got, tf.apps) {
		bad.addf("local.redis_access has users %v, want one per service: %v", got, tf.apps)
	}
	for _, app := range sortedKeysOf(access) {
		rules := strings.Fields(resolve(access[app], locals, vars))
		u, err := parseACLRules(app, append(rules, ">(password)"))
		if err != nil {
			bad.addf("local.redis_access[%q]: %v", app, err)
			continue
		}
		bad = append(bad, u.leastPrivilege(prefix)...)
		c, ok := composeUsers[app]
		if !ok {
			continue // TestComposeRedisUsers says so
		}
		var composeOnly []string
		for _, cmd := range c.commands {
			if !slices.Contains(libraryCommands, cmd) {
				composeOnly = append(composeOnly, cmd)
			}
		}
		if a, b := slices.Sorted(slices.Values(u.commands)), slices.Sorted(slices.Values(composeOnly)); !slices.Equal(a, b) {
			bad.addf("%s: ElastiCache grants %v, compose %v: keep them the same", app, a, b)
		}
		if a, b := slices.Sorted(slices.Values(u.keyPatterns())), slices.Sorted(slices.Values(c.keyPatterns())); !slices.Equal(a, b) {
			bad.addf("%s: ElastiCache keys %v, compose %v: keep them the same", app, a, b)
		}
	}

	def := entries(resource(t, "infra/redis.tf", "resource", "aws_elasticache_user", "default"))
	if def["user_name"] != `"default"` || !strings.HasPrefix(strings.Trim(def["access_string"], `"`), "off ") {
		bad.addf("aws_elasticache_user.default: want user_name default, access_string off ... (the user group must hold a default user; it must do nothing)")
	}
	// ElastiCache is the managed shape's (the single host's Redis has the
	// same users: TestSingleHostStores).
	app := entries(resource(t, "infra/redis.tf", "resource", "aws_elasticache_user", "app"))
	if app["for_each"] != "local.managed ? local.redis_access : {}" || app["user_name"] != "each.key" || app["access_string"] != "each.value" {
		bad.addf("aws_elasticache_user.app: want one user per local.redis_access entry in the managed shape, named after its service, with its access string")
	}
	group := entries(resource(t, "infra/redis.tf", "resource", "aws_elasticache_user_group", "redis"))
	if !strings.Contains(group["user_ids"], "aws_elasticache_user.default[0].user_id") || !strings.Contains(group["user_ids"], "aws_elasticache_user.app") {
		bad.addf("aws_elasticache_user_group.redis does not hold the default user and the services' users")
	}
	rg := entries(resource(t, "infra/redis.tf", "resource", "aws_elasticache_replication_group", "redis"))
	if _, ok := rg["auth_token"]; ok {
		bad.addf("aws_elasticache_replication_group.redis has an auth_token: a password shared by every client")
	}
	if !strings.Contains(rg["user_group_ids"], "aws_elasticache_user_group.redis") || rg["transit_encryption_enabled"] != "true" {
		bad.addf("aws_elasticache_replication_group.redis: want TLS and user_group_ids = [the user group]")
	}
	bad.report(t, "infra/redis.tf")
}

// TestDeployRoleTrust checks the GitHub deploy role: only tokens of the
// deploy workflow, as it is on main, of jobs running on main.
func TestDeployRoleTrust(t *testing.T) {
	var bad problems
	locals := tfLocals(t, "infra/github.tf")
	var vars map[string]string // ${var.github_repository} stays as written
	doc := resource(t, "infra/github.tf", "data", "aws_iam_policy_document", "github_assume")
	statements, _ := blocks(doc, `statement`)
	if len(statements) != 1 {
		t.Fatalf("infra/github.tf: data.aws_iam_policy_document.github_assume: want one statement, got %d", len(statements))
	}
	st := statements[0]
	if e := entries(st); e["actions"] != `["sts:AssumeRoleWithWebIdentity"]` || e["effect"] != "" && e["effect"] != `"Allow"` {
		bad.addf("the statement does not allow sts:AssumeRoleWithWebIdentity alone: %v", e)
	}
	conditions := map[string][2]string{} // claim -> test, values
	bodies, _ := blocks(st, `condition`)
	for _, body := range bodies {
		e := entries(body)
		claim := resolve(e["variable"], locals, vars)
		if _, dup := conditions[claim]; dup {
			bad.addf("two conditions on %s", claim)
		}
		conditions[claim] = [2]string{strings.Trim(e["test"], `"`), resolve(strings.Trim(e["values"], "[]"), locals, vars)}
	}
	oidc := resolve("${local.github_oidc}", locals, vars)
	for claim, want := range map[string]string{
		oidc + ":aud":              "sts.amazonaws.com",
		oidc + ":sub":              "repo:${var.github_repository}:ref:refs/heads/main",
		oidc + ":job_workflow_ref": "${var.github_repository}/.github/workflows/deploy.yml@refs/heads/main",
	} {
		c, ok := conditions[claim]
		switch {
		case !ok:
			bad.addf("no condition on %s: want StringEquals %s", claim, want)
		case c[0] != "StringEquals" || c[1] != want:
			bad.addf("condition on %s: %s %s, want StringEquals %s (one exact value, no wildcard)", claim, c[0], c[1], want)
		}
	}
	for claim, c := range conditions {
		if strings.Contains(c[0], "Like") || strings.Contains(c[1], "*") {
			bad.addf("condition on %s matches a pattern (%s %s): want exact values", claim, c[0], c[1])
		}
	}
	if !exists(t, ".github/workflows/deploy.yml") {
		bad.addf("the role trusts .github/workflows/deploy.yml, which does not exist")
	}
	bad.report(t, "infra/github.tf")
}
