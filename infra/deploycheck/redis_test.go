package deploycheck

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/comanda-dev/comanda/internal/config"
)

// The Redis users: one per service, each with its own password and only
// the keys and commands its code needs, in compose (the ACL file) and on
// ElastiCache (infra/redis.tf).

const redisACLConfig = "redis-acl"

// libraryCommands are sent by the client library on connecting, whatever
// the code does: go-redis names the connection (CLIENT SETINFO) and goes on
// if refused. Granting them keeps refusals out of the ACL log; they are
// optional, and Redis older than 7.2 has no CLIENT SETINFO.
var libraryCommands = []string{"client|setinfo"}

// dormantRedisUsers are users of deployables that do not read REDIS_URL
// (yet), and what they are for; each must still pass the least-privilege
// rules. Once the deployable reads REDIS_URL, its entry goes. None now:
// every service on ECS reads REDIS_URL.
var dormantRedisUsers = map[string]string{}

// streamPrefix is STREAM_PREFIX's default: every key starts with it.
func streamPrefix(t testing.TB) string {
	t.Helper()
	for _, v := range config.Variables(config.Common{}) {
		if v.Name == "STREAM_PREFIX" {
			return v.Default
		}
	}
	t.Fatal("internal/config.Common reads no STREAM_PREFIX")
	return ""
}

func readsRedis(d deployable) bool {
	_, ok := d.variable("REDIS_URL")
	return ok
}

// composeACL returns the users of the redis service's ACL file, with every
// required variable set to its own value (so that passwords can be told
// apart), and the file as written.
func composeACL(t *testing.T) (map[string]aclUser, []string, map[string]string, *types.Project) {
	t.Helper()
	env := map[string]string{}
	for _, name := range requiredVariables(t) {
		env[name] = strings.ToLower(strings.ReplaceAll(name, "_", "")) + strings.Repeat("0", 32)
	}
	project, err := loadCompose(t, env)
	if err != nil {
		t.Fatalf("loading %s: %v", composeFile, err)
	}
	cfg, ok := project.Configs[redisACLConfig]
	if !ok {
		t.Fatalf("%s has no config %s (the redis service's ACL file)", composeFile, redisACLConfig)
	}
	users, order, err := parseACLFile(cfg.Content)
	if err != nil {
		t.Fatalf("%s: config %s: %v", composeFile, redisACLConfig, err)
	}
	return users, order, env, project
}

