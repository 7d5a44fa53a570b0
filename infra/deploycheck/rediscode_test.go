package deploycheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// What a deployable's code asks of Redis, read from its source: the Redis
// commands its go-redis calls and Lua scripts send, so that each service's
// Redis user can be checked to grant them all and nothing else.
//
// It reads the calls on the go-redis handles the code has (a client named
// rdb, a field .rdb, a parameter typed as a client, a pipeliner parameter
// of Pipelined's function), the scripts made with redis.NewScript and run
// with Run/Eval/EvalSha, and hand-built commands (redis.NewIntCmd(ctx,
// "wait", ...), Do(ctx, "cmd", ...)). A go-redis method it does not know
// fails the check until redisMethods learns it: a new command must not
// reach production without its ACL grant.

const goRedis = "github.com/redis/go-redis/v9"

// redisMethods maps the go-redis methods the code calls to the commands
// (ACL names: lower case, container|subcommand) they send.
var redisMethods = map[string][]string{
	"Ping": {"ping"}, "Info": {"info"}, "ClientSetName": {"client|setname"},
	"Get": {"get"}, "Set": {"set"}, "SetEx": {"setex"}, "Del": {"del"}, "Unlink": {"unlink"}, "Exists": {"exists"},
	"Expire": {"expire"}, "PExpire": {"pexpire"}, "TTL": {"ttl"}, "PTTL": {"pttl"}, "Incr": {"incr"}, "IncrBy": {"incrby"},
	"XAdd": {"xadd"}, "XRead": {"xread"}, "XReadGroup": {"xreadgroup"}, "XAck": {"xack"}, "XDel": {"xdel"}, "XLen": {"xlen"},
	"XClaim": {"xclaim"}, "XClaimJustID": {"xclaim"}, "XAutoClaim": {"xautoclaim"}, "XAutoClaimJustID": {"xautoclaim"},
	"XPending": {"xpending"}, "XPendingExt": {"xpending"},
	"XRange": {"xrange"}, "XRangeN": {"xrange"}, "XRevRange": {"xrevrange"}, "XRevRangeN": {"xrevrange"},
	"XTrimMaxLen": {"xtrim"}, "XTrimMaxLenApprox": {"xtrim"}, "XTrimMinID": {"xtrim"}, "XTrimMinIDApprox": {"xtrim"},
	"XInfoGroups": {"xinfo|groups"}, "XInfoConsumers": {"xinfo|consumers"}, "XInfoStream": {"xinfo|stream"}, "XInfoStreamFull": {"xinfo|stream"},
	"XGroupCreate": {"xgroup|create"}, "XGroupCreateMkStream": {"xgroup|create"}, "XGroupDestroy": {"xgroup|destroy"},
	"XGroupCreateConsumer": {"xgroup|createconsumer"}, "XGroupDelConsumer": {"xgroup|delconsumer"}, "XGroupSetID": {"xgroup|setid"},
	"Eval": {"eval"}, "EvalSha": {"evalsha"}, "EvalRO": {"eval_ro"}, "EvalShaRO": {"evalsha_ro"},
	"ScriptLoad": {"script|load"}, "ScriptExists": {"script|exists"},
	"Wait": {"wait"}, "TxPipelined": {"multi", "exec"}, "TxPipeline": {"multi", "exec"}, "Watch": {"watch", "multi", "exec"},
}

// redisPlumbing are the go-redis methods that send no command of their own.
var redisPlumbing = []string{"Pipelined", "Pipeline", "Process", "Exec", "Close", "Options", "PoolStats", "Context", "AddHook", "Discard", "Len"}

// scriptRuns maps the methods of a *redis.Script to what they send.
var scriptRuns = map[string][]string{
	"Run": {"evalsha", "eval"}, "RunRO": {"evalsha_ro", "eval_ro"},
	"Eval": {"eval"}, "EvalRO": {"eval_ro"}, "EvalSha": {"evalsha"}, "EvalShaRO": {"evalsha_ro"}, "Load": {"script|load"}, "Exists": {"script|exists"},
}

// redisContainers are the commands whose ACL names carry a subcommand.
var redisContainers = []string{"acl", "client", "cluster", "command", "config", "function", "memory", "object", "pubsub", "script", "slowlog", "xgroup", "xinfo"}

