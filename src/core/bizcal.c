/*
 * bizcal.c: business-time arithmetic (see bizcal.h for the method).
 *
 * Notation: a "day" is a local date as a day number (calendar.h); c(D) is the business time on
 * the local clock within local date D (spans that start on D, clipped at midnight, together with
 * the spill of D-1's last span past midnight); S(D) is the running total of c over the days
 * before D; M(x) = S(day(x)) + the business time of day(x) before x.  Everything is in
 * microseconds except span bounds, which are seconds.
 */
#include "bizcal.h"

#include <stdlib.h>
#include <string.h>

#include "cs_alloc.h"

#define US	   BC_USECS_PER_SEC
#define DAY_US BC_USECS_PER_DAY
#define DAY_S  BC_SECS_PER_DAY
/* how far beyond the supported dates a search may look before giving up */
#define SEARCH_MIN_DAY ((int64_t) BC_MIN_DAY - 4)
#define SEARCH_MAX_DAY ((int64_t) BC_MAX_DAY + 4)

typedef struct cluster
{
	int64_t s; /* [s, e): instants computed from the definition */
	int64_t e;
	int32_t off_before;
	int32_t off_after;
	int64_t F_s;	 /* F(s) */
	int64_t E_after; /* F(u) = M(u + off_after) + E_after after the cluster */
	int32_t npieces;
	bc_piece *pieces; /* U within [s, e) */
	int64_t *cum;	  /* measure of pieces before i */
} cluster;

struct bc_prepared
{
	const bc_calendar *cal;
	const bc_zone *zone;

	int64_t c_w[7];		 /* c(D) for a weekly day of weekday w after a weekly day */
	int64_t sw_from0[8]; /* running c_w over k days from day 0's weekday */
	int64_t week_us;
	int32_t bd_from0[8]; /* running business-day count over k days from day 0 */
	int32_t week_bd;

	/* per date range: corrections to the weekly figures (see range_corr) */
	int64_t *r_first; /* c(first) - c_w(first) */
	int64_t *r_inner; /* c(D) for first < D <= last */
	int64_t *r_after; /* c(last+1) - c_w(last+1), 0 when the next range follows */
	int64_t *r_cum;	  /* total correction of ranges before r [nranges + 1] */
	int64_t *r_bdcum; /* business-day correction of ranges before r */

	int32_t nclusters;
	cluster *clusters;

	/* per local day in [tab_d0, tab_d0 + tab_n): S(d), d's spans, and the spill into d */
	int64_t tab_d0;
	int32_t tab_n;
	struct day_entry *tab;
};

typedef struct day_entry
{
	int64_t S;
	const bc_span *spans;
	int32_t nspans;
	int32_t spill;
} day_entry;

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int32_t
spill_of(const bc_span *s, int n)
{
	return (n > 0 && s[n - 1].end > DAY_S) ? s[n - 1].end - DAY_S : 0;
}

/* business seconds within [0, upto) of a day with spans s[] and the previous day's spill */
static int64_t
day_measure(const bc_span *s, int n, int32_t spill, int32_t upto)
{
	int64_t total = spill < upto ? spill : upto;

	for (int i = 0; i < n; i++)
	{
		int32_t a = s[i].start > spill ? s[i].start : spill;
		int32_t b = s[i].end < DAY_S ? s[i].end : DAY_S;

		if (b > upto)
			b = upto;
		if (b > a)
			total += b - a;
	}
	return total;
}

/* same, to the microsecond: business time within [0, upto_us) */
static int64_t
day_measure_us(const bc_span *s, int n, int32_t spill, int64_t upto_us)
{
	int64_t whole = upto_us / US;
	int64_t total = day_measure(s, n, spill, (int32_t) whole) * US;
	int64_t frac = upto_us - whole * US;

	if (frac > 0)
	{
		/* is second `whole` business time? */
		bool in = whole < spill;

		for (int i = 0; i < n && !in; i++)
			in = whole >= s[i].start && whole < s[i].end;
		if (in)
			total += frac;
	}
	return total;
}

