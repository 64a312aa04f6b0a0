# Sourced by cli.sh: what the cases_*.sh files share.

# store_sections PLUGIN_DIRS SCRIPT_DIRS: the [peil] and [storage]
# sections of a test config over $work/peil.db.
store_sections() {
	cat <<INI
[peil]
storage = sqlite
plugin_dirs = $1
script_dirs = $2
reject_dir = $work/rejects
[storage]
path = $work/peil.db
INI
}