// redisUnused lists the packages a deployable links without ever running
// their Redis code, and why; their commands are not its own.
var redisUnused = map[string]map[string]string{
	"web": {
		"internal/stream": "linked through internal/lifecycle's shared start-up helpers; the gateway runs no consumer, publisher, tail or trimmer",
		"internal/outbox": "likewise: the gateway has no outbox to relay",
	},
}

// redisUse is what one deployable's code sends to Redis: command -> where.
type redisUse map[string][]string

var luaCall = regexp.MustCompile(`redis\.p?call\(\s*'([A-Za-z_]+)'(?:\s*,\s*'([A-Za-z_]+)')?`)

func aclName(cmd, sub string) string {
	cmd, sub = strings.ToLower(cmd), strings.ToLower(sub)
	if slices.Contains(redisContainers, cmd) && sub != "" {
		return cmd + "|" + sub
	}
	return cmd
}

// redisCommands reads the Redis commands of a deployable's code (the
// module's packages its binary is built from, but for redisUnused).
func redisCommands(t *testing.T, d deployable) (redisUse, problems) {
	t.Helper()
	var bad problems
	use := redisUse{}
	byDir := map[string][]string{}
	for _, f := range sourceFiles(t, "./"+d.dir) {
		if !strings.HasSuffix(f, ".go") {
			continue // an embedded file
		}
		dir := filepath.ToSlash(filepath.Dir(f))
		if _, skip := redisUnused[d.name][dir]; skip {
			continue
		}
		byDir[dir] = append(byDir[dir], f)
	}
	for _, dir := range sortedKeysOf(byDir) {
		fset := token.NewFileSet()
		var files []*ast.File
		for _, rel := range byDir[dir] {
			f, err := parser.ParseFile(fset, filepath.Join(root(t), rel), nil, 0)
			if err != nil {
				t.Fatalf("parsing %s: %v", rel, err)
			}
			if redisImport(f) != "" {
				files = append(files, f)
			}
		}
		// Scripts are package variables, run from any file of the package.
		scripts := map[string]bool{}
		for _, f := range files {
			name := redisImport(f)
			ast.Inspect(f, func(n ast.Node) bool {
				vs, ok := n.(*ast.ValueSpec)
				if !ok {
					return true
				}
				for i, v := range vs.Values {
					if call, ok := v.(*ast.CallExpr); ok && isRedisFunc(call, name, "NewScript") && i < len(vs.Names) {
						scripts[vs.Names[i].Name] = true
					}
				}
				return true
			})
		}
		for _, f := range files {
			r := redisReader{fset: fset, pkg: redisImport(f), scripts: scripts, use: use, bad: &bad}
			r.scan(f, scope{})
		}
	}
	return use, bad
}

func redisImport(f *ast.File) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == goRedis {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return "redis"
		}
	}
	return ""
}

func isRedisFunc(call *ast.CallExpr, pkg, fn string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != fn {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// scope holds the names that are go-redis handles where the reader is.
type scope map[string]bool

type redisReader struct {
	fset    *token.FileSet
	pkg     string
	scripts map[string]bool
	use     redisUse
	bad     *problems
}

func (r redisReader) add(pos token.Pos, cmds ...string) {
	p := r.fset.Position(pos)
	where := filepath.ToSlash(filepath.Base(filepath.Dir(p.Filename))) + "/" + filepath.Base(p.Filename) + ":" + strconv.Itoa(p.Line)
	for _, c := range cmds {
		r.use[c] = append(r.use[c], where)
	}
}

// handleType reports whether a parameter's type is a go-redis handle.
func (r redisReader) handleType(e ast.Expr) bool {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == r.pkg && slices.Contains([]string{"Client", "UniversalClient", "Cmdable", "Pipeliner", "Scripter", "StatefulCmdable", "Tx", "Conn"}, sel.Sel.Name)
}

func (r redisReader) withParams(s scope, ft *ast.FuncType) scope {
	inner := scope{}
	for k, v := range s {
		inner[k] = v
	}
	if ft.Params != nil {
		for _, field := range ft.Params.List {
			for _, n := range field.Names {
				inner[n.Name] = r.handleType(field.Type)
			}
		}
	}
	return inner
}

// isHandle reports whether e is a go-redis handle: a handle parameter in
// scope, or anything named rdb (a variable or a field).
func (r redisReader) isHandle(e ast.Expr, s scope) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return s[x.Name] || x.Name == "rdb"
	case *ast.SelectorExpr:
		return x.Sel.Name == "rdb"
	}
	return false
}

