# Sourced by cli.sh: what the cases_*.sh files share.

# store_sections PLUGIN_DIRS SCRIPT_DIRS: the [peil] and [storage]
# sections of a test config over $work/peil.db (sqlite also under
# PEIL_TEST_PG).
store_sections() { peil_sections "$1" "$2" sqlite; }
