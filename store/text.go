package store

import (
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/reflectx"
)

// This file is the one place that makes text storable (SPEC §10.0, issue 13): every
// string the store writes passes through Fit on its way into a column, whichever
// statement writes it, so that no input (a mail of random bytes, a payer name of 5,000
// characters) can make MySQL refuse a row (Error 1366, Error 1406) and stop the night,
// and SQLite never keeps bytes that are not text.

// Column is a column of the schema, as the migrations declare it.
type Column struct {
	Table, Name string
	// Type is the declared type, upper case, without its width: VARCHAR, TEXT, INT,
	// BIGINT, DATE, DATETIME, BOOLEAN.
	Type string
	// Width is what a VARCHAR holds in characters, or LongTextBytes (bytes) for a
	// {{TEXT}} column; 0 for a column that is not text.
	Width int
	// Key is true for a column of the table's primary key or of a unique key: a value
	// too long for it is hashed, never cut, so that two long keys stay two keys.
	Key bool
	// Nullable is true for a column declared NULL (or without NOT NULL).
	Nullable bool
}

// IsText reports whether the column holds text.
func (c Column) IsText() bool { return c.Type == "VARCHAR" || c.Type == "TEXT" }

// LongTextBytes is the most a long-text ({{TEXT}}) column is given: MEDIUMTEXT holds
// 16 MiB, but one value must also fit in one packet of the MySQL protocol, whose
// smallest default max_allowed_packet (MySQL 5.7) is 4 MiB.
const LongTextBytes = 4 << 20

var (
	reCreate    = regexp.MustCompile(`^CREATE TABLE (\w+) \(`)
	reColumn    = regexp.MustCompile(`^\s+(\w+)\s+(VARCHAR\((\d+)\)|\{\{TEXT\}\}|\{\{ID\}\}|[A-Z]+)(?:\(\d+\))?(.*)$`)
	reAddColumn = regexp.MustCompile(`^ALTER TABLE (\w+) ADD COLUMN (\w+) (VARCHAR\((\d+)\)|[A-Z]+)(?:\(\d+\))?(.*);`)
	reTableKey  = regexp.MustCompile(`^\s+(?:PRIMARY KEY|UNIQUE)\s*\(([^)]*)\)`)
	reUniqueIdx = regexp.MustCompile(`^CREATE UNIQUE INDEX \w+ ON (\w+) \(([^)]*)\)`)
)

// schemaColumns reads the columns of every table from the embedded migrations, in
// version order; the migrations are the one statement of the widths.
var schemaColumns = sync.OnceValue(func() map[string]map[string]*Column {
	out := map[string]map[string]*Column{}
	entries, _ := migrationFiles.ReadDir("migrations")
	for _, e := range entries {
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			continue
		}
		parseSchema(string(b), out)
	}
	return out
})

// parseSchema adds the columns that one migration file creates (its Up part) to out.
func parseSchema(sql string, out map[string]map[string]*Column) {
	up, _, _ := strings.Cut(sql, "-- +goose Down")
	table := ""
	for _, line := range strings.Split(up, "\n") {
		line, _, _ = strings.Cut(line, "--")
		if m := reCreate.FindStringSubmatch(line); m != nil {
			table = m[1]
			out[table] = map[string]*Column{}
			continue
		}
		if strings.HasPrefix(line, ")") {
			table = ""
		}
		if m := reAddColumn.FindStringSubmatch(line); m != nil {
			addColumn(out, m[1], m[2], m[3], m[4], m[5])
			continue
		}
		if m := reUniqueIdx.FindStringSubmatch(line); m != nil {
			markKeys(out[m[1]], m[2])
			continue
		}
		if table == "" {
			continue
		}
		if m := reTableKey.FindStringSubmatch(line); m != nil {
			markKeys(out[table], m[1])
			continue
		}
		if m := reColumn.FindStringSubmatch(line); m != nil && m[1] != "UNIQUE" && m[1] != "PRIMARY" {
			addColumn(out, table, m[1], m[2], m[3], m[4])
		}
	}
}

