/*
 * self_path.c - the running binary's directory and the installed tree
 * around it (self_path.h).
 *
 * The paths are compiled in relative to the binary's directory, never as
 * the configured prefix: "cmake --install build --prefix DIR" installs to
 * a prefix the compiler never saw, and the Debian package installs a tree
 * built for /usr/local under /usr.
 */
/* realpath is XSI in glibc's headers, beyond _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "base/self_path.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* From the build (host/CMakeLists.txt); the defaults are for a build
 * without CMake, which has no build tree to recognise. */
#ifndef PEIL_BUILD_DIR
#define PEIL_BUILD_DIR ""
#endif
#ifndef PEIL_BINDIR_TO_PREFIX
#define PEIL_BINDIR_TO_PREFIX ".."
#endif
#ifndef PEIL_SYSCONFDIR
#define PEIL_SYSCONFDIR "etc"
#endif
#ifndef PEIL_SOURCE_DIR
#define PEIL_SOURCE_DIR ""
#endif
#ifndef PEIL_BINDIR_TO_SCRIPTS
#define PEIL_BINDIR_TO_SCRIPTS "../share/peil/scripts"
#endif

int self_path_dir(char *buf, size_t size)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (snprintf(buf, size, "%s", slash == self ? "/" : self) >=
	    (int)size)
		return -1;
	return 0;
}

int self_path_in_build_tree(void)
{
	char dir[PATH_MAX], build[PATH_MAX];

	/* realpath: the build directory may be named through a symlink. */
	if (!PEIL_BUILD_DIR[0] || self_path_dir(dir, sizeof(dir)) < 0 ||
	    !realpath(PEIL_BUILD_DIR, build))
		return 0;
	return strcmp(dir, build) == 0;
}

int self_path_beside(const char *rel, char *buf, size_t size)
{
	char dir[PATH_MAX];

	if (self_path_dir(dir, sizeof(dir)) < 0)
		return -1;
	if (snprintf(buf, size, "%s/%s", dir, rel) >= (int)size)
		return -1;
	return 0;
}

int self_path_installed_config(char *buf, size_t size)
{
	char up[PATH_MAX], prefix[PATH_MAX];
	const char *etc = PEIL_SYSCONFDIR;
	int n;

	if (etc[0] == '/') {
		n = snprintf(buf, size, "%s/peil/peil.ini", etc);
		return n >= 0 && (size_t)n < size ? 0 : -1;
	}
	if (self_path_beside(PEIL_BINDIR_TO_PREFIX, up, sizeof(up)) < 0 ||
	    !realpath(up, prefix))
		return -1;
	if (strcmp(prefix, "/") == 0 || strcmp(prefix, "/usr") == 0)
		n = snprintf(buf, size, "/etc/peil/peil.ini");
	else
		n = snprintf(buf, size, "%s/%s/peil/peil.ini", prefix, etc);
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

int self_path_scripts(char *buf, size_t size)
{
	char path[PATH_MAX], full[PATH_MAX];

	if (self_path_in_build_tree()) {
		if (snprintf(path, sizeof(path), "%s/scripts",
			     PEIL_SOURCE_DIR) >= (int)sizeof(path))
			return -1;
	} else if (self_path_beside(PEIL_BINDIR_TO_SCRIPTS, path,
				    sizeof(path)) < 0) {
		return -1;
	}
	if (!realpath(path, full) ||
	    snprintf(buf, size, "%s", full) >= (int)size)
		return -1;
	return 0;
}