func (r redisReader) scan(n ast.Node, s scope) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncDecl:
			if x.Body != nil {
				r.scan(x.Body, r.withParams(s, x.Type))
			}
			return false
		case *ast.FuncLit:
			r.scan(x.Body, r.withParams(s, x.Type))
			return false
		case *ast.CallExpr:
			r.call(x, s)
		}
		return true
	})
}

func (r redisReader) call(call *ast.CallExpr, s scope) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	method := sel.Sel.Name
	switch {
	case isRedisFunc(call, r.pkg, "NewScript"):
		lua := ""
		ast.Inspect(call.Args[0], func(n ast.Node) bool {
			switch v := n.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(v.Value); err == nil {
					lua += s
				}
			case *ast.Ident:
				lua += "?"
			}
			return true
		})
		for _, m := range luaCall.FindAllStringSubmatch(lua, -1) {
			r.add(call.Pos(), aclName(m[1], m[2]))
		}
	case strings.HasPrefix(method, "New") && strings.HasSuffix(method, "Cmd") && isRedisFunc(call, r.pkg, method):
		// A command built by hand: redis.NewIntCmd(ctx, "wait", ...).
		r.literalCommand(call, 1)
	case r.isHandle(sel.X, s):
		switch cmds, known := redisMethods[method]; {
		case method == "Do":
			r.literalCommand(call, 1)
		case known:
			r.add(call.Pos(), cmds...)
		case slices.Contains(redisPlumbing, method):
		default:
			r.bad.addf("%s: %s is a go-redis call redisMethods does not know: add the command(s) it sends", r.fset.Position(call.Pos()), method)
		}
	default:
		if id, ok := sel.X.(*ast.Ident); ok && r.scripts[id.Name] {
			if cmds, ok := scriptRuns[method]; ok {
				r.add(call.Pos(), cmds...)
			}
		}
	}
}

// literalCommand records the command named by the string literal argument
// i (and the subcommand after it, for a container).
func (r redisReader) literalCommand(call *ast.CallExpr, i int) {
	lit := func(j int) string {
		if j >= len(call.Args) {
			return ""
		}
		b, ok := call.Args[j].(*ast.BasicLit)
		if !ok || b.Kind != token.STRING {
			return ""
		}
		s, _ := strconv.Unquote(b.Value)
		return s
	}
	cmd := lit(i)
	if cmd == "" {
		r.bad.addf("%s: a hand-built command whose name is not a string literal: the check cannot tell which", r.fset.Position(call.Pos()))
		return
	}
	r.add(call.Pos(), aclName(cmd, lit(i+1)))
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestRedisCodeReader feeds the reader a file with every kind of call it
// must see.
func TestRedisCodeReader(t *testing.T) {
	src := `package x

import (
	"context"
	goredis "github.com/redis/go-redis/v9"
)

var s = goredis.NewScript(` + "`" + `redis.call('XGROUP', 'DELCONSUMER', KEYS[1]) return redis.pcall('GET', KEYS[1])` + "`" + `)

type T struct{ rdb goredis.UniversalClient; gauge interface{ Set(float64) } }

func (t *T) f(ctx context.Context, c goredis.Cmdable) {
	t.rdb.XAdd(ctx, nil)
	c.XLen(ctx, "s")
	t.gauge.Set(1)
	_, _ = t.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.XAck(ctx, "s", "g", "1")
		_ = p.Process(ctx, goredis.NewIntCmd(ctx, "wait", 1, 100))
		return nil
	})
	s.Run(ctx, t.rdb, nil)
	t.rdb.HGetAll(ctx, "h")
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	use := redisUse{}
	var bad problems
	r := redisReader{fset: fset, pkg: redisImport(f), scripts: map[string]bool{"s": true}, use: use, bad: &bad}
	r.scan(f, scope{})
	got := sortedKeysOf(use)
	want := []string{"eval", "evalsha", "get", "wait", "xack", "xadd", "xgroup|delconsumer", "xlen"}
	if !slices.Equal(got, want) {
		t.Errorf("commands %v, want %v", got, want)
	}
	if len(bad) != 1 || !strings.Contains(bad[0], "HGetAll") {
		t.Errorf("want one problem, about HGetAll: %v", bad)
	}
}
