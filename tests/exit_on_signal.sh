# exit_on_signal.sh - sourced by the test scripts.  bash runs no EXIT trap
# when a signal ends it; with these traps a signal ends the script through
# exit, and its EXIT trap removes its work directory.  ctest's timeout
# kills with SIGKILL, which no trap sees: what such a test leaves behind
# stays in the TMPDIR that ctest gives the tests, where test_tmp_empty
# finds it (tests/CMakeLists.txt).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
