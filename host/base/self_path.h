/*
 * self_path.h - where the running peil is, and the installed tree around
 * it: an installed peil finds its plugins and its config relative to its
 * own directory, so that a tree installed with any prefix works.
 */
#ifndef PEIL_SELF_PATH_H
#define PEIL_SELF_PATH_H

#include <stddef.h>

/* The directory of the running binary (from /proc/self/exe), into buf of
 * size bytes.  0 on success; -1 when it cannot be read or does not fit. */
int self_path_dir(char *buf, size_t size);

/* 1 when the running binary is the one in the build tree (its directory
 * is the build directory it was compiled for), 0 when it is installed or
 * its directory cannot be read. */
int self_path_in_build_tree(void);

/* The installed path rel (relative to the binary's directory, e.g.
 * "../lib/peil/plugins"), into buf.  0 on success; -1 when the binary's
 * directory cannot be read or the path does not fit. */
int self_path_beside(const char *rel, char *buf, size_t size);

/* The installed config: SYSCONFDIR/peil/peil.ini, where SYSCONFDIR
 * follows the prefix the binary was installed under by GNUInstallDirs'
 * rule (/etc for the prefixes / and /usr, PREFIX/etc otherwise; a
 * configured absolute SYSCONFDIR as it is).  conf/install.cmake writes
 * the config there by the same rule.  0 on success; -1 as above. */
int self_path_installed_config(char *buf, size_t size);

/* The shipped KPI scripts, as an absolute path: the source tree's
 * scripts/ for the build tree's binary, DATADIR/peil/scripts beside an
 * installed one.  0 on success; -1 when the directory is not there. */
int self_path_scripts(char *buf, size_t size);

#endif
