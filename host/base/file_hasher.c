/*
 * file_hasher.c - the SHA-256 of a source's files, one file ahead
 * (file_hasher.h).
 *
 * One file ahead, not all: an ingest that stops (a bad file, a signal)
 * should not have read every other file for nothing, and the hash should
 * not compete for the CPU with more than the file it precedes.
 */
#include "base/file_hasher.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/thread.h"
#include "peil/export_file.h"

struct file_hasher {
	char *const *paths;
	size_t count;
	file_hash *hashes;
	int threaded;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Under lock: files hashed, files the hasher may hash, stop. */
	size_t done, allowed;
	int stop;
	size_t given;	/* hashes that file_hasher_get handed out */
};

/* Only a regular file is read: what is opened is looked at (fstat), so
 * that a named pipe (whose open would wait for a writer that may never
 * come) or a device (a link to /dev/zero never ends) put in the file's
 * place after a stat cannot be read instead. */
void file_hash_take(const char *path, file_hash *out)
{
	FILE *f;
	int fd;

	memset(out, 0, sizeof(*out));
	clock_gettime(CLOCK_REALTIME, &out->at);
	fd = peil_open_export(path, &out->st, NULL, 0);
	if (fd < 0) {
		out->errnum = errno == EINVAL && out->st.st_mode
				      ? ENOTREG
				      : errno ? errno : EIO;
		out->fd = -1;
		return;
	}
	out->fd = fd;
	f = file_hash_reopen(out);
	if (!f || digest_stream_sha256_hex(f, out->sha256) < 0) {
		out->errnum = errno ? errno : EIO;
		file_hash_release(out);
	}
	if (f)
		fclose(f);
}

FILE *file_hash_reopen(const file_hash *h)
{
	FILE *f;
	int fd;

	if (h->fd < 0 || lseek(h->fd, 0, SEEK_SET) < 0 ||
	    (fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return NULL;
	f = fdopen(fd, "rb");
	if (!f)
		close(fd);
	return f;
}

void file_hash_release(file_hash *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

static void *hasher(void *arg)
{
	file_hasher *h = arg;
	size_t i;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->stop && h->done == h->allowed)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->stop || h->done == h->count)
			break;
		i = h->done;
		pthread_mutex_unlock(&h->lock);
		file_hash_take(h->paths[i], &h->hashes[i]);
		pthread_mutex_lock(&h->lock);
		h->done = i + 1;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

file_hasher *file_hasher_start(char *const *paths, size_t count)
{
	file_hasher *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->hashes = calloc(count ? count : 1, sizeof(*h->hashes));
	if (!h->hashes) {
		free(h);
		return NULL;
	}
	h->paths = paths;
	h->count = count;
	h->allowed = count ? 1 : 0;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->threaded = thread_start(&h->thread, hasher, h) == 0;
	return h;
}

void file_hasher_get(file_hasher *h, size_t i, file_hash *out)
{
	if (!h->threaded) {
		file_hash_take(h->paths[i], out);
		return;
	}
	pthread_mutex_lock(&h->lock);
	while (h->done <= i)
		pthread_cond_wait(&h->cond, &h->lock);
	*out = h->hashes[i];
	h->given = i + 1;
	if (h->allowed < h->count && h->allowed < i + 2) {
		h->allowed = i + 2;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
}

void file_hasher_stop(file_hasher *h)
{
	if (!h)
		return;
	if (h->threaded) {
		pthread_mutex_lock(&h->lock);
		h->stop = 1;
		pthread_cond_broadcast(&h->cond);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->thread, NULL);
	}
	for (size_t i = h->given; i < h->done; i++)
		file_hash_release(&h->hashes[i]);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h->hashes);
	free(h);
}