func addColumn(out map[string]map[string]*Column, table, name, typ, width, rest string) {
	c := &Column{Table: table, Name: name, Type: typ}
	switch {
	case strings.HasPrefix(typ, "VARCHAR"):
		c.Type = "VARCHAR"
		c.Width, _ = strconv.Atoi(width)
	case typ == "{{TEXT}}":
		c.Type, c.Width = "TEXT", LongTextBytes
	case typ == "{{ID}}":
		c.Type, c.Key = "BIGINT", true
	}
	c.Key = c.Key || strings.Contains(rest, "PRIMARY KEY") || strings.Contains(rest, "UNIQUE")
	c.Nullable = !strings.Contains(rest, "NOT NULL") && !c.Key
	if out[table] == nil {
		out[table] = map[string]*Column{}
	}
	out[table][name] = c
}

func markKeys(cols map[string]*Column, list string) {
	for _, n := range strings.Split(list, ",") {
		if c := cols[strings.TrimSpace(n)]; c != nil {
			c.Key = true
		}
	}
}

// Schema returns the columns of table as the migrations declare them, by name, or nil
// for a table the schema does not have.
func Schema(table string) map[string]Column {
	cols := schemaColumns()[table]
	if cols == nil {
		return nil
	}
	out := make(map[string]Column, len(cols))
	for n, c := range cols {
		out[n] = *c
	}
	return out
}

// Tables returns the names of the schema's tables.
func Tables() []string {
	var out []string
	for t := range schemaColumns() {
		out = append(out, t)
	}
	return out
}

// Width returns how many characters column col of table holds (bytes for a long-text
// column), or 0 when it is not a text column of the schema.
func Width(table, col string) int {
	if c := schemaColumns()[table][col]; c != nil && c.IsText() {
		return c.Width
	}
	return 0
}

// Fit returns s as column col of table can store it: valid UTF-8 (each run of invalid
// bytes, and each NUL, becomes U+FFFD so that the damage stays visible) and no longer
// than the column. A value too long for an ordinary column is cut on a character
// boundary; one too long for a key column keeps its start and ends with "#" and a hash
// of the whole (FitKey). changed reports whether s was altered. A column the schema
// does not know only gets the UTF-8 repair.
func Fit(table, col, s string) (out string, changed bool) {
	out = Valid(s)
	c := schemaColumns()[table][col]
	if c == nil || !c.IsText() {
		return out, out != s
	}
	switch {
	case c.Type == "TEXT":
		out = cutBytes(out, c.Width)
	case c.Key:
		out = FitKey(out, c.Width)
	default:
		out = cutRunes(out, c.Width)
	}
	return out, out != s
}

// fit is Fit without the flag, for a value a query looks up by: a key is found as it
// was stored.
func fit(table, col, s string) string {
	out, _ := Fit(table, col, s)
	return out
}

// Valid returns s with each run of invalid UTF-8 bytes, and each NUL, replaced by
// U+FFFD (the replacement character, visible where the text is shown).
func Valid(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// FitKey returns key (valid UTF-8) when it has at most width characters, else its
// first characters, "#" and the SHA-256 of the whole key in hex (shortened for a narrow
// column), width characters in all: the same key always gives the same result, and two
// keys that differ late stay different.
func FitKey(key string, width int) string {
	if utf8.RuneCountInString(key) <= width || width <= 0 {
		return key
	}
	h := sha256.Sum256([]byte(key))
	sum := hex.EncodeToString(h[:])
	if n := width / 2; len(sum) > n {
		sum = sum[:n]
	}
	return cutRunes(key, width-len(sum)-1) + "#" + sum
}

// cutRunes returns the first n characters of s.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// cutBytes returns the longest start of s of at most n bytes that ends on a character
// boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// fitValue fits v, a value bound to column col of table: strings, string pointers and
// values whose driver.Value is a string are fitted; anything else is returned as is.
func fitValue(table, col string, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return fitNoted(table, col, x)
	case *string:
		if x == nil {
			return nil
		}
		return fitNoted(table, col, *x)
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil {
			return v // the driver calls Value again and reports the error
		}
		if s, ok := dv.(string); ok {
			return fitNoted(table, col, s)
		}
		return dv
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return fitNoted(table, col, rv.String())
	}
	return v
}

var mapper = reflectx.NewMapperFunc("db", sqlx.NameMapper)

// fitArg returns the named values of arg (a struct or pointer to one with db tags, or
// a map) for a statement writing table, each fitted to its column; a slice of them
// gives a slice of maps (a multi-row INSERT).
func fitArg(table string, arg any) any {
	rv := reflect.ValueOf(arg)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]map[string]any, rv.Len())
		for i := range out {
			out[i] = fitArg(table, rv.Index(i).Interface()).(map[string]any)
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		iter := rv.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			out[k] = fitValue(table, k, iter.Value().Interface())
		}
		return out
	case reflect.Struct:
		out := map[string]any{}
		for _, fi := range mapper.TypeMap(rv.Type()).Index {
			if strings.Contains(fi.Path, ".") || fi.Field.PkgPath != "" || fi.Embedded {
				continue
			}
			f := reflectx.FieldByIndexesReadOnly(rv, fi.Index)
			out[fi.Path] = fitValue(table, fi.Path, f.Interface())
		}
		return out
	}
	return arg
}

