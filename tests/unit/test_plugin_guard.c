/*
 * test_plugin_guard.c - whose fault the crash guard names.
 *
 * Each case runs in a child process that installs the guard, arms it for
 * a call of plugin "p", and writes through NULL in one thread; the parent
 * reads the child's stderr and its end.  The child always dies of
 * SIGSEGV; the line "peil: crashed in plugin p (/p.so) while reading f"
 * comes first only when the faulting thread is the call's: the arming
 * thread, or one started during the call that the host did not start.
 * Threads that fault here unblock SIGSEGV first (the host's helpers
 * start with every signal blocked, and a blocked fault kills the process
 * before any handler), so that the handler's choice is what is tested.
 *
 * At commit 3d79274: "a thread the call started" got no
 * line (only the arming thread's faults were named).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "base/thread.h"
#include "plugin/plugin_guard.h"

#define LINE "peil: crashed in plugin p (/p.so) while reading f\n"

/* The thread's cue to fault: set by the child's main thread. */
static pthread_mutex_t cue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cue_cond = PTHREAD_COND_INITIALIZER;
static int cue;

/* UBSan would stop the NULL write first with its own report. */
__attribute__((no_sanitize("undefined")))
static void write_through_null(void)
{
	volatile int *volatile nowhere = NULL;

	*nowhere = 1;
}

/* Unblocks SIGSEGV, waits for the cue, faults. */
static void *fault_on_cue(void *arg)
{
	sigset_t segv;

	(void)arg;
	sigemptyset(&segv);
	sigaddset(&segv, SIGSEGV);
	pthread_sigmask(SIG_UNBLOCK, &segv, NULL);
	pthread_mutex_lock(&cue_lock);
	while (!cue)
		pthread_cond_wait(&cue_cond, &cue_lock);
	pthread_mutex_unlock(&cue_lock);
	write_through_null();
	return NULL;
}

static void give_cue(void)
{
	pthread_mutex_lock(&cue_lock);
	cue = 1;
	pthread_cond_broadcast(&cue_cond);
	pthread_mutex_unlock(&cue_lock);
}

enum who {
	ARMING_THREAD,		/* the thread that called the plugin */
	STARTED_BY_CALL,	/* pthread_create during the call */
	RUNNING_BEFORE,		/* pthread_create before the call */
	HOST_STARTED,		/* thread_start during the call */
	NOT_ARMED		/* a thread of the call, after it returned */
};

static void child(enum who who)
{
	pthread_t thread;

	plugin_guard_install();
	if (who == RUNNING_BEFORE)
		pthread_create(&thread, NULL, fault_on_cue, NULL);
	plugin_guard_enter("p", "/p.so", "reading f");
	if (who == ARMING_THREAD)
		write_through_null();
	if (who == STARTED_BY_CALL || who == NOT_ARMED)
		pthread_create(&thread, NULL, fault_on_cue, NULL);
	if (who == HOST_STARTED)
		thread_start(&thread, fault_on_cue, NULL);
	if (who == NOT_ARMED)
		plugin_guard_leave();
	give_cue();
	pthread_join(thread, NULL);
	_exit(0);	/* not reached: the thread faulted */
}

/* Runs the case; its stderr into err, its wait status returned. */
static int run_child(enum who who, char *err, size_t size)
{
	int fd[2], status = 0;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	if (pipe(fd) < 0)
		exit(2);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		dup2(fd[1], STDERR_FILENO);
		close(fd[0]);
		close(fd[1]);
		child(who);
	}
	close(fd[1]);
	while (len + 1 < size &&
	       (n = read(fd[0], err + len, size - 1 - len)) > 0)
		len += (size_t)n;
	err[len] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	return status;
}

static void check_case(enum who who, const char *expected)
{
	char err[4096];
	int status = run_child(who, err, sizeof(err));

	CHECK(WIFSIGNALED(status));
	if (WIFSIGNALED(status))
		CHECK_INT(WTERMSIG(status), SIGSEGV);
	CHECK_STR(err, expected);
}

TEST(arming_thread_named)
{
	check_case(ARMING_THREAD, LINE);
}

TEST(thread_started_by_the_call_named)
{
	check_case(STARTED_BY_CALL, LINE);
}

TEST(thread_running_before_the_call_not_named)
{
	check_case(RUNNING_BEFORE, "");
}

TEST(host_thread_not_named)
{
	check_case(HOST_STARTED, "");
}

TEST(nothing_named_after_the_call)
{
	check_case(NOT_ARMED, "");
}

int main(int argc, char **argv)
{
	/* ASan's own SEGV handler would report first: the test runs again
	 * with it off (as tests/e2e/cases_plugin_faults.sh runs peil). */
#if defined(__SANITIZE_ADDRESS__)
	const char *asan = getenv("ASAN_OPTIONS");

	if (asan == NULL || strstr(asan, "handle_segv=0") == NULL) {
		char options[1024];

		snprintf(options, sizeof(options), "%s%shandle_segv=0",
			 asan ? asan : "", asan && *asan ? ":" : "");
		setenv("ASAN_OPTIONS", options, 1);
		execv("/proc/self/exe", argv);
		perror("execv");
		return 2;
	}
#endif
	(void)argc;
	(void)argv;
	RUN(arming_thread_named);
	RUN(thread_started_by_the_call_named);
	RUN(thread_running_before_the_call_not_named);
	RUN(host_thread_not_named);
	RUN(nothing_named_after_the_call);
	return harness_done();
}
