/* Runs every registered unit test; exit status 1 if any check failed. */
#include <stdarg.h>
#include <stdlib.h>

#include "unit.h"

#define MAX_TESTS 1024

static struct
{
	const char *name;
	unit_fn fn;
} tests[MAX_TESTS];
static int ntests;
static int nfailed;
static const char *current;
int unit_checks;

void
unit_register(const char *name, unit_fn fn)
{
	if (ntests >= MAX_TESTS)
	{
		fprintf(stderr, "too many unit tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void
unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	nfailed++;
	fprintf(stderr, "FAIL %s (%s:%d): ", current, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
main(int argc, char **argv)
{
	for (int i = 0; i < ntests; i++)
	{
		if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
			continue;
		current = tests[i].name;
		tests[i].fn();
	}
	printf("unit tests: %d tests, %d checks, %d failures\n", ntests, unit_checks, nfailed);
	return nfailed ? 1 : 0;
}
