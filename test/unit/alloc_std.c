/* malloc-backed allocator for the core when it runs outside PostgreSQL */
#include <stdio.h>
#include <stdlib.h>

#include "cs_alloc.h"

void *
cs_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		abort();
	}
	return p;
}

void *
cs_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		abort();
	}
	return p;
}

void
cs_free(void *ptr)
{
	free(ptr);
}
