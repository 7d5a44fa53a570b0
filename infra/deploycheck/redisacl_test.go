package deploycheck

import (
	"fmt"
	"slices"
	"strings"
)

// A Redis ACL rule set, as written in an ACL file line (`user <name>
// <rules>...`) or an ElastiCache access string (the rules alone). The
// checks accept the plain subset of the syntax least privilege needs:
// users on or off, passwords, key and channel patterns, and commands
// granted one by one after -@all.

type aclUser struct {
	name string
	on   bool
	// passwords are the >password rules, as written; nopass is a rule
	// making any password work.
	passwords []string
	nopass    bool
	// keys are the ~pattern rules (%R~ and %W~ included, as written);
	// allKeys is ~* or allkeys.
	keys    []string
	allKeys bool
	// channels are the &pattern rules; allChannels is &* or allchannels;
	// resetChannels says resetchannels came last among the channel rules.
	channels      []string
	allChannels   bool
	resetChannels bool
	// commands are the commands granted one by one (+get, +xinfo|groups),
	// lower case; categories the +@category rules; allCommands +@all or
	// allcommands (not taken back by a later -@all).
	commands    []string
	categories  []string
	allCommands bool
	// deniesFirst says the first command rule is -@all (or nocommands):
	// nothing is granted but what follows.
	deniesFirst bool
	// denied are -command and -@category rules after the first.
	denied []string
}

// parseACLRules reads the rules of one user.
func parseACLRules(name string, rules []string) (aclUser, error) {
	u := aclUser{name: name}
	firstCommandRule := true
	for _, r := range rules {
		lr := strings.ToLower(r)
		isCommandRule := strings.HasPrefix(r, "+") || strings.HasPrefix(r, "-") || lr == "allcommands" || lr == "nocommands"
		switch {
		case lr == "on":
			u.on = true
		case lr == "off":
			u.on = false
		case lr == "nopass":
			u.nopass = true
		case lr == "resetpass":
			u.passwords, u.nopass = nil, false
		case strings.HasPrefix(r, ">"):
			u.passwords = append(u.passwords, r[1:])
		case strings.HasPrefix(r, "#") || strings.HasPrefix(r, "<") || strings.HasPrefix(r, "!"):
			return u, fmt.Errorf("user %s: rule %q: give passwords as >password", name, r)
		case lr == "allkeys" || r == "~*":
			u.allKeys = true
		case lr == "resetkeys":
			u.keys, u.allKeys = nil, false
		case strings.HasPrefix(r, "~") || strings.HasPrefix(r, "%"):
			u.keys = append(u.keys, r)
		case lr == "allchannels" || r == "&*":
			u.allChannels, u.resetChannels = true, false
		case lr == "resetchannels":
			u.channels, u.allChannels, u.resetChannels = nil, false, true
		case strings.HasPrefix(r, "&"):
			u.channels = append(u.channels, r[1:])
			u.resetChannels = false
		case isCommandRule:
			if firstCommandRule {
				u.deniesFirst = lr == "-@all" || lr == "nocommands"
			}
			switch {
			case lr == "+@all" || lr == "allcommands":
				u.allCommands = true
			case lr == "-@all" || lr == "nocommands":
				u.commands, u.categories, u.allCommands = nil, nil, false
			case strings.HasPrefix(lr, "+@"):
				u.categories = append(u.categories, lr[2:])
			case strings.HasPrefix(lr, "+"):
				u.commands = append(u.commands, lr[1:])
			default:
				if !firstCommandRule {
					u.denied = append(u.denied, lr)
				}
			}
			firstCommandRule = false
		case lr == "reset":
			u = aclUser{name: name}
			firstCommandRule = true
		case strings.HasPrefix(r, "(") || lr == "clearselectors":
			return u, fmt.Errorf("user %s: rule %q: selectors are not supported by these checks", name, r)
		default:
			return u, fmt.Errorf("user %s: unknown rule %q", name, r)
		}
	}
	return u, nil
}

