/*
 * plugin_guard.h - a plugin that crashes names itself.
 *
 * A plugin runs in Peil's process: a NULL write in one ended Peil with
 * exit 139 and not one line of log.  Around each call into an
 * input plugin the host arms the guard with a preformatted line; a
 * SIGSEGV or SIGBUS while it is armed, in the thread that armed it or in
 * a thread that the call started (not the host, not running before it),
 * writes that line to stderr and then dies of the same signal, so the
 * exit status and a core dump stay what they were.
 */
#ifndef PEIL_PLUGIN_GUARD_H
#define PEIL_PLUGIN_GUARD_H

/* Install the SIGSEGV and SIGBUS handlers; only the first call does
 * anything.  0, or -1 when sigaction failed (the guard is then off). */
int plugin_guard_install(void);

/* Arm the guard in this thread for a call into plugin name, loaded from
 * path, that is doing what (e.g. "reading /data/export.csv"): a crash
 * writes "peil: crashed in plugin NAME (PATH) while WHAT".  The text is
 * formatted here, so nothing need outlive the call.  Calls do not nest:
 * a second enter replaces the first. */
void plugin_guard_enter(const char *name, const char *path, const char *what);

/* Disarm the guard in this thread (after the plugin's call returned). */
void plugin_guard_leave(void);

#endif
