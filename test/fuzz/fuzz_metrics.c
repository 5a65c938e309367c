/*
 * libFuzzer target for the metrics text parsers (the input functions of score_summary,
 * sla_summary and duration_summary).
 *
 * For any input: parsing never crashes or reads past the input; a parsed value passes its
 * consistency check, prints a canonical text that parses back to the same value and the same
 * text; and every quantile of a parsed duration sketch lies within its min and max.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cs_alloc.h"
#include "metrics.h"

static int64_t counts[CS_DD_NBUCKETS], counts2[CS_DD_NBUCKETS];
static uint16_t idx[CS_DD_NBUCKETS], idx2[CS_DD_NBUCKETS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[256];
	cs_score_counts s, s2;
	cs_sla_counts l, l2;
	cs_dd_head h, h2;
	int nnz, nnz2;

	memcpy(text, data, size);
	text[size] = '\0';

	if (cs_score_parse(text, &s, err, sizeof(err)))
	{
		char *out = cs_score_format(&s);
		char *again;

		if (!cs_score_check(&s, NULL, 0) || !cs_score_parse(out, &s2, err, sizeof(err)) ||
			memcmp(&s, &s2, sizeof(s)) != 0)
			abort();
		again = cs_score_format(&s2);
		if (strcmp(out, again) != 0)
			abort();
		cs_free(out);
		cs_free(again);
	}

	if (cs_sla_parse(text, &l, err, sizeof(err)))
	{
		char *out = cs_sla_format(&l);

		if (!cs_sla_parse(out, &l2, err, sizeof(err)) || memcmp(&l, &l2, sizeof(l)) != 0)
			abort();
		cs_free(out);
	}

	if (cs_dd_parse(text, &h, counts, idx, &nnz, err, sizeof(err)))
	{
		char *out = cs_dd_format(&h, counts, idx, nnz);

		if (!cs_dd_parse(out, &h2, counts2, idx2, &nnz2, err, sizeof(err)) ||
			memcmp(&h, &h2, sizeof(h)) != 0 || nnz != nnz2 ||
			memcmp(counts, counts2, sizeof(int64_t) * nnz) != 0 ||
			memcmp(idx, idx2, sizeof(uint16_t) * nnz) != 0)
			abort();
		cs_free(out);
		if (h.count > 0)
			for (int i = 0; i <= 8; i++)
			{
				int64_t q = cs_dd_quantile(&h, counts, idx, nnz, i / 8.0);

				if (q < h.min_us || q > h.max_us)
					abort();
			}
	}
	free(text);
	return 0;
}
