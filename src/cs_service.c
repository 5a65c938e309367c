/*
 * cs_service.c: module entry and the core's allocator.
 *
 * The pure core (src/core) allocates through cs_alloc/cs_realloc/cs_free; inside the server
 * they are palloc and friends, so memory lands in the caller's current memory context and an
 * allocation failure raises ERROR instead of returning NULL.  _PG_init installs the planner hook
 * of inline_fmgr.c.
 */
#include "postgres.h"

#include "fmgr.h"

#include "cs_alloc.h"
#include "inline_fmgr.h"

PG_MODULE_MAGIC;

void _PG_init(void);

void
_PG_init(void)
{
	cs_inline_init();
}

void *
cs_alloc(size_t size)
{
	return palloc(size ? size : 1);
}

void *
cs_realloc(void *ptr, size_t size)
{
	if (ptr == NULL)
		return palloc(size ? size : 1);
	return repalloc(ptr, size ? size : 1);
}

void
cs_free(void *ptr)
{
	if (ptr != NULL)
		pfree(ptr);
}