// parseACLFile reads an ACL file: one `user <name> <rules>` per line, blank
// lines allowed (Redis allows no comments there).
func parseACLFile(content string) (map[string]aclUser, []string, error) {
	users := map[string]aclUser{}
	var order []string
	for i, line := range strings.Split(content, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if f[0] != "user" || len(f) < 2 {
			return nil, nil, fmt.Errorf("line %d: %q does not start with `user <name>` (the file format has no comments)", i+1, line)
		}
		if _, dup := users[f[1]]; dup {
			return nil, nil, fmt.Errorf("line %d: user %s again", i+1, f[1])
		}
		u, err := parseACLRules(f[1], f[2:])
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		users[f[1]] = u
		order = append(order, f[1])
	}
	return users, order, nil
}

// grants reports whether the user may run cmd ("get", "xinfo|groups"): the
// command itself, or its container command, is granted one by one.
func (u aclUser) grants(cmd string) bool {
	if u.allCommands {
		return true
	}
	container, _, _ := strings.Cut(cmd, "|")
	return slices.Contains(u.commands, cmd) || slices.Contains(u.commands, container)
}

// keyPatterns returns the key patterns without their ~ (or %R~ / %W~).
func (u aclUser) keyPatterns() []string {
	var out []string
	for _, k := range u.keys {
		_, p, _ := strings.Cut(k, "~")
		out = append(out, p)
	}
	return out
}

// leastPrivilege checks what every service user must be: on, with one
// password, its keys under prefix (prefix + ":*" or narrower), no pub/sub,
// nothing but commands granted one by one after -@all, no administration.
func (u aclUser) leastPrivilege(prefix string) problems {
	var bad problems
	if !u.on {
		bad.addf("user %s is off", u.name)
	}
	if u.nopass || len(u.passwords) != 1 {
		bad.addf("user %s: want exactly one password (>password) and no nopass, got %d password(s), nopass %v", u.name, len(u.passwords), u.nopass)
	}
	if u.allKeys || len(u.keys) == 0 {
		bad.addf("user %s: want key patterns under %s:, not all keys (or none)", u.name, prefix)
	}
	for _, k := range u.keys {
		p := k[strings.Index(k, "~")+1:]
		if !strings.HasPrefix(p, prefix+":") || strings.ContainsAny(strings.TrimSuffix(p, "*"), "*?[") {
			bad.addf("user %s: key pattern %s is not under %s: (a literal start, then at most a trailing *)", u.name, k, prefix)
		}
	}
	if u.allChannels || len(u.channels) > 0 {
		bad.addf("user %s: may use pub/sub channels (%v); no service uses pub/sub", u.name, u.channels)
	}
	if !u.deniesFirst {
		bad.addf("user %s: the command rules must start with -@all, so that only what follows is granted", u.name)
	}
	if u.allCommands || len(u.categories) > 0 {
		bad.addf("user %s: grants whole categories (%v, all: %v); grant the commands one by one", u.name, u.categories, u.allCommands)
	}
	if len(u.denied) > 0 {
		bad.addf("user %s: takes back %v after granting: grant less instead", u.name, u.denied)
	}
	for _, c := range u.commands {
		name, sub, isSub := strings.Cut(c, "|")
		if slices.Contains(administrative, name) && (!isSub || !slices.Contains(harmlessSubcommands[name], sub)) {
			bad.addf("user %s: may run %s, which administers the server", u.name, c)
		}
	}
	return bad
}

// administrative are commands no service user may have, but for the
// subcommands of harmlessSubcommands.
var harmlessSubcommands = map[string][]string{
	// Naming the connection; the client library sends SETINFO on connecting.
	"client": {"setinfo", "setname"},
	// Loading a script, and asking whether it is loaded.
	"script": {"load", "exists"},
}

var administrative = []string{
	"acl", "bgrewriteaof", "bgsave", "client", "cluster", "command", "config", "debug", "failover", "flushall", "flushdb",
	"function", "keys", "latency", "lastsave", "migrate", "module", "monitor", "psync", "replconf", "replicaof", "restore",
	"save", "scan", "script", "shutdown", "slaveof", "slowlog", "swapdb", "sync",
}