// TestComposeRedisUsers checks the redis service and its ACL file: Redis
// starts with the file; the default user is the operator's, behind a
// password, which the healthcheck uses; every service on ECS has its own
// user with its own password, limited to its keys and to the commands its
// code sends, and each service reading REDIS_URL connects as that user.
func TestComposeRedisUsers(t *testing.T) {
	users, order, env, project := composeACL(t)
	prefix := streamPrefix(t)
	var bad problems

	redis := project.Services["redis"]
	if cmd := strings.Join(redis.Command, " "); !strings.Contains(cmd, "--aclfile ") {
		bad.addf("redis: command %q does not load an ACL file (--aclfile)", cmd)
	} else {
		mounted := false
		for _, c := range redis.Configs {
			if c.Source == redisACLConfig && strings.Contains(cmd, "--aclfile "+c.Target) {
				mounted = true
			}
		}
		if !mounted {
			bad.addf("redis: --aclfile does not name the target the config %s is mounted at", redisACLConfig)
		}
	}

	// The default user: off, or behind a password compose requires, which
	// redis-cli (the healthcheck) authenticates with.
	def, ok := users["default"]
	switch {
	case !ok:
		bad.addf("the ACL file has no default user: Redis would add one, on, without a password")
	case def.nopass:
		bad.addf("the default user has nopass: anyone reaching Redis is the default user")
	case def.on && len(def.passwords) == 0:
		bad.addf("the default user is on without a password")
	}
	rawACL := ""
	if c, ok := rawCompose(t)["configs"].(map[string]any)[redisACLConfig].(map[string]any); ok {
		rawACL = fmt.Sprint(c["content"])
	}
	rawLines := map[string]string{}
	for _, line := range strings.Split(rawACL, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "user" {
			rawLines[f[1]] = line
		}
	}
	for _, name := range order {
		for _, r := range strings.Fields(rawLines[name]) {
			if strings.HasPrefix(r, ">") && !requiredInterpolationsOnly(r[1:]) {
				bad.addf("user %s: its password %q is not a required variable, ${VAR:?message}", name, r)
			}
		}
	}
	if def.on {
		hc := ""
		if redis.HealthCheck != nil {
			hc = strings.Join(redis.HealthCheck.Test, " ")
		}
		auth := redis.Environment["REDISCLI_AUTH"]
		if !strings.Contains(hc, "redis-cli") || !strings.Contains(hc, "ping") {
			bad.addf("redis: the healthcheck %q does not ping with redis-cli", hc)
		}
		if auth == nil || len(def.passwords) == 0 || *auth != def.passwords[0] {
			bad.addf("redis: REDISCLI_AUTH is not the default user's password: the healthcheck's redis-cli could not authenticate")
		}
	}

	// One user per service on ECS, and no other.
	var want []string
	for _, d := range deployables(t) {
		if d.ecs {
			want = append(want, d.name)
		}
	}
	slices.Sort(want)
	var have []string
	for _, name := range order {
		if name != "default" {
			have = append(have, name)
		}
	}
	slices.Sort(have)
	if !slices.Equal(have, want) {
		bad.addf("the ACL file has users %v besides default, want one per service on ECS: %v", have, want)
	}
	passwords := map[string]string{}
	for _, name := range order {
		for _, p := range users[name].passwords {
			if other, dup := passwords[p]; dup {
				bad.addf("users %s and %s share a password", other, name)
			}
			passwords[p] = name
		}
	}

	for _, d := range deployables(t) {
		u, ok := users[d.name]
		if !ok {
			continue
		}
		bad = append(bad, u.leastPrivilege(prefix)...)
		if !readsRedis(d) {
			if _, ok := dormantRedisUsers[d.name]; !ok {
				bad.addf("user %s: %s does not read REDIS_URL; say what the user is for in dormantRedisUsers, or remove it", d.name, d.name)
			}
			continue
		}
		if _, ok := dormantRedisUsers[d.name]; ok {
			bad.addf("%s reads REDIS_URL now: remove it from dormantRedisUsers", d.name)
		}
		// It connects as its own user.
		raw := project.Services[d.name].Environment["REDIS_URL"]
		if raw == nil {
			bad.addf("%s: REDIS_URL is not set", d.name) // the wiring check says more
		} else if ru, err := url.Parse(*raw); err != nil || ru.User == nil {
			bad.addf("%s: REDIS_URL %q names no user: it would connect as the default user", d.name, *raw)
		} else if pw, _ := ru.User.Password(); ru.User.Username() != d.name || len(u.passwords) != 1 || pw != u.passwords[0] {
			bad.addf("%s: REDIS_URL connects as %q with another password than the ACL file's user %s", d.name, ru.User.Username(), d.name)
		} else if ru.Hostname() != "redis" {
			bad.addf("%s: REDIS_URL points at %s, not the redis service", d.name, ru.Hostname())
		}
		// Every command its code sends, and no other.
		use, problems := redisCommands(t, d)
		bad = append(bad, problems...)
		t.Logf("%s sends %s", d.name, strings.Join(sortedKeysOf(use), " "))
		bad = append(bad, grantsExactly(u, use, libraryCommands)...)
	}
	t.Logf("checked users %v (environment %d variables)", order, len(env))
	bad.report(t, composeFile+" (Redis users)")
}

// grantsExactly checks that u grants every command of use, and nothing
// else but the optional ones.
func grantsExactly(u aclUser, use redisUse, optional []string) problems {
	var bad problems
	for _, cmd := range sortedKeysOf(use) {
		if !u.grants(cmd) {
			bad.addf("user %s may not run %s, which its code sends (%s)", u.name, cmd, strings.Join(use[cmd], ", "))
		}
	}
	for _, granted := range u.commands {
		needed := slices.Contains(optional, granted)
		for cmd := range use {
			if container, _, _ := strings.Cut(cmd, "|"); cmd == granted || container == granted {
				needed = true
			}
		}
		if !needed {
			bad.addf("user %s may run %s, which its code never sends: take it away", u.name, granted)
		}
	}
	if len(use) == 0 {
		bad.addf("found no Redis command in the code of %s: the reader reads nothing", u.name)
	}
	return bad
}
