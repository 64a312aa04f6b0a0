/*
 * ingest.c - sources, files and batches.
 */
#include "engine/ingest.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/error.h"
#include "base/file_hasher.h"
#include "base/grow.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "plugin/plugin_guard.h"
#include "engine/source.h"
#include "peil/export_file.h"

/* What the ingest log says of one file that the source read before, or
 * that another source stored in the source's dataset (other set: then
 * source names it). */
struct read_before {
	char sha256[DIGEST_HEX_SIZE];	/* of the content */
	char *settings;			/* as logged: see read_settings */
	int64_t rows;
	char *path;
	int64_t size, mtime_ns, inode;	/* 0: not logged */
	int other;
	char *source;
};

struct source_run {
	peil_context *ctx;
	const config_section *section;
	const peil_schema *schema;
	loaded_plugin *plugin;
	peil_host *host;
	void *state;
	/* How the source reads: the fingerprint of its settings, then the
	 * plugin's name and version ("HEX csv 1.0"), as the ingest log
	 * keeps it, so that another plugin, or another version of it, reads
	 * the file again. */
	char settings[DIGEST_HEX_SIZE + 160];
	/* For a dataset with a citizen-number field, the fingerprint of the
	 * key they are hashed with ("" for others), logged after the
	 * settings as " key FP" (logged); the first read of any dataset
	 * logged under another key (key_clash: its dataset and source). */
	char key[17];
	char logged[DIGEST_HEX_SIZE + 160 + 21];
	char *key_clash;
	struct read_before *before;	/* the source's ingest log */
	size_t before_count;
	int force;
	ingest_summary *sum;
	int snapshot;		/* mode = snapshot */
	/* The source's files, the one being ingested, and whether the
	 * store's load_begin was called (at the first file to be read). */
	const glob_t *files;
	size_t file;
	int loading;
};