static int
week_spans(const bc_prepared *p, int w, const bc_span **s)
{
	*s = p->cal->spans + p->cal->week_first[w];
	return p->cal->week_first[w + 1] - p->cal->week_first[w];
}

static int
range_spans(const bc_prepared *p, int r, const bc_span **s)
{
	*s = p->cal->spans + p->cal->ranges[r].span_first;
	return p->cal->ranges[r].span_count;
}

/* ---------------------------------------------------------------------------------------------
 * The local clock: S(D), M(x), business days B(D)
 * ------------------------------------------------------------------------------------------- */

static int64_t
weekly_sum(const bc_prepared *p, int64_t d)
{
	int64_t q = floor_div(d, 7);

	return q * p->week_us + p->sw_from0[d - q * 7];
}

static int64_t
weekly_bd(const bc_prepared *p, int64_t d)
{
	int64_t q = floor_div(d, 7);

	return q * p->week_bd + p->bd_from0[d - q * 7];
}

/* index of the last range with first < d, or -1 */
static int
last_range_before(const bc_prepared *p, int64_t d)
{
	int lo = 0, hi = p->cal->nranges;

	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;

		if (p->cal->ranges[mid].first < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* the correction of range r to the weekly sum over the days before d (d > first) */
static int64_t
range_corr(const bc_prepared *p, int r, int64_t d)
{
	const bc_range *rg = &p->cal->ranges[r];
	int64_t total = p->r_first[r];
	int64_t inner_end = d < (int64_t) rg->last + 1 ? d : (int64_t) rg->last + 1;
	int64_t n_in = inner_end - rg->first - 1;

	if (n_in > 0)
		total += n_in * p->r_inner[r] -
				 (weekly_sum(p, rg->first + 1 + n_in) - weekly_sum(p, rg->first + 1));
	if (d > (int64_t) rg->last + 1)
		total += p->r_after[r];
	return total;
}

/* S(d), given r = the last range with first < d (or -1) */
static int64_t
S_at(const bc_prepared *p, int64_t d, int r)
{
	int64_t s = weekly_sum(p, d);

	if (r >= 0)
		s += p->r_cum[r] + range_corr(p, r, d);
	return s;
}

static int64_t
S(const bc_prepared *p, int64_t d)
{
	return S_at(p, d, last_range_before(p, d));
}

static int64_t
B(const bc_prepared *p, int64_t d)
{
	int r = last_range_before(p, d);
	int64_t b = weekly_bd(p, d);

	if (r >= 0)
	{
		const bc_range *rg = &p->cal->ranges[r];
		int64_t end = d < (int64_t) rg->last + 1 ? d : (int64_t) rg->last + 1;
		int64_t bd = rg->span_count > 0 ? 1 : 0;

		b += p->r_bdcum[r] + (end - rg->first) * bd - (weekly_bd(p, end) - weekly_bd(p, rg->first));
	}
	return b;
}

/* spans starting on day d and the spill into d from d-1 */
static int
day_rule(const bc_prepared *p, int64_t d, const bc_span **s, int32_t *spill)
{
	const bc_span *ps;
	int pn = bc_spans_of_day(p->cal, d - 1, &ps);

	*spill = spill_of(ps, pn);
	return bc_spans_of_day(p->cal, d, s);
}

/*
 * M(x) for day d = day(x) without the day table: one binary search finds the range at or before
 * d, which gives the rules of that day and the day before as well as S's range.
 */
static int64_t
M_search(const bc_prepared *p, int64_t x, int64_t d)
{
	const bc_calendar *cal = p->cal;
	int r = last_range_before(p, d + 1); /* last range with first <= d */
	int r_lt = r;						 /* last range with first < d */
	const bc_span *s, *ps;
	int n, pn;

	if (r >= 0 && cal->ranges[r].first == d)
		r_lt = r - 1;
	/* day d */
	if (r >= 0 && cal->ranges[r].last >= d)
		n = range_spans(p, r, &s);
	else
		n = week_spans(p, bc_weekday(d), &s);
	/* day d - 1 */
	if (r_lt >= 0 && cal->ranges[r_lt].last >= d - 1)
		pn = range_spans(p, r_lt, &ps);
	else
		pn = week_spans(p, bc_weekday(d - 1), &ps);
	return S_at(p, d, r_lt) + day_measure_us(s, n, spill_of(ps, pn), x - d * DAY_US);
}

/* M(x): the business time on the local clock up to x (arbitrary origin) */
static int64_t
M(const bc_prepared *p, int64_t x)
{
	int64_t d = floor_div(x, DAY_US);
	uint64_t k = (uint64_t) (d - p->tab_d0);

	if (k < (uint64_t) p->tab_n)
	{
		const day_entry *e = &p->tab[k];

		return e->S + day_measure_us(e->spans, e->nspans, e->spill, x - d * DAY_US);
	}
	return M_search(p, x, d);
}

/*
 * The largest day d with fn(d) < y, searching from `hint` (fn is non-decreasing).  *side is 0
 * when found, -1 when every searchable day already reaches y, +1 when none does.
 */
static int64_t
search_day(const bc_prepared *p, int64_t (*fn)(const bc_prepared *, int64_t), int64_t hint,
		   int64_t y, int64_t per_week, int *side)
{
	int64_t lo = hint, hi, step = 1;

	*side = -1; /* until found: the target lies before all days */
	if (lo < SEARCH_MIN_DAY)
		lo = SEARCH_MIN_DAY;
	if (lo > SEARCH_MAX_DAY)
		lo = SEARCH_MAX_DAY;
	/* make fn(lo) < y */
	while (fn(p, lo) >= y)
	{
		if (lo == SEARCH_MIN_DAY)
			return 0;
		lo -= step;
		step *= 2;
		if (lo < SEARCH_MIN_DAY)
			lo = SEARCH_MIN_DAY;
	}
	/* find hi with fn(hi) >= y, starting from an estimate by whole weeks */
	*side = 1; /* until found: the target lies after all days */
	hi = lo + 1;
	if (per_week > 0)
	{
		int64_t gap = y - fn(p, lo);
		int64_t est = (gap / per_week) * 7;

		if (est > SEARCH_MAX_DAY - lo)
			est = SEARCH_MAX_DAY - lo;
		if (est > 1)
			hi = lo + est;
	}
	step = 1;
	while (hi <= SEARCH_MAX_DAY && fn(p, hi) < y)
	{
		lo = hi;
		hi += step;
		step *= 2;
	}
	if (hi > SEARCH_MAX_DAY)
	{
		hi = SEARCH_MAX_DAY;
		if (fn(p, hi) < y)
			return 0;
	}
	while (hi - lo > 1)
	{
		int64_t mid = lo + (hi - lo) / 2;

		if (fn(p, mid) < y)
			lo = mid;
		else
			hi = mid;
	}
	*side = 0;
	return lo;
}

/* G(y): the smallest local time x with M(x) >= y; *side as for search_day */
static bc_status
M_inverse(const bc_prepared *p, int64_t y, int64_t hint_x, int64_t *x, int *side)
{
	int64_t d = search_day(p, S, floor_div(hint_x, DAY_US), y, p->week_us, side);
	const bc_span *s;
	int32_t spill;
	int n;
	int64_t need, cum;

	if (*side != 0)
		return BC_UNREACHABLE;
	need = y - S(p, d);
	n = day_rule(p, d, &s, &spill);
	/* walk the day's business pieces: the spill, then each span beyond it */
	cum = 0;
	if (spill > 0)
	{
		if ((int64_t) spill * US >= need)
		{
			*x = d * DAY_US + need;
			return BC_OK;
		}
		cum = (int64_t) spill * US;
	}
	for (int i = 0; i < n; i++)
	{
		int64_t a = (s[i].start > spill ? s[i].start : spill) * US;
		int64_t b = (s[i].end < DAY_S ? s[i].end : DAY_S) * US;

		if (b <= a)
			continue;
		if (cum + (b - a) >= need)
		{
			*x = d * DAY_US + a + (need - cum);
			return BC_OK;
		}
		cum += b - a;
	}
	/* cannot happen: S(d + 1) >= y */
	return BC_UNREACHABLE;
}

/* ---------------------------------------------------------------------------------------------
 * Exact business time from the definition
 * ------------------------------------------------------------------------------------------- */

static int
piece_cmp(const void *a, const void *b)
{
	const bc_piece *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

int
bc_exact_pieces(const bc_calendar *cal, const bc_zone *zone, int64_t a, int64_t b,
				bc_piece **pieces)
{
	/* local dates whose spans can reach [a, b): offsets stay within +-26 hours */
	int64_t margin = 26 * 3600 * US;
	int64_t d0 = floor_div(a - margin, DAY_US) - 2;
	int64_t d1 = floor_div(b + margin, DAY_US) + 1;
	int cap = 16, n = 0, m = 0;
	bc_piece *out = cs_alloc(sizeof(bc_piece) * cap);

	if (d0 < SEARCH_MIN_DAY)
		d0 = SEARCH_MIN_DAY;
	if (d1 > SEARCH_MAX_DAY)
		d1 = SEARCH_MAX_DAY;
	for (int64_t d = d0; d <= d1; d++)
	{
		const bc_span *s;
		int k = bc_spans_of_day(cal, d, &s);

		for (int i = 0; i < k; i++)
		{
			int64_t ps = zone->to_utc(d * DAY_US + s[i].start * US, zone->arg);
			int64_t pe = zone->to_utc(d * DAY_US + s[i].end * US, zone->arg);

			if (ps < a)
				ps = a;
			if (pe > b)
				pe = b;
			if (pe <= ps)
				continue;
			if (n == cap)
			{
				cap *= 2;
				out = cs_realloc(out, sizeof(bc_piece) * cap);
			}
			out[n].start = ps;
			out[n].end = pe;
			n++;
		}
	}
	qsort(out, n, sizeof(bc_piece), piece_cmp);
	for (int i = 0; i < n; i++)
	{
		if (m > 0 && out[i].start <= out[m - 1].end)
		{
			if (out[i].end > out[m - 1].end)
				out[m - 1].end = out[i].end;
		}
		else
			out[m++] = out[i];
	}
	*pieces = out;
	return m;
}

/* ---------------------------------------------------------------------------------------------
 * Preparation
 * ------------------------------------------------------------------------------------------- */

bc_prepared *
bc_prepare(const bc_calendar *cal, const bc_zone *zone)
{
	bc_prepared *p = cs_alloc(sizeof(bc_prepared));
	int nr = cal->nranges;
	int w0 = bc_weekday(0);
	int64_t E = 0;
	int32_t off = zone->off_first;
	int nc = 0;

	memset(p, 0, sizeof(*p));
	p->cal = cal;
	p->zone = zone;

	/* the weekly figures */
	p->week_us = 0;
	p->week_bd = 0;
	for (int w = 0; w < 7; w++)
	{
		const bc_span *s, *ps;
		int n = week_spans(p, w, &s);
		int pn = week_spans(p, (w + 6) % 7, &ps);

		p->c_w[w] = day_measure(s, n, spill_of(ps, pn), DAY_S) * US;
		p->week_us += p->c_w[w];
		p->week_bd += n > 0 ? 1 : 0;
	}
	p->sw_from0[0] = 0;
	p->bd_from0[0] = 0;
	for (int k = 0; k < 7; k++)
	{
		int w = (w0 + k) % 7;

		p->sw_from0[k + 1] = p->sw_from0[k] + p->c_w[w];
		p->bd_from0[k + 1] = p->bd_from0[k] + (cal->week_first[w + 1] > cal->week_first[w] ? 1 : 0);
	}

	/* the date ranges' corrections */
	p->r_first = cs_alloc(sizeof(int64_t) * (nr + 1));
	p->r_inner = cs_alloc(sizeof(int64_t) * (nr + 1));
	p->r_after = cs_alloc(sizeof(int64_t) * (nr + 1));
	p->r_cum = cs_alloc(sizeof(int64_t) * (nr + 1));
	p->r_bdcum = cs_alloc(sizeof(int64_t) * (nr + 1));
	p->r_cum[0] = 0;
	p->r_bdcum[0] = 0;
	for (int r = 0; r < nr; r++)
	{
		const bc_range *rg = &cal->ranges[r];
		const bc_span *s, *ps;
		int n = range_spans(p, r, &s);
		int pn;
		int32_t prev_spill;
		int wf = bc_weekday(rg->first);
		int wa = bc_weekday((int64_t) rg->last + 1);
		int64_t len = (int64_t) rg->last - rg->first + 1;

		if (r > 0 && cal->ranges[r - 1].last + 1 == rg->first)
			pn = range_spans(p, r - 1, &ps);
		else
			pn = week_spans(p, (wf + 6) % 7, &ps);
		prev_spill = spill_of(ps, pn);
		p->r_first[r] = day_measure(s, n, prev_spill, DAY_S) * US - p->c_w[wf];
		p->r_inner[r] = day_measure(s, n, spill_of(s, n), DAY_S) * US;
		if (r + 1 < nr && cal->ranges[r + 1].first == rg->last + 1)
			p->r_after[r] = 0;
		else
		{
			const bc_span *as;
			int an = week_spans(p, wa, &as);

			p->r_after[r] = day_measure(as, an, spill_of(s, n), DAY_S) * US - p->c_w[wa];
		}
		p->r_cum[r + 1] = p->r_cum[r] + range_corr(p, r, (int64_t) rg->last + 2);
		p->r_bdcum[r + 1] = p->r_bdcum[r] + len * (n > 0 ? 1 : 0) -
							(weekly_bd(p, (int64_t) rg->last + 1) - weekly_bd(p, rg->first));
	}

	/* the day table for the instants in focus */
	if (zone->focus_hi > zone->focus_lo)
	{
		int64_t d0 = floor_div(zone->focus_lo, DAY_US) - 2;
		int64_t d1 = floor_div(zone->focus_hi, DAY_US) + 3;
		int64_t running;
		int32_t spill;
		const bc_span *ps;
		int pn;

		if (d0 < SEARCH_MIN_DAY)
			d0 = SEARCH_MIN_DAY;
		if (d1 > SEARCH_MAX_DAY)
			d1 = SEARCH_MAX_DAY;
		if (d1 - d0 > BC_MAX_TABLE_DAYS)
			d1 = d0 + BC_MAX_TABLE_DAYS;
		if (d1 > d0)
		{
			p->tab_d0 = d0;
			p->tab_n = (int32_t) (d1 - d0);
			p->tab = cs_alloc(sizeof(day_entry) * p->tab_n);
			running = S(p, d0);
			pn = bc_spans_of_day(cal, d0 - 1, &ps);
			spill = spill_of(ps, pn);
			for (int32_t k = 0; k < p->tab_n; k++)
			{
				day_entry *e = &p->tab[k];

				e->S = running;
				e->nspans = bc_spans_of_day(cal, d0 + k, &e->spans);
				e->spill = spill;
				running += day_measure(e->spans, e->nspans, spill, DAY_S) * US;
				spill = spill_of(e->spans, e->nspans);
			}
		}
	}

	/* clusters of transitions, each computed from the definition */
	p->clusters = cs_alloc(sizeof(cluster) * (zone->ntrans + 1));
	for (int i = 0; i < zone->ntrans;)
	{
		cluster *c = &p->clusters[nc];
		int j = i;
		int64_t total = 0;

		c->s = zone->trans[i].at - BC_CLUSTER_HALF;
		c->e = zone->trans[i].at + BC_CLUSTER_HALF;
		while (j + 1 < zone->ntrans && zone->trans[j + 1].at - BC_CLUSTER_HALF <= c->e)
		{
			j++;
			c->e = zone->trans[j].at + BC_CLUSTER_HALF;
		}
		c->off_before = off;
		c->off_after = zone->trans[j].off_after;
		c->F_s = M(p, c->s + (int64_t) off * US) + E;
		c->npieces = bc_exact_pieces(cal, zone, c->s, c->e, &c->pieces);
		c->cum = cs_alloc(sizeof(int64_t) * (c->npieces + 1));
		for (int k = 0; k < c->npieces; k++)
		{
			c->cum[k] = total;
			total += c->pieces[k].end - c->pieces[k].start;
		}
		c->cum[c->npieces] = total;
		off = c->off_after;
		E = c->F_s + total - M(p, c->e + (int64_t) off * US);
		c->E_after = E;
		nc++;
		i = j + 1;
	}
	p->nclusters = nc;
	return p;
}

void
bc_prepared_free(bc_prepared *p)
{
	for (int c = 0; c < p->nclusters; c++)
	{
		cs_free(p->clusters[c].pieces);
		cs_free(p->clusters[c].cum);
	}
	cs_free(p->clusters);
	cs_free(p->tab);
	cs_free(p->r_first);
	cs_free(p->r_inner);
	cs_free(p->r_after);
	cs_free(p->r_cum);
	cs_free(p->r_bdcum);
	cs_free(p);
}

bool
bc_covers(const bc_prepared *p, int64_t u)
{
	return u >= p->zone->lo && u < p->zone->hi;
}

/* ---------------------------------------------------------------------------------------------
 * The instant clock F
 * ------------------------------------------------------------------------------------------- */

/* index of the first cluster with e > u (nclusters if none) */
static int
cluster_after(const bc_prepared *p, int64_t u)
{
	int lo = 0, hi = p->nclusters;

	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;

		if (p->clusters[mid].e <= u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
interior_of(const bc_prepared *p, int c, int32_t *off, int64_t *E)
{
	if (c == 0)
	{
		*off = p->zone->off_first;
		*E = 0;
	}
	else
	{
		*off = p->clusters[c - 1].off_after;
		*E = p->clusters[c - 1].E_after;
	}
}

/* measure of the cluster's pieces before u (s <= u <= e) */
static int64_t
cluster_measure(const cluster *c, int64_t u)
{
	int lo = 0, hi = c->npieces;

	/* first piece with end > u */
	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;

		if (c->pieces[mid].end <= u)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->npieces && c->pieces[lo].start < u)
		return c->cum[lo] + (u - c->pieces[lo].start);
	return c->cum[lo];
}

static int64_t
F(const bc_prepared *p, int64_t u)
{
	int c = cluster_after(p, u);
	int32_t off;
	int64_t E;

	if (c < p->nclusters && p->clusters[c].s <= u)
		return p->clusters[c].F_s + cluster_measure(&p->clusters[c], u);
	interior_of(p, c, &off, &E);
	return M(p, u + (int64_t) off * US) + E;
}

/* the smallest instant t with F(t) >= T; hint: an instant near the answer */
static bc_status
F_inverse(const bc_prepared *p, int64_t T, int64_t hint, int64_t *t, int64_t *need)
{
	int lo = 0, hi = p->nclusters;
	int32_t off;
	int64_t E, x;
	bc_status st;
	int side;

	/* first cluster whose end value F(e) reaches T */
	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;
		const cluster *c = &p->clusters[mid];

		if (c->F_s + c->cum[c->npieces] < T)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nclusters && p->clusters[lo].F_s < T)
	{
		/* inside cluster lo */
		const cluster *c = &p->clusters[lo];
		int64_t want = T - c->F_s;

		for (int k = 0; k < c->npieces; k++)
			if (c->cum[k + 1] >= want)
			{
				*t = c->pieces[k].start + (want - c->cum[k]);
				return BC_OK;
			}
		return BC_UNREACHABLE; /* cannot happen */
	}
	/* in the interior before cluster lo */
	interior_of(p, lo, &off, &E);
	st = M_inverse(p, T - E, hint + (int64_t) off * US, &x, &side);
	if (st == BC_UNREACHABLE)
	{
		/*
		 * Not on the local clock; but offset changes beyond the known window of the zone may
		 * add or take away time (a date-rule night over a fall-back is an hour longer than on
		 * the clock), so only a zone known to its ends can say "never".
		 */
		if (side < 0 && p->zone->lo != INT64_MIN)
		{
			*need = p->zone->lo - 1;
			return BC_NEED_COVERAGE;
		}
		if (side > 0 && p->zone->hi != INT64_MAX)
		{
			*need = p->zone->hi;
			return BC_NEED_COVERAGE;
		}
		return st;
	}
	if (st != BC_OK)
		return st;
	*t = x - (int64_t) off * US;
	if (!bc_covers(p, *t))
	{
		*need = *t;
		return BC_NEED_COVERAGE;
	}
	return BC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The operations
 * ------------------------------------------------------------------------------------------- */

#define REQUIRE_COVERAGE(p, u, need) \
	do                               \
	{                                \
		if (!bc_covers((p), (u)))    \
		{                            \
			*(need) = (u);           \
			return BC_NEED_COVERAGE; \
		}                            \
	} while (0)

int64_t
bc_utc_to_local(const bc_prepared *p, int64_t u)
{
	const bc_zone *z = p->zone;
	int lo = 0, hi = z->ntrans;
	int32_t off;

	/* first transition with at > u */
	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;

		if (z->trans[mid].at <= u)
			lo = mid + 1;
		else
			hi = mid;
	}
	off = lo == 0 ? z->off_first : z->trans[lo - 1].off_after;
	return u + (int64_t) off * US;
}

bc_status
bc_duration(const bc_prepared *p, int64_t a, int64_t b, int64_t *result, int64_t *need)
{
	REQUIRE_COVERAGE(p, a, need);
	REQUIRE_COVERAGE(p, b, need);
	*result = F(p, b) - F(p, a);
	return BC_OK;
}

bc_status
bc_add(const bc_prepared *p, int64_t ts, int64_t amount, int64_t *result, int64_t *need)
{
	int64_t Fts;

	REQUIRE_COVERAGE(p, ts, need);
	if (amount == 0)
	{
		*result = ts;
		return BC_OK;
	}
	Fts = F(p, ts);
	if (amount > 0)
		return F_inverse(p, Fts + amount, ts, result, need);
	else
	{
		/* the latest t with F(t) <= F(ts) + amount: one before the first t with F(t) > it */
		bc_status st = F_inverse(p, Fts + amount + 1, ts + amount, result, need);

		if (st == BC_OK)
			*result -= 1;
		return st;
	}
}

bc_status
bc_is_business(const bc_prepared *p, int64_t u, bool *result, int64_t *need)
{
	REQUIRE_COVERAGE(p, u, need);
	REQUIRE_COVERAGE(p, u + 1, need);
	*result = F(p, u + 1) - F(p, u) == 1;
	return BC_OK;
}

bc_status
bc_next_business(const bc_prepared *p, int64_t u, int64_t *result, int64_t *need)
{
	bool in;
	bc_status st = bc_is_business(p, u, &in, need);

	if (st != BC_OK)
		return st;
	if (in)
	{
		*result = u;
		return BC_OK;
	}
	/* the first business microsecond after u is [t - 1, t) for the first t with F(t) > F(u) */
	st = F_inverse(p, F(p, u) + 1, u, result, need);
	if (st == BC_OK)
		*result -= 1;
	return st;
}

bc_status
bc_days_add(const bc_prepared *p, int64_t ts, int32_t n, int64_t *result, int64_t *need)
{
	int64_t local, d0, clock, y, d;
	int side;

	REQUIRE_COVERAGE(p, ts, need);
	if (n == 0)
	{
		*result = ts;
		return BC_OK;
	}
	local = bc_utc_to_local(p, ts);
	d0 = floor_div(local, DAY_US);
	clock = local - d0 * DAY_US;
	/* the business day D with B(D + 1) = y, for the n-th business day after / before d0 */
	y = n > 0 ? B(p, d0 + 1) + n : B(p, d0) + n + 1;
	d = search_day(p, B, d0 + n, y, p->week_bd, &side);
	if (side != 0)
		return BC_UNREACHABLE;
	/* search_day gives the largest d' with B(d') < y; the business day is d' itself */
	if (d < BC_MIN_DAY || d > BC_MAX_DAY)
		return BC_OUT_OF_RANGE;
	*result = p->zone->to_utc(d * DAY_US + clock, p->zone->arg);
	return BC_OK;
}
