# Sourced by cli.sh: exports for the KPIs that cases_shapes.sh leaves
# out, their figures worked out again in Python from docs/domain.md and
# docs/kpis.md (tests/e2e/shapes/gen_shapes2.py writes the exports and
# their truth, shapes/check_shapes2.py the second computation): the
# self-sufficiency matrix (ZRM, quarters and years, per domain), the
# follow-up visits of neighbourhood jobs (months, quarters and years),
# and customised care from iWmo and iJw messages, the same facts also as
# CSV exports (the figures of both the same, and as worked out).

# shapes2_case SHAPE [CONFIG_DIR]: generate SHAPE (once), ingest and
# evaluate the config in CONFIG_DIR (default the shape's own), and compare
# the figures; the JSON is left in CONFIG_DIR/peil.json.
shapes2_case() {
	local shape=$1 d=$work/$1 c=${2:-$work/$1} from to
	[ -f "$d/truth.json" ] || python3 "$src/tests/e2e/shapes/gen_shapes2.py" "$shape" "$d" "$src/scripts" ||
		{ fail "$shape: generate"; return 1; }
	sed -i "1a plugin_dirs = $plugins" "$c/peil.ini"
	read -r from to < <(python3 -c 'import json, sys; print(*json.load(open(sys.argv[1]))["range"])' "$d/truth.json")
	"$peil" ingest --config "$c/peil.ini" >/dev/null 2>"$c/err"
	expect_rc "$shape ($(basename "$c")): ingest" 0 $?
	"$peil" eval --config "$c/peil.ini" --from "$from" --to "$to" --dry-run --format json \
		>"$c/peil.json" 2>"$c/err"
	expect_rc "$shape ($(basename "$c")): eval" 0 $?
	python3 "$src/tests/e2e/shapes/check_shapes2.py" "$d/truth.json" "$c/peil.json" >"$c/check" &&
		ok "$shape ($(basename "$c")): $(head -1 "$c/check")" ||
		fail "$shape ($(basename "$c")): figures differ" "$(cat "$c/check")"
}
test_shapes2_zrm() { shapes2_case zrm; }
test_shapes2_visits() { shapes2_case visits; }
test_shapes2_iwmo() {
	shapes2_case iwmo
	shapes2_case iwmo "$work/iwmo/csv"
	python3 "$src/tests/e2e/shapes/check_shapes2.py" --same "$work/iwmo/peil.json" \
		"$work/iwmo/csv/peil.json" >"$work/same" &&
		ok "iwmo: messages and CSV: $(head -1 "$work/same")" ||
		fail "iwmo: messages and CSV differ" "$(cat "$work/same")"
}
