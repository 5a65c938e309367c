/*
 * cs_alloc.h: memory allocation for the pure core.
 *
 * The core never includes PostgreSQL headers.  It allocates through these three functions,
 * which the extension binds to palloc/repalloc/pfree (src/cs_service.c: allocations land in
 * the caller's current memory context and fail with ereport) and the unit tests and fuzzers
 * bind to malloc (test/unit/alloc_std.c).  cs_alloc never returns NULL.
 */
#ifndef CS_ALLOC_H
#define CS_ALLOC_H

#include <stddef.h>

extern void *cs_alloc(size_t size);
extern void *cs_realloc(void *ptr, size_t size);
extern void cs_free(void *ptr);

#endif