var (
	reWriteTable = regexp.MustCompile(`(?is)^\s*(?:UPDATE|DELETE\s+FROM|INSERT\s+INTO)\s+(\w+)`)
	reReadTable  = regexp.MustCompile(`(?is)^\s*SELECT\b.*?\bFROM\s+(\w+)`)
	reCompared   = regexp.MustCompile(`(?is)(\w+)\s*(?:=|<>|!=|<=|>=|<|>)\s*$`)
	reCoalesce   = regexp.MustCompile(`(?is)COALESCE\(\s*(\w+)\s*,\s*$`)
	reInList     = regexp.MustCompile(`(?is)(\w+)\s+IN\s*\([?,\s]*$`)
)

// argColumns returns the table a positional statement writes (or reads, for a SELECT
// of one table without a join or a subquery) and, for each of its "?" in order, the
// column the value is assigned to or compared with ("" when the statement does not
// say), so that each argument is fitted to its column. Values compared in a WHERE are
// fitted as they were when written, so a long key still finds its row.
func argColumns(q string) (table string, cols []string) {
	m := reWriteTable.FindStringSubmatch(q)
	if m == nil {
		upper := strings.ToUpper(q)
		if m = reReadTable.FindStringSubmatch(q); m == nil || strings.Contains(upper, "JOIN") || strings.Count(upper, "SELECT") > 1 {
			return "", nil
		}
	}
	table = m[1]
	if cols := insertValueColumns(q); cols != nil {
		return table, cols
	}
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			continue
		}
		col := ""
		before := q[:i]
		for _, re := range []*regexp.Regexp{reCompared, reCoalesce, reInList} {
			if m := re.FindStringSubmatch(before); m != nil {
				col = m[1]
				break
			}
		}
		cols = append(cols, col)
	}
	return table, cols
}

var reInsertValues = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+\w+\s*\(([^)]*)\)\s*VALUES\s*\(`)

// insertValueColumns maps the "?" of a one-row positional INSERT to the columns of its
// column list by their place in VALUES (…); nil for another statement.
func insertValueColumns(q string) []string {
	m := reInsertValues.FindStringSubmatchIndex(q)
	if m == nil {
		return nil
	}
	names := strings.Split(q[m[2]:m[3]], ",")
	var cols []string
	place, depth := 0, 0
	for _, r := range q[m[1]:] {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth == 0:
			return cols
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			place++
		case r == '?':
			col := ""
			if place < len(names) {
				col = strings.TrimSpace(names[place])
			}
			cols = append(cols, col)
		}
	}
	return cols
}

var argColumnsCache sync.Map // query → [2]any{table, cols}

// fitArgs fits the positional arguments of statement q.
func fitArgs(q string, args []any) []any {
	var table string
	var cols []string
	if v, ok := argColumnsCache.Load(q); ok {
		p := v.([2]any)
		table, cols = p[0].(string), p[1].([]string)
	} else {
		table, cols = argColumns(q)
		argColumnsCache.Store(q, [2]any{table, cols})
	}
	out := make([]any, len(args))
	for i, a := range args {
		col := ""
		if i < len(cols) {
			col = cols[i]
		}
		out[i] = fitValue(table, col, a)
	}
	return out
}

// fitted counts, per "table.column", the written values Fit had to change since the
// last TakeFitted: the fact that text was repaired or cut is recorded, never silent.
var fitted = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

// fitNoted is Fit for a value being written, counting a change.
func fitNoted(table, col, s string) string {
	out, changed := Fit(table, col, s)
	if changed {
		fitted.Lock()
		fitted.n[table+"."+col]++
		fitted.Unlock()
	}
	return out
}

// TakeFitted returns how many written values, per "table.column", had invalid UTF-8
// replaced or were cut to their column since the last call, and starts counting
// again. The night reports them after each step.
func TakeFitted() map[string]int {
	fitted.Lock()
	defer fitted.Unlock()
	out := fitted.n
	fitted.n = map[string]int{}
	return out
}
