/*
 * interrupt.h - SIGINT and SIGTERM as a request to stop cleanly.
 *
 * The handler only records the signal (a sig_atomic_t, the one global
 * of the host, kept in interrupt.c).  The places that can stop cleanly ask
 * interrupt_requested(): the host's record_end (the file being read is
 * then rolled back), the ingest loop between files, and the scan that
 * feeds the KPI engine; the run is then recorded as "interrupted".
 */
#ifndef PEIL_INTERRUPT_H
#define PEIL_INTERRUPT_H

/* Install the handlers for SIGINT and SIGTERM (also when they were
 * ignored, as for a shell's background job).  0, or -1 with errno. */
int interrupt_install(void);

/* The signal received (SIGINT or SIGTERM), or 0. */
int interrupt_requested(void);

/* The command's outcome is recorded for good (a run ended "ok" or "kpi
 * failed"): a signal that came while it was recorded, or comes later, no
 * longer interrupts it.  main then exits with the command's own code and
 * says that the signal came too late, so that the exit code agrees with
 * the recorded status (never a run recorded "ok" that exits 143). */
void interrupt_settle(void);
/* Whether interrupt_settle was called. */
int interrupt_settled(void);

/* "SIGINT", "SIGTERM" or "signal N". */
const char *interrupt_name(int sig);

#endif