/* A file's modification time, as the ingest log keeps it. */
static int64_t mtime_ns(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

enum file_outcome {
	FILE_STORED, FILE_SKIPPED, FILE_REFUSED, FILE_STORE_FAILED, FILE_SILENT
};

/* The fingerprint of how a source reads its files: every key of its
 * section but path, in order, and the content of its recode file, which
 * changes what is stored as much as a key does.  Where the files are does
 * not change what is read from them. */
static int settings_fingerprint(const config_section *s,
				const char *recode_file,
				char out[DIGEST_HEX_SIZE])
{
	digest *d = digest_new();
	char recodes[DIGEST_HEX_SIZE];
	size_t i;

	if (!d)
		return -1;
	for (i = 0; i < s->count; i++) {
		if (strcmp(s->entries[i].key, "path") == 0)
			continue;
		digest_update(d, s->entries[i].key,
			      strlen(s->entries[i].key) + 1);
		digest_update(d, s->entries[i].value,
			      strlen(s->entries[i].value) + 1);
	}
	/* One it cannot read fails source_open, with its name. */
	if (recode_file && digest_file_sha256_hex(recode_file, recodes) == 0)
		digest_update(d, recodes, strlen(recodes) + 1);
	digest_finish(d, out);
	return 0;
}

/* The path that the plugin reads the hashed file by: the descriptor that
 * the hash was taken from (/proc/self/fd/N), so that the plugin opens the
 * very file that was hashed, whatever takes its path meanwhile (a file
 * swapped in for the read and back after it).  Any plugin that opens a
 * path reads it; what it says of it names path (host_file_alias), and
 * svc->export_path gives path.  Without /proc, path itself, checked
 * after the read (file_unchanged).  Into out, or path. */
static const char *export_alias(const char *path, const file_hash *hash,
				char *out, size_t size)
{
	struct stat sb;

	snprintf(out, size, "/proc/self/fd/%d", hash->fd);
	if (stat(out, &sb) != 0 || sb.st_dev != hash->st.st_dev ||
	    sb.st_ino != hash->st.st_ino)
		return path;
	return out;
}

/* Whether the file is the one it was, with the content it had, after it
 * was read.  Another file in its place has another inode or size.  A
 * write sets the change time (ctime), which no program can set back:
 * when it is as it was, the content is; when it moved (a write, but also
 * a chmod, touch or a backup's extended attribute), the file is hashed
 * again.  File systems keep ctime in clock ticks (some ms), so a write
 * just after the first look, in the tick of the last change, would keep
 * it: a file changed within two seconds of that look (an export still
 * being written; also a server whose clock is off) is hashed again too.
 * The look was taken before the file was hashed (file_hasher.c), perhaps
 * while the file before it was read: a change since then counts too.
 * What is looked at is the file hashed (its descriptor); when the plugin
 * read it by path (aliased 0), the path must still be that file. */
static int file_unchanged(const char *path, const file_hash *before,
			  int aliased)
{
	char sha[DIGEST_HEX_SIZE];
	struct stat sb;
	long long age;
	FILE *f;
	int fd, same;

	if (!aliased) {
		fd = peil_open_export(path, &sb, NULL, 0);
		if (fd < 0)
			return 0;
		close(fd);
		if (sb.st_dev != before->st.st_dev ||
		    sb.st_ino != before->st.st_ino)
			return 0;
	}
	if (fstat(before->fd, &sb) != 0 || sb.st_size != before->st.st_size)
		return 0;
	age = (long long)before->at.tv_sec - (long long)sb.st_ctim.tv_sec;
	if (sb.st_mtim.tv_sec == before->st.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == before->st.st_mtim.tv_nsec &&
	    sb.st_ctim.tv_sec == before->st.st_ctim.tv_sec &&
	    sb.st_ctim.tv_nsec == before->st.st_ctim.tv_nsec &&
	    age > 2)
		return 1;
	f = file_hash_reopen(before);
	if (!f)
		return 0;
	same = digest_stream_sha256_hex(f, sha) == 0 &&
	       strcmp(sha, before->sha256) == 0;
	fclose(f);
	return same;
}

/* Whether a file from which no record was stored had data lines: the
 * plugin ended records (all rejected, say), or it ended none and gave no
 * header while the file has a line after its first non-blank one (a
 * plugin that skipped every row).  A plugin that gave a header and no
 * record read a header-only file: a quiet success. */
static int file_has_data(const file_hash *hash, const host_file_stats *stats)
{
	int c, blank = 1, lines = 0;
	FILE *f;

	if (stats->offered > 0)
		return 1;
	if (stats->header)
		return 0;
	f = file_hash_reopen(hash);
	if (!f)
		return 1;	/* it was read a moment ago: say so */
	while (lines < 2 && (c = getc(f)) != EOF) {
		if (c == '\n' || c == '\r') {
			lines += !blank;
			blank = 1;
		} else if (c != ' ' && c != '\t') {
			blank = 0;
		}
	}
	lines += !blank;
	fclose(f);
	return lines > 1;
}

/* The plugin's read of path, named in the log (-v) before it starts and
 * by the crash guard while it runs; an error it returns without a
 * message gets one that names it.  0 or -1 with err set. */
static int plugin_read(struct source_run *run, const char *path,
		       const char *given, peil_error *err)
{
	const loaded_plugin *p = run->plugin;
	char what[4200];
	int rc;

	log_msg(PEIL_LOG_DEBUG, "[source %s]: plugin %s (%s) reads %s",
		run->section->name, p->plugin->name, p->path, path);
	snprintf(what, sizeof(what), "reading %s", path);
	plugin_guard_enter(p->plugin->name, p->path, what);
	rc = p->plugin->input->read(run->state, given, err);
	plugin_guard_leave();
	host_file_unalias(run->host, err);
	if (rc < 0 && !err->message[0])
		error_set(err, path, 0, NULL, "plugin %s (%s) failed without "
			  "saying why", p->plugin->name, p->path);
	return rc < 0 ? -1 : 0;
}

/* The length of the settings of a text the ingest log keeps: all of it
 * but a key's fingerprint at its end (" key " and 16 hex digits). */
static size_t logged_settings_len(const char *text)
{
	size_t len = strlen(text), fp = 16;

	if (len < fp + 5 || strncmp(text + len - fp - 5, " key ", 5) != 0 ||
	    strspn(text + len - fp, "0123456789abcdef") != fp)
		return len;
	return len - fp - 5;
}

/* Keep an entry of the ingest log of run's source, or of another source
 * that stored rows in its dataset (ingest_scan's fn, and read_file's for
 * each file it stored, so that the same content found again in this
 * ingest, through a link or in a copy, is skipped as it would be in the
 * next one).  The ingest log is scanned as each source begins, so the
 * files of the sources before it in this ingest are there. */
static int note_read_before(void *ctx, const peil_ingest_entry *entry)
{
	struct source_run *run = ctx;
	struct read_before *grown, *b;
	int other = strcmp(entry->source, run->section->name) != 0;
	const char *settings = entry->settings_sha256
				       ? entry->settings_sha256 : "";
	size_t len = logged_settings_len(settings);

	/* Reads logged before the key's fingerprint was are not compared. */
	if (run->key[0] && settings[len] && !run->key_clash &&
	    strcmp(settings + len + 5, run->key) != 0) {
		const char *dataset = entry->dataset ? entry->dataset : "?";
		size_t size = strlen(dataset) + strlen(entry->source) + 20;

		run->key_clash = malloc(size);
		if (!run->key_clash)
			return -1;
		snprintf(run->key_clash, size, "dataset %s, source %s",
			 dataset, entry->source);
	}
	if (!entry->sha256 ||
	    (other && (!entry->dataset || entry->rows <= 0 ||
		       strcmp(entry->dataset, run->schema->name) != 0)))
		return 0;
	grown = grow_for(run->before, run->before_count, sizeof(*grown));
	if (!grown)
		return -1;
	run->before = grown;
	b = &run->before[run->before_count];
	b->settings = strndup(settings, len);
	b->path = strdup(entry->path ? entry->path : "");
	b->source = strdup(entry->source);
	if (!b->settings || !b->path || !b->source) {
		free(b->settings);
		free(b->path);
		free(b->source);
		return -1;
	}
	b->other = other;
	snprintf(b->sha256, sizeof(b->sha256), "%s", entry->sha256);
	b->rows = entry->rows;
	b->size = entry->file_size;
	b->mtime_ns = entry->file_mtime_ns;
	b->inode = entry->file_inode;
	run->before_count++;
	return 0;
}

/* Read one file inside a batch, by the path given to the plugin, and
 * commit it only when every record of it was stored or rejected as
 * configured and the file did not change since it was hashed (before)
 * until it was read. */
static enum file_outcome read_batch(struct source_run *run, const char *path,
				    const char *given, const file_hash *hash,
				    host_file_stats *stats, peil_error *err)
{
	const char *sha = hash->sha256;
	store *st = run->ctx->store;
	peil_ingest_entry entry;
	int64_t removed = 0;
	size_t scope_field;
	const char *scope = host_scope(run->host, &scope_field);

	if (store_batch_begin(st, err) < 0)
		return FILE_STORE_FAILED;
	host_file_begin(run->host, path, sha);
	if (given != path)
		host_file_alias(run->host, given);
	if (run->snapshot && (scope ? store_snapshot_scope_begin(
					      st, run->schema, scope_field,
					      scope, err)
				    : store_snapshot_begin(st, run->schema,
							   err)) < 0)
		goto rollback;
	if (plugin_read(run, path, given, err) < 0 ||
	    host_file_prepare(run->host, stats, err) < 0)
		goto rollback;
	if (stats->rows == 0 && file_has_data(hash, stats))
		goto silent;
	if (run->snapshot &&
	    store_snapshot_end(st, run->schema, &removed, err) < 0)
		goto rollback;
	if (!file_unchanged(path, hash, given != path)) {
		error_set(err, path, 0, NULL,
			  "the file changed while it was read; ingest it "
			  "again when its export is complete");
		goto rollback;
	}
	memset(&entry, 0, sizeof(entry));
	entry.source = run->section->name;
	entry.dataset = run->schema->name;
	entry.path = path;
	entry.sha256 = sha;
	entry.settings_sha256 = run->logged;
	entry.rows = stats->rows;
	entry.rejected = stats->rejected;
	entry.at = (int64_t)time(NULL);
	entry.file_size = (int64_t)hash->st.st_size;
	entry.file_mtime_ns = mtime_ns(&hash->st);
	entry.file_inode = (int64_t)hash->st.st_ino;
	if (store_ingest_log(st, &entry, err) < 0 ||
	    store_batch_commit(st, err) < 0) {
		stats->storage_failed = 1;
		goto rollback;
	}
	if (note_read_before(run, &entry) < 0)
		log_msg(PEIL_LOG_WARNING, "%s: out of memory: the same "
			"content found again in this ingest is read again",
			path);
	if (host_file_end(run->host, 1, err) < 0)
		log_error(err);
	run->sum->removed += removed;
	if (run->snapshot && stats->rows == 0 && removed > 0) {
		/* Every row of the dataset (or scope) gone on a file without
		 * rows: true, or an export that came out empty; the figures
		 * drop either way, so it is said loudly (exit 2). */
		char where[600] = "";

		if (scope)
			snprintf(where, sizeof(where), " where %s = '%s'",
				 run->schema->fields[scope_field].name, scope);
		run->sum->emptied++;
		log_msg(PEIL_LOG_WARNING, "%s: a snapshot of %s%s without "
			"rows: all %lld stored rows were removed (if the "
			"export came out empty, ingest a whole one)", path,
			run->schema->name, where, (long long)removed);
	} else if (run->snapshot && scope)
		log_msg(PEIL_LOG_INFO, "%s: a snapshot of %s where %s = '%s': "
			"%lld rows that it no longer has were removed", path,
			run->schema->name,
			run->schema->fields[scope_field].name, scope,
			(long long)removed);
	else if (run->snapshot)
		log_msg(PEIL_LOG_INFO, "%s: a snapshot of %s: %lld rows that "
			"it no longer has were removed", path,
			run->schema->name, (long long)removed);
	return FILE_STORED;
rollback:
	if (host_file_storage_failed(run->host))	/* exit 4, not 2 */
		stats->storage_failed = 1;
	host_file_end(run->host, 0, NULL);	/* the writer stops first */
	store_batch_rollback(st);
	return stats->storage_failed ? FILE_STORE_FAILED : FILE_REFUSED;
silent:
	/* Nothing is stored and nothing logged (a snapshot of nothing
	 * would remove every row), but the rows that went to the reject
	 * file are kept there to be corrected. */
	if (host_file_end(run->host, 1, err) < 0)
		log_error(err);
	store_batch_rollback(st);
	return FILE_SILENT;
}

static enum file_outcome read_file(struct source_run *run, const char *path,
				   const file_hash *hash,
				   host_file_stats *stats, peil_error *err)
{
	char alias[64];

	return read_batch(run, path, export_alias(path, hash, alias,
						  sizeof(alias)),
			  hash, stats, err);
}

/* The bytes of the files from the first one on, as the store's
 * load_begin is told them. */
static int64_t files_bytes(const glob_t *files, size_t first)
{
	struct stat sb;
	int64_t bytes = 0;
	size_t i;

	for (i = first; i < files->gl_pathc; i++)
		if (stat(files->gl_pathv[i], &sb) == 0 && sb.st_size > 0)
			bytes += (int64_t)sb.st_size;
	return bytes;
}

/* Tell the store, before the first file that is read rather than
 * skipped, how much is to come: files that are skipped as read before
 * ask nothing of it. */
static int load_begin(struct source_run *run, peil_error *err)
{
	if (run->loading || !store_has(run->ctx->store, STORE_V4_LOADS))
		return 0;
	if (store_load_begin(run->ctx->store,
			     files_bytes(run->files, run->file), err) < 0)
		return -1;
	run->loading = 1;
	return 0;
}

enum read_decision {
	READ_NEW, READ_AGAIN, SKIP_SEEN, SKIP_OLD_SNAPSHOT, SKIP_OTHER_SOURCE,
	REFUSE_STORED
};

/* Whether rows stored again replace the earlier ones: a dataset with key
 * fields (a row replaces the stored row of its key), or a snapshot (it
 * replaces every row). */
static int rows_replace(const struct source_run *run)
{
	if (run->snapshot)
		return 1;
	for (size_t i = 0; i < run->schema->field_count; i++)
		if (run->schema->fields[i].flags & PEIL_FIELD_KEY)
			return 1;
	return 0;
}

/* Whether the source reads content sha, from what its ingest log says of
 * it: once read with these settings by this plugin and version, it is
 * skipped (a rebuilt plugin of the same name and version does not read
 * history again); read with other settings, by another plugin or version,
 * or (before Peil refused it) read with nothing stored, it is read again,
 * and why says why.  An entry logged before Peil kept the plugin's name
 * and version (the fingerprint alone) counts as this plugin's.  A snapshot
 * source reads again only its newest file: an older snapshot would remove
 * rows that the newest one gives back.
 *
 * A content whose rows are in the dataset is not stored again where they
 * would be there twice: one that another source stored is skipped when
 * read with the same settings, refused when read with others (the two
 * sources disagree on what its rows are); one that this source stored
 * with other settings, or by another plugin or version, is refused too
 * unless the rows read again replace the earlier ones (rows_replace).
 * peil ingest --force reads it anyway. */
static enum read_decision read_decision(const struct source_run *run,
					const char *sha, int newest,
					char *why, size_t size)
{
	const size_t hex = DIGEST_HEX_SIZE - 1;
	const struct read_before *other = NULL, *empty = NULL;
	const struct read_before *elsewhere = NULL;
	int elsewhere_same = 0;
	size_t i;

	for (i = 0; i < run->before_count; i++) {
		const struct read_before *b = &run->before[i];
		int legacy = strlen(b->settings) == hex;
		int same = strcmp(b->settings, run->settings) == 0 ||
			   (legacy && b->rows > 0 &&
			    strncmp(b->settings, run->settings, hex) == 0);

		if (strcmp(b->sha256, sha) != 0)
			continue;
		if (b->other) {
			if (!elsewhere_same) {
				elsewhere = b;
				elsewhere_same = same;
			}
			continue;
		}
		if (same)
			return SKIP_SEEN;
		if (legacy && strncmp(b->settings, run->settings, hex) == 0)
			empty = b;
		else if (!other || other->rows <= 0)
			other = b;
	}
	if (elsewhere) {
		snprintf(why, size, "[source %s] stored this content in %s "
			 "(%s) with %s", elsewhere->source, run->schema->name,
			 elsewhere->path,
			 elsewhere_same ? "the same settings"
					: "other settings: two sources of one "
					  "dataset disagree on the rows of one "
					  "export");
		return elsewhere_same ? SKIP_OTHER_SOURCE : REFUSE_STORED;
	}
	if (!other && !empty)
		return READ_NEW;
	if (other && other->rows > 0 && !rows_replace(run)) {
		snprintf(why, size, "[source %s] stored its %lld rows in %s "
			 "(%s) with %s, and %s has no key fields: they would "
			 "be there twice", run->section->name,
			 (long long)other->rows, run->schema->name,
			 other->path,
			 strncmp(other->settings, run->settings, hex) == 0
				 ? "another plugin or version"
				 : "other settings",
			 run->schema->name);
		return REFUSE_STORED;
	}
	if (run->snapshot && !newest)
		return SKIP_OLD_SNAPSHOT;
	if (empty)
		snprintf(why, size, "its earlier read stored no row");
	else if (strlen(other->settings) > hex &&
		 strncmp(other->settings, run->settings, hex) == 0)
		snprintf(why, size, "it was read by plugin %s, now %s",
			 other->settings + hex + 1, run->settings + hex + 1);
	else
		snprintf(why, size, "it was read with other settings of "
			 "[source %s]", run->section->name);
	return READ_AGAIN;
}

static enum file_outcome ingest_file(struct source_run *run, const char *path,
				     const file_hash *hash, int newest)
{
	const char *sha = hash->sha256;
	host_file_stats stats;
	enum file_outcome outcome;
	peil_error err;
	char why[4400];

	memset(&stats, 0, sizeof(stats));
	error_clear(&err);
	if (hash->errnum == ENOTREG) {
		error_set(&err, path, 0, NULL, "not read: it is %s, not a "
			  "regular file", peil_file_kind(hash->st.st_mode));
		outcome = FILE_REFUSED;
		goto report;
	}
	if (hash->errnum) {
		error_set(&err, path, 0, NULL, "cannot read: %s",
			  strerror(hash->errnum));
		outcome = FILE_REFUSED;
		goto report;
	}
	switch (run->force ? READ_NEW
			   : read_decision(run, sha, newest, why, sizeof(why))) {
	case SKIP_SEEN:
		log_msg(PEIL_LOG_INFO,
			"%s: skipped, [source %s] read this content before "
			"with the same settings (peil ingest --force %s reads "
			"it again)", path, run->section->name,
			run->section->name);
		run->sum->skipped++;
		return FILE_SKIPPED;
	case SKIP_OLD_SNAPSHOT:
		log_msg(PEIL_LOG_INFO,
			"%s: skipped, [source %s] read this content before, "
			"and a snapshot source reads again only its newest "
			"file", path, run->section->name);
		run->sum->skipped++;
		return FILE_SKIPPED;
	case SKIP_OTHER_SOURCE:
		log_msg(PEIL_LOG_INFO, "%s: skipped, %s", path, why);
		run->sum->skipped++;
		return FILE_SKIPPED;
	case REFUSE_STORED:
		error_set(&err, path, 0, NULL, "not read: %s (peil ingest "
			  "--force %s reads it anyway)", why,
			  run->section->name);
		outcome = FILE_REFUSED;
		goto report;
	case READ_AGAIN:
		log_msg(PEIL_LOG_INFO, "%s: read again: %s", path, why);
		break;
	case READ_NEW:
		break;
	}
	if (load_begin(run, &err) < 0) {
		outcome = FILE_STORE_FAILED;
		goto report;
	}
	outcome = read_file(run, path, hash, &stats, &err);
	if (outcome == FILE_STORED) {
		run->sum->files++;
		run->sum->rows += stats.rows;
		run->sum->rejected += stats.rejected;
		run->sum->unknown += stats.unknown;
		run->sum->replaced += stats.replaced;
		if (stats.replaced)
			log_msg(PEIL_LOG_WARNING,
				"%s: %lld rows of %s were replaced by a later "
				"row of the same key in this file "
				"(repeated_keys = keep_last)", path,
				(long long)stats.replaced, run->schema->name);
		if (stats.rejected)
			log_msg(PEIL_LOG_WARNING,
				"%s: %lld rows stored in %s, %lld rejected "
				"(written to %s)", path, (long long)stats.rows,
				run->schema->name, (long long)stats.rejected,
				stats.reject_path);
		else
			log_msg(PEIL_LOG_INFO, "%s: %lld rows stored in %s",
				path, (long long)stats.rows, run->schema->name);
		return outcome;
	}
	if (outcome == FILE_SILENT) {
		log_msg(PEIL_LOG_WARNING,
			"%s: the file has data lines, but no row of it was "
			"stored in %s (the plugin gave %lld records, %lld "
			"rejected): it is not marked as ingested, and the "
			"next ingest reads it again", path, run->schema->name,
			(long long)stats.offered, (long long)stats.rejected);
		run->sum->silent++;
		run->sum->rejected += stats.rejected;
		return outcome;
	}
report:
	log_error(&err);
	log_msg(PEIL_LOG_ERROR, "%s: nothing of this file was stored "
		"([source %s], plugin %s)", path, run->section->name,
		run->plugin->plugin->name);
	if (outcome == FILE_STORE_FAILED)
		run->sum->storage_failed = 1;
	else
		run->sum->failed++;
	return outcome;
}

/* value resolved against the config's directory, with the directory's
 * own glob characters escaped so that only value's are patterns. */
static char *glob_pattern(const config *cfg, const char *value)
{
	size_t dlen = strlen(cfg->dir), i, n = 0;
	char *out;

	if (value[0] == '/' || strcmp(cfg->dir, ".") == 0) {
		out = strdup(value);
		if (out)
			config_path_normalize(out);
		return out;
	}
	out = malloc(2 * dlen + strlen(value) + 2);
	if (!out)
		return NULL;
	for (i = 0; i < dlen; i++) {
		if (strchr("*?[]\\", cfg->dir[i]))
			out[n++] = '\\';
		out[n++] = cfg->dir[i];
	}
	out[n++] = '/';
	strcpy(out + n, value);
	config_path_normalize(out);
	return out;
}

int ingest_source_unmatched(const peil_context *ctx,
			    const settings_source *src)
{
	char *pattern = glob_pattern(ctx->cfg, src->path);
	glob_t files;
	int rc;

	if (!pattern)
		return 0;
	rc = glob(pattern, 0, NULL, &files);
	if (rc == 0)
		globfree(&files);
	else
		log_msg(PEIL_LOG_WARNING, "%s:%ld: [source %s]: no file "
			"matches %s (yet): peil ingest will refuse the source "
			"until one does", ctx->cfg->path, src->path_at->line,
			src->section->name, pattern);
	free(pattern);
	return rc != 0;
}

/* Whether the source's last read of path, with its settings, stored rows
 * of a file of the same size, modification time and inode as path now:
 * then it is the file read before, and its hash is not taken again. */
static int unchanged_since_read(const struct source_run *run,
				const char *path)
{
	const struct read_before *last = NULL;
	struct stat sb;

	for (size_t i = 0; i < run->before_count; i++)
		if (!run->before[i].other &&
		    strcmp(run->before[i].path, path) == 0)
			last = &run->before[i];
	return last && last->inode && last->rows > 0 &&
	       strcmp(last->settings, run->settings) == 0 &&
	       stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	       last->size == (int64_t)sb.st_size &&
	       last->mtime_ns == mtime_ns(&sb) &&
	       last->inode == (int64_t)sb.st_ino;
}

static int ingest_source(peil_context *ctx, const settings_source *src,
			 int force, ingest_summary *sum, peil_error *err)
{
	const config_section *s = src->section;
	opened_source opened;
	struct source_run run;
	file_hasher *hasher = NULL;
	file_hash hash;
	char *pattern = NULL, *unchanged = NULL, **to_hash = NULL;
	glob_t files;
	int rc = -1, globbed = 0;
	size_t i, hashed = 0;

	memset(&run, 0, sizeof(run));
	run.ctx = ctx;
	run.section = s;
	run.force = force & INGEST_FORCE;
	run.sum = sum;
	if (settings_fingerprint(s, src->input.recode_file, run.settings) < 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (source_open(ctx, src, ctx->store, &opened, err) < 0)
		return -1;
	run.schema = opened.schema;
	run.plugin = opened.plugin;
	run.host = opened.host;
	run.state = opened.state;
	run.snapshot = src->snapshot;
	snprintf(run.settings + DIGEST_HEX_SIZE - 1,
		 sizeof(run.settings) - (DIGEST_HEX_SIZE - 1), " %.60s %.60s",
		 run.plugin->plugin->name,
		 run.plugin->plugin->version ? run.plugin->plugin->version
					     : "-");
	switch (host_key_fingerprint(run.host, run.key)) {
	case 1:
		snprintf(run.logged, sizeof(run.logged), "%s key %s",
			 run.settings, run.key);
		break;
	case 0:
		snprintf(run.logged, sizeof(run.logged), "%s", run.settings);
		break;
	default:
		error_set(err, ctx->settings.key_file, 0, NULL,
			  "cannot take the key's fingerprint");
		goto out;
	}
	if (store_ingest_scan(ctx->store, note_read_before, &run, err) != 0) {
		log_error(err);
		error_clear(err);
		sum->storage_failed = 1;
		rc = 0;
		goto out;
	}
	if (run.key_clash) {
		log_msg(PEIL_LOG_ERROR, "%s:%ld: [source %s]: [privacy] "
			"key_file %s is not the key the citizen numbers "
			"already in the store were hashed with (%s): one "
			"person would be counted as two; put the old key "
			"back, or start a new store and ingest every export "
			"under the new key", ctx->cfg->path,
			ctx->settings.key_file_at ? ctx->settings.key_file_at->line
						  : 0L,
			s->name, ctx->settings.key_file, run.key_clash);
		sum->failed++;
		rc = 0;
		goto out;
	}
	pattern = glob_pattern(ctx->cfg, src->path);
	if (!pattern) {
		error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	switch (glob(pattern, 0, NULL, &files)) {
	case 0:
		globbed = 1;
		break;
	case GLOB_NOMATCH:
		log_msg(PEIL_LOG_ERROR, "%s:%ld: [source %s]: no file matches %s",
			ctx->cfg->path, src->path_at->line, s->name, pattern);
		sum->failed++;
		rc = 0;
		goto out;
	default:
		config_fail(ctx->cfg, s, src->path_at, err,
			    "cannot list files matching %s", pattern);
		goto out;
	}
	/* The files unchanged since they were read are not hashed: the
	 * others go to the hasher, in order. */
	unchanged = calloc(files.gl_pathc, 1);
	to_hash = calloc(files.gl_pathc + 1, sizeof(*to_hash));
	if (!unchanged || !to_hash) {
		error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < files.gl_pathc; i++) {
		unchanged[i] = !run.force && !(force & INGEST_REHASH) &&
			       unchanged_since_read(&run, files.gl_pathv[i]);
		if (!unchanged[i])
			to_hash[hashed++] = files.gl_pathv[i];
	}
	hasher = file_hasher_start(to_hash, hashed);
	if (!hasher) {
		error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	run.files = &files;
	for (i = 0, hashed = 0; i < files.gl_pathc && !sum->storage_failed &&
		    !interrupt_requested(); i++) {
		if (unchanged[i]) {
			log_msg(PEIL_LOG_INFO, "%s: skipped, [source %s] read "
				"it before and its size, modification time and "
				"inode are the same (peil run --full hashes it "
				"again)", files.gl_pathv[i], s->name);
			sum->skipped++;
			continue;
		}
		file_hasher_get(hasher, hashed++, &hash);
		run.file = i;
		ingest_file(&run, files.gl_pathv[i], &hash,
			    i + 1 == files.gl_pathc);
		file_hash_release(&hash);
	}
	rc = 0;
out:
	if (run.loading)
		store_load_end(ctx->store);
	file_hasher_stop(hasher);
	free(unchanged);
	free(to_hash);
	if (globbed)
		globfree(&files);
	free(pattern);
	for (i = 0; i < run.before_count; i++) {
		free(run.before[i].settings);
		free(run.before[i].path);
		free(run.before[i].source);
	}
	free(run.before);
	free(run.key_clash);
	source_close(&opened);
	return rc;
}

int ingest_sources(peil_context *ctx, const char *only, int force,
		   ingest_summary *sum, peil_error *err)
{
	size_t i, matched = 0;

	memset(sum, 0, sizeof(*sum));
	/* Before any file is read: a snapshot that could remove another
	 * source's rows is refused whichever of the two is ingested. */
	for (i = 0; i < ctx->settings.source_count; i++) {
		const settings_source *src = &ctx->settings.sources[i];

		if ((!only || strcmp(src->section->name, only) == 0) &&
		    source_check_scopes(ctx, src, err) < 0)
			return -1;
	}
	for (i = 0; i < ctx->settings.source_count && !sum->storage_failed &&
		    !interrupt_requested(); i++) {
		const settings_source *src = &ctx->settings.sources[i];

		if (only && strcmp(src->section->name, only) != 0)
			continue;
		matched++;
		if (ingest_source(ctx, src, force, sum, err) < 0)
			return -1;
	}
	if (only && !matched)
		return error_set(err, ctx->cfg->path, 0, NULL,
				 "no [source %s] in the configuration", only);
	return 0;
}
