/* Test time zones: see testzone.h. */
#include "testzone.h"

#include <string.h>

int64_t
ts_civil(int y, int m, int d, int h, int mi, int s)
{
	return (int64_t) bc_days_from_civil(y, m, d) * BC_USECS_PER_DAY +
		   ((int64_t) h * 3600 + mi * 60 + s) * BC_USECS_PER_SEC;
}

static int32_t
offset_at(const bc_zone *z, int64_t u)
{
	int32_t off = z->off_first;

	for (int i = 0; i < z->ntrans && z->trans[i].at <= u; i++)
		off = z->trans[i].off_after;
	return off;
}

int64_t
testzone_to_utc(int64_t local, void *arg)
{
	const bc_zone *z = arg;
	int64_t probe = local - BC_USECS_PER_DAY;
	int i = 0;

	/* the first boundary after (local - 1 day) read as an instant */
	while (i < z->ntrans && z->trans[i].at <= probe)
		i++;
	if (i == z->ntrans)
		return local - (int64_t) offset_at(z, probe) * BC_USECS_PER_SEC;
	{
		int64_t boundary = z->trans[i].at;
		int64_t before = local - (int64_t) z->trans[i].off_before * BC_USECS_PER_SEC;
		int64_t after = local - (int64_t) z->trans[i].off_after * BC_USECS_PER_SEC;

		if (before < boundary && after < boundary)
			return before;
		if (before > boundary && after >= boundary)
			return after;
		return before > after ? before : after;
	}
}

void
testzone_fixed(testzone *tz, int32_t off)
{
	memset(tz, 0, sizeof(*tz));
	tz->zone.lo = INT64_MIN;
	tz->zone.hi = INT64_MAX;
	tz->zone.off_first = off;
	tz->zone.ntrans = 0;
	tz->zone.trans = tz->trans;
	tz->zone.to_utc = testzone_to_utc;
	tz->zone.arg = &tz->zone;
}

void
testzone_dst(testzone *tz, int32_t std, int32_t dst, bool southern, int y0, int y1)
{
	int n = 0;

	testzone_fixed(tz, southern ? dst : std);
	for (int y = y0; y <= y1 && n + 2 <= 512; y++)
	{
		/* second Sunday of March / first Sunday of November (north); the reverse (south) */
		int32_t mar = bc_days_from_civil(y, 3, 8);
		int32_t nov = bc_days_from_civil(y, 11, 1);
		int32_t oct = bc_days_from_civil(y, 10, 1);
		int32_t apr = bc_days_from_civil(y, 4, 1);

		while (bc_weekday(mar) != 6)
			mar++;
		while (bc_weekday(nov) != 6)
			nov++;
		while (bc_weekday(oct) != 6)
			oct++;
		while (bc_weekday(apr) != 6)
			apr++;
		if (!southern)
		{
			tz->trans[n].at = (int64_t) mar * BC_USECS_PER_DAY + 2 * 3600 * BC_USECS_PER_SEC -
							  (int64_t) std * BC_USECS_PER_SEC;
			tz->trans[n].off_before = std;
			tz->trans[n++].off_after = dst;
			tz->trans[n].at = (int64_t) nov * BC_USECS_PER_DAY + 2 * 3600 * BC_USECS_PER_SEC -
							  (int64_t) dst * BC_USECS_PER_SEC;
			tz->trans[n].off_before = dst;
			tz->trans[n++].off_after = std;
		}
		else
		{
			tz->trans[n].at = (int64_t) apr * BC_USECS_PER_DAY + 3 * 3600 * BC_USECS_PER_SEC -
							  (int64_t) dst * BC_USECS_PER_SEC;
			tz->trans[n].off_before = dst;
			tz->trans[n++].off_after = std;
			tz->trans[n].at = (int64_t) oct * BC_USECS_PER_DAY + 2 * 3600 * BC_USECS_PER_SEC -
							  (int64_t) std * BC_USECS_PER_SEC;
			tz->trans[n].off_before = std;
			tz->trans[n++].off_after = dst;
		}
	}
	tz->zone.ntrans = n;
	/* transitions are complete for these years only */
	tz->zone.lo = ts_civil(y0, 1, 1, 0, 0, 0) + BC_ZONE_MARGIN;
	tz->zone.hi = ts_civil(y1, 12, 31, 0, 0, 0) - BC_ZONE_MARGIN;
}
